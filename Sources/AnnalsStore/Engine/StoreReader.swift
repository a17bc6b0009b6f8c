#if canImport(Glibc)
import Glibc
#endif
import AnnalsCore
import AnnalsProtocol

/// The read side of the SQLite store: timelines, lookups, the change log and stats, on one reader
/// connection (with the search index attached as `search`).
struct StoreReader {
    let db: SQLiteDatabase
    let codec: TextCodec

    // MARK: Timeline

    /// A page of a timeline, its records copied from the stored bytes of each event's revision.
    func timeline(_ query: TimelineQuery) throws(StoreError) -> EncodedPage {
        let search = try query.checked()
        do {
            let actorFacets = try query.actors.map { actor throws in
                try facetIDs(Facets.actorKeys(actor))
            }
            let tagFacets = try facetIDs(query.tags.map(Facets.tag))
            let referenceFacet = try query.references.flatMap { try facetIDs([Facets.reference($0)]).first }
            var referenced: [String]?
            if let source = query.referencedBy {
                referenced = try currentEvent(id: source)?.references.map(\.id) ?? []
            }
            // The span shortcut holds only while every stored event has two finite bounds (the counter
            // never decreases, so it errs on the safe side after an amend removes an open end).
            let hasOpenEnds = try db.scalar("SELECT value FROM counters WHERE name = 'open_ended'") ?? 0 > 0
            let maxSpan = hasOpenEnds ? nil : (try db.scalar("SELECT value FROM counters WHERE name = 'max_span'") ?? 0)
            let plan = try TimelinePlanner(query: query, actorFacets: actorFacets, tagFacets: tagFacets,
                                           referenceFacet: referenceFacet, referencedIDs: referenced, maxSpan: maxSpan,
                                           fullText: search?.fts5Expression)
            let s = try db.statement(plan.sql)
            try s.bind(plan.bindings)
            defer { s.reset() }
            if plan.fullTextOrdered { return try fullTextPage(s, query: query) }
            var page = EncodedRecords()
            var last: TimelinePlanner.Position?
            var hasMore = false
            while try s.step() {
                let position = TimelinePlanner.Position(lower: s.int64(0), upper: s.int64(1), id: s.text(3) ?? "")
                if position == last { continue }  // the same event reached through two facets
                if page.count == query.limit {
                    hasMore = true
                    break
                }
                last = position
                try appendRecord(from: s, to: &page)
            }
            return EncodedPage(records: page, nextCursor: hasMore ? last?.cursor : nil)
        } catch {
            throw StoreError.from(any: error)
        }
    }

    /// A full-text page from rows in `FullTextKey` order (by first day, then rowid): reads one row past the
    /// page, then the rest of that row's day (any of which may sort before it), and sorts what it read into
    /// timeline order. Each event is indexed once, so no row repeats.
    private func fullTextPage(_ s: SQLiteStatement, query: TimelineQuery) throws -> EncodedPage {
        var rows: [(position: TimelinePlanner.Position, record: EncodedRecords)] = []
        var lastDay: Int64?
        while try s.step() {
            let day = FullTextKey.day(ofKey: s.int64(7))
            if let lastDay, day != lastDay { break }
            var one = EncodedRecords()
            try appendRecord(from: s, to: &one)
            rows.append((TimelinePlanner.Position(lower: s.int64(0), upper: s.int64(1), id: s.text(3) ?? ""), one))
            if rows.count > query.limit { lastDay = day }
        }
        rows.sort { query.reverse ? $1.position < $0.position : $0.position < $1.position }
        let shown = rows.prefix(query.limit)
        var page = EncodedRecords()
        for row in shown { page.append(contentsOf: row.record) }
        return EncodedPage(records: page, nextCursor: rows.count > query.limit ? shown.last?.position.cursor : nil)
    }

