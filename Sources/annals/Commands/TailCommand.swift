import AnnalsClient
import AnnalsProtocol
import AnnalsCore
import AnnalsFormat
import ArgumentParser
import Dispatch
import Foundation

/// `annals tail`: follow new events live.
struct TailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail", abstract: "Catch up from a log position, then follow new events live until interrupted.",
        discussion: "Example: annals tail --actor Japan --since 0"
    )

    @OptionGroup var server: ServerOptions
    @OptionGroup var filters: FilterOptions
    @Option(parsing: .unconditional, help: ArgumentHelp("Start after this log position (default: now, only new events).", valueName: "seq"))
    var since: Int64?
    @Flag(help: "Print each entry as a JSON Lines record.")
    var jsonl = false
    @Flag(help: "Plain ASCII.")
    var ascii = false

    func run() throws {
        try runReportingErrors {
            let connection = try server.connect()
            let start: Int64
            if let since {
                start = since
            } else {
                start = try connection.stats().lastSeq
            }
            let output = LogWriter()
            let jsonl = self.jsonl, ascii = self.ascii
            let subscription = try connection.subscribe(try filters.query(), fromSeq: start) { entry in
                output.write(jsonl ? EventLogCodec.encode(entry.entry) : Self.line(entry, ascii: ascii))
                output.flush()
            }
            if !jsonl && Terminal.stderrIsTerminal {
                Terminal.writeError("following from log position \(start); Ctrl-C to stop\n")
            }
            // Wait until the server ends the subscription or goes away, or we are interrupted (SIGINT ends the
            // process). Subscriptions do not keep a connection alive: ping well within the server's idle timeout.
            let idle = connection.serverHello.limits.idleTimeoutSeconds
            let interval = idle > 0 ? min(5, Double(idle) / 3) : 5
            var nextPing = Date()
            while true {
                if let error = connection.subscriptionError(subscription.id) { throw ClientError.server(error) }
                if Date() >= nextPing {
                    guard (try? connection.ping()) != nil else { break }
                    nextPing = Date().addingTimeInterval(interval)
                }
                Thread.sleep(forTimeInterval: 0.2)
            }
            // The server says why it ends the connection (shutting-down, busy for a slow reader…) before closing.
            if let failure = connection.failure, failure.serverCode != nil { throw failure }
            throw CLIError(.failure, "annalsd closed the connection")
        }
    }

    /// One line per entry: position, date, kind and title; retractions with their reason.
    static func line(_ entry: SequencedEntry, ascii: Bool) -> String {
        switch entry.entry {
        case .event(let event):
            let revision = (event.revision ?? 1) > 1 ? " (revision \(event.revision ?? 1))" : ""
            return "#\(entry.seq)  \(DateDisplay.text(event.date, ascii: ascii))  \(event.kind.rawValue)  \(event.title)\(revision)"
        case .retraction(let retraction):
            return "#\(entry.seq)  retracted \(retraction.id): \(retraction.reason)"
        }
    }
}
