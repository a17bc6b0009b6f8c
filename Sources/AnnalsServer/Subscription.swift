import AnnalsCore
import AnnalsStore

/// A live subscription on one connection: a filter and the log position delivered so far.
/// Confined to its connection's queue, except `fetch`, which only reads its arguments.
final class Subscription: @unchecked Sendable {
    /// The request id of the subscribe request; pushes carry it.
    let id: UInt32
    let filter: LogFilter
    /// Entries up to this log position have been delivered (or skipped as not matching).
    var cursor: Int64
    var fetching = false
    /// The last log position when the subscription started: entries up to it are catch-up.
    var catchUpEnd: Int64 = 0
    /// The `subscribed` reply, until its `more` flag is known.
    var subscribedSlot: ResponseSlot?
    /// Whether the `subscribed` reply has been queued for sending; pushes wait in `pendingFrames` until then.
    var announced = false
    var pendingFrames: [[UInt8]] = []
    /// The latest catch-up match, held back until it is known whether it is the last one.
    var held: SequencedEntry?
    var caughtUp = false

    /// Entries read per fetch at most: small, so a slow reader never makes the server buffer much.
    static let batch = 64
    /// Entries to read in the next fetch: `batch`, less when entries are large, so that one fetch encodes
    /// about `budget` bytes (see `adapt`) rather than 64 bodies of up to 1 MiB each.
    var fetchLimit = batch

    init(id: UInt32, filter: LogFilter, cursor: Int64) {
        self.id = id
        self.filter = filter
        self.cursor = cursor
    }

    /// The next entries after `cursor` that match, and the position they bring the cursor to.
    /// A retraction matches when the event it retracts does.
    func fetch(from store: any EventStore, after cursor: Int64, limit: Int) throws(StoreError) -> (matches: [SequencedEntry], cursor: Int64) {
        try filter.next(from: store, after: cursor, limit: limit)
    }

    /// Sizes the next fetch after one that encoded `bytes` for `count` matches: about `budget` bytes a fetch.
    func adapt(count: Int, bytes: Int, budget: Int) {
        guard count > 0 else { return }
        let perEntry = max(1, bytes / count)
        fetchLimit = min(Self.batch, max(1, budget / perEntry))
    }
}
