import AnnalsCore
import AnnalsProtocol

/// The single writer of a store's main file, confined to the store's writer queue. It applies groups of
/// prepared batches in one transaction (group commit), each batch atomic under its own savepoint, deciding
/// each entry with `RevisionRules` and writing only b-tree inserts: entries arrive validated, compressed and
/// encoded (`PreparedEntry`), and the full-text index is written behind the log by `SearchIndex`.
final class StoreWriter {
    let db: SQLiteDatabase
    private let clock: @Sendable () -> Timestamp
    /// The next log position and `events` rowid. The writer assigns them itself (it is the only one), so a new
    /// event is one insert per table; a rolled-back batch gives its numbers back.
    private var nextSeq: Int64
    private var nextRowid: Int64
    /// Facet ids by name, for names already in `facet_names` (committed, or written earlier in the open
    /// transaction and dropped again if that is rolled back). Bounded: cleared past `facetCacheLimit`.
    private var facetCache: [String: Int64] = [:]
    private static let facetCacheLimit = 20_000
    /// What the open group and the open batch changed, written once per group just before COMMIT.
    private var group = GroupChanges()
    private var batch = GroupChanges()

    /// Totals a group changes, written once per group (one UPDATE per facet instead of one per event and facet;
    /// Scripts/bench-results/2026-11-29/profile.md §1).
    private struct GroupChanges {
        var uses: [Int64: Int64] = [:]
        var newFacetNames: [String] = []
        var textBytes: Int64 = 0
        var compressedBytes: Int64 = 0
        /// Events added with an open start or end: they defeat the `max_span` shortcut of date ranges.
        var openEnded: Int64 = 0
        var maxSpan: Int64?
        var index: [IndexWork] = []

        mutating func merge(_ other: GroupChanges) {
            for (facet, delta) in other.uses { uses[facet, default: 0] += delta }
            newFacetNames += other.newFacetNames
            textBytes += other.textBytes
            compressedBytes += other.compressedBytes
            openEnded += other.openEnded
            if let span = other.maxSpan { maxSpan = max(maxSpan ?? span, span) }
            index += other.index
        }
    }

    /// What a committed group gives back: one result per batch, and what the full-text index must do.
    struct Committed {
        var results: [Result<[AppendOutcome], StoreError>]
        var index: [IndexWork]
    }

    init(db: SQLiteDatabase, clock: @escaping @Sendable () -> Timestamp) throws(SQLiteError) {
        self.db = db
        self.clock = clock
        nextSeq = (try db.scalar("SELECT max(seq) FROM revisions") ?? 0) + 1
        nextRowid = (try db.scalar("SELECT max(rowid) FROM events") ?? 0) + 1
    }

    /// The last log position written.
    var lastSeq: Int64 { nextSeq - 1 }

    /// Applies `batches` in one transaction. A batch with a rejected entry writes nothing; an engine failure
    /// fails every batch of the group.
    func apply(_ batches: [[PreparedEntry]]) -> Committed {
        group = GroupChanges()
        let (seq, rowid) = (nextSeq, nextRowid)
        do {
            try db.execute("BEGIN IMMEDIATE")
            var results: [Result<[AppendOutcome], StoreError>] = []
            results.reserveCapacity(batches.count)
            for entries in batches { results.append(.success(try applyAtomically(entries))) }
            try writeTotals(group)
            db.resetStatements()
            try db.execute("COMMIT")
            return Committed(results: results, index: group.index)
        } catch {
            try? db.execute("ROLLBACK")
            (nextSeq, nextRowid) = (seq, rowid)
            facetCache.removeAll()
            let failure = StoreError.from(any: error)
            return Committed(results: batches.map { _ in .failure(failure) }, index: [])
        }
    }

    /// Applies one batch under a savepoint; rolls it back when an entry is rejected.
    private func applyAtomically(_ entries: [PreparedEntry]) throws(SQLiteError) -> [AppendOutcome] {
        if entries.contains(where: { $0.rejection != nil }) {
            return entries.map { $0.rejection.map(AppendOutcome.rejected) ?? .rejected(Self.aborted) }
        }
        try db.execute("SAVEPOINT batch")
        batch = GroupChanges()
        let (seq, rowid) = (nextSeq, nextRowid)
        var outcomes: [AppendOutcome] = []
        outcomes.reserveCapacity(entries.count)
        for entry in entries { outcomes.append(try apply(entry)) }
        guard outcomes.contains(where: { if case .rejected = $0 { true } else { false } }) else {
            try db.execute("RELEASE batch")
            group.merge(batch)
            return outcomes
        }
        try db.execute("ROLLBACK TO batch; RELEASE batch")
        (nextSeq, nextRowid) = (seq, rowid)
        for name in batch.newFacetNames { facetCache.removeValue(forKey: name) }
        return outcomes.map { if case .rejected = $0 { $0 } else { .rejected(Self.aborted) } }
    }

