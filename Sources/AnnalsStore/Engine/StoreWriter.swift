import AnnalsCore

/// The single writer of a SQLite store. Confined to the store's writer queue: it applies groups of
/// prepared batches in one transaction (group commit), each batch atomic under its own savepoint.
final class StoreWriter {
    let db: SQLiteDatabase
    private let codec: TextCodec
    private let clock: @Sendable () -> Timestamp

    /// Facet ids by name, for names already in `facet_names` (committed, or written earlier in the open
    /// transaction and dropped again if that is rolled back). Bounded: cleared when it grows past `facetCacheLimit`.
    private var facetCache: [String: Int64] = [:]
    private static let facetCacheLimit = 20_000
    /// Counter changes and full-text writes of the open batch and of the open group, applied once per group
    /// just before COMMIT (one UPDATE per distinct facet instead of one per event and facet; full-text
    /// writes in key order; see Scripts/bench-results).
    private var batchPending = PendingChanges()
    private var groupPending = PendingChanges()

    /// Use counts and bound statistics not yet written to `facet_names` and `counters`, and full-text
    /// entries not yet written to `fts`.
    private struct PendingChanges {
        var uses: [Int64: Int64] = [:]
        /// In the order they were made; written sorted by key (stable), because FTS5 starts a new segment
        /// whenever a rowid is not above the previous one, and `FullTextKey`s arrive in no order.
        var textWrites: [TextWrite] = []
        var newFacetNames: [String] = []
        /// Events added with an open start or end: they defeat the `max_span` shortcut of date ranges.
        var openEnded: Int64 = 0
        var maxSpan: Int64?

        mutating func merge(_ other: PendingChanges) {
            for (facet, delta) in other.uses { uses[facet, default: 0] += delta }
            newFacetNames += other.newFacetNames
            textWrites += other.textWrites
            openEnded += other.openEnded
            if let span = other.maxSpan { maxSpan = max(maxSpan ?? span, span) }
        }
    }

    /// One insert into, or delete from, the contentless full-text index (which needs the original text).
    private struct TextWrite {
        var key: Int64
        var delete: Bool
        var title: String
        var summary: String?
        var body: String?
    }

    init(db: SQLiteDatabase, codec: TextCodec, clock: @escaping @Sendable () -> Timestamp) {
        self.db = db
        self.codec = codec
        self.clock = clock
    }

    /// Applies `batches` in one transaction and returns one result per batch.
    /// A batch with a rejected entry writes nothing; an engine error fails every batch of the group.
    func apply(_ batches: [[PreparedEntry]]) -> [Result<[AppendOutcome], StoreError>] {
        var results: [Result<[AppendOutcome], StoreError>] = []
        results.reserveCapacity(batches.count)
        groupPending = PendingChanges()
        do {
            try db.execute("BEGIN IMMEDIATE")
            var totals = (text: Int64(0), compressed: Int64(0))
            for batch in batches {
                results.append(.success(try applyAtomically(batch, totals: &totals)))
            }
            try writePending(groupPending)
            groupPending = PendingChanges()
            if totals.text != 0 || totals.compressed != 0 {
                try db.run("UPDATE counters SET value = value + ? WHERE name = 'text_bytes'", .int(totals.text))
                try db.run("UPDATE counters SET value = value + ? WHERE name = 'compressed_bytes'", .int(totals.compressed))
            }
            db.resetStatements()
            try db.execute("COMMIT")
            return results
        } catch {
            try? db.execute("ROLLBACK")
            facetCache.removeAll()
            groupPending = PendingChanges()
            batchPending = PendingChanges()
            let storeError = (error as? SQLiteError).map(StoreError.from) ?? (error as? StoreError) ?? StoreError(.io, "\(error)")
            return batches.map { _ in .failure(storeError) }
        }
    }

