import AnnalsCore
import Dispatch
import Synchronization

/// The full-text index: a contentless FTS5 table in a file of its own (`<store>.search`), written by its own
/// thread behind the log, so appends never wait for it.
///
/// It follows the log by position. The writer hands it the work of each committed group (`IndexWork`, with
/// the text still in memory); when it has fallen too far behind to keep that in memory, or after a restart, it
/// reads the same work back from the log. Its position is stored in its file in the same transaction as the
/// entries it indexed, so after a crash it resumes where its last commit left it, and every acknowledged
/// entry becomes searchable. Readers attach the file (`attachSQL`) and search it by `FullTextKey`.
final class SearchIndex: @unchecked Sendable {
    /// The file beside the store's main file.
    static func path(forStore path: String) -> String { path + ".search" }

    /// The schema of the index file, and its version: a file of another version is rebuilt from the log.
    /// `columnsize=0`: Annals never ranks by length, so the per-document sizes FTS5 keeps for that are left out
    /// (one random b-tree insert less per entry). `automerge` 8 instead of 4: FTS5 merges segments when 8 of a
    /// size have gathered, so each entry is rewritten by fewer merges (300k entries: 113 instead of 135 µs of
    /// CPU each, the index 3% larger).
    static let schemaVersion: Int64 = 2
    static let schema = """
        CREATE TABLE IF NOT EXISTS state(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
            title, summary, body, content='', columnsize=0, tokenize='unicode61 remove_diacritics 2'
        );
        INSERT INTO fts(fts, rank) VALUES ('automerge', 8);
        """

    private struct State {
        /// Indexed up to this log position (committed in the index file).
        var position: Int64 = 0
        /// The log's last position, as far as the index knows.
        var logEnd: Int64 = 0
        /// Work handed over by the writer, contiguous and in log order; empty when reading from the log.
        var pending: [IndexWork] = []
        var pendingHead = 0
        /// Set when work was dropped: the index reads from the log until it has caught up again.
        var readFromLog = false
        /// When each committed group became durable, for the lag in stats: (last seq of the group, time).
        var commitTimes: [(seq: Int64, at: UInt64)] = []
        var running = false
        var closed = false
        var waiters: [Waiter] = []
        var nextWaiter: UInt64 = 0
        var failure: String?
        /// The writer waits for the backlog to shrink (`waitForBacklog`).
        var writerWaiting = false
    }

    private struct Waiter {
        var id: UInt64
        var seq: Int64
        var done: @Sendable (Bool) -> Void
    }

    /// Entries the writer's work may hold in memory before the index reads from the log instead.
    static let maxPending = 50_000
    /// Entries indexed in one transaction at most.
    static let maxBatch = 2_500

    let path: String
    private let queue = DispatchQueue(label: "annals.store.search", qos: .userInitiated)
    private static let queueKey = DispatchSpecificKey<Bool>()
    private let state = Mutex(State())
    private let index: UncheckedBox<SQLiteDatabase>
    private let log: UncheckedBox<SQLiteDatabase>
    private let codec: TextCodec
    /// Signalled each time the index commits a batch (the writer may be waiting for the backlog to shrink).
    private let backlogShrank = DispatchSemaphore(value: 0)