    private static let aborted = EventError(.batchAborted, "not written: another entry of the same batch was rejected")

    // MARK: One entry

    /// The stored state of an event.
    private struct Stored {
        var id: String
        var rowid: Int64
        var head: RevisionRules.Head
        var content: Int64
        var lower: Int64
        var upper: Int64
    }

    private func stored(_ id: String) throws(SQLiteError) -> Stored? {
        let s = try db.statement("""
            SELECT e.rowid, e.head, r.revision, r.retraction, e.content, e.lower, e.upper
            FROM events e JOIN revisions r ON r.seq = e.head WHERE e.id = ?
            """)
        try s.bind(id, at: 1)
        guard try s.step() else { return nil }
        return Stored(id: id, rowid: s.int64(0), head: .init(revision: s.int(2), seq: s.int64(1), retraction: s.text(3)),
                      content: s.int64(4), lower: s.int64(5), upper: s.int64(6))
    }

    /// Decides and writes one validated entry.
    private func apply(_ prepared: PreparedEntry) throws(SQLiteError) -> AppendOutcome {
        let stored = try stored(prepared.entry.id)
        var lookupError: SQLiteError?
        let decision = RevisionRules.decide(prepared.entry, intent: prepared.intent, hash: prepared.hash, head: stored?.head) { lookup in
            guard let stored else { return nil }
            do throws(SQLiteError) {
                return try revisionSeq(event: stored.rowid, lookup)
            } catch {
                lookupError = error
                return nil
            }
        }
        if let lookupError { throw lookupError }
        if let outcome = decision.outcomeWithoutWriting { return outcome }
        switch (decision, prepared.entry) {
        case (.create, .event(let event)):
            guard let content = prepared.content else { return .rejected(EventError(.malformedLine, "no content")) }
            guard nextRowid <= FullTextKey.maxRowid else {
                throw SQLiteError(code: SQLiteResultCode.full, message: "the store holds \(FullTextKey.maxRowid) events, the most one file can index")
            }
            return .accepted(seq: try create(event, content: content, hash: prepared.hash))
        case (.revise(let revision), .event(let event)):
            guard let content = prepared.content, let stored else { return .rejected(EventError(.malformedLine, "no content")) }
            return .accepted(seq: try revise(stored, revision: revision, event: event, content: content, hash: prepared.hash))
        case (.retract(let revision), .retraction(let retraction)):
            guard let stored else { return .rejected(EventError(.notFound, field: "id", "no such event")) }
            return .accepted(seq: try retract(stored, revision: revision, retraction: retraction, hash: prepared.hash))
        default:
            return .rejected(EventError(.malformedLine, "the entry does not fit the decision \(decision)"))
        }
    }

    /// The log position of a stored revision matching `lookup`.
    private func revisionSeq(event: Int64, _ lookup: RevisionRules.Lookup) throws(SQLiteError) -> Int64? {
        let kind = lookup.retraction ? "retraction IS NOT NULL" : "retraction IS NULL"
        if let revision = lookup.revision {
            return try db.scalar("SELECT seq FROM revisions WHERE event = ? AND revision = ? AND hash = ? AND \(kind)",
                                 .int(event), .int(Int64(revision)), .int(lookup.hash))
        }
        return try db.scalar("SELECT seq FROM revisions WHERE event = ? AND hash = ? AND \(kind) ORDER BY revision LIMIT 1",
                             .int(event), .int(lookup.hash))
    }

    private func create(_ event: Event, content: PreparedContent, hash: Int64) throws(SQLiteError) -> Int64 {
        let rowid = nextRowid
        nextRowid += 1
        let seq = try insertRevision(event: rowid, revision: 1, recorded: event.recorded, hash: hash, content: content)
        try db.run("""
            INSERT INTO events(rowid, id, head, content, lower, upper, kind, decade, retracted, span_class)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?)
            """, .int(rowid), .text(event.id), .int(seq), .int(seq), .int(content.lower), .int(content.upper), .int(content.kind),
            content.decade.map(SQLiteValue.int) ?? .null, .int(content.spanClass))
        try addFacets(content.facets, rowid: rowid, id: event.id, content: content, seq: seq)
        batch.index.append(IndexWork(seq: seq, removal: nil, addition: .init(key: FullTextKey.of(lower: content.lower, rowid: rowid), event: event)))
        return seq
    }

