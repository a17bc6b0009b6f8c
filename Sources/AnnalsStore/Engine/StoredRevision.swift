import AnnalsCore

/// Reads revision rows back into log entries.
struct StoredRevision {
    let seq: Int64
    let entry: LogEntry

    /// The event content of the entry, when it is not a retraction.
    var event: Event? {
        if case .event(let e) = entry { return e }
        return nil
    }

    /// The columns `decode` expects, for a `revisions r JOIN events e` query; the body comes from `bodies`.
    static let columns = """
        r.seq, e.id, r.revision, r.recorded, r.retraction, r.date, r.kind, r.title, r.meta,
        r.summary, r.summary_z, r.summary_length, (SELECT b.body_z FROM bodies b WHERE b.seq = r.seq), r.body_length, r.dict
        """

    /// `columns` without the compressed body (NULL in its place), for rows decoded with `withBody: false`:
    /// timelines then never read the `bodies` table, nor carry bodies through a sort.
    static let columnsWithoutBody = """
        r.seq, e.id, r.revision, r.recorded, r.retraction, r.date, r.kind, r.title, r.meta,
        r.summary, r.summary_z, r.summary_length, NULL, r.body_length, r.dict
        """

    /// Loads the revision at log position `seq`, with its body.
    static func load(seq: Int64, db: SQLiteDatabase, codec: TextCodec) throws -> StoredRevision? {
        let s = try db.statement("SELECT \(columns) FROM revisions r JOIN events e ON e.rowid = r.event WHERE r.seq = ?")
        try s.bind(seq, at: 1)
        guard try s.step() else { return nil }
        return try decode(s, codec: codec, withBody: true)
    }

    /// Decodes the current row of `s` (selected with `columns` from column `offset` on).
    /// - Parameter withBody: decompress the body too (timelines leave it out).
    static func decode(_ s: SQLiteStatement, codec: TextCodec, withBody: Bool, offset: Int32 = 0) throws(StoreError) -> StoredRevision {
        let seq = s.int64(offset)
        let id = s.text(offset + 1) ?? ""
        let revision = s.int(offset + 2)
        let recorded = Timestamp(milliseconds: s.int64(offset + 3))
        if let reason = s.text(offset + 4) {
            return StoredRevision(seq: seq, entry: .retraction(Retraction(id: id, reason: reason, recorded: recorded, revision: revision)))
        }
        guard let dateText = s.text(offset + 5), let date = try? HistoricalDate(parsing: dateText) else {
            throw StoreError(.corrupt, "revision \(seq) has an unreadable date")
        }
        guard let kind = EventKind(code: UInt8(truncatingIfNeeded: s.int64(offset + 6))) else {
            throw StoreError(.corrupt, "revision \(seq) has an unknown kind")
        }
        var event = Event(id: id, date: date, kind: kind, title: s.text(offset + 7) ?? "", recorded: recorded, revision: revision)
        let meta: Void? = try s.withBlob(offset + 8) { (bytes) throws(StoreError) in try MetaCodec.decode(bytes, into: &event) }
        if meta == nil { throw StoreError(.corrupt, "revision \(seq) has no meta") }
        let dictionary = s.int64(offset + 14)
        do {
            event.summary = try s.withBlob(offset + 10) { (z) throws(CompressionError) in
                try codec.decompress(z, dictionary: dictionary, length: s.int(offset + 11))
            } ?? s.text(offset + 9)
            if withBody {
                event.body = try s.withBlob(offset + 12) { (z) throws(CompressionError) in
                    try codec.decompress(z, dictionary: dictionary, length: s.int(offset + 13))
                }
            }
        } catch {
            throw StoreError(.corrupt, "revision \(seq): \(error.message)")
        }
        return StoredRevision(seq: seq, entry: .event(event))
    }
}