    /// Appends the record of the row at `s` (planner columns): the stored bytes of the revision it shows, its
    /// log position, and for a retracted event the retraction (its head).
    private func appendRecord(from s: SQLiteStatement, to page: inout EncodedRecords) throws {
        let retraction = s.int64(2) != 0 ? try self.retraction(ofEvent: s.int64(6), id: s.text(3) ?? "") : nil
        let seq = retraction?.seq ?? s.int64(4)
        let appended: Void? = s.withBlob(5) { page.append(event: $0, seq: seq, retraction: retraction?.retraction) }
        if appended == nil { throw StoreError(.corrupt, "revision \(s.int64(4)) has no stored event") }
    }

    /// The retraction at the head of a retracted event, and its log position.
    private func retraction(ofEvent rowid: Int64, id: String) throws -> (seq: Int64, retraction: Retraction)? {
        let s = try db.statement("""
            SELECT r.seq, r.retraction, r.recorded, r.revision FROM events e JOIN revisions r ON r.seq = e.head WHERE e.rowid = ?
            """)
        defer { s.reset() }
        try s.bind(rowid, at: 1)
        guard try s.step(), let reason = s.text(1) else { return nil }
        return (s.int64(0), Retraction(id: id, reason: reason, recorded: Timestamp(milliseconds: s.int64(2)), revision: s.int(3)))
    }

    private func facetIDs(_ names: [String]) throws -> [Int64] {
        var ids: [Int64] = []
        for name in names {
            if let id = try db.scalar("SELECT facet FROM facet_names WHERE name = ?", .text(name)) { ids.append(id) }
        }
        return ids
    }

    // MARK: Single events

    /// The latest revision with content (skipping a retraction).
    private func lastContent(id: String, withBody: Bool) throws -> StoredRevision? {
        let s = try db.statement("""
            SELECT \(StoredRevision.columns) FROM events e JOIN revisions r ON r.seq = e.content WHERE e.id = ?
            """)
        try s.bind(id, at: 1)
        defer { s.reset() }
        guard try s.step() else { return nil }
        return try StoredRevision.decode(s, codec: codec, withBody: withBody)
    }

    /// The current content of `id` (its last content revision), without the body.
    private func currentEvent(id: String) throws -> Event? {
        try lastContent(id: id, withBody: false)?.event
    }

    /// One event with every revision and its references both ways, decoded (`encodedDetail`'s bytes).
    func get(id: String, revision: Int?) throws(StoreError) -> EventDetail? {
        guard let payload = try encodedDetail(id: id, revision: revision) else { return nil }
        do {
            return try DetailPayload.decode(payload)
        } catch {
            throw StoreError(.corrupt, "the detail of '\(id)' does not decode: \(error.message)")
        }
    }

    /// The `detail` answer for `id`, written from the stored bytes of its revisions and of the events its
    /// references name, with nothing decoded but bodies (inflated into place) and the fields a reference shows.
    func encodedDetail(id: String, revision: Int?) throws(StoreError) -> [UInt8]? {
        do {
            let s = try db.statement("""
                SELECT r.seq, r.revision, r.recorded, r.retraction, r.record, b.body_z, r.body_length, r.dict
                FROM events e JOIN revisions r ON r.event = e.rowid LEFT JOIN bodies b ON b.seq = r.seq
                WHERE e.id = ? ORDER BY r.revision
                """)
            defer { s.reset() }
            try s.bind(id, at: 1)
            var rows: [DetailAssembler.Row] = []
            while try s.step() {
                rows.append(DetailAssembler.Row(seq: s.int64(0), revision: s.int(1), recorded: s.int64(2), retraction: s.text(3),
                                record: s.blob(4), body: try s.withBlob(5) { (z) throws(CompressionError) in
                                    try codec.decompressBytes(z, dictionary: s.int64(7), length: s.int(6))
                                }))
            }
            return try DetailAssembler.encode(id: id, revision: revision, rows: rows, targets: { ids in
                var found: [String: StoredEventView] = [:]
                for target in ids where found[target] == nil {
                    if let view = try contentView(id: target) { found[target] = view }
                }
                return found
            }, referrers: { try referrers(of: id) })
        } catch {
            throw StoreError.from(any: error)
        }
    }

