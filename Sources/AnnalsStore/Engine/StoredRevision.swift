import AnnalsCore
import AnnalsProtocol

/// Reads revision rows back into log entries.
package struct StoredRevision {
    package let seq: Int64
    package let entry: LogEntry

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
        func decode(record: UnsafeRawBufferPointer?, bodyZ: UnsafeRawBufferPointer?) throws(StoreError) -> StoredRevision {
            try Self.decode(seq: s.int64(offset), id: s.text(offset + 1) ?? "", revision: s.int(offset + 2),
                            recorded: s.int64(offset + 3), retraction: s.text(offset + 4), record: record,
                            body: withBody ? bodyZ.map { StoredBody(compressed: $0, dictionary: s.int64(offset + 8), length: s.int(offset + 7)) } : nil,
                            codec: codec)
        }
        let withRecord = try s.withBlob(offset + 5) { (record) throws(StoreError) -> StoredRevision in
            if let found = try s.withBlob(offset + 6, { (bodyZ) throws(StoreError) in try decode(record: record, bodyZ: bodyZ) }) { return found }
            return try decode(record: record, bodyZ: nil)
        }
        if let withRecord { return withRecord }
        return try decode(record: nil, bodyZ: nil)
    }

    /// A compressed body as stored: its bytes, the dictionary that compressed it and its length uncompressed.
    package struct StoredBody {
        package var compressed: UnsafeRawBufferPointer
        package var dictionary: Int64
        package var length: Int

        package init(compressed: UnsafeRawBufferPointer, dictionary: Int64, length: Int) {
            self.compressed = compressed
            self.dictionary = dictionary
            self.length = length
        }
    }

    /// Decodes one revision from its stored values (every engine keeps the same ones).
    /// - Parameters:
    ///   - retraction: the reason, when the revision is a retraction (then `record` is absent).
    ///   - record: the `StoredEvent` bytes of a content revision.
    ///   - body: the compressed body, when it is to be read back.
    package static func decode(seq: Int64, id: String, revision: Int, recorded: Int64, retraction: String?,
                               record: UnsafeRawBufferPointer?, body: StoredBody?, codec: TextCodec) throws(StoreError) -> StoredRevision {
        let recorded = Timestamp(milliseconds: recorded)
        if let reason = retraction {
            return StoredRevision(seq: seq, entry: .retraction(Retraction(id: id, reason: reason, recorded: recorded, revision: revision)))
        }
        guard let record else { throw StoreError(.corrupt, "revision \(seq) has no content") }
        var event: Event
        do throws(ProtocolError) {
            event = try StoredEvent.decode(record)
        } catch {
            throw StoreError(.corrupt, "revision \(seq) does not decode: \(error.message)")
        }
        if let body {
            do throws(CompressionError) {
                event.body = try codec.decompress(body.compressed, dictionary: body.dictionary, length: body.length)
            } catch {
                throw StoreError(.corrupt, "revision \(seq): \(error.message)")
            }
        }
        return StoredRevision(seq: seq, entry: .event(event))
    }
}