    /// Opens (or creates) the index of the store at `storePath` and starts catching up with its log.
    /// - Parameters:
    ///   - storeID: the store's identity; an index made for another store is rebuilt.
    ///   - logEnd: the store's last log position.
    init(storePath: String, storeID: Int64, logEnd: Int64, codec: TextCodec, configure: (SQLiteDatabase) throws(SQLiteError) -> Void) throws(StoreError) {
        path = Self.path(forStore: storePath)
        queue.setSpecific(key: Self.queueKey, value: true)
        self.codec = codec
        do {
            let index = try SQLiteDatabase(path: path)
            try configure(index)
            try index.execute("CREATE TABLE IF NOT EXISTS state(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID")
            var position = try index.scalar("SELECT value FROM state WHERE name = 'position'") ?? 0
            let owner = try index.scalar("SELECT value FROM state WHERE name = 'store'")
            let version = try index.scalar("SELECT value FROM state WHERE name = 'version'")
            if owner != storeID || position > logEnd || version != Self.schemaVersion {
                // Made for another store or by another version, or ahead of this log (a restored file): index the
                // log again.
                try index.transaction {
                    try index.execute("DROP TABLE IF EXISTS fts")
                    try index.execute(Self.schema)
                    try index.run("INSERT OR REPLACE INTO state VALUES ('store', ?)", .int(storeID))
                    try index.run("INSERT OR REPLACE INTO state VALUES ('version', ?)", .int(Self.schemaVersion))
                    try index.run("INSERT OR REPLACE INTO state VALUES ('position', 0)")
                }
                position = 0
            }
            let log = try SQLiteDatabase(path: storePath, create: false)
            try configure(log)
            try log.execute("PRAGMA query_only=ON")
            self.index = UncheckedBox(index)
            self.log = UncheckedBox(log)
            state.withLock { state in
                state.position = position
                state.logEnd = logEnd
                state.readFromLog = position < logEnd
                if position < logEnd { state.commitTimes = [(logEnd, DispatchTime.now().uptimeNanoseconds)] }
            }
        } catch {
            throw StoreError.from(any: error)
        }
        if position < logEnd { kick() }
    }

    /// The SQL that attaches the index to a reader connection as `search`.
    var attachSQL: String { "ATTACH DATABASE '\(path.replacingQuotes)' AS search" }

    /// The log position the index has reached.
    var position: Int64 { state.withLock { $0.position } }

    /// How far behind the log the index is: its position, and how long the oldest entry not yet indexed has
    /// waited, in milliseconds.
    func lag() -> (position: Int64, milliseconds: Int64) {
        state.withLock { state in
            guard state.position < state.logEnd,
                  let oldest = state.commitTimes.first(where: { $0.seq > state.position }) else { return (state.position, 0) }
            return (state.position, Int64((DispatchTime.now().uptimeNanoseconds - oldest.at) / 1_000_000))
        }
    }

    /// Blocks (the writer) while the index is `backlog` or more entries behind the log, or until it is closed
    /// or failing (writes then go on: the index catches up later).
    /// - Returns: how many entries the log may grow by before the index is `backlog` behind.
    func waitForRoom(backlog: Int) -> Int {
        var waiting = false
        defer { if waiting { state.withLock { $0.writerWaiting = false } } }
        while true {
            let (behind, closed, failing) = state.withLock { state -> (Int64, Bool, Bool) in
                (state.logEnd - state.position, state.closed, state.failure != nil)
            }
            if behind < Int64(backlog) { return backlog - Int(behind) }
            if closed || failing { return backlog }
            if !waiting {
                waiting = true
                state.withLock { $0.writerWaiting = true }
            }
            _ = backlogShrank.wait(timeout: .now() + 0.05)
        }
    }

    /// Hands over the work of a group the writer just committed, up to log position `logEnd`.
    func committed(_ work: [IndexWork], through logEnd: Int64) {
        let now = DispatchTime.now().uptimeNanoseconds
        state.withLock { state in
            guard logEnd > state.logEnd else { return }
            state.logEnd = logEnd
            state.commitTimes.append((logEnd, now))
            if state.readFromLog { return }
            if state.pending.count - state.pendingHead + work.count > Self.maxPending {
                // Too far behind to keep the text in memory: read it back from the log when the time comes.
                state.pending.removeAll()
                state.pendingHead = 0
                state.readFromLog = true
            } else {
                state.pending += work
            }
        }
        kick()
    }

    /// Calls `done(true)` once the index has reached log position `seq` (at once if it has), or `done(false)`
    /// after `timeout` seconds or when the index is closed.
    func whenIndexed(through seq: Int64, timeout: Double, _ done: @escaping @Sendable (Bool) -> Void) {
        let id = state.withLock { state -> UInt64? in
            if state.position >= seq || state.closed { return nil }
            state.nextWaiter += 1
            state.waiters.append(Waiter(id: state.nextWaiter, seq: seq, done: done))
            return state.nextWaiter
        }
        guard let id else {
            done(position >= seq)
            return
        }
        queue.asyncAfter(deadline: .now() + timeout) { [weak self] in
            guard let self else { return }
            let expired = self.state.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            expired?.done(false)
        }
    }

