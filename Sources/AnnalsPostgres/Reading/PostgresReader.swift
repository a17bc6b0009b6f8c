import AnnalsCore
import AnnalsProtocol
import AnnalsStore

/// The read side of the PostgreSQL store on one pooled connection: timeline pages copied from stored record
/// bytes, details assembled as the SQLite engine assembles them (`DetailAssembler`), the change log and stats.
struct PostgresReader {
    let connection: PGConnection
    let codec: TextCodec

    // MARK: Timeline

    func timeline(_ query: TimelineQuery) throws -> EncodedPage {
        let search = try query.checked()
        var referenced: [String]?
        if let source = query.referencedBy {
            referenced = try contentViews(ids: [source])[source]?.references.map(\.id) ?? []
        }
        let statement = try TimelineSQL(query: query, search: search, referencedIDs: referenced)
        let rows = try connection.query(statement.sql, statement.parameters)
        // The statement reads one row past the page: its presence says there is more.
        let count = min(rows.rowCount, query.limit)
        var page = EncodedRecords()
        page.reserveCapacity(records: count, bytes: (0..<count).reduce(0) { $0 + rows.length($1, 4) + EncodedRecords.trailerBytes })
        for row in 0..<count {
            var retraction: Retraction?
            if query.includeRetracted, rows.bool(row, 5), let reason = rows.text(row, 7) {
                retraction = Retraction(id: rows.text(row, 2) ?? "", reason: reason, recorded: Timestamp(milliseconds: rows.int64(row, 8)),
                                        revision: rows.int(row, 9))
            }
            let seq = retraction == nil ? rows.int64(row, 3) : rows.int64(row, 6)
            let appended: Void? = rows.withBytes(row, 4) { page.append(event: $0, seq: seq, retraction: retraction) }
            if appended == nil { throw StoreError(.corrupt, "revision \(rows.int64(row, 3)) has no stored event") }
        }
        guard rows.rowCount > count, count > 0 else { return EncodedPage(records: page, nextCursor: nil) }
        let last = TimelinePosition(lower: rows.int64(count - 1, 0), upper: rows.int64(count - 1, 1), id: rows.text(count - 1, 2) ?? "")
        return EncodedPage(records: page, nextCursor: last.cursor)
    }

    /// The fields references need of the shown content of each of `ids` that is stored.
    private func contentViews(ids: [String]) throws -> [String: StoredEventView] {
        let rows = try connection.query("""
            SELECT e.id, c.record FROM events e JOIN revisions c ON c.event = e.event AND c.revision = e.content_revision WHERE e.id = ANY($1::text[])
            """, [.textArray(ids)])
        var views: [String: StoredEventView] = [:]
        for row in 0..<rows.rowCount {
            guard let id = rows.text(row, 0) else { continue }
            views[id] = try rows.withBytes(row, 1) { (bytes) throws(ProtocolError) in try StoredEventView(bytes) }
        }
        return views
    }

    // MARK: Single events

    /// The parts of `detailSQL`'s answer, in its order.
    private enum DetailPart: Int64 {
        /// Every revision of the event with its body, in revision order.
        case revision = 0
        /// The shown content of each event that refers to it, in timeline order.
        case referrer = 1
        /// Each id its shown content refers to, with that event's shown content when stored.
        case reference = 2
    }

