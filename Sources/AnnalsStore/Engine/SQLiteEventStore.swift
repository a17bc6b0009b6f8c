import AnnalsCore
import CAnnalsSQLite
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The embedded engine: one SQLite file in WAL mode with zlib-compressed text, and beside it the full-text
/// index in a file of its own.
///
/// Appends pass through three stages on different threads: validation, hashing, compression and encoding on
/// the caller's thread (each connection's); the writer's transaction on its own queue, which holds only b-tree
/// inserts and commits batches that arrive together in one group (group commit: one sync for all); and the
/// full-text index (`SearchIndex`), which follows the committed log on its own thread. A pool of reader
/// connections serves queries concurrently, each record read as the bytes a response carries.
public final class SQLiteEventStore: EventStore {
    /// How the store is opened.
    public struct Options: Sendable {
        /// `NORMAL` (the default; with WAL, committed data survives a process crash) or `FULL` (also
        /// survives power loss, at one fsync per group commit).
        public var synchronous: Synchronous = .normal
        /// Concurrent reader connections.
        public var readers = 4
        /// Page cache per connection, in KiB.
        public var cacheKiB = 16 * 1024
        /// Page cache of the writer's connection and of the full-text index's, in KiB. Every insert lands on
        /// pages spread over the whole file (ids, facets, index segments), so once the files outgrow the cache each
        /// one costs reads; the cache fills only while writing and is given back when writes stop
        /// (`releaseMemory`).
        public var writerCacheKiB = 256 * 1024
        /// zlib level 1…9. Level 3 compresses bodies 2.35× with the trained dictionary at 2.3 times the speed of
        /// level 6 (2.43×; Scripts/bench-results/ profile of issue 12).
        public var compressionLevel: Int32 = 3
        /// Train the first preset dictionary once this many entries are logged, then again each time the
        /// log grows tenfold; 0 disables automatic training.
        public var dictionaryTrainingThreshold: Int64 = 200
        /// Largest number of entries one group transaction takes.
        public var maxGroupEntries = 10_000
        /// Log entries the full-text index may be behind the log: the writer waits while it is further behind
        /// and takes no larger group than the room left (at about 150 µs an entry, 4,000 are 0.6 s of indexing).
        public var maxSearchBacklog = 4_000
        /// Caps the database at this many pages (tests use it to simulate a full disk).
        public var maxPageCount: Int64?
        /// SQLite's WAL auto-checkpoint, in pages.
        public var walAutocheckpoint = 4000
        /// The clock that stamps `recorded`.
        public var clock: @Sendable () -> Timestamp = { Timestamp.now() }

        public enum Synchronous: String, Sendable { case normal = "NORMAL", full = "FULL" }

        public init() {}
    }

    private let path: String
    private let options: Options
    private let codec: TextCodec
    private let validator = EventValidator()
    private let writerQueue = DispatchQueue(label: "annals.store.writer", qos: .userInitiated)
    private let trainingQueue = DispatchQueue(label: "annals.store.training", qos: .utility)
    private let writer: UncheckedBox<StoreWriter>
    private let readers: ReaderPool
    private let search: SearchIndex
    /// The log's last position when the store was opened: searches wait for the index to pass it.
    private let openedAtSeq: Int64
    private let pending: GroupCommitQueue<PreparedEntry>
    private let commitHandlers = Mutex<[@Sendable (Int64) -> Void]>([])
    private let training: DictionarySchedule