    /// Waits for the index to catch up with the log as it is now (tests, and `close`).
    func waitUntilCaughtUp() {
        let target = state.withLock { $0.logEnd }
        let done = DispatchSemaphore(value: 0)
        whenIndexed(through: target, timeout: 3600) { _ in done.signal() }
        done.wait()
    }

    /// Finishes the work in hand and closes the index's connections.
    func close() {
        let wasOpen = state.withLock { state -> Bool in
            defer { state.closed = true }
            return !state.closed
        }
        guard wasOpen else { return }
        // Safe on the index's own queue too (the last reference to a store may go there).
        if DispatchQueue.getSpecific(key: Self.queueKey) == true {
            index.value.close()
            log.value.close()
        } else {
            queue.sync {
                index.value.close()
                log.value.close()
            }
        }
        let waiters = state.withLock { state in
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.done(false) }
    }

    /// Why the index could not write its last batch, while it retries (a full disk, say); nil when well.
    var failure: String? { state.withLock { $0.failure } }

    /// Gives back the index connection's page cache once it has caught up with the log.
    func releaseMemory() {
        queue.async { [self] in
            guard state.withLock({ !$0.closed && !$0.running }) else { return }
            _ = try? index.value.execute("PRAGMA shrink_memory")
            _ = try? log.value.execute("PRAGMA shrink_memory")
        }
    }

    /// `PRAGMA integrity_check` of the index file and FTS5's own check: "ok" when sound.
    func integrityCheck() throws(StoreError) -> String {
        try queue.sync {
            Result { () throws(SQLiteError) -> String in
                let result = try index.value.pragmaText("integrity_check")
                guard result == "ok" else { return result }
                try index.value.execute("INSERT INTO fts(fts, rank) VALUES ('integrity-check', 0)")
                return "ok"
            }
        }.mapError(StoreError.from).get()
    }

    // MARK: The indexing thread

    private func kick() {
        let start = state.withLock { state -> Bool in
            guard !state.running, !state.closed, state.position < state.logEnd else { return false }
            state.running = true
            return true
        }
        if start { queue.async { self.drain() } }
    }

    /// Indexes batches until the index has reached the log's end.
    private func drain() {
        dispatchPrecondition(condition: .onQueue(queue))
        while true {
            do {
                guard let (from, batch) = try nextBatch() else { return }
                try apply(batch, from: from)
            } catch {
                state.withLock { state in
                    state.failure = "\(error)"
                    state.running = false
                }
                // Try again shortly: a full disk, say, may have room later; nothing is lost meanwhile.
                queue.asyncAfter(deadline: .now() + 1) { self.kick() }
                return
            }
        }
    }

    /// The next work in log order after the index's position: handed over by the writer, or read back from the
    /// log; nil (and not running) once caught up or closed.
    private func nextBatch() throws -> (from: Int64, [IndexWork])? {
        let (position, logEnd, handed) = state.withLock { state -> (Int64, Int64, [IndexWork]?) in
            guard !state.closed, state.position < state.logEnd else {
                state.running = false
                return (0, 0, nil)
            }
            if state.pendingHead == state.pending.count { state.readFromLog = true }
            if state.readFromLog {
                state.pending.removeAll()
                state.pendingHead = 0
                return (state.position, state.logEnd, [])
            }
            let end = min(state.pending.count, state.pendingHead + Self.maxBatch)
            let work = Array(state.pending[state.pendingHead..<end])
            state.pendingHead = end
            if end == state.pending.count {
                state.pending = []
                state.pendingHead = 0
            }
            return (state.position, state.logEnd, work)
        }
        guard let handed else { return nil }
        // The writer's work starts right after the position: it follows every commit since the log was last read.
        if !handed.isEmpty { return (position, handed) }
        return (position, try readLog(after: position, through: min(logEnd, position + Int64(Self.maxBatch))))
    }

