import AnnalsClient
import AnnalsCore
import AnnalsProtocol
import Foundation
import Testing

/// What a new user and an outside client author met in their first minutes (issue 11), each through the real
/// CLI and annalsd.
@Suite("annals as outside eyes tried it", .serialized)
struct CLIOutsideEyesTests {
    static func fresh() throws -> (ServerProcess, CLIRunner) {
        let server = try ServerProcess()
        let cli = CLIRunner(server: server)
        try cli.ok(["replay", "--quiet", Fixtures.samplePath])
        return (server, cli)
    }

    private func ids(_ output: String) -> [String] {
        output.split(separator: "\n").compactMap { line in
            guard case .event(let event)? = try? EventLogCodec.decode(line: String(line)) else { return nil }
            return event.id
        }
    }

    @Test("search on ordinary words means the same in timeline, export, tail and over the wire")
    func searchWords() throws {
        let (server, cli) = try Self.fresh()
        for words in ["Kim Jong-un", "Russo-Japanese", "Abe's", "U.S.", "a:b", "peace treaty -Moscow", "declar*",
                      "\"joint declaration\" OR communiqué"] {
            let timeline = try cli.run(["timeline", "--search", words, "--format", "jsonl", "--include-retracted"])
            #expect(timeline.status == 0, "\(words): \(timeline)")
            let export = try cli.ok(["export", "--search", words])
            let tail = try cli.start(["tail", "--since", "0", "--jsonl", "--search", words])
            defer { tail.stop(signal: SIGKILL) }
            // Export prints every matching revision; the sample has one content revision per event, so the ids agree.
            #expect(Set(ids(export.stdout)) == Set(ids(timeline.stdout)), "\(words)")
            let expected = Set(ids(timeline.stdout))
            #expect(tail.waitForOutput { Set(ids($0)) == expected }, "\(words): tail \(tail.stdout.suffix(300))")
        }
        #expect(!ids(try cli.ok(["timeline", "--search", "Kim Jong-un", "--from", "2019", "--to", "2019", "--format", "jsonl"]).stdout).isEmpty)
        #expect(ids(try cli.ok(["timeline", "--search", "Kim Jong-un", "--format", "jsonl"]).stdout).contains("2018-06-12-trump-kim-singapore-summit"))
        // A search that cannot be read: invalid input, one line in words, no SQL; the same over the wire.
        for bad in ["\"unterminated", "\"", "*", "NOT korea", "OR"] {
            for command in [["timeline"], ["export"], ["tail", "--since", "0"]] {
                let result = try cli.run(command + ["--search", bad])
                #expect(result.status == 65, "\(command) \(bad): \(result)")
                #expect(result.stderr.hasPrefix("annals: cannot read the search") && result.stderr.split(separator: "\n").count == 1, "\(result)")
                #expect(!result.stderr.contains("fts5") && !result.stderr.contains("SELECT") && !result.stderr.contains("internal"))
            }
            let connection = try server.connect()
            #expect {
                try connection.timeline(TimelineQuery(text: bad))
            } throws: { error in
                (error as? ClientError)?.serverCode == .invalidQuery
            }
        }
    }

    @Test("a mistyped relation is refused, nothing stored; an id with a colon keeps its relation")
    func relationTypo() throws {
        let (server, cli) = try Self.fresh()
        defer { withExtendedLifetime(server) {} }
        let before = try cli.ok(["stats", "--json"]).stdout
        let typo = try cli.run(["add", "--date", "2019-01-28", "--title", "Typo", "--ref", "1956-10-19-soviet-japanese-joint-declaration:invoke"])
        #expect(typo.status == 65, "\(typo)")
        #expect(typo.stderr.contains("unknown-relation") && typo.stderr.contains("did you mean invokes?"))
        #expect(try cli.ok(["stats", "--json"]).stdout == before, "nothing written")
        let colon = try cli.ok(["add", "--id", "with-colon-ref", "--date", "2019", "--title", "Colon", "--ref", "acled:123:mentions"])
        #expect(colon.stdout == "with-colon-ref\n")
        #expect(try cli.ok(["show", "with-colon-ref", "--json"]).stdout.contains(#""references":[{"id":"acled:123","relation":"mentions"}]"#))
    }

    @Test("headings follow the events with open, unknown and BC dates mixed in; no heading twice")
    func headings() throws {
        let (server, cli) = try Self.fresh()
        defer { withExtendedLifetime(server) {} }
        for (id, date) in [("open-start", "../1956"), ("unknown-start", "/1945"), ("bc", "-0660-02-11"), ("century", "19XX"),
                           ("decade", "195X"), ("year-1950", "1950"), ("day-1950", "1950-03-05")] {
            try cli.ok(["add", "--id", id, "--date", date, "--kind", "other", "--title", "Mixed \(id)", "--tag", "mixed"])
        }
        for reverse in [[], ["--reverse"]] {
            let text = try cli.ok(["timeline", "--tag", "mixed", "--width", "100"] + reverse).stdout
            let headings = text.split(separator: "\n").filter { !$0.hasPrefix(" ") }.map(String.init)
            #expect(headings.count == Set(headings).count, "\(headings)")
            #expect(headings.count == 6, "\(headings)")  // 5 Mar 1950 goes under 1950s, which covers it
            if reverse.isEmpty { #expect(headings.first == "Until 1956", "\(headings)") }
            let markdown = try cli.ok(["timeline", "--tag", "mixed", "--format", "markdown"] + reverse).stdout
            let sections = markdown.split(separator: "\n").filter { $0.hasPrefix("## ") }
            #expect(sections.count == Set(sections).count, "\(sections)")
            #expect(!markdown.contains("## 1900s"), "a century does not read as a decade")
        }
    }

    @Test("show --revision marks the shown revision and keeps the head current")
    func showRevision() throws {
        let (server, cli) = try Self.fresh()
        defer { withExtendedLifetime(server) {} }
        let id = "1956-10-19-soviet-japanese-joint-declaration"
        try cli.ok(["amend", id, "--tag", "amended-once"])
        let past = CLIParse.flattened(try cli.ok(["show", id, "--revision", "1", "--width", "200"]).stdout)
        #expect(past.contains("(shown)"))
        #expect(past.contains("revision 1 (an earlier one: the current is 2)"))
        let lines = try cli.ok(["show", id, "--revision", "1", "--width", "200"]).stdout.split(separator: "\n")
        #expect(lines.first { $0.contains("(current)") }?.contains(" 2  ") == true, "\(lines)")
    }

    @Test("a date range that ends before it starts is refused, by the CLI and over the wire")
    func reversedRange() throws {
        let (server, cli) = try Self.fresh()
        for command in [["timeline"], ["export"], ["tail", "--since", "0"]] {
            let result = try cli.run(command + ["--from", "2020", "--to", "2019"])
            #expect(result.status == 65, "\(command): \(result)")
            #expect(result.stderr.contains("ends before it starts"))
        }
        let connection = try server.connect()
        let query = TimelineQuery(from: try HistoricalDate(parsing: "2020"), to: try HistoricalDate(parsing: "2019"))
        for request in [Request.timeline(query), .readLog(query, afterSeq: 0, limit: 10), .subscribe(query, fromSeq: 0)] {
            #expect {
                try connection.call(request)
            } throws: { error in
                (error as? ClientError)?.serverCode == .invalidQuery
            }
        }
    }

    @Test("tokens: missing and wrong say which; ANNALS_TOKEN_FILE stands in; an unreadable file says why")
    func tokens() throws {
        let directory = try CLITemporaryDirectory()
        let tokenFile = try directory.file("token", "s3cret-token-0123456789abcdef\n")
        let wrongFile = try directory.file("wrong", "s3cret-token-0123456789abcdeX\n")
        let emptyFile = try directory.file("empty", "\n")
        let server = try ServerProcess(arguments: ["--token-file", tokenFile])
        let cli = CLIRunner(server: server)
        let missing = try cli.run(["ping"])
        #expect(missing.status == 4 && missing.stderr.contains("needs a token"), "\(missing)")
        let wrong = try cli.run(["ping", "--token-file", wrongFile])
        #expect(wrong.status == 4 && wrong.stderr.contains("is not the one annalsd"), "\(wrong)")
        #expect(missing.stderr != wrong.stderr)
        #expect(try cli.ok(["ping"], environment: ["ANNALS_TOKEN_FILE": tokenFile]).stdout.hasPrefix("annalsd "))
        #expect(try cli.run(["ping"], environment: ["ANNALS_TOKEN_FILE": wrongFile]).status == 4)
        for (path, reason, status) in [(directory.path("absent"), "No such file or directory", Int32(66)),
                                       (directory.url.path, "it is a directory", 66), (emptyFile, "is empty", 65)] {
            let result = try cli.run(["ping", "--token-file", path])
            #expect(result.status == status && result.stderr.contains(reason), "\(path): \(result)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test("a port that is not annalsd's is named at once, for an HTTP server and for a banner")
    func notAnnalsd() throws {
        let http = try ForeignPeer(greeting: nil, answerToAnything: "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        let banner = try ForeignPeer(greeting: "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", answerToAnything: nil)
        for (peer, sent) in [(http, "HTTP/1.1 400"), (banner, "SSH-2.0")] {
            let result = try CLIRunner(address: "127.0.0.1:\(peer.port)").run(["ping"])
            #expect(result.status == 3, "\(result)")
            #expect(result.stderr.contains("does not speak the Annals protocol") && result.stderr.contains(sent), "\(result)")
            #expect(!result.stderr.contains("smaller batches") && !result.stderr.contains("Resource temporarily"))
        }
    }

    @Test("tail ends with exit code 7 when annalsd shuts down")
    func tailShutdown() throws {
        let (server, cli) = try Self.fresh()
        let follower = try cli.start(["tail", "--since", "0", "--jsonl"])
        defer { follower.stop(signal: SIGKILL) }
        #expect(follower.waitForOutput { $0.split(separator: "\n").count >= 87 })
        #expect(try server.stop() == 0)
        #expect(follower.waitForExit(timeout: 30), "tail did not end after the server stopped")
        #expect(follower.process.terminationStatus == 7, "\(follower.stderr)")
        #expect(follower.stderr.contains("shutting-down"), "\(follower.stderr)")
    }

    @Test("a limit that cuts the timeline says more events match; help lists --format's values once")
    func limitHintAndHelp() throws {
        let (server, cli) = try Self.fresh()
        defer { withExtendedLifetime(server) {} }
        let cut = try cli.ok(["timeline", "--limit", "3"])
        #expect(cut.stderr.contains("showing the first 3 events; more match"))
        let whole = try cli.ok(["timeline", "--limit", "1000"])
        #expect(whole.stderr.isEmpty)
        let help = try cli.ok(["timeline", "--help"]).stdout
        #expect(help.components(separatedBy: "markdown").count == 2, "\(help)")
    }

    @Test("readLog reads the log in bounded parts that end by themselves")
    func readLog() throws {
        let (server, _) = try Self.fresh()
        let connection = try server.connect()
        var after: Int64 = 0
        var seen: [Int64] = []
        var parts = 0
        while true {
            let page = try connection.readLog(after: after, limit: 10)
            #expect(page.entries.count <= 10)
            seen += page.entries.map(\.seq)
            after = page.nextSeq
            parts += 1
            if page.end { break }
        }
        #expect(seen == Array(1...Int64(seen.count)))
        #expect(Int64(seen.count) == (try connection.stats()).lastSeq)
        #expect(parts == (seen.count + 9) / 10)
        // Filtered: only Japan and Russia, as the timeline finds them.
        let japan = try connection.readLog(TimelineQuery(actors: ["Russia"]), after: 0, limit: 1000)
        #expect(japan.end)
        let timeline = try connection.timeline(TimelineQuery(actors: ["Russia"], limit: 1000, includeRetracted: true))
        let events = japan.entries.compactMap { if case .event(let e) = $0.entry { e.id } else { nil } }
        #expect(Set(events) == Set(timeline.records.map(\.event.id)))
        #expect(throws: ClientError.self) { try connection.readLog(after: 0, limit: 0) }
    }
}

/// A TCP peer that is not annalsd: it sends a greeting on accepting, or answers whatever arrives.
final class ForeignPeer: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32

    init(greeting: String?, answerToAnything answer: String?) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        listener = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
                bind(fd, p, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, p, &length) == 0
            }
        }
        guard ok else { throw TestFailure("cannot listen") }
        port = UInt16(bigEndian: address.sin_port)
        Thread {
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                if let greeting { _ = greeting.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }
                var buffer = [UInt8](repeating: 0, count: 4096)
                // An HTTP server answers once the request head ends (CR LF CR LF), and not before.
                var received: [UInt8] = []
                while answer != nil {
                    let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
                    if n <= 0 { break }
                    received += buffer[0..<n]
                    if received.windows(ofCount: 4).contains([13, 10, 13, 10]) {
                        _ = answer?.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                        break
                    }
                }
                Thread.sleep(forTimeInterval: 30)
                close(client)
            }
        }.start()
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}

extension Array where Element == UInt8 {
    /// Whether some `count` consecutive bytes equal `window`.
    fileprivate func windows(ofCount count: Int) -> [[UInt8]] {
        guard self.count >= count else { return [] }
        return (0...(self.count - count)).map { Array(self[$0..<($0 + count)]) }
    }
}