    private func revise(_ stored: Stored, revision: Int, event: Event, content: PreparedContent, hash: Int64) throws(SQLiteError) -> Int64 {
        var removal: IndexWork.Removal?
        if stored.head.retraction == nil {
            // A retracted event's facets were already uncounted and its text already left the index.
            try removeFacets(of: stored, uncount: true)
            removal = .init(content: stored.content, key: FullTextKey.of(lower: stored.lower, rowid: stored.rowid))
        } else {
            try removeFacets(of: stored, uncount: false)
        }
        let seq = try insertRevision(event: stored.rowid, revision: revision, recorded: event.recorded, hash: hash, content: content)
        try db.run("""
            UPDATE events SET head = ?, content = ?, lower = ?, upper = ?, kind = ?, decade = ?, retracted = 0, span_class = ?
            WHERE rowid = ?
            """, .int(seq), .int(seq), .int(content.lower), .int(content.upper), .int(content.kind),
            content.decade.map(SQLiteValue.int) ?? .null, .int(content.spanClass), .int(stored.rowid))
        try addFacets(content.facets, rowid: stored.rowid, id: event.id, content: content, seq: seq)
        batch.index.append(IndexWork(seq: seq, removal: removal,
                                     addition: .init(key: FullTextKey.of(lower: content.lower, rowid: stored.rowid), event: event)))
        return seq
    }

    /// Retracting keeps the facets (so `includeRetracted` finds the event), marked retracted and uncounted, and
    /// takes the text out of the full-text index.
    private func retract(_ stored: Stored, revision: Int, retraction: Retraction, hash: Int64) throws(SQLiteError) -> Int64 {
        let seq = nextSeq
        nextSeq += 1
        let recorded = (retraction.recorded ?? clock()).milliseconds
        try db.run("""
            INSERT INTO revisions(seq, event, revision, recorded, hash, retraction) VALUES (?, ?, ?, ?, ?, ?)
            """, .int(seq), .int(stored.rowid), .int(Int64(revision)), .int(recorded), .int(hash), .text(retraction.reason))
        for facet in try facetsOfContent(stored.content) {
            let id = try facetID(facet.name, label: facet.label, uses: -1)
            try db.run("UPDATE facets SET retracted = 1 WHERE facet = ? AND lower = ? AND upper = ? AND id = ?",
                       .int(id), .int(stored.lower), .int(stored.upper), .text(retraction.id))
        }
        try db.run("UPDATE events SET head = ?, retracted = 1 WHERE rowid = ?", .int(seq), .int(stored.rowid))
        batch.index.append(IndexWork(seq: seq, removal: .init(content: stored.content, key: FullTextKey.of(lower: stored.lower, rowid: stored.rowid)),
                                     addition: nil))
        return seq
    }