    /// Applies one batch under a savepoint; rolls it back when an entry is rejected.
    private func applyAtomically(_ batch: [PreparedEntry], totals: inout (text: Int64, compressed: Int64)) throws -> [AppendOutcome] {
        if batch.contains(where: { $0.rejection != nil }) {
            return batch.map { $0.rejection.map(AppendOutcome.rejected) ?? .rejected(Self.aborted) }
        }
        try db.execute("SAVEPOINT batch")
        batchPending = PendingChanges()
        var outcomes: [AppendOutcome] = []
        outcomes.reserveCapacity(batch.count)
        var batchTotals = (text: Int64(0), compressed: Int64(0))
        var failed = false
        for entry in batch {
            do {
                let outcome = try apply(entry)
                if case .accepted = outcome, let content = entry.content {
                    batchTotals.text += content.textBytes
                    batchTotals.compressed += content.compressedBytes
                }
                outcomes.append(outcome)
            } catch let error as EventError {
                outcomes.append(.rejected(error))
                failed = true
            }
        }
        if failed {
            try db.execute("ROLLBACK TO batch; RELEASE batch")
            for name in batchPending.newFacetNames { facetCache.removeValue(forKey: name) }
            batchPending = PendingChanges()
            return outcomes.map { if case .rejected = $0 { $0 } else { .rejected(Self.aborted) } }
        }
        try db.execute("RELEASE batch")
        groupPending.merge(batchPending)
        batchPending = PendingChanges()
        totals.text += batchTotals.text
        totals.compressed += batchTotals.compressed
        return outcomes
    }

    private static let aborted = EventError(.batchAborted, "not written: another entry of the same batch was rejected")

    // MARK: One entry

    /// The stored head of an event.
    private struct Head {
        var rowid: Int64
        var seq: Int64
        var revision: Int
        var retraction: String?
        var lower: Int64
        var upper: Int64
    }

    private func head(of id: String) throws -> Head? {
        let s = try db.statement("""
            SELECT e.rowid, e.head, r.revision, r.retraction, e.lower, e.upper
            FROM events e JOIN revisions r ON r.seq = e.head WHERE e.id = ?
            """)
        try s.bind(id, at: 1)
        guard try s.step() else { return nil }
        return Head(rowid: s.int64(0), seq: s.int64(1), revision: s.int(2), retraction: s.text(3),
                    lower: s.int64(4), upper: s.int64(5))
    }

    /// Applies one validated entry. Throws `EventError` for a rejection, `SQLiteError` for engine failures.
    private func apply(_ prepared: PreparedEntry) throws -> AppendOutcome {
        switch prepared.entry {
        case .event(let event):
            guard let content = prepared.content else { throw EventError(.malformedLine, "no content") }
            guard let head = try head(of: event.id) else {
                if prepared.intent == .amend {
                    throw EventError(.notFound, field: "id", "cannot amend '\(event.id)': no such event")
                }
                if let revision = event.revision, revision != 1 {
                    throw EventError(.invalidRevision, field: "revision",
                                     "'\(event.id)' is not stored yet, so its first entry must be revision 1, not \(revision)")
                }
                return .accepted(seq: try insertNew(event, content: content, hash: prepared.hash))
            }
            if let revision = event.revision {
                if revision <= head.revision {
                    if let seq = try revisionSeq(event: head.rowid, revision: revision, hash: prepared.hash, retraction: false) {
                        return .duplicate(seq: seq)
                    }
                    throw EventError(.conflict, field: "revision",
                                     "revision \(revision) of '\(event.id)' is stored with different content")
                }
                guard revision == head.revision + 1 else {
                    throw EventError(.invalidRevision, field: "revision",
                                     "'\(event.id)' is at revision \(head.revision); the next is \(head.revision + 1), not \(revision)")
                }
                return .accepted(seq: try replaceHead(head, with: event, content: content, hash: prepared.hash))
            }
            if prepared.intent == .amend {
                if head.retraction == nil,
                   try revisionSeq(event: head.rowid, revision: head.revision, hash: prepared.hash, retraction: false) != nil {
                    return .duplicate(seq: head.seq)
                }
                return .accepted(seq: try replaceHead(head, with: event, content: content, hash: prepared.hash))
            }
            if let seq = try revisionSeq(event: head.rowid, revision: nil, hash: prepared.hash, retraction: false) {
                return .duplicate(seq: seq)
            }
            throw EventError(.conflict, field: "id",
                             "'\(event.id)' is already stored with different content: amend it instead")

        case .retraction(let retraction):
            guard let head = try head(of: retraction.id) else {
                throw EventError(.notFound, field: "id", "cannot retract '\(retraction.id)': no such event")
            }
            if let revision = retraction.revision, revision <= head.revision {
                if let seq = try revisionSeq(event: head.rowid, revision: revision, hash: prepared.hash, retraction: true) {
                    return .duplicate(seq: seq)
                }
                throw EventError(.conflict, field: "revision",
                                 "revision \(revision) of '\(retraction.id)' is stored with different content")
            }
            if let revision = retraction.revision, revision != head.revision + 1 {
                throw EventError(.invalidRevision, field: "revision",
                                 "'\(retraction.id)' is at revision \(head.revision); the next is \(head.revision + 1), not \(revision)")
            }
            if let reason = head.retraction {
                if reason == retraction.reason && retraction.revision == nil { return .duplicate(seq: head.seq) }
                throw EventError(.conflict, field: "id", "'\(retraction.id)' is already retracted")
            }
            return .accepted(seq: try retract(head, retraction: retraction, hash: prepared.hash))
        }
    }

