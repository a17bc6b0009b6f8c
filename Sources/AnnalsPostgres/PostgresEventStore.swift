import AnnalsCore
import AnnalsProtocol
import AnnalsStore
import Dispatch
import Synchronization

/// The PostgreSQL storage engine: the `EventStore` protocol over one database that many annalsd processes may
/// share, with the SQLite engine's behaviour (the same validation, revision rules, compression and stored
/// bytes, shared through AnnalsStore).
///
/// Appends pass through the same stages as in the SQLite engine: validation, hashing, compression, encoding
/// and the search vector on the caller's thread; then the writer's queue, which commits the batches that
/// arrived together in one transaction (group commit) on a connection of its own (`PostgresWriter`). Log
/// positions are given out under a row lock every process's writer takes, so they are one global order equal
/// to commit order. Reads run on a pool of `Options.poolSize` connections (pages, details and stats on a
/// streaming replica's pool instead when one is given and has replayed this process's commits). A listening
/// connection hears the commits of every process (`NOTIFY`) and calls the `onCommit` handlers; another merges the
/// search index's pending list after commits (`SearchIndexMerger`). Lost connections are made again
/// with backoff; while the server cannot be reached, calls fail with `StoreError.Code.unavailable`.
public final class PostgresEventStore: EventStore {
    /// Tuning and limits.
    public struct Options: Sendable {
        /// Connections for reads this process keeps (`annalsd --db-pool`); the writer, the listener and the search
        /// index's merger have one more each.
        public var poolSize = 4
        /// How long a read that runs alone polls for each further packet of its answer instead of sleeping
        /// (`annalsd --busy-poll-us`; 0: never).
        public var busyPollNanoseconds: UInt64 = 100_000
        /// A statement running longer than this is cancelled and answered with an error.
        public var statementTimeoutSeconds: Double = 30
        /// The clock that stamps revisions (tests pin it).
        public var clock: @Sendable () -> Timestamp = { Timestamp.now() }
        /// Train the first compression dictionary once the log holds this many entries, then again each time it
        /// grows tenfold; 0 disables automatic training (as in `SQLiteEventStore.Options`).
        public var dictionaryTrainingThreshold: Int64 = 200
        /// zlib level of bodies: the SQLite engine's codec and dictionaries, at level 1 rather than 3. Deflating
        /// the body is the largest part of an append's CPU on annalsd, the part more instances spread; level 1
        /// takes 34 µs an event against 52 for bodies 11% larger (673 against 606 bytes, `annals-bench micro` on
        /// the bench corpus), 0.6% of the 10.6 KB an event takes in PostgreSQL. Bodies of either level read alike.
        public var compressionLevel: Int32 = 1
        /// Largest number of entries one group transaction takes.
        public var maxGroupEntries = 10_000
        /// About how many bytes of encoded details this process keeps between commits (`annalsd
        /// --db-detail-cache`, in MiB; 0: none): `DetailCache`.
        public var detailCacheBytes = 64 << 20
        /// A streaming replica of the database (`annalsd --db-replica`): pages, details and stats are read there
        /// once it has replayed this process's commits (`ReplicaReads`), with a pool of `poolSize` connections.
        public var replicaConnectionString: String?
        /// Merge the search index's pending list on a connection of its own after commits (`SearchIndexMerger`)
        /// rather than leave it to the insert that finds it full (tests turn it off to see the difference).
        var mergesSearchIndex = true
        /// How long opening waits for the replica to replay the primary's schema (tests shorten it).
        var replicaCatchUpSeconds: Double = 10
        public init() {}
    }

