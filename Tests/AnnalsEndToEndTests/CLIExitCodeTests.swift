import Foundation
import Testing

/// The documented exit codes (`annals --help`, `Sources/annals/Support/CLIError.swift`), each with one
/// line on stderr that starts with "annals:" (ArgumentParser's usage text for 64) and no stack trace.
@Suite("annals exit codes", .cliSharedStore)
struct CLIExitCodeTests {
    /// Checks the one-line "annals: …" message of a failure.
    func expectOneLineError(_ result: CLIResult, _ arguments: [String], containing text: String? = nil,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.stderrLines.count == 1 && result.stderr.hasSuffix("\n"), "\(arguments): \(result)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("annals: "), "\(arguments): \(result)", sourceLocation: sourceLocation)
        for trace in ["Fatal error", "Stack dump", "backtrace", "Current stack trace", "#0 ", "0x0000"] {
            #expect(!result.stderr.contains(trace), "\(arguments): \(result)", sourceLocation: sourceLocation)
        }
        if let text { #expect(result.stderr.contains(text), "\(arguments): \(result)", sourceLocation: sourceLocation) }
        #expect(!result.signaled && !result.timedOut, sourceLocation: sourceLocation)
    }

    @Test func noServerListening() throws {
        let port = try cliClosedLoopbackPort()
        let cli = CLIRunner(address: "127.0.0.1:\(port)", timeout: 30)
        let directory = try CLITemporaryDirectory()
        let log = try directory.file("one.jsonl", #"{"id":"x","date":"2001","kind":"other","title":"X"}"# + "\n")
        for arguments in [["ping"], ["timeline"], ["timeline", "--format", "json"], ["show", "x"], ["add", "--date", "2001", "--title", "X"],
                          ["amend", "x", "--summary", "s"], ["retract", "x", "--reason", "r"], ["export"], ["tail", "--since", "0"],
                          ["stats"], ["replay", log]] {
            let result = try cli.run(arguments)
            #expect(result.status == 3, "\(arguments): \(result)")
            expectOneLineError(result, arguments, containing: "no annalsd reachable")
            #expect(result.stdout.isEmpty)
        }
        // --port wins over ANNALS_ADDR; a malformed ANNALS_ADDR is a usage error.
        let store = try CLISharedStore.get()
        #expect(try store.cli.run(["ping", "--port", String(port)]).status == 3)
        for garbage in ["localhost", "garbage", ":7355", "host:notaport"] {
            let malformed = try CLIRunner(address: garbage).run(["ping"])
            #expect(malformed.status == 64, "\(garbage): \(malformed)")
            expectOneLineError(malformed, ["ping"], containing: "ANNALS_ADDR")
        }
    }

    @Test func tokenRefused() throws {
        let directory = try CLITemporaryDirectory()
        let token = "s3cret-token-0123456789abcdef"
        let tokenFile = try directory.file("token", token + "\n")
        let wrongFile = try directory.file("wrong", "s3cret-token-0123456789abcdeX\n")
        let server = try ServerProcess(arguments: ["--token-file", tokenFile])
        let cli = CLIRunner(server: server)
        for arguments in [["ping"], ["stats"], ["timeline"], ["show", "x"], ["export"], ["add", "--date", "2001", "--title", "X"]] {
            let anonymous = try cli.run(arguments)
            #expect(anonymous.status == 4, "\(arguments): \(anonymous)")
            expectOneLineError(anonymous, arguments, containing: "--token-file")
            let wrong = try cli.run(arguments + ["--token-file", wrongFile])
            #expect(wrong.status == 4, "\(arguments): \(wrong)")
            expectOneLineError(wrong, arguments)
            #expect(!wrong.stderr.contains("s3cret"), "the token is never printed")
        }
        #expect(try cli.ok(["ping", "--token-file", tokenFile]).stdout.hasPrefix("annalsd "))
        #expect(try cli.ok(["add", "--date", "2001", "--title", "With a token", "--token-file", tokenFile]).stdout == "2001-with-a-token\n")
        let missing = try cli.run(["ping", "--token-file", directory.path("absent")])
        #expect(missing.status == 66)
        expectOneLineError(missing, ["ping"], containing: "token file")
    }

    @Test func invalidDates() throws {
        let cli = try CLISharedStore.get().cli
        for arguments in [["date", "2019-02-29"], ["date", "1956-13"], ["date", "yesterday"],
                          ["add", "--date", "2019-02-29", "--title", "Not a leap year"],
                          ["amend", "1956-10-19-soviet-japanese-joint-declaration", "--date", "2019-02-29"],
                          ["timeline", "--from", "2019-02-29"], ["timeline", "--to", "1956-13"], ["export", "--from", "1956-13"]] {
            let result = try cli.run(arguments)
            #expect(result.status == 65, "\(arguments): \(result)")
            expectOneLineError(result, arguments)
        }
        let leap = try cli.run(["date", "2019-02-29"])
        #expect(leap.stderr == "annals: invalid date '2019-02-29': February 29 does not exist in 2019: 2019 is not a leap year\n")
        // Bad kinds are invalid input too, in add as in the filters.
        for arguments in [["add", "--date", "2001", "--title", "X", "--kind", "party"], ["timeline", "--kind", "party"]] {
            let result = try cli.run(arguments)
            #expect(result.status == 65, "\(arguments): \(result)")
            expectOneLineError(result, arguments, containing: "unknown kind 'party'")
        }
    }

    @Test func unknownIDs() throws {
        let cli = try CLISharedStore.get().cli
        for arguments in [["show", "no-such-event"], ["show", "1956-10-19-soviet-japanese-joint-declaration", "--revision", "9"],
                          ["amend", "no-such-event", "--summary", "x"], ["retract", "no-such-event", "--reason", "x"]] {
            let result = try cli.run(arguments)
            #expect(result.status == 5, "\(arguments): \(result)")
            expectOneLineError(result, arguments, containing: "not-found")
            #expect(result.stdout.isEmpty)
        }
    }

    @Test func unreadableFiles() throws {
        let cli = try CLISharedStore.get().cli
        let directory = try CLITemporaryDirectory()
        for arguments in [["replay", directory.path("absent.jsonl")], ["replay", Fixtures.samplePath, directory.path("absent.jsonl")],
                          ["replay", directory.url.path], ["add", "--date", "2001", "--title", "X", "--body-file", directory.path("absent")]] {
            let result = try cli.run(arguments)
            #expect(result.status == 66, "\(arguments): \(result)")
            expectOneLineError(result, arguments, containing: "cannot read")
        }
        // Nothing of the sample went in when one file is missing.
        let stats = try CLIParse.json(try cli.ok(["stats", "--json"]).stdout) as? [String: Any]
        #expect(stats?["last_seq"] as? Int == CLIFixtures.allLines.count)
    }

    @Test func usageErrors() throws {
        let cli = try CLISharedStore.get().cli
        for arguments in [["timeline", "--bogus"], ["frobnicate"], ["show"], ["add", "--title", "No date"], ["add", "--date", "2001"],
                          ["timeline", "--limit", "0"], ["timeline", "--format", "yaml"], ["timeline", "--width", "10"],
                          ["replay"], ["replay", "--rate", "0", "-"], ["retract", "x"], ["ping", "--count", "0"], ["amend", "x"],
                          ["timeline", "--limit", "-1"], ["show", "x", "--revision", "0"], ["help", "nosuch"], ["nosuch"]] {
            let result = try cli.run(arguments)
            #expect(result.status == 64, "\(arguments): \(result)")
            // One line starting "annals:", as every other error (ArgumentParser printed 3-4 lines starting "Error:").
            expectOneLineError(result, arguments)
            #expect(!result.stderr.contains("Missing value"), "\(arguments): \(result)")
            #expect(result.stdout.isEmpty)
        }
        #expect(try cli.run(["timeline", "--limit", "-1"]).stderr.contains("--limit must be at least 1, not -1"))
        #expect(try cli.run(["retract", "x"]).stderr.contains("--reason"))
        #expect(try cli.run(["help", "nosuch"]).stderr.contains("no subcommand 'nosuch'"))
        #expect(try cli.run(["timeline", "--format", "yaml"]).stderr.contains("Use one of: text, json"))
        let help = try cli.ok(["--help"])
        #expect(help.stdout.contains("Exit codes: 0 ok, 1 error, 2 replay or import rejected some lines, 3 cannot"))
        for command in ["ping", "add", "replay", "import", "timeline", "show", "amend", "retract", "export", "tail", "stats", "date"] {
            #expect(try cli.ok([command, "--help"]).stdout.contains("USAGE: annals \(command)"), "\(command) --help")
        }
    }

    @Test func rejectedLinesAndConflicts() throws {
        let cli = try CLISharedStore.get().cli
        let conflict = try cli.run(["add", "--id", "1956-10-19-soviet-japanese-joint-declaration", "--date", "1956", "--title", "Clash"])
        #expect(conflict.status == 6)
        expectOneLineError(conflict, ["add"], containing: "conflict")
        let rejected = try cli.run(["replay", "-"], stdin: Data(#"{"date":"2001"}"#.utf8))
        #expect(rejected.status == 2)
        #expect(rejected.stderrLines == ["<stdin>:1: missing-field: kind: kind is missing", "replayed: 0 accepted, 0 duplicates, 1 rejected"])
    }
}
