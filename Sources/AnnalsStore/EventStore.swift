import AnnalsCore
import AnnalsProtocol

/// The storage engine behind Annals. The server and the tools use only this protocol, so another engine
/// (a networked database, say) can be added without touching them.
///
/// Implementations are thread-safe: many connections call them at once. Appends from concurrent callers
/// may share one transaction (group commit); a call returns only once its entries are durable.
public protocol EventStore: AnyObject, Sendable {
    /// Appends log entries as one atomic batch: either every entry is written (or found to be a
    /// duplicate) or nothing is. Returns one outcome per entry, in order.
    /// - Throws: `StoreError` when the batch could not be written at all (disk full, I/O error).
    func append(_ entries: [LogEntry]) throws(StoreError) -> [AppendOutcome]

    /// Appends on the store's writer and calls `completion` (on an unspecified thread) once durable.
    func append(_ entries: [LogEntry], completion: @escaping @Sendable (Result<[AppendOutcome], StoreError>) -> Void)

    /// Records a new revision of an existing event.
    /// - Throws: `StoreError` `.notFound`, `.invalidEvent`, or a write failure.
    func amend(_ event: Event) throws(StoreError) -> EventRecord

    /// Retracts an event with a reason: a tombstone revision that hides it from timelines.
    func retract(id: String, reason: String) throws(StoreError) -> EventRecord

    /// One event with every revision and its references both ways; nil when the id is unknown.
    /// - Parameter revision: a past revision to show as current, or nil for the latest.
    func get(id: String, revision: Int?) throws(StoreError) -> EventDetail?

    /// The `detail` answer for one event (PROTOCOL.md §4.3 EventDetail) in its wire encoding, ready to send;
    /// nil when the id is unknown.
    /// - Throws: `StoreError.notFound` for a revision the event does not have.
    func encodedDetail(id: String, revision: Int?) throws(StoreError) -> [UInt8]?

    /// A page of a chronological timeline, its records in their wire encoding, ready to send.
    /// - Throws: `StoreError.invalidQuery` for a bad cursor, a search that cannot be read or a reversed range.
    func encodedTimeline(_ query: TimelineQuery) throws(StoreError) -> EncodedPage

    /// Up to `limit` log entries with a position after `seq`, in log order (for export and live tails).
    func entries(after seq: Int64, limit: Int) throws(StoreError) -> [SequencedEntry]

    /// The last log position written (0 for an empty store).
    func lastSeq() throws(StoreError) -> Int64

    /// Counts and sizes.
    func stats() throws(StoreError) -> StoreStats

    /// Called after each commit with the last log position written, on the writer's thread: keep it short.
    func onCommit(_ handler: @escaping @Sendable (Int64) -> Void)

    /// The log position through which searches see the log (the last position, for an engine that indexes text
    /// as it writes).
    var searchableSeq: Int64 { get }

    /// Calls `done(true)` once searches see every entry up to log position `seq` and every entry stored when the
    /// store was opened, or `done(false)` after `timeout` seconds. Runs `done` on an unspecified thread.
    func whenSearchable(through seq: Int64, timeout: Double, _ done: @escaping @Sendable (Bool) -> Void)

    /// Finishes pending writes and closes the store. Later calls fail with `.closed`.
    func close()
}

/// A timeline page whose records are already in their wire encoding (`EncodedRecords`).
public struct EncodedPage: Sendable, Hashable {
    public var records: EncodedRecords
    /// Pass as `TimelineQuery.cursor` for the next page; nil on the last page.
    public var nextCursor: String?

    public init(records: EncodedRecords, nextCursor: String?) {
        self.records = records
        self.nextCursor = nextCursor
    }
}

extension EventStore {
    /// The current state of one event, or nil.
    public func get(id: String) throws(StoreError) -> EventDetail? {
        try get(id: id, revision: nil)
    }

    /// A page of a chronological timeline, decoded.
    /// - Throws: `StoreError.invalidQuery` for a bad cursor, a search that cannot be read or a reversed range.
    public func timeline(_ query: TimelineQuery) throws(StoreError) -> TimelinePage {
        let page = try encodedTimeline(query)
        do {
            return TimelinePage(records: try page.records.decoded(), nextCursor: page.nextCursor)
        } catch {
            throw StoreError(.corrupt, "a stored record does not decode: \(error.message)")
        }
    }
}

