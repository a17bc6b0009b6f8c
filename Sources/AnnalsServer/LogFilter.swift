import AnnalsCore
import AnnalsStore

/// Reads the log after a position and keeps what a query's filters match, for subscriptions and `readLog`:
/// an event revision when its own content matches, a retraction when the content it retracts matches.
struct LogFilter: Sendable {
    let matcher: EventMatcher

    /// - Throws: `QueryError` when the query cannot be evaluated (a search that cannot be read).
    init(_ query: TimelineQuery) throws(QueryError) {
        try query.validate()
        matcher = try query.matcher()
    }

    /// Whether `entry` passes the filters.
    func keeps(_ entry: LogEntry, store: any EventStore) throws(StoreError) -> Bool {
        switch entry {
        case .event(let event):
            return matcher.matches(event)
        case .retraction(let retraction):
            guard let content = try store.get(id: retraction.id)?.current.event else { return false }
            return matcher.matches(content)
        }
    }

    /// The entries after `cursor` (at most `limit` read) that match, and the position they bring the cursor to.
    func next(from store: any EventStore, after cursor: Int64, limit: Int) throws(StoreError) -> (matches: [SequencedEntry], cursor: Int64) {
        let entries = try store.entries(after: cursor, limit: limit)
        var matches: [SequencedEntry] = []
        for entry in entries where try keeps(entry.entry, store: store) { matches.append(entry) }
        return (matches, entries.last?.seq ?? cursor)
    }
}

extension LogFilter {
    /// Entries read per store call while filling a log page.
    static let readBatch = 256
    /// Entries a single `readLog` examines at most, so that a filter matching little cannot hold a read slot
    /// for the whole log: the page then ends early, with `nextSeq` where reading stopped.
    static let scanLimit = 20_000

    /// A `readLog` answer: up to `limit` matching entries after `afterSeq`, within `byteBudget` encoded bytes
    /// (at least one entry whatever its size), and the position to continue from.
    func page(from store: any EventStore, after afterSeq: Int64, limit: Int, byteBudget: Int,
              size: (SequencedEntry) -> Int) throws(StoreError) -> (entries: [SequencedEntry], nextSeq: Int64, end: Bool) {
        let last = try store.lastSeq()
        var cursor = max(0, afterSeq)
        var kept: [SequencedEntry] = []
        var bytes = 0
        var scanned = 0
        reading: while kept.count < limit && cursor < last && scanned < Self.scanLimit {
            let entries = try store.entries(after: cursor, limit: min(Self.readBatch, Self.scanLimit - scanned))
            if entries.isEmpty { break }
            for entry in entries {
                if try keeps(entry.entry, store: store) {
                    let entrySize = size(entry)
                    if !kept.isEmpty && bytes + entrySize > byteBudget { break reading }
                    kept.append(entry)
                    bytes += entrySize
                }
                cursor = entry.seq
                scanned += 1
                if kept.count == limit { break reading }
            }
        }
        return (kept, cursor, cursor >= last)
    }
}
