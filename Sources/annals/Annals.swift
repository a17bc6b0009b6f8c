import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// annals: the command-line client of Annals.
@main
struct Annals: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "annals",
        abstract: "Record diplomatic events and read them as chronological timelines.",
        discussion: """
            Talks to annalsd at --host and --port, or at ANNALS_ADDR=host:port (default 127.0.0.1:7355); \
            a server that needs a token reads it from --token-file or ANNALS_TOKEN_FILE.

            Exit codes: 0 ok, 1 error, 2 replay or import rejected some lines, 3 cannot connect, 4 unauthorized, \
            5 not found, 6 conflict, 7 server busy or shutting down (or its database unreachable), 64 usage, 65 invalid input (a bad \
            date, event or query), 66 unreadable file, 70 internal or protocol error.
            """,
        version: "0.1.0",
        subcommands: [
            PingCommand.self, AddCommand.self, ReplayCommand.self, ImportCommand.self, TimelineCommand.self,
            ShowCommand.self, AmendCommand.self, RetractCommand.self, ExportCommand.self, TailCommand.self,
            StatsCommand.self, DateCommand.self,
        ]
    )

    /// Parses and runs, reporting a usage error as one line on stderr starting `annals:` (exit 64), as every
    /// other error is reported, instead of ArgumentParser's several lines.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let error = UsageCheck.unknownHelpTopic(arguments, subcommands: configuration.subcommands.map { $0._commandName }) {
            Terminal.printError(error)
            Glibc.exit(CLIError.Exit.usage.rawValue)
        }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                Terminal.write(fullMessage(for: error) + "\n")
                Glibc.exit(0)
            }
            // An error a command already reported (an ExitCode, possibly wrapped by the parser) has no message.
            if error is ExitCode || message(for: error).isEmpty {
                Glibc.exit(code.rawValue)
            }
            Terminal.printError(UsageCheck.oneLine(message(for: error), command: arguments.first.flatMap { name in
                configuration.subcommands.contains { $0._commandName == name } ? name : nil
            }))
            Glibc.exit(code.rawValue)
        }
    }
}

/// Turns ArgumentParser's usage errors into the CLI's one-line form.
enum UsageCheck {
    /// `annals help NAME` for a NAME that is no subcommand: the error to print, else nil.
    static func unknownHelpTopic(_ arguments: [String], subcommands: [String]) -> String? {
        guard arguments.count >= 2, arguments[0] == "help", !subcommands.contains(arguments[1]) else { return nil }
        return "no subcommand '\(arguments[1])': use one of \(subcommands.joined(separator: ", "))"
    }

    /// An ArgumentParser message on one line: its first line without the "Error: " prefix, a list of
    /// allowed values folded into it, and a pointer to the help.
    static func oneLine(_ message: String, command: String?) -> String {
        let lines = message.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        var line = lines.first ?? message
        if line.hasPrefix("Error: ") { line.removeFirst("Error: ".count) }
        let choices = lines.dropFirst().filter { $0.hasPrefix("  - ") }.map { $0.dropFirst(4) }
        if !choices.isEmpty {
            line = line.replacingOccurrences(of: " Please provide one of the following:", with: "")
            line += " Use one of: " + choices.joined(separator: ", ") + "."
        }
        return line + " (see: annals help\(command.map { " " + $0 } ?? ""))"
    }
}