    /// Indexes `batch` (the work after log position `from`) in one transaction, with the new position.
    private func apply(_ batch: [IndexWork], from: Int64) throws {
        let db = index.value
        var writes: [(key: Int64, delete: Bool, title: String, summary: String?, body: String?)] = []
        writes.reserveCapacity(batch.count)
        for work in batch {
            if let removal = work.removal, let old = try text(ofContent: removal.content) {
                writes.append((removal.key, true, old.title, old.summary, old.body))
            }
            if let addition = work.addition {
                writes.append((addition.key, false, addition.title, addition.summary, addition.body))
            }
        }
        // FTS5 starts a new segment at every rowid that is not above the previous one: write in key order,
        // keeping the order of writes to one key (a removal before the addition that replaces it).
        let ordered = writes.enumerated().sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }.map(\.element)
        guard let position = batch.last?.seq else { return }
        try db.transaction {
            for write in ordered {
                try db.run(write.delete
                    ? "INSERT INTO fts(fts, rowid, title, summary, body) VALUES ('delete', ?, ?, ?, ?)"
                    : "INSERT INTO fts(rowid, title, summary, body) VALUES (?, ?, ?, ?)",
                    .int(write.key), .text(write.title), write.summary.map(SQLiteValue.text) ?? .null,
                    write.body.map(SQLiteValue.text) ?? .null)
            }
            try db.run("INSERT OR REPLACE INTO state VALUES ('position', ?)", .int(position))
        }
        db.resetStatements()
        let (satisfied, writerWaiting) = state.withLock { state -> ([Waiter], Bool) in
            state.position = max(state.position, position)
            if state.readFromLog && state.position >= state.logEnd { state.readFromLog = false }
            state.commitTimes.removeAll { $0.seq <= state.position }
            state.failure = nil
            let ready = state.waiters.filter { $0.seq <= state.position }
            state.waiters.removeAll { $0.seq <= state.position }
            return (ready, state.writerWaiting)
        }
        for waiter in satisfied { waiter.done(true) }
        if writerWaiting { backlogShrank.signal() }
    }

    /// The title, summary and body of the content revision at `seq`, read from the log.
    private func text(ofContent seq: Int64) throws -> Event? {
        try StoredRevision.load(seq: seq, db: log.value, codec: codec, withBody: true)?.event
    }

    /// The work of the log entries after `position` up to `end`, read back from the log.
    private func readLog(after position: Int64, through end: Int64) throws -> [IndexWork] {
        let db = log.value
        try db.execute("BEGIN")
        defer { try? db.execute("COMMIT") }
        let s = try db.statement("""
            SELECT r.seq, r.event, p.seq, p.record IS NOT NULL, \(StoredRevision.columns)
            FROM revisions r JOIN events e ON e.rowid = r.event
            LEFT JOIN revisions p ON p.event = r.event AND p.revision = r.revision - 1
            WHERE r.seq > ? AND r.seq <= ? ORDER BY r.seq
            """)
        defer { s.reset() }
        try s.bind(position, at: 1)
        try s.bind(end, at: 2)
        var work: [IndexWork] = []
        while try s.step() {
            let rowid = s.int64(1)
            let revision = try StoredRevision.decode(s, codec: codec, withBody: true, offset: 4)
            var item = IndexWork(seq: s.int64(0))
            // The text to take out is that of the previous revision, when it had content.
            if !s.isNull(2), s.int64(3) != 0, let previous = try StoredRevision.load(seq: s.int64(2), db: db, codec: codec, withBody: false)?.event {
                item.removal = .init(content: s.int64(2), key: FullTextKey.of(lower: DayBounds.of(previous.date).lower, rowid: rowid))
            }
            if let event = revision.event {
                item.addition = .init(key: FullTextKey.of(lower: DayBounds.of(event.date).lower, rowid: rowid), event: event)
            }
            work.append(item)
        }
        return work
    }
}

extension String {
    /// The text with single quotes doubled, for an SQL string literal.
    fileprivate var replacingQuotes: String {
        split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''")
    }
}