    /// Opens the store at `path`, creating the file and its schema when missing, migrating an older one.
    /// - Throws: `StoreError` when the file cannot be opened, is not an Annals database or is newer.
    public init(path: String, options: Options = Options()) throws(StoreError) {
        self.path = path
        self.options = options
        pending = GroupCommitQueue(maxGroupEntries: options.maxGroupEntries)
        training = DictionarySchedule(threshold: options.dictionaryTrainingThreshold)
        writerQueue.setSpecific(key: Self.queueKey, value: .writer)
        trainingQueue.setSpecific(key: Self.queueKey, value: .training)
        let codec = TextCodec(level: options.compressionLevel)
        self.codec = codec
        let db: SQLiteDatabase
        do {
            db = try SQLiteDatabase(path: path)
            try Self.configure(db, options: options, cacheKiB: options.writerCacheKiB)
        } catch {
            throw StoreError(error.isCorrupt ? .corrupt : .io, "cannot open \(path): \(error.message)")
        }
        let writer: StoreWriter
        let storeID: Int64
        do {
            // Old rows may be compressed with any dictionary: load them before migrating.
            if try db.pragma("user_version") > 0 { _ = try Self.loadDictionaries(db, into: codec) }
            try Schema.migrate(db, codec: codec)
            storeID = try Self.storeID(db)
            writer = try StoreWriter(db: db, clock: options.clock)
        } catch {
            throw StoreError.from(any: error)
        }
        self.writer = UncheckedBox(writer)
        openedAtSeq = writer.lastSeq
        let configure: (SQLiteDatabase) throws(SQLiteError) -> Void = { db throws(SQLiteError) in
            try Self.configure(db, options: options, cacheKiB: options.writerCacheKiB)
        }
        search = try SearchIndex(storePath: path, storeID: storeID, logEnd: writer.lastSeq, codec: codec, configure: configure)
        let attach = search.attachSQL
        readers = ReaderPool(capacity: options.readers) { () throws(StoreError) -> SQLiteDatabase in
            do {
                let reader = try SQLiteDatabase(path: path, readOnly: false, create: false)
                try Self.configure(reader, options: options)
                try reader.execute(attach)
                try reader.execute("PRAGMA query_only=ON")
                return reader
            } catch {
                throw StoreError.from(any: error)
            }
        }
        try readers.openAll()
        do {
            let trainedAt = try Self.loadDictionaries(db, into: codec)
            training.trained(at: trainedAt)
        } catch {
            throw StoreError.from(any: error)
        }
    }

    /// The store's identity, made once: the search index checks it belongs to this store.
    private static func storeID(_ db: SQLiteDatabase) throws(SQLiteError) -> Int64 {
        if let id = try db.scalar("SELECT value FROM counters WHERE name = 'store_id'") { return id }
        let id = Int64.random(in: 1...Int64.max)
        try db.run("INSERT INTO counters VALUES ('store_id', ?)", .int(id))
        return id
    }

    /// Installs every stored dictionary in `codec`, the newest current.
    /// - Returns: the entry count the newest was trained at.
    private static func loadDictionaries(_ db: SQLiteDatabase, into codec: TextCodec) throws -> Int64 {
        let s = try db.statement("SELECT id, bytes, sample_count FROM dictionaries ORDER BY id")
        defer { s.reset() }
        var trainedAt: Int64 = 0
        while try s.step() {
            codec.install(dictionary: s.int64(0), bytes: s.blob(1) ?? [], current: true)
            trainedAt = s.int64(2)
        }
        return trainedAt
    }

    private static func configure(_ db: SQLiteDatabase, options: Options, cacheKiB: Int? = nil) throws(SQLiteError) {
        try db.execute(Schema.connectionPragmas(synchronous: options.synchronous.rawValue, cacheKiB: cacheKiB ?? options.cacheKiB))
        try db.execute("PRAGMA wal_autocheckpoint=\(options.walAutocheckpoint)")
        if let maxPageCount = options.maxPageCount { _ = try db.pragma("max_page_count=\(maxPageCount)") }
    }

    // MARK: Writes

    public func append(_ entries: [LogEntry]) throws(StoreError) -> [AppendOutcome] {
        try waitFor { append(entries, completion: $0) }
    }

    public func append(_ entries: [LogEntry], completion: @escaping @Sendable (Result<[AppendOutcome], StoreError>) -> Void) {
        let prepared = codec.withSession { session in entries.map { prepare($0, intent: .log, session) } }
        enqueue(prepared, completion: completion)
    }

    public func amend(_ event: Event) throws(StoreError) -> EventRecord {
        var event = event
        event.revision = nil
        event.recorded = nil
        let prepared = codec.withSession { prepare(.event(event), intent: .amend, $0) }
        try single(prepared)
        return try currentRecord(event.id)
    }

    public func retract(id: String, reason: String) throws(StoreError) -> EventRecord {
        try single(codec.withSession { prepare(.retraction(Retraction(id: id, reason: reason)), intent: .log, $0) })
        return try currentRecord(id)
    }