    /// The log position of a matching stored revision (of any revision when `revision` is nil).
    private func revisionSeq(event: Int64, revision: Int?, hash: Int64, retraction: Bool) throws -> Int64? {
        let kind = retraction ? "retraction IS NOT NULL" : "retraction IS NULL"
        let s: SQLiteStatement
        if let revision {
            s = try db.statement("SELECT seq FROM revisions WHERE event = ? AND revision = ? AND hash = ? AND \(kind)")
            try s.bind(event, at: 1)
            try s.bind(revision, at: 2)
            try s.bind(hash, at: 3)
        } else {
            s = try db.statement("SELECT seq FROM revisions WHERE event = ? AND hash = ? AND \(kind) ORDER BY revision LIMIT 1")
            try s.bind(event, at: 1)
            try s.bind(hash, at: 2)
        }
        return try s.step() ? s.int64(0) : nil
    }

    private func recordedTime(_ given: Timestamp?) -> Int64 {
        (given ?? clock()).milliseconds
    }

    private func insertNew(_ event: Event, content: PreparedContent, hash: Int64) throws -> Int64 {
        let insertEvent = try db.statement(
            "INSERT INTO events(id, head, lower, upper, kind, decade, retracted, span_class) VALUES (?, 0, ?, ?, ?, ?, 0, ?)")
        try insertEvent.bind(event.id, at: 1)
        try insertEvent.bind(content.lower, at: 2)
        try insertEvent.bind(content.upper, at: 3)
        try insertEvent.bind(Int64(event.kind.code), at: 4)
        if let decade = content.decade { try insertEvent.bind(decade, at: 5) }
        try insertEvent.bind(content.spanClass, at: 6)
        try insertEvent.step()
        let rowid = db.lastInsertRowID
        guard rowid <= FullTextKey.maxRowid else {
            throw StoreError(.full, "the store holds \(FullTextKey.maxRowid) events, the most one file can index")
        }
        let seq = try insertRevision(event: rowid, revision: 1, recorded: recordedTime(event.recorded), hash: hash,
                                     content: (event, content), retraction: nil)
        try db.run("UPDATE events SET head = ? WHERE rowid = ?", .int(seq), .int(rowid))
        try addIndexes(rowid: rowid, id: event.id, event: event, content: content)
        return seq
    }

    private func replaceHead(_ head: Head, with event: Event, content: PreparedContent, hash: Int64) throws -> Int64 {
        if let old = try lastContent(of: head.rowid) {
            // A retracted event's facets were already uncounted and its text already left the index.
            try removeFacets(of: old, head: head, uncount: head.retraction == nil)
            if head.retraction == nil { try removeText(of: old, rowid: head.rowid) }
        }
        let seq = try insertRevision(event: head.rowid, revision: head.revision + 1, recorded: recordedTime(event.recorded),
                                     hash: hash, content: (event, content), retraction: nil)
        let s = try db.statement(
            "UPDATE events SET head = ?, lower = ?, upper = ?, kind = ?, decade = ?, retracted = 0, span_class = ? WHERE rowid = ?")
        try s.bind(seq, at: 1)
        try s.bind(content.lower, at: 2)
        try s.bind(content.upper, at: 3)
        try s.bind(Int64(event.kind.code), at: 4)
        if let decade = content.decade { try s.bind(decade, at: 5) }
        try s.bind(content.spanClass, at: 6)
        try s.bind(head.rowid, at: 7)
        try s.step()
        try addIndexes(rowid: head.rowid, id: event.id, event: event, content: content)
        return seq
    }