    /// Whether `text` names a PostgreSQL database (`postgresql://…` or `postgres://…`) rather than a file.
    public static func isConnectionString(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    /// `connectionString` with every password in it replaced by `***`, for log lines and messages: the one in
    /// a URI's user information, a `password` query parameter, and a conninfo `password=` value.
    public static func redacted(_ connectionString: String) -> String {
        ConnectionString.safeToShow(connectionString)
    }

    private let options: Options
    private let codec: TextCodec
    private let validator = EventValidator()
    private let writerQueue = DispatchQueue(label: "annals.postgres.writer", qos: .userInitiated)
    private let trainingQueue = DispatchQueue(label: "annals.postgres.training", qos: .utility)
    private let writer: UncheckedBox<PostgresWriter>
    private let pending: GroupCommitQueue<PostgresEntry>
    private let pool: ConnectionPool
    private let replica: ReplicaReads?
    private let details: DetailCache
    private let listener = Mutex<NotificationListener?>(nil)
    private let commitHandlers = Mutex<[@Sendable (Int64) -> Void]>([])
    /// The highest log position handed to the commit handlers (this process's commits and others').
    private let announcedSeq: Mutex<Int64>
    private let training: DictionarySchedule
    /// Merges the search index's pending list beside the writer (nil when `Options.mergesSearchIndex` is off).
    let searchMerger: SearchIndexMerger?

    /// Connects to the database `connectionString` names (libpq's URI or conninfo form, with libpq's rules for
    /// `host=/run/postgresql`, `sslmode`, the `PG*` variables and `~/.pgpass`), creating or migrating the schema.
    /// - Throws: `StoreError` with one line saying what is wrong and where, never the password: the URL cannot
    ///   be read, the server cannot be reached (`.unavailable`), the login or the database is refused or
    ///   missing, or the database holds something else or a newer schema (`.corrupt`).
    public init(connectionString: String, options: Options = Options()) throws(StoreError) {
        self.options = options
        let target = try ConnectionString(connectionString)
        let timeout = options.statementTimeoutSeconds
        let connect = target.connector(statementTimeout: timeout)
        let first = try target.firstConnection(connect)
        let codec = TextCodec(level: options.compressionLevel)
        let training = DictionarySchedule(threshold: options.dictionaryTrainingThreshold)
        let lastSeq: Int64
        do {
            switch try PostgresSchema.migrate(first) {
            case .ready: break
            case .newer(let version):
                throw StoreError(.corrupt, "\(target.place) has Annals schema version \(version); this annalsd reads up to \(PostgresSchema.version): upgrade annalsd")
            case .foreign:
                throw StoreError(.corrupt, "\(target.place) holds tables named events and revisions that are not an Annals store: give Annals a database of its own")
            }
            training.trained(at: try Dictionaries.load(into: codec, from: first))
            lastSeq = try first.query("SELECT seq FROM log_head").int64(0, 0)
        } catch let error as StoreError {
            throw error
        } catch let error as PGError {
            throw PGErrorMapping.storeError(error, statementTimeout: timeout)
        } catch {
            throw StoreError(.io, "\(error)")
        }
        do {
            replica = try options.replicaConnectionString.map { (text) throws(StoreError) in
                try ReplicaReads(connectionString: text, poolSize: options.poolSize, busyPollNanoseconds: options.busyPollNanoseconds,
                                 statementTimeout: timeout,
                                 schemaVersion: PostgresSchema.version, catchUpSeconds: options.replicaCatchUpSeconds)
            }
            // What was committed before this process started (by an annalsd it replaces, say) is read on the
            // replica only once the replica has it too.
            replica?.committed(through: lastSeq)
        } catch {
            first.close()
            throw error
        }
        self.codec = codec
        self.training = training
        announcedSeq = Mutex(lastSeq)
        details = DetailCache(capacityBytes: options.detailCacheBytes, committedThrough: lastSeq)
        let backoff = Backoff()
        pool = ConnectionPool(capacity: options.poolSize, statementTimeout: timeout, backoff: backoff,
                              busyPollNanoseconds: options.busyPollNanoseconds, connect: connect)
        pool.adopt(first)
        writer = UncheckedBox(PostgresWriter(backoff: backoff, statementTimeout: timeout, clock: options.clock, connect: connect))
        pending = GroupCommitQueue(maxGroupEntries: options.maxGroupEntries)
        searchMerger = options.mergesSearchIndex ? SearchIndexMerger(connect: target.connector(statementTimeout: 0)) : nil
        writerQueue.setSpecific(key: Self.queueKey, value: .writer)
        trainingQueue.setSpecific(key: Self.queueKey, value: .training)
        do {
            let listening = try NotificationListener(
                channels: [PostgresWriter.channel, Dictionaries.channel], connect: connect,
                received: { [weak self] channel, payload in self?.notified(channel: channel, payload: payload) },
                lost: { [weak self] in self?.details.suspend() },
                reconnected: { [weak self] connection in self?.listenerReconnected(connection) },
                confirmed: { [weak self] moment in self?.details.confirm(at: moment) })
            listener.withLock { $0 = listening }
        } catch {
            pool.close()
            replica?.close()
            throw PGErrorMapping.storeError(error, statementTimeout: timeout)
        }
    }

    // MARK: Writes

    public func append(_ entries: [LogEntry]) throws(StoreError) -> [AppendOutcome] {
        try waitFor { append(entries, completion: $0) }
    }

    public func append(_ entries: [LogEntry], completion: @escaping @Sendable (Result<[AppendOutcome], StoreError>) -> Void) {
        enqueue(prepare(entries, intent: .log), completion: completion)
    }

    public func amend(_ event: Event) throws(StoreError) -> EventRecord {
        var event = event
        event.revision = nil
        event.recorded = nil
        try single(prepare([.event(event)], intent: .amend))
        return try currentRecord(event.id)
    }

    public func retract(id: String, reason: String) throws(StoreError) -> EventRecord {
        try single(prepare([.retraction(Retraction(id: id, reason: reason))], intent: .log))
        return try currentRecord(id)
    }

    private func prepare(_ entries: [LogEntry], intent: RevisionRules.Intent) -> [PostgresEntry] {
        codec.withSession { session in
            entries.map { PostgresEntry(PreparedEntry($0, intent: intent, validator: validator, compression: session)) }
        }
    }

    private func single(_ prepared: [PostgresEntry]) throws(StoreError) {
        let outcomes = try waitFor { enqueue(prepared, completion: $0) }
        if case .rejected(let error) = outcomes.first { throw StoreError.from(error) }
    }

    private func currentRecord(_ id: String) throws(StoreError) -> EventRecord {
        guard let detail = try get(id: id, revision: nil) else { throw StoreError(.notFound, "no event '\(id)'") }
        return detail.current
    }

    private func waitFor(_ start: (@escaping GroupCommitQueue<PostgresEntry>.Completion) -> Void) throws(StoreError) -> [AppendOutcome] {
        dispatchPrecondition(condition: .notOnQueue(writerQueue))
        return try GroupCommitQueue<PostgresEntry>.wait(start)
    }

    private func enqueue(_ batch: [PostgresEntry], completion: @escaping GroupCommitQueue<PostgresEntry>.Completion) {
        if pending.enqueue(batch, completion: completion) { writerQueue.async { self.drain() } }
    }

    /// Runs on the writer queue: commits one group, then queues itself again.
    private func drain() {
        dispatchPrecondition(condition: .onQueue(writerQueue))
        guard let group = pending.takeGroup() else { return }
        apply(group)
        writerQueue.async { self.drain() }
    }

    private func apply(_ group: GroupCommitQueue<PostgresEntry>.Group) {
        let committed = writer.value.apply(group.map(\.entries))
        // Reads that follow an acknowledgement must see the commit, on the replica and in the kept details too.
        if let last = committed.lastSeq {
            details.committed(through: last)
            replica?.committed(through: last)
        }
        for (batch, result) in zip(group, committed.results) { batch.completion(result) }
        if let last = committed.lastSeq {
            announce(last)
            searchMerger?.committed()
            maybeTrainDictionary(lastSeq: last)
        }
    }

    /// Tests only: hears no more notifications (kept details are still served for the listener's lease).
    func stopListening() {
        listener.withLock { $0 }?.stop()
    }

    /// Tests only: the writer loses its connection at `point` in its next group.
    func loseWriterConnection(_ point: PostgresWriter.LosePoint) {
        writerQueue.sync { writer.value.loseConnection = point }
    }

    // MARK: Commits of every process

    public func onCommit(_ handler: @escaping @Sendable (Int64) -> Void) {
        commitHandlers.withLock { $0.append(handler) }
    }

    /// Calls the handlers with `seq` unless a later position was announced already (`always`: even then).
    private func announce(_ seq: Int64, always: Bool = false) {
        let advanced = announcedSeq.withLock { known -> Bool in
            guard seq > known || always else { return false }
            known = max(known, seq)
            return true
        }
        guard advanced else { return }
        for handler in commitHandlers.withLock({ $0 }) { handler(seq) }
    }

    private func notified(channel: String, payload: String) {
        if channel == PostgresWriter.channel, let seq = Int64(payload) {
            details.committed(through: seq)
            announce(seq)
        } else if channel == Dictionaries.channel {
            trainingQueue.async { [weak self] in self?.reloadDictionaries() }
        }
    }

    /// After the listening connection was lost and made again: commits may have been missed meanwhile, so the
    /// handlers hear the current last position once.
    private func listenerReconnected(_ connection: PGConnection) {
        details.resume()
        guard let seq = try? connection.query("SELECT seq FROM log_head").int64(0, 0) else { return }
        announce(seq, always: true)
        trainingQueue.async { [weak self] in self?.reloadDictionaries() }
    }

    // MARK: Dictionaries

    /// Trains when the log has grown past the next due point, if this process is the one that claims it: every
    /// process on the database reaches it with the same commits, and one training is enough (the others hear of
    /// the dictionary). A process that finds it claimed goes on to the next due point.
    private func maybeTrainDictionary(lastSeq: Int64) {
        let due = training.dueAtSeq
        training.startIfDue(lastSeq: lastSeq, on: trainingQueue) {
            guard (try? self.claimTraining(due: due)) == true else {
                self.training.trained(at: max(due, self.training.trainedAtSeq))
                return
            }
            self.trainingsStarted.add(1, ordering: .relaxed)
            _ = try? self.trainDictionary()
        }
    }

    /// How many automatic trainings this process ran (tests).
    let trainingsStarted = Atomic<Int>(0)

    /// Returns when the trainings queued so far are over (tests).
    func waitForTraining() {
        trainingQueue.sync {}
    }

    private func claimTraining(due: Int64) throws(StoreError) -> Bool {
        try pool.withConnection { connection in
            try connection.query("INSERT INTO dictionary_claims(due, claimed) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING due",
                                 [.int64(due), .int64(options.clock().milliseconds)]).rowCount == 1
        }
    }

    /// Trains a new preset dictionary from a sample of the stored text and makes it current for every process
    /// on the database (they hear of it by notification).
    /// - Returns: the new dictionary's version, or nil when the sample is too small or another process trained
    ///   one for this log length already.
    @discardableResult
    public func trainDictionary(sampleBytes: Int = 1 << 20) throws(StoreError) -> Int64? {
        let lastSeq = try self.lastSeq()
        let due = training.trainedAtSeq
        let samples = try DictionaryTrainer.samples(lastSeq: lastSeq, sampleBytes: sampleBytes) { (after, limit) throws(StoreError) in
            try entries(after: after, limit: limit)
        }
        let dictionary = DictionaryTrainer.train(samples: samples)
        guard !dictionary.isEmpty else { return nil }
        let id = try pool.withConnection { connection in
            try Dictionaries.add(dictionary, sampleCount: max(lastSeq, 1), created: options.clock().milliseconds,
                                 unlessTrainedAfter: due, connection: connection)
        }
        reloadDictionaries()
        return id
    }

    private func reloadDictionaries() {
        if let trainedAt = try? pool.withConnection({ try Dictionaries.load(into: codec, from: $0) }) {
            training.trained(at: trainedAt)
        }
    }

    // MARK: Reads

    /// A read of pages, details or stats: on the replica when there is one and it may answer, else on the primary.
    private func read<T>(_ body: (PostgresReader) throws -> T) throws(StoreError) -> T {
        if let value = readReplica(body) { return value }
        return try readPrimary(body)
    }

    /// What the replica answered, or nil: there is none, or it may not answer (it lags this process, or failed).
    private func readReplica<T>(_ body: (PostgresReader) throws -> T) -> T? {
        guard let replica, case .answered(let value) = replica.read({ try body(PostgresReader(connection: $0, codec: codec)) }) else { return nil }
        return value
    }

    private func readPrimary<T>(_ body: (PostgresReader) throws -> T) throws(StoreError) -> T {
        try pool.withConnection { connection in try body(PostgresReader(connection: connection, codec: codec)) }
    }

    /// Reads the replica answered, and reads it left to the primary (tests).
    var replicaReads: (answered: Int, leftToPrimary: Int)? {
        replica.map { ($0.answered.load(ordering: .relaxed), $0.leftToPrimary.load(ordering: .relaxed)) }
    }

    public func get(id: String, revision: Int?) throws(StoreError) -> EventDetail? {
        guard let payload = try encodedDetail(id: id, revision: revision) else { return nil }
        do {
            return try DetailPayload.decode(payload)
        } catch {
            throw StoreError(.corrupt, "the detail of '\(id)' does not decode: \(error.message)")
        }
    }

    /// The detail kept since the last commit, or read and kept when it was read on the primary (a replica may
    /// trail another process's commit that already emptied the cache).
    public func encodedDetail(id: String, revision: Int?) throws(StoreError) -> [UInt8]? {
        let key = DetailCache.Key(id: id, revision: revision)
        if let kept = details.lookup(key) { return kept }
        let ticket = details.ticket()
        let read = { (reader: PostgresReader) throws in try reader.encodedDetail(id: id, revision: revision) }
        if let payload = readReplica(read) { return payload }
        let payload = try readPrimary(read)
        details.keep(payload, for: key, ticket: ticket)
        return payload
    }

    /// Gets answered from kept details, and gets read from the database (tests).
    var detailCacheCounts: (hits: Int, misses: Int) {
        (details.hits.load(ordering: .relaxed), details.misses.load(ordering: .relaxed))
    }

    public func encodedTimeline(_ query: TimelineQuery) throws(StoreError) -> EncodedPage {
        try read { try $0.timeline(query) }
    }

    public func entries(after seq: Int64, limit: Int) throws(StoreError) -> [SequencedEntry] {
        try readPrimary { try $0.entries(after: seq, limit: limit) }
    }

    public func lastSeq() throws(StoreError) -> Int64 {
        try readPrimary { try $0.lastSeq() }
    }

    /// Counts and sizes, as the SQLite engine gives them, except: `fileBytes` is the whole database's size
    /// (`pg_database_size`), and `indexedSeq` is `lastSeq` with no lag (text is searchable when committed).
    public func stats() throws(StoreError) -> StoreStats {
        try read { try $0.stats() }
    }

    /// Searches see every committed entry: the last position this process knows of.
    public var searchableSeq: Int64 { announcedSeq.withLock { $0 } }

    /// Calls `done(true)` at once: the search vector is written in the same transaction as the entry, so a
    /// committed position is searchable.
    public func whenSearchable(through seq: Int64, timeout: Double, _ done: @escaping @Sendable (Bool) -> Void) {
        done(true)
    }

    // MARK: Closing

    /// Writes the batches queued before it, then closes every connection. Safe from any thread, including the
    /// store's own queues (the last reference may be dropped in an append's completion).
    public func close() {
        guard pending.close() else { return }
        let here = DispatchQueue.getSpecific(key: Self.queueKey)
        if here == nil { trainingQueue.sync {} }
        if here == .writer { finishWrites() } else { writerQueue.sync { finishWrites() } }
        listener.withLock { $0 }?.stop()
        searchMerger?.close()
        pool.close()
        replica?.close()
    }

    private func finishWrites() {
        dispatchPrecondition(condition: .onQueue(writerQueue))
        while let group = pending.takeGroup() { apply(group) }
        writer.value.close()
    }

    /// Which of the store's queues a thread runs on.
    private enum OwnQueue { case writer, training }
    private static let queueKey = DispatchSpecificKey<OwnQueue>()

    deinit { close() }
}