    private func single(_ prepared: PreparedEntry) throws(StoreError) {
        let outcomes = try waitFor { enqueue([prepared], completion: $0) }
        if case .rejected(let error) = outcomes.first { throw StoreError.from(any: error) }
    }

    private func currentRecord(_ id: String) throws(StoreError) -> EventRecord {
        guard let detail = try get(id: id, revision: nil) else { throw StoreError(.notFound, "no event '\(id)'") }
        return detail.current
    }

    private func prepare(_ entry: LogEntry, intent: RevisionRules.Intent, _ session: CompressionSession) -> PreparedEntry {
        PreparedEntry(entry, intent: intent, validator: validator, compression: session)
    }

    /// Blocks the calling thread (never the writer's) until an asynchronous write completes.
    private func waitFor(_ start: (@escaping GroupCommitQueue<PreparedEntry>.Completion) -> Void) throws(StoreError) -> [AppendOutcome] {
        dispatchPrecondition(condition: .notOnQueue(writerQueue))
        return try GroupCommitQueue<PreparedEntry>.wait(start)
    }

    private func enqueue(_ batch: [PreparedEntry], completion: @escaping GroupCommitQueue<PreparedEntry>.Completion) {
        if pending.enqueue(batch, completion: completion) { writerQueue.async { self.drain() } }
    }

    private typealias Group = GroupCommitQueue<PreparedEntry>.Group

    /// Runs on the writer queue: applies one group of pending batches in one transaction, then queues itself
    /// again, so work queued on the writer meanwhile (a new dictionary, an integrity check) runs between
    /// groups instead of waiting for a steady load to stop.
    private func drain() {
        dispatchPrecondition(condition: .onQueue(writerQueue))
        // Writes wait while the full-text index is too far behind, and a group takes no more than the index has
        // room for, so a search finds a write within about a second of its acknowledgement however fast appends
        // come: the log then grows as fast as it is indexed.
        let room = search.waitForRoom(backlog: options.maxSearchBacklog)
        guard let group = takeGroup(upTo: room) else { return }
        apply(group)
        writerQueue.async { self.drain() }
    }

    /// The next group: pending batches up to `limit` entries (at least one batch); nil (and not draining) when none.
    private func takeGroup(upTo limit: Int = .max) -> Group? {
        pending.takeGroup(upTo: limit)
    }

    private func apply(_ group: Group) {
        let before = writer.value.lastSeq
        let committed = writer.value.apply(group.map(\.entries))
        let last = writer.value.lastSeq
        // The index hears of a commit before the callers do, so a search sent after an acknowledgement can wait
        // for the index to pass it.
        if last > before { search.committed(committed.index, through: last) }
        for (batch, result) in zip(group, committed.results) { batch.completion(result) }
        if last > before {
            for handler in commitHandlers.withLock({ $0 }) { handler(last) }
            maybeTrainDictionary(lastSeq: last)
        }
    }

    public func onCommit(_ handler: @escaping @Sendable (Int64) -> Void) {
        commitHandlers.withLock { $0.append(handler) }
    }

    // MARK: Dictionaries

    private func maybeTrainDictionary(lastSeq: Int64) {
        training.startIfDue(lastSeq: lastSeq, on: trainingQueue) { _ = try? self.trainDictionary() }
    }

    /// Trains a new preset dictionary from a sample of the stored text and makes it current: new records
    /// are compressed with it, old records keep the dictionary that compressed them.
    /// - Returns: the new dictionary's version, or nil when the sample is too small to train one.
    @discardableResult
    public func trainDictionary(sampleBytes: Int = 1 << 20) throws(StoreError) -> Int64? {
        let (samples, lastSeq) = try readers.withReader { (db) throws(StoreError) -> ([String], Int64) in
            let reader = StoreReader(db: db, codec: codec)
            let last = try reader.lastSeq()
            let texts = try DictionaryTrainer.samples(lastSeq: last, sampleBytes: sampleBytes) { (after, limit) throws(StoreError) in
                try reader.entries(after: after, limit: limit)
            }
            return (texts, last)
        }
        let dictionary = DictionaryTrainer.train(samples: samples)
        guard !dictionary.isEmpty else { return nil }
        let id = try writerQueue.sync {
            Result { () throws(SQLiteError) in try writer.value.addDictionary(dictionary, sampleCount: Int(lastSeq)) }
        }.mapError(StoreError.from).get()
        codec.install(dictionary: id, bytes: dictionary, current: true)
        training.trained(at: max(lastSeq, 1))
        return id
    }