    /// Retracting keeps the facets (so `includeRetracted` finds the event) but uncounts them, and removes
    /// the text from the full-text index.
    private func retract(_ head: Head, retraction: Retraction, hash: Int64) throws -> Int64 {
        if let old = try lastContent(of: head.rowid) {
            for facet in Facets.of(old) {
                try db.run("UPDATE facet_names SET uses = uses - 1 WHERE name = ?", .text(facet.name))
            }
            try removeText(of: old, rowid: head.rowid)
        }
        let seq = try insertRevision(event: head.rowid, revision: head.revision + 1,
                                     recorded: recordedTime(retraction.recorded), hash: hash, content: nil,
                                     retraction: retraction.reason)
        try db.run("UPDATE events SET head = ?, retracted = 1 WHERE rowid = ?", .int(seq), .int(head.rowid))
        return seq
    }

    /// The event's last revision with content: its head, or the one before a retraction.
    private func lastContent(of rowid: Int64) throws -> Event? {
        guard let seq = try db.scalar(
            "SELECT seq FROM revisions WHERE event = ? AND retraction IS NULL ORDER BY revision DESC LIMIT 1", .int(rowid))
        else { return nil }
        return try StoredRevision.load(seq: seq, db: db, codec: codec)?.event
    }

    private func insertRevision(
        event: Int64, revision: Int, recorded: Int64, hash: Int64, content: (Event, PreparedContent)?, retraction: String?
    ) throws -> Int64 {
        let s = try db.statement("""
            INSERT INTO revisions(event, revision, recorded, retraction, hash, date, kind, title, meta,
                                  summary, summary_z, summary_length, body_length, dict)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try s.bind(event, at: 1)
        try s.bind(revision, at: 2)
        try s.bind(recorded, at: 3)
        try s.bind(retraction, at: 4)
        try s.bind(hash, at: 5)
        if let (event, c) = content {
            try s.bind(event.date.canonical, at: 6)
            try s.bind(Int64(event.kind.code), at: 7)
            try s.bind(event.title, at: 8)
            try s.bind(blob: c.meta, at: 9)
            try s.bind(c.summary, at: 10)
            try s.bind(blob: c.summaryZ, at: 11)
            if c.summaryZ != nil { try s.bind(c.summaryLength, at: 12) }
            if c.bodyZ != nil { try s.bind(c.bodyLength, at: 13) }
            try s.bind(c.dictionary, at: 14)
        }
        try s.step()
        let seq = db.lastInsertRowID
        if let bodyZ = content?.1.bodyZ {
            let body = try db.statement("INSERT INTO bodies(seq, body_z) VALUES (?, ?)")
            try body.bind(seq, at: 1)
            try body.bind(blob: bodyZ, at: 2)
            try body.step()
        }
        return seq
    }

    // MARK: Indexes of the current revision

    private func addIndexes(rowid: Int64, id: String, event: Event, content: PreparedContent) throws {
        for facet in content.facets {
            let facetID = try facetID(facet.name, label: facet.label)
            let s = try db.statement("INSERT OR IGNORE INTO facets(facet, lower, upper, id, event) VALUES (?, ?, ?, ?, ?)")
            try s.bind(facetID, at: 1)
            try s.bind(content.lower, at: 2)
            try s.bind(content.upper, at: 3)
            try s.bind(id, at: 4)
            try s.bind(rowid, at: 5)
            try s.step()
        }
        batchPending.textWrites.append(TextWrite(key: FullTextKey.of(lower: content.lower, rowid: rowid), delete: false,
                                                title: event.title, summary: event.summary, body: event.body))
        if content.lower == DayBounds.openLower || content.upper == DayBounds.openUpper {
            batchPending.openEnded += 1
        } else if content.upper != DayBounds.openUpper {
            let span = content.upper - content.lower
            batchPending.maxSpan = max(batchPending.maxSpan ?? span, span)
        }
    }

    /// Writes what a group gathered: full-text entries in key order, facet use counts, open starts, the longest span.
    private func writePending(_ counts: PendingChanges) throws {
        let ordered = counts.textWrites.enumerated().sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }
        for (_, write) in ordered {
            let s = try db.statement(write.delete
                ? "INSERT INTO fts(fts, rowid, title, summary, body) VALUES ('delete', ?, ?, ?, ?)"
                : "INSERT INTO fts(rowid, title, summary, body) VALUES (?, ?, ?, ?)")
            try s.bind(write.key, at: 1)
            try s.bind(write.title, at: 2)
            try s.bind(write.summary, at: 3)
            try s.bind(write.body, at: 4)
            try s.step()
        }
        for (facet, delta) in counts.uses where delta != 0 {
            try db.run("UPDATE facet_names SET uses = uses + ? WHERE facet = ?", .int(delta), .int(facet))
        }
        if counts.openEnded != 0 {
            try db.run("INSERT INTO counters VALUES ('open_ended', ?1) ON CONFLICT(name) DO UPDATE SET value = value + ?1",
                       .int(counts.openEnded))
        }
        if let span = counts.maxSpan {
            try db.run("""
                INSERT INTO counters VALUES ('max_span', ?1)
                ON CONFLICT(name) DO UPDATE SET value = max(value, ?1)
                """, .int(span))
        }
    }

    /// Removes the facet rows of `event`, the content the events row is indexed under.
    private func removeFacets(of event: Event, head: Head, uncount: Bool) throws {
        for facet in Facets.of(event) {
            let s = try db.statement("""
                DELETE FROM facets WHERE facet = (SELECT facet FROM facet_names WHERE name = ?)
                AND lower = ? AND upper = ? AND id = ?
                """)
            try s.bind(facet.name, at: 1)
            try s.bind(head.lower, at: 2)
            try s.bind(head.upper, at: 3)
            try s.bind(event.id, at: 4)
            try s.step()
            if uncount { try db.run("UPDATE facet_names SET uses = uses - 1 WHERE name = ?", .text(facet.name)) }
        }
    }

    /// Removes `event`'s text from the full-text index (a contentless FTS5 table needs the original text).
    private func removeText(of event: Event, rowid: Int64) throws {
        batchPending.textWrites.append(TextWrite(key: FullTextKey.of(lower: DayBounds.of(event.date).lower, rowid: rowid), delete: true,
                                                title: event.title, summary: event.summary, body: event.body))
    }

    /// The id of facet `name`, created when new, with one more use counted (written before COMMIT).
    ///
    /// Measured: `UPDATE facet_names … RETURNING facet` once per event and facet took 42% of annalsd's CPU
    /// while ingesting; a cached or indexed lookup plus one UPDATE per distinct facet per group does not.
    private func facetID(_ name: String, label: String) throws -> Int64 {
        let id: Int64
        if let cached = facetCache[name] {
            id = cached
        } else {
            let select = try db.statement("SELECT facet FROM facet_names WHERE name = ?")
            try select.bind(name, at: 1)
            if try select.step() {
                id = select.int64(0)
                select.reset()
            } else {
                select.reset()
                let insert = try db.statement("INSERT INTO facet_names(name, label, uses) VALUES (?, ?, 0)")
                try insert.bind(name, at: 1)
                try insert.bind(label, at: 2)
                try insert.step()
                id = db.lastInsertRowID
                batchPending.newFacetNames.append(name)
            }
            if facetCache.count >= Self.facetCacheLimit { facetCache.removeAll(keepingCapacity: true) }
            facetCache[name] = id
        }
        batchPending.uses[id, default: 0] += 1
        return id
    }

    // MARK: Dictionaries

    /// Stores a new dictionary version and returns its id.
    func addDictionary(_ bytes: [UInt8], sampleCount: Int) throws(SQLiteError) -> Int64 {
        try db.execute("BEGIN IMMEDIATE")
        do {
            let s = try db.statement("INSERT INTO dictionaries(created, sample_count, bytes) VALUES (?, ?, ?)")
            try s.bind(clock().milliseconds, at: 1)
            try s.bind(sampleCount, at: 2)
            try s.bind(blob: bytes, at: 3)
            try s.step()
            let id = db.lastInsertRowID
            try db.execute("COMMIT")
            return id
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }
}