    /// A detail's rows in one statement, so the server starts one executor, not three (`DetailPart` tells the
    /// rows apart; `$1` is the id, `$2` its reference facet). Columns: part, revision, the referrer's timeline
    /// position (3), seq, recorded, retraction, reference target, record, body_z, body_length, dict. The rows are
    /// put in order by `encodedDetail`, not by a sort in the statement (8 µs of a 130 µs statement, pgbench).
    private static let detailSQL = """
        WITH e AS MATERIALIZED (SELECT event FROM events WHERE id = $1)
        SELECT 0::bigint AS part, r.revision::bigint AS revision, NULL::bigint AS lower_day, NULL::bigint AS upper_day,
               NULL::text COLLATE "C" AS referrer, r.seq, r.recorded, r.retraction, NULL::text AS target, r.record, b.body_z, r.body_length, r.dict
        FROM e JOIN revisions r ON r.event = e.event LEFT JOIN bodies b ON b.event = r.event AND b.revision = r.revision
        UNION ALL
        SELECT 1, NULL, f.lower_day, f.upper_day, f.id, NULL, NULL, NULL, NULL, c.record, NULL, NULL, NULL
        FROM facets f JOIN revisions c ON c.event = f.event AND c.revision = f.content_revision WHERE f.name = $2
        UNION ALL
        SELECT 2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, substr(f.name, 3), c.record, NULL, NULL, NULL
        FROM e JOIN facets f ON f.event = e.event AND f.name >= 'r:' AND f.name < 'r;'
        LEFT JOIN events t ON t.id = substr(f.name, 3) LEFT JOIN revisions c ON c.event = t.event AND c.revision = t.content_revision
        """

    func encodedDetail(id: String, revision: Int?) throws -> [UInt8]? {
        let result = try connection.query(Self.detailSQL, [.text(id), .text(Facets.reference(id))])
        var rows: [DetailAssembler.Row] = []
        var referrers: [(position: TimelinePosition, view: StoredEventView)] = []
        var referenced = Set<String>()
        var targets: [String: StoredEventView] = [:]
        for row in 0..<result.rowCount {
            switch DetailPart(rawValue: result.int64(row, 0)) {
            case .revision:
                let body = try result.withBytes(row, 10) { (z) throws -> [UInt8] in
                    let dictionary = result.int64(row, 12)
                    try ensureDictionary(dictionary)
                    return try codec.decompressBytes(z, dictionary: dictionary, length: result.int(row, 11))
                }
                rows.append(DetailAssembler.Row(seq: result.int64(row, 5), revision: result.int(row, 1), recorded: result.int64(row, 6),
                                                retraction: result.text(row, 7), record: result.bytes(row, 9), body: body))
            case .referrer:
                if let view = try result.withBytes(row, 9, { (bytes) throws(ProtocolError) in try StoredEventView(bytes) }) {
                    referrers.append((TimelinePosition(lower: result.int64(row, 2), upper: result.int64(row, 3), id: result.text(row, 4) ?? ""), view))
                }
            case .reference:
                guard let target = result.text(row, 8) else { continue }
                referenced.insert(target)
                if let view = try result.withBytes(row, 9, { (bytes) throws(ProtocolError) in try StoredEventView(bytes) }) { targets[target] = view }
            case nil:
                throw StoreError(.corrupt, "a detail row of an unknown part")
            }
        }
        rows.sort { $0.revision < $1.revision }
        referrers.sort { $0.position < $1.position }
        return try DetailAssembler.encode(id: id, revision: revision, rows: rows, targets: { ids in
            // The current content's references were read with the revisions; an older revision's are read now.
            referenced.isSuperset(of: ids) ? targets : try contentViews(ids: ids)
        }, referrers: { referrers.map(\.view) })
    }

    // MARK: Change log

