import AnnalsClient
import AnnalsProtocol
import AnnalsCore
import ArgumentParser
import Foundation

/// `annals export`: the change log as JSON Lines, in log order.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write the change log as JSON Lines in log order (every revision; retractions too).",
        discussion: """
            Replaying an unfiltered export into an empty server reproduces the store, and its export, byte for \
            byte. With filters, each revision is kept when its own content matches (a retraction when the \
            content it retracts matches).

            Example: annals export > annals.jsonl
            """
    )

    @OptionGroup var server: ServerOptions
    @OptionGroup var filters: FilterOptions
    @Option(parsing: .unconditional, help: ArgumentHelp("Start after this log position.", valueName: "seq"))
    var since: Int64 = 0

    func run() throws {
        try runReportingErrors {
            let connection = try server.connect()
            defer { connection.close() }
            let query = try filters.query()
            let output = LogWriter()
            // Bounded reads of the log (readLog), filtered by the server, until the end of the log.
            var after = since
            while true {
                let page = try connection.readLog(query, after: after, limit: 1000)
                for entry in page.entries { output.write(EventLogCodec.encode(entry.entry)) }
                after = page.nextSeq
                if page.end { break }
            }
            output.flush()
        }
    }
}

/// Buffered standard output for long streams.
final class LogWriter: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = Data()

    func write(_ line: String) {
        lock.lock()
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        let full = buffer.count > 1 << 20
        lock.unlock()
        if full { flush() }
    }

    func flush() {
        lock.lock()
        let data = buffer
        buffer.removeAll(keepingCapacity: true)
        lock.unlock()
        if !data.isEmpty { FileHandle.standardOutput.write(data) }
    }
}