    // MARK: Reads

    public func encodedDetail(id: String, revision: Int?) throws(StoreError) -> [UInt8]? {
        try readers.withReader { (db) throws(StoreError) in try StoreReader(db: db, codec: codec).encodedDetail(id: id, revision: revision) }
    }

    public func get(id: String, revision: Int?) throws(StoreError) -> EventDetail? {
        try readers.withReader { (db) throws(StoreError) in try StoreReader(db: db, codec: codec).get(id: id, revision: revision) }
    }

    public func encodedTimeline(_ query: TimelineQuery) throws(StoreError) -> EncodedPage {
        try readers.withReader { (db) throws(StoreError) in try StoreReader(db: db, codec: codec).timeline(query) }
    }

    public var searchableSeq: Int64 { search.position }

    public func whenSearchable(through seq: Int64, timeout: Double, _ done: @escaping @Sendable (Bool) -> Void) {
        search.whenIndexed(through: max(seq, openedAtSeq), timeout: timeout, done)
    }

    /// Gives back the page caches of the writer and the full-text index (call when writes have stopped: they
    /// refill as writing resumes).
    public func releaseMemory() {
        writerQueue.async { [writer] in _ = try? writer.value.db.execute("PRAGMA shrink_memory") }
        search.releaseMemory()
    }

    /// Waits until searches see every entry written so far (tests and tools).
    public func waitUntilSearchable() {
        search.waitUntilCaughtUp()
    }

    public func entries(after seq: Int64, limit: Int) throws(StoreError) -> [SequencedEntry] {
        try readers.withReader { (db) throws(StoreError) in try StoreReader(db: db, codec: codec).entries(after: seq, limit: limit) }
    }

    public func lastSeq() throws(StoreError) -> Int64 {
        try readers.withReader { (db) throws(StoreError) in try StoreReader(db: db, codec: codec).lastSeq() }
    }

    public func stats() throws(StoreError) -> StoreStats {
        var stats = try readers.withReader { (db) throws(StoreError) in try StoreReader(db: db, codec: codec).stats() }
        let lag = search.lag()
        stats.indexedSeq = min(lag.position, stats.lastSeq)
        stats.indexLagMilliseconds = lag.milliseconds
        stats.fileBytes += StoreReader.fileSize(search.path) + StoreReader.fileSize(search.path + "-wal")
        return stats
    }

    /// `PRAGMA integrity_check` of both files, and FTS5's own check of the index: "ok" when they are sound.
    public func integrityCheck() throws(StoreError) -> String {
        let main = try writerQueue.sync {
            Result { () throws(SQLiteError) -> String in try writer.value.db.pragmaText("integrity_check") }
        }.mapError(StoreError.from).get()
        guard main == "ok" else { return main }
        return try search.integrityCheck()
    }

    /// Safe from any thread, including the store's own queues: the last reference to a store may be dropped
    /// in an append's completion, which runs on the writer's queue, and then closing runs right there instead
    /// of waiting for that queue (GRDB's `SerializedDatabase` does the same in its `deinit`).
    public func close() {
        guard pending.close() else { return }
        let here = DispatchQueue.getSpecific(key: Self.queueKey)
        // A training job may itself be waiting for the writer: never wait for it from the writer's queue.
        if here == nil { trainingQueue.sync {} }
        if here == .writer { finishWrites() } else { writerQueue.sync { finishWrites() } }
        search.close()
        readers.close()
    }

    /// On the writer's queue: writes the batches queued before `close`, checkpoints and closes the file.
    private func finishWrites() {
        dispatchPrecondition(condition: .onQueue(writerQueue))
        while let group = takeGroup() { apply(group) }
        try? writer.value.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        writer.value.db.close()
    }

    /// Which of the store's queues a thread runs on.
    private enum OwnQueue { case writer, training }
    private static let queueKey = DispatchSpecificKey<OwnQueue>()

    deinit { close() }
}

extension Timestamp {
    /// The current time.
    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(milliseconds: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }
}