    /// The fields of `id`'s shown content that a reference to it needs.
    private func contentView(id: String) throws -> StoredEventView? {
        let s = try db.statement("SELECT r.record FROM events e JOIN revisions r ON r.seq = e.content WHERE e.id = ?")
        defer { s.reset() }
        try s.bind(id, at: 1)
        guard try s.step() else { return nil }
        return try s.withBlob(0) { (bytes) throws(ProtocolError) in try StoredEventView(bytes) }
    }

    /// The shown content of every event that refers to `id`, in timeline order.
    private func referrers(of id: String) throws -> [StoredEventView] {
        let s = try db.statement("""
            SELECT r.record FROM facets f JOIN revisions r ON r.seq = f.content
            WHERE f.facet = (SELECT facet FROM facet_names WHERE name = ?) ORDER BY f.lower, f.upper, f.id
            """)
        defer { s.reset() }
        try s.bind(Facets.reference(id), at: 1)
        var views: [StoredEventView] = []
        while try s.step() {
            if let view = try s.withBlob(0, { (bytes) throws(ProtocolError) in try StoredEventView(bytes) }) { views.append(view) }
        }
        return views
    }

    // MARK: Change log

    func entries(after seq: Int64, limit: Int) throws(StoreError) -> [SequencedEntry] {
        do {
            let s = try db.statement("""
                SELECT \(StoredRevision.columns) FROM revisions r JOIN events e ON e.rowid = r.event
                WHERE r.seq > ? ORDER BY r.seq LIMIT ?
                """)
            try s.bind(seq, at: 1)
            try s.bind(limit, at: 2)
            defer { s.reset() }
            var out: [SequencedEntry] = []
            while try s.step() {
                let stored = try StoredRevision.decode(s, codec: codec, withBody: true)
                out.append(SequencedEntry(seq: stored.seq, entry: stored.entry))
            }
            return out
        } catch {
            throw StoreError.from(any: error)
        }
    }

    func lastSeq() throws(StoreError) -> Int64 {
        do {
            return try db.scalar("SELECT max(seq) FROM revisions") ?? 0
        } catch {
            throw StoreError.from(error)
        }
    }

    // MARK: Stats

    func stats() throws(StoreError) -> StoreStats {
        do {
            var stats = StoreStats()
            stats.visible = Int(try db.scalar("SELECT count(*) FROM events WHERE retracted = 0") ?? 0)
            stats.retracted = Int(try db.scalar("SELECT count(*) FROM events WHERE retracted = 1") ?? 0)
            stats.lastSeq = try db.scalar("SELECT max(seq) FROM revisions") ?? 0
            stats.revisions = Int(try db.scalar("SELECT count(*) FROM revisions") ?? 0)
            let kinds = try db.statement("SELECT kind, count(*) FROM events WHERE retracted = 0 GROUP BY kind")
            while try kinds.step() {
                if let kind = EventKind(code: UInt8(truncatingIfNeeded: kinds.int64(0))) { stats.byKind[kind] = kinds.int(1) }
            }
            kinds.reset()
            let decades = try db.statement("SELECT decade, count(*) FROM events WHERE retracted = 0 GROUP BY decade")
            while try decades.step() {
                if decades.isNull(0) { stats.openStart = decades.int(1) } else { stats.byDecade[decades.int64(0)] = decades.int(1) }
            }
            decades.reset()
            let actors = try db.statement("""
                SELECT label, uses FROM facet_names WHERE name >= 'a:' AND name < 'a;' AND uses > 0
                ORDER BY uses DESC, label LIMIT 10
                """)
            while try actors.step() { stats.topActors.append(.init(name: actors.text(0) ?? "", count: actors.int(1))) }
            actors.reset()
            stats.textBytes = try db.scalar("SELECT value FROM counters WHERE name = 'text_bytes'") ?? 0
            stats.compressedBytes = try db.scalar("SELECT value FROM counters WHERE name = 'compressed_bytes'") ?? 0
            let pages = try db.pragma("page_count"), pageSize = try db.pragma("page_size")
            stats.fileBytes = pages * pageSize + Self.fileSize(db.path + "-wal")
            return stats
        } catch {
            throw StoreError.from(error)
        }
    }

    static func fileSize(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }
}
