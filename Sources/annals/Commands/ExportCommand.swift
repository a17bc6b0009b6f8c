import AnnalsClient
import AnnalsProtocol
import AnnalsCore
import ArgumentParser
import Dispatch
import Foundation
import Synchronization

/// `annals export`: the change log as JSON Lines, in log order.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write the change log as JSON Lines in log order (every revision; retractions too).",
        discussion: """
            Replaying an unfiltered export into an empty server reproduces the store, and its export, byte for byte.
            With filters, each revision is kept when its own content matches (a retraction when its event matches).
            Example: annals export > annals.jsonl
            """
    )

    @OptionGroup var server: ServerOptions
    @OptionGroup var filters: FilterOptions
    @Option(help: ArgumentHelp("Start after this log position.", valueName: "seq"))
    var since: Int64 = 0

    func run() throws {
        try runReportingErrors {
            let connection = try server.connect()
            defer { connection.close() }
            let query = try filters.query()
            let unfiltered = query == TimelineQuery(limit: query.limit)
            let output = LogWriter()
            let filter = Mutex(ExportFilter(query: query))
            // The whole log streams in as a subscription's catch-up, and the filters apply here; the
            // server marks the last catch-up entry, so the export ends there.
            let subscription = try connection.subscribe(TimelineQuery(), fromSeq: since) { entry in
                if unfiltered || filter.withLock({ $0.keep(entry.entry) }) {
                    output.write(EventLogCodec.encode(entry.entry))
                }
            }
            while !connection.isCaughtUp(subscription.id) {
                if let failure = connection.failure { throw failure }
                Thread.sleep(forTimeInterval: 0.005)
            }
            _ = try? connection.unsubscribe(subscription.id)
            output.flush()
        }
    }
}

/// Keeps the entries a filtered export shows: revisions whose content matches, and retractions of
/// events whose last content matched.
struct ExportFilter {
    let query: TimelineQuery
    private var matching: Set<String> = []

    init(query: TimelineQuery) {
        self.query = query
    }

    mutating func keep(_ entry: LogEntry) -> Bool {
        switch entry {
        case .event(let event):
            if query.matches(event) {
                matching.insert(event.id)
                return true
            }
            matching.remove(event.id)
            return false
        case .retraction(let retraction):
            return matching.contains(retraction.id)
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
