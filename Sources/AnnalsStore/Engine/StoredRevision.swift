import AnnalsCore
import AnnalsProtocol

/// Reads revision rows back into log entries.
struct StoredRevision {
    let seq: Int64
    let entry: LogEntry

    /// The event content of the entry, when it is not a retraction.
    var event: Event? {
        if case .event(let e) = entry { return e }
        return nil
    }

    /// The columns `decode` expects, for a `revisions r JOIN events e` query.
    static let columns = """
        r.seq, e.id, r.revision, r.recorded, r.retraction, r.record, \
        (SELECT b.body_z FROM bodies b WHERE b.seq = r.seq), r.body_length, r.dict
        """

    /// Loads the revision at log position `seq`.
    static func load(seq: Int64, db: SQLiteDatabase, codec: TextCodec, withBody: Bool = true) throws(StoreError) -> StoredRevision? {
        do {
            let s = try db.statement("SELECT \(columns) FROM revisions r JOIN events e ON e.rowid = r.event WHERE r.seq = ?")
            defer { s.reset() }
            try s.bind(seq, at: 1)
            guard try s.step() else { return nil }
            return try decode(s, codec: codec, withBody: withBody)
        } catch {
            throw StoreError.from(any: error)
        }
    }

    /// Decodes the current row of `s` (selected with `columns` from column `offset` on).
    /// - Parameter withBody: decompress the body too.
    static func decode(_ s: SQLiteStatement, codec: TextCodec, withBody: Bool, offset: Int32 = 0) throws(StoreError) -> StoredRevision {
        let seq = s.int64(offset)
        let recorded = Timestamp(milliseconds: s.int64(offset + 3))
        if let reason = s.text(offset + 4) {
            let retraction = Retraction(id: s.text(offset + 1) ?? "", reason: reason, recorded: recorded, revision: s.int(offset + 2))
            return StoredRevision(seq: seq, entry: .retraction(retraction))
        }
        var event = try s.withBlob(offset + 5) { (bytes) throws(StoreError) -> Event in
            do throws(ProtocolError) {
                return try StoredEvent.decode(bytes)
            } catch {
                throw StoreError(.corrupt, "revision \(seq) does not decode: \(error.message)")
            }
        }
        guard event != nil else { throw StoreError(.corrupt, "revision \(seq) has no content") }
        if withBody {
            do throws(CompressionError) {
                event?.body = try s.withBlob(offset + 6) { (z) throws(CompressionError) in
                    try codec.decompress(z, dictionary: s.int64(offset + 8), length: s.int(offset + 7))
                }
            } catch {
                throw StoreError(.corrupt, "revision \(seq): \(error.message)")
            }
        }
        return StoredRevision(seq: seq, entry: .event(event!))
    }
}