    func entries(after seq: Int64, limit: Int) throws -> [SequencedEntry] {
        let rows = try connection.query("""
            SELECT r.seq, e.id, r.revision, r.recorded, r.retraction, r.record, b.body_z, r.body_length, r.dict
            FROM revisions r JOIN events e ON e.event = r.event LEFT JOIN bodies b ON b.event = r.event AND b.revision = r.revision
            WHERE r.seq > $1 ORDER BY r.seq LIMIT $2
            """, [.int64(seq), .int64(Int64(max(0, limit)))])
        var out: [SequencedEntry] = []
        out.reserveCapacity(rows.rowCount)
        for row in 0..<rows.rowCount {
            let dictionary = rows.int64(row, 8)
            if !rows.isNull(row, 6) { try ensureDictionary(dictionary) }
            let decode = { (record: UnsafeRawBufferPointer?, bodyZ: UnsafeRawBufferPointer?) throws(StoreError) -> StoredRevision in
                try StoredRevision.decode(seq: rows.int64(row, 0), id: rows.text(row, 1) ?? "", revision: rows.int(row, 2),
                                          recorded: rows.int64(row, 3), retraction: rows.text(row, 4), record: record,
                                          body: bodyZ.map { StoredRevision.StoredBody(compressed: $0, dictionary: dictionary, length: rows.int(row, 7)) },
                                          codec: codec)
            }
            let withRecord = try rows.withBytes(row, 5) { (record) throws(StoreError) -> StoredRevision in
                if let found = try rows.withBytes(row, 6, { (bodyZ) throws(StoreError) in try decode(record, bodyZ) }) { return found }
                return try decode(record, nil)
            }
            let stored = try withRecord ?? decode(nil, nil)
            out.append(SequencedEntry(seq: stored.seq, entry: stored.entry))
        }
        return out
    }

    func lastSeq() throws -> Int64 {
        try connection.query("SELECT seq FROM log_head").int64(0, 0)
    }

    // MARK: Stats

    /// Counts as the SQLite engine gives them. `fileBytes` is the size of the whole database
    /// (`pg_database_size`); the index fields say the log is searchable as soon as it is committed.
    func stats() throws -> StoreStats {
        let results = try connection.pipeline([
            .init("SELECT count(*) FILTER (WHERE NOT retracted), count(*) FILTER (WHERE retracted) FROM events"),
            .init("SELECT seq, text_bytes, compressed_bytes FROM log_head"),
            .init("SELECT count(*) FROM revisions"),
            .init("SELECT kind, count(*) FROM events WHERE NOT retracted GROUP BY kind"),
            .init("SELECT decade, count(*) FROM events WHERE NOT retracted GROUP BY decade"),
            .init("""
                SELECT n.label, count(*) AS uses FROM facets f JOIN facet_names n ON n.name = f.name
                WHERE NOT f.retracted AND f.name >= 'a:' AND f.name < 'a;' GROUP BY f.name, n.label ORDER BY uses DESC, n.label LIMIT 10
                """),
            .init("SELECT pg_database_size(current_database())"),
        ])
        var stats = StoreStats()
        stats.visible = results[0].int(0, 0)
        stats.retracted = results[0].int(0, 1)
        stats.lastSeq = results[1].int64(0, 0)
        stats.indexedSeq = stats.lastSeq
        stats.textBytes = results[1].int64(0, 1)
        stats.compressedBytes = results[1].int64(0, 2)
        stats.revisions = results[2].int(0, 0)
        let kinds = results[3]
        for row in 0..<kinds.rowCount {
            if let kind = EventKind(code: UInt8(truncatingIfNeeded: kinds.int64(row, 0))) { stats.byKind[kind] = kinds.int(row, 1) }
        }
        let decades = results[4]
        for row in 0..<decades.rowCount {
            if decades.isNull(row, 0) { stats.openStart = decades.int(row, 1) } else { stats.byDecade[decades.int64(row, 0)] = decades.int(row, 1) }
        }
        let actors = results[5]
        for row in 0..<actors.rowCount { stats.topActors.append(.init(name: actors.text(row, 0) ?? "", count: actors.int(row, 1))) }
        stats.fileBytes = results[6].int64(0, 0)
        return stats
    }

    // MARK: Dictionaries

    /// Loads the stored dictionaries when `id` is not installed yet (another process trained it).
    func ensureDictionary(_ id: Int64) throws {
        guard !codec.hasDictionary(id) else { return }
        _ = try Dictionaries.load(into: codec, from: connection)
        guard codec.hasDictionary(id) else { throw StoreError(.corrupt, "a body names dictionary \(id), which the database does not have") }
    }
}
