import Dispatch
import Synchronization

/// Merges the search index's pending list (`events_search`, a GIN index with `fastupdate`) into the index on a
/// connection of its own, after this process's commits, so that no append does it.
///
/// PostgreSQL takes a GIN index's new entries into a pending list and merges the list into the index when an
/// insert finds it past `gin_pending_list_limit`, inside that insert. With several writers the others go on
/// filling the list during a merge, so each merge has more to do than the last: at 900k events one group's
/// insert merged for 160 s while every client waited on it (Scripts/bench-results/2026-12-04T055254Z/profile.md).
/// Here the merge runs beside the writers instead, as often as they commit: the schema raises the index's limit
/// (64 MB, a backstop: an insert merges only if the list outgrows it) and one process at a time merges, under
/// an advisory lock (the others find it taken and leave the list to it). Errors are not reported: the merge is
/// tried again after the next commit, the connection made again with backoff, and the backstop remains.
/// `@unchecked Sendable`: its connection is used only on its queue.
final class SearchIndexMerger: @unchecked Sendable {
    /// The advisory lock the merging process holds ("annals-gin" in ASCII).
    static let lockKey: Int64 = 0x616e_6e61_6c73_6769

    private let queue = DispatchQueue(label: "annals.postgres.search-merge", qos: .utility)
    private let connect: @Sendable () throws(PGError) -> PGConnection
    private let backoff = Backoff()
    /// The connection, only on `queue`.
    private var connection: PGConnection?
    /// Whether a merge is queued and not yet started (commits meanwhile need no other).
    private let queued = Atomic<Bool>(false)
    /// Set by `close`: no further pass starts.
    private let closing = Atomic<Bool>(false)
    /// Cancels the running pass, from the thread that closes.
    private let canceller = Mutex<PGCanceller?>(nil)
    /// Pages merged so far by this process (tests).
    let pagesMerged = Atomic<Int64>(0)

    /// - Parameter connect: makes a connection (its statement timeout is lifted: a merge takes as long as the
    ///   list is long).
    init(connect: @escaping @Sendable () throws(PGError) -> PGConnection) {
        self.connect = connect
    }

    /// Call after a commit: queues a merge unless one is queued already.
    func committed() {
        guard !queued.exchange(true, ordering: .acquiringAndReleasing) else { return }
        queue.async { [self] in
            queued.store(false, ordering: .releasing)
            merge()
        }
    }

    /// Returns when the merges queued so far are over (tests).
    func waitForMerges() {
        queue.sync {}
    }

    /// Cancels a pass under way (a merge of a long list takes minutes) and closes the connection.
    func close() {
        closing.store(true, ordering: .releasing)
        canceller.withLock { $0 }?.cancelRunningStatement()
        queue.sync {
            self.connection?.close()
            self.connection = nil
        }
    }

    /// Merges the whole list, pass after pass while a pass finds entries (writers add to it meanwhile), unless
    /// another process holds the lock.
    private func merge() {
        guard !closing.load(ordering: .acquiring) else { return }
        do {
            let connection = try live()
            guard try connection.query("SELECT pg_try_advisory_lock($1)", [.int64(Self.lockKey)]).bool(0, 0) else { return }
            defer { _ = try? connection.query("SELECT pg_advisory_unlock($1)", [.int64(Self.lockKey)]) }
            while !closing.load(ordering: .acquiring) {
                let pages = try connection.query("SELECT gin_clean_pending_list('events_search'::regclass)").int64(0, 0)
                pagesMerged.add(pages, ordering: .relaxed)
                if pages == 0 { break }
            }
        } catch {
            if error.connectionLost || self.connection?.isBroken == true {
                self.connection?.close()
                self.connection = nil
            }
        }
    }

    private func live() throws(PGError) -> PGConnection {
        if let live = self.connection, !live.isBroken { return live }
        let made = try backoff.attempt(connect)
        try made.execute("SET statement_timeout = 0")
        self.connection = made
        canceller.withLock { $0 = made.canceller() }
        return made
    }
}
