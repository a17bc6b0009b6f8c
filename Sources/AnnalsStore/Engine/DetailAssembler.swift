import AnnalsCore
import AnnalsProtocol

/// Writes the `detail` answer of one event (PROTOCOL.md §4.3 EventDetail) from the stored bytes of its
/// revisions and of the events its references name, with nothing decoded but the fields a reference shows.
/// Every engine reads the same rows its own way and hands them here, so their answers are the same bytes.
package enum DetailAssembler {
    /// One revision of the event as stored.
    package struct Row {
        package var seq: Int64
        package var revision: Int
        package var recorded: Int64
        /// The reason, for a retraction.
        package var retraction: String?
        /// The `StoredEvent` bytes of a content revision.
        package var record: [UInt8]?
        /// The body, decompressed.
        package var body: [UInt8]?

        package init(seq: Int64, revision: Int, recorded: Int64, retraction: String?, record: [UInt8]?, body: [UInt8]?) {
            self.seq = seq
            self.revision = revision
            self.recorded = recorded
            self.retraction = retraction
            self.record = record
            self.body = body
        }
    }

    /// The detail of `id`; nil when it has no revision.
    /// - Parameters:
    ///   - rows: every revision of the event, in revision order.
    ///   - revision: the revision to show as current, nil for the latest.
    ///   - targets: the shown content of the events with these ids (the ones the shown content refers to);
    ///     an id missing from the answer is an unresolved reference.
    ///   - referrers: the shown content of every event that refers to `id`, in timeline order.
    /// - Throws: `StoreError.notFound` for a revision the event does not have, `.corrupt` for damaged rows, or
    ///   what `targets` and `referrers` throw.
    package static func encode(
        id: String, revision: Int?, rows: [Row],
        targets: ([String]) throws -> [String: StoredEventView],
        referrers: () throws -> [StoredEventView]
    ) throws -> [UInt8]? {
        guard let head = rows.last else { return nil }
        if let revision, !(1...rows.count).contains(revision) {
            throw StoreError(.notFound, "'\(id)' has revisions 1 to \(rows.count), not \(revision)")
        }
        let shown = revision.map { rows[$0 - 1] } ?? head
        guard let content = rows[..<(revision ?? rows.count)].last(where: { $0.record != nil }), let record = content.record else {
            throw StoreError(.corrupt, "'\(id)' has no content revision")
        }
        let retraction = shown.retraction.map { Retraction(id: id, reason: $0, recorded: Timestamp(milliseconds: shown.recorded), revision: shown.revision) }
        return try record.withUnsafeBytes { (current) throws -> [UInt8] in
            let view = try StoredEventView(current)
            var payload = DetailPayload(current: current, view: view, body: content.body, seq: shown.seq, retraction: retraction)
            for row in rows {
                if let record = row.record {
                    try record.withUnsafeBytes { (bytes) throws in
                        payload.appendRevision(event: bytes, view: try StoredEventView(bytes), body: row.body)
                    }
                } else if let reason = row.retraction {
                    payload.appendRevision(Retraction(id: id, reason: reason, recorded: Timestamp(milliseconds: row.recorded), revision: row.revision))
                }
            }
            let found = try view.references.isEmpty ? [:] : targets(view.references.map(\.id))
            let outgoing = view.references.map { reference in
                (id: reference.id, relation: reference.relation, title: found[reference.id]?.title, date: found[reference.id]?.date)
            }
            var incoming: [(id: String, relation: UInt8, title: String?, date: String?)] = []
            for referrer in try referrers() {
                guard let reference = referrer.references.first(where: { $0.id == id }) else { continue }
                incoming.append((referrer.id, reference.relation, referrer.title, referrer.date))
            }
            return payload.finish(outgoing: outgoing, incoming: incoming)
        }
    }
}
