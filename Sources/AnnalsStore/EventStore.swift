import AnnalsCore

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

    /// A page of a chronological timeline.
    /// - Throws: `StoreError.invalidQuery` for a bad cursor or full-text syntax.
    func timeline(_ query: TimelineQuery) throws(StoreError) -> TimelinePage

    /// Up to `limit` log entries with a position after `seq`, in log order (for export and live tails).
    func entries(after seq: Int64, limit: Int) throws(StoreError) -> [SequencedEntry]

    /// The last log position written (0 for an empty store).
    func lastSeq() throws(StoreError) -> Int64

    /// Counts and sizes.
    func stats() throws(StoreError) -> StoreStats

    /// Called after each commit with the last log position written, on the writer's thread: keep it short.
    func onCommit(_ handler: @escaping @Sendable (Int64) -> Void)

    /// Finishes pending writes and closes the store. Later calls fail with `.closed`.
    func close()
}

extension EventStore {
    /// The current state of one event, or nil.
    public func get(id: String) throws(StoreError) -> EventDetail? {
        try get(id: id, revision: nil)
    }
}

