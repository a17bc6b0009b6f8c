import AnnalsCore
import AnnalsProtocol
import AnnalsStore
import Synchronization

/// An `EventStore` that passes every call to a real store, except that reads of the log (`entries(after:)`, what
/// export and live subscriptions read) fail with a chosen error while `logReadFault` is set: a database that is
/// away for a while, without a database.
public final class FaultInjectingStore: EventStore {
    public let base: any EventStore
    private let fault = Mutex<StoreError?>(nil)

    public init(_ base: any EventStore) { self.base = base }

    /// The error reads of the log fail with, or nil for none.
    public var logReadFault: StoreError? {
        get { fault.withLock { $0 } }
        set { fault.withLock { $0 = newValue } }
    }

    public func entries(after seq: Int64, limit: Int) throws(StoreError) -> [SequencedEntry] {
        if let error = logReadFault { throw error }
        return try base.entries(after: seq, limit: limit)
    }

    public func append(_ entries: [LogEntry]) throws(StoreError) -> [AppendOutcome] { try base.append(entries) }
    public func append(_ entries: [LogEntry], completion: @escaping @Sendable (Result<[AppendOutcome], StoreError>) -> Void) {
        base.append(entries, completion: completion)
    }
    public func amend(_ event: Event) throws(StoreError) -> EventRecord { try base.amend(event) }
    public func retract(id: String, reason: String) throws(StoreError) -> EventRecord { try base.retract(id: id, reason: reason) }
    public func get(id: String, revision: Int?) throws(StoreError) -> EventDetail? { try base.get(id: id, revision: revision) }
    public func encodedDetail(id: String, revision: Int?) throws(StoreError) -> [UInt8]? {
        try base.encodedDetail(id: id, revision: revision)
    }
    public func encodedTimeline(_ query: TimelineQuery) throws(StoreError) -> EncodedPage { try base.encodedTimeline(query) }
    public func lastSeq() throws(StoreError) -> Int64 { try base.lastSeq() }
    public func stats() throws(StoreError) -> StoreStats { try base.stats() }
    public func onCommit(_ handler: @escaping @Sendable (Int64) -> Void) { base.onCommit(handler) }
    public var searchableSeq: Int64 { base.searchableSeq }
    public func whenSearchable(through seq: Int64, timeout: Double, _ done: @escaping @Sendable (Bool) -> Void) {
        base.whenSearchable(through: seq, timeout: timeout, done)
    }
    public func close() { base.close() }
}