    private func insertRevision(event: Int64, revision: Int, recorded: Timestamp?, hash: Int64, content: PreparedContent) throws(SQLiteError) -> Int64 {
        let seq = nextSeq
        nextSeq += 1
        let recorded = recorded ?? clock()
        let record = StoredEvent.complete(content.record, recorded: recorded, revision: revision)
        try db.run("""
            INSERT INTO revisions(seq, event, revision, recorded, hash, record, body_length, dict) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, .int(seq), .int(event), .int(Int64(revision)), .int(recorded.milliseconds), .int(hash), .blob(record),
            content.bodyZ == nil ? .null : .int(Int64(content.bodyLength)), .int(content.dictionary))
        if let bodyZ = content.bodyZ {
            try db.run("INSERT INTO bodies(seq, body_z) VALUES (?, ?)", .int(seq), .blob(bodyZ))
            batch.textBytes += content.textBytes
            batch.compressedBytes += content.compressedBytes
        }
        return seq
    }

    // MARK: Facets

    private func addFacets(_ facets: [(name: String, label: String)], rowid: Int64, id: String, content: PreparedContent, seq: Int64) throws(SQLiteError) {
        for facet in facets {
            try db.run("""
                INSERT OR IGNORE INTO facets(facet, lower, upper, id, event, content, kind, retracted) VALUES (?, ?, ?, ?, ?, ?, ?, 0)
                """, .int(try facetID(facet.name, label: facet.label, uses: 1)), .int(content.lower), .int(content.upper),
                .text(id), .int(rowid), .int(seq), .int(content.kind))
        }
        if content.lower == DayBounds.openLower || content.upper == DayBounds.openUpper {
            batch.openEnded += 1
        } else {
            let span = content.upper - content.lower
            batch.maxSpan = max(batch.maxSpan ?? span, span)
        }
    }

    /// Removes the facet rows of the event's shown content, where `stored` indexes them.
    private func removeFacets(of stored: Stored, uncount: Bool) throws(SQLiteError) {
        for facet in try facetsOfContent(stored.content) {
            let facetID = try facetID(facet.name, label: facet.label, uses: uncount ? -1 : 0)
            try db.run("DELETE FROM facets WHERE facet = ? AND lower = ? AND upper = ? AND id = ?",
                       .int(facetID), .int(stored.lower), .int(stored.upper), .text(stored.id))
        }
    }

    /// The filter keys of the content revision at `seq`.
    private func facetsOfContent(_ seq: Int64) throws(SQLiteError) -> [(name: String, label: String)] {
        let s = try db.statement("SELECT record FROM revisions WHERE seq = ?")
        defer { s.reset() }
        try s.bind(seq, at: 1)
        guard try s.step() else { return [] }
        let event = try s.withBlob(0) { (bytes) throws(SQLiteError) -> Event in
            do throws(ProtocolError) {
                return try StoredEvent.decode(bytes)
            } catch {
                throw SQLiteError(code: SQLiteResultCode.corrupt, message: "revision \(seq) does not decode: \(error.message)")
            }
        }
        return event.map(Facets.of) ?? []
    }

    /// The id of facet `name`, created when new, its use count changed by `uses` (written before COMMIT).
    ///
    /// Measured: `UPDATE facet_names … RETURNING facet` once per event and facet took 42% of annalsd's CPU
    /// while ingesting; a cached or indexed lookup plus one UPDATE per distinct facet per group does not.
    private func facetID(_ name: String, label: String, uses: Int64) throws(SQLiteError) -> Int64 {
        let id: Int64
        if let cached = facetCache[name] {
            id = cached
        } else if let found = try db.scalar("SELECT facet FROM facet_names WHERE name = ?", .text(name)) {
            id = found
            cache(name, id)
        } else {
            try db.run("INSERT INTO facet_names(name, label, uses) VALUES (?, ?, 0)", .text(name), .text(label))
            id = db.lastInsertRowID
            batch.newFacetNames.append(name)
            cache(name, id)
        }
        if uses != 0 { batch.uses[id, default: 0] += uses }
        return id
    }

    private func cache(_ name: String, _ id: Int64) {
        if facetCache.count >= Self.facetCacheLimit { facetCache.removeAll(keepingCapacity: true) }
        facetCache[name] = id
    }

    /// Writes what a group gathered: facet use counts, text totals, open starts, the longest span.
    private func writeTotals(_ changes: GroupChanges) throws(SQLiteError) {
        for (facet, delta) in changes.uses where delta != 0 {
            try db.run("UPDATE facet_names SET uses = uses + ? WHERE facet = ?", .int(delta), .int(facet))
        }
        if changes.textBytes != 0 || changes.compressedBytes != 0 {
            try db.run("UPDATE counters SET value = value + ? WHERE name = 'text_bytes'", .int(changes.textBytes))
            try db.run("UPDATE counters SET value = value + ? WHERE name = 'compressed_bytes'", .int(changes.compressedBytes))
        }
        if changes.openEnded != 0 {
            try db.run("INSERT INTO counters VALUES ('open_ended', ?1) ON CONFLICT(name) DO UPDATE SET value = value + ?1",
                       .int(changes.openEnded))
        }
        if let span = changes.maxSpan {
            try db.run("INSERT INTO counters VALUES ('max_span', ?1) ON CONFLICT(name) DO UPDATE SET value = max(value, ?1)", .int(span))
        }
    }

    // MARK: Dictionaries

    /// Stores a new dictionary version and returns its id.
    func addDictionary(_ bytes: [UInt8], sampleCount: Int) throws(SQLiteError) -> Int64 {
        try db.execute("BEGIN IMMEDIATE")
        do {
            try db.run("INSERT INTO dictionaries(created, sample_count, bytes) VALUES (?, ?, ?)",
                       .int(clock().milliseconds), .int(Int64(sampleCount)), .blob(bytes))
            let id = db.lastInsertRowID
            try db.execute("COMMIT")
            return id
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }
}
