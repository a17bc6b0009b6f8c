import AnnalsCore
import AnnalsProtocol

/// Reads revision rows as schema version 2 laid them out (title, date, kind and `MetaCodec` columns, long
/// summaries compressed), for the migration that re-encodes them as stored wire bytes.
enum LegacyRevision {
    /// Copies every row of `revisions` into `revisions_v3`, its content re-encoded as `StoredEvent` bytes.
    static func reencodeAll(_ db: SQLiteDatabase, codec: TextCodec) throws {
        let rows = try db.prepare("""
            SELECT r.seq, r.event, r.revision, r.recorded, r.hash, r.retraction, e.id, r.date, r.kind, r.title, r.meta,
                   r.summary, r.summary_z, r.summary_length, r.body_length, r.dict
            FROM revisions r JOIN events e ON e.rowid = r.event ORDER BY r.seq
            """)
        defer { rows.finalize() }
        let insert = try db.prepare("""
            INSERT INTO revisions_v3(seq, event, revision, recorded, hash, retraction, record, body_length, dict)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        defer { insert.finalize() }
        while try rows.step() {
            let seq = rows.int64(0)
            var record: [UInt8]?
            if rows.isNull(5) {
                record = StoredEvent.encode(try event(rows, seq: seq, codec: codec))
            }
            insert.reset()
            try insert.bind([.int(seq), .int(rows.int64(1)), .int(rows.int64(2)), .int(rows.int64(3)), .int(rows.int64(4)),
                             rows.text(5).map(SQLiteValue.text) ?? .null, record.map(SQLiteValue.blob) ?? .null,
                             rows.isNull(14) ? .null : .int(rows.int64(14)), .int(rows.int64(15))])
            try insert.step()
        }
    }

    /// The event of a version-2 content row (without its body, which `bodies` keeps as it was).
    private static func event(_ s: SQLiteStatement, seq: Int64, codec: TextCodec) throws -> Event {
        guard let dateText = s.text(7), let date = try? HistoricalDate(parsing: dateText),
              let kind = EventKind(code: UInt8(truncatingIfNeeded: s.int64(8)))
        else { throw StoreError(.corrupt, "revision \(seq) has an unreadable date or kind") }
        var event = Event(id: s.text(6) ?? "", date: date, kind: kind, title: s.text(9) ?? "",
                          recorded: Timestamp(milliseconds: s.int64(3)), revision: s.int(2))
        let meta: Void? = try s.withBlob(10) { (bytes) throws(StoreError) in try MetaCodec.decode(bytes, into: &event) }
        if meta == nil { throw StoreError(.corrupt, "revision \(seq) has no meta") }
        event.summary = try s.withBlob(12) { (z) throws(CompressionError) in
            try codec.decompress(z, dictionary: s.int64(15), length: s.int(13))
        } ?? s.text(11)
        return event
    }
}
