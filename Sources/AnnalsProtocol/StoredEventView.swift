import AnnalsCore

/// The few fields of stored event bytes (`StoredEvent`) a `detail` answer needs, read without decoding the
/// rest: where the body goes, the date and title (to resolve a reference to the event), and its references.
public struct StoredEventView {
    /// The event's id.
    public let id: String
    /// Its date as EDTF text.
    public let date: String
    public let title: String
    /// The offset of the body's optional tag (0: absent in stored bytes).
    public let bodyTagOffset: Int
    /// Its references: target id and relation code.
    public let references: [(id: String, relation: UInt8)]

    /// Reads `bytes`.
    /// - Throws: `ProtocolError` when they are not a whole event.
    public init(_ bytes: UnsafeRawBufferPointer) throws(ProtocolError) {
        var cursor = Cursor(bytes: bytes)
        id = try cursor.string()
        date = try cursor.string()
        try cursor.skip(1)  // kind
        title = try cursor.string()
        try cursor.skipOptionalString()  // summary
        bodyTagOffset = cursor.offset
        try cursor.skipOptionalString()  // body
        for _ in 0..<(try cursor.count()) {  // actors
            try cursor.skipString()
            try cursor.skipOptionalString()
            try cursor.skipOptionalString()
        }
        for _ in 0..<(try cursor.count()) { try cursor.skipString() }  // places
        for _ in 0..<(try cursor.count()) { try cursor.skipString() }  // tags
        for _ in 0..<(try cursor.count()) {  // sources
            try cursor.skipString()
            try cursor.skipOptionalString()
            try cursor.skipOptionalString()
        }
        var references: [(id: String, relation: UInt8)] = []
        for _ in 0..<(try cursor.count()) {
            references.append((try cursor.string(), try cursor.byte()))
        }
        self.references = references
    }

    /// A forward reader over raw bytes that checks every length against what is left.
    private struct Cursor {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        mutating func skip(_ n: Int) throws(ProtocolError) {
            guard n >= 0, n <= bytes.count - offset else { throw .malformed("stored event: truncated at byte \(offset)") }
            offset += n
        }

        mutating func byte() throws(ProtocolError) -> UInt8 {
            try skip(1)
            return bytes[offset - 1]
        }

        mutating func count() throws(ProtocolError) -> Int {
            try skip(4)
            return Int(bytes.loadUnaligned(fromByteOffset: offset - 4, as: UInt32.self).bigEndian)
        }

        mutating func string() throws(ProtocolError) -> String {
            let length = try count()
            try skip(length)
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(offset - length)..<offset]), as: UTF8.self)
        }

        mutating func skipString() throws(ProtocolError) {
            try skip(try count())
        }

        mutating func skipOptionalString() throws(ProtocolError) {
            if try byte() != 0 { try skipString() }
        }
    }
}

/// Writes a `detail` answer's payload (PROTOCOL.md §4.3 EventDetail) from stored bytes, so a store can answer
/// `get` without decoding its events and encoding them again.
public struct DetailPayload {
    private var writer = ByteWriter(capacity: 4096)
    private var revisionCount = 0
    private var revisionCountIndex = 0

    /// Starts with the current record: stored event bytes with their body put in place, the log position shown,
    /// the retraction if any.
    public init(current event: UnsafeRawBufferPointer, view: StoredEventView, body: [UInt8]?, seq: Int64, retraction: Retraction?) {
        writeEvent(event, view: view, body: body)
        writer.writeI64(seq)
        writer.writeOptional(retraction) { $0.write($1) }
        revisionCountIndex = writer.count
        writer.writeU32(0)
    }

    /// Appends a content revision: its stored bytes with `body` (UTF-8) put in place of the absent body.
    public mutating func appendRevision(event: UnsafeRawBufferPointer, view: StoredEventView, body: [UInt8]?) {
        writer.writeU8(0)
        writeEvent(event, view: view, body: body)
        revisionCount += 1
    }

    /// Stored event bytes with `body` (UTF-8) put in place of the absent body.
    private mutating func writeEvent(_ event: UnsafeRawBufferPointer, view: StoredEventView, body: [UInt8]?) {
        writer.writeBytesWithoutLength(UnsafeRawBufferPointer(rebasing: event[..<view.bodyTagOffset]))
        if let body {
            writer.writeU8(1)
            writer.writeU32(UInt32(clamping: body.count))
            writer.writeBytesWithoutLength(body)
        } else {
            writer.writeU8(0)
        }
        writer.writeBytesWithoutLength(UnsafeRawBufferPointer(rebasing: event[(view.bodyTagOffset + 1)...]))
    }

    /// Appends a retraction revision.
    public mutating func appendRevision(_ retraction: Retraction) {
        writer.writeU8(1)
        writer.write(retraction)
        revisionCount += 1
    }

    /// Ends the revisions and writes the references both ways.
    /// - Parameters: each reference's title and date (EDTF text) are nil when the other event is not stored.
    public mutating func finish(outgoing: [(id: String, relation: UInt8, title: String?, date: String?)],
                                incoming: [(id: String, relation: UInt8, title: String?, date: String?)]) -> [UInt8] {
        writer.patchU32(UInt32(clamping: revisionCount), at: revisionCountIndex)
        for list in [outgoing, incoming] {
            writer.writeU32(UInt32(clamping: list.count))
            for reference in list {
                writer.writeString(reference.id)
                writer.writeU8(reference.relation)
                writer.writeOptionalString(reference.title)
                writer.writeOptionalString(reference.date)
            }
        }
        return writer.bytes
    }

    /// Decodes a payload written by `DetailPayload` (or any `detail` payload).
    public static func decode(_ payload: [UInt8]) throws(ProtocolError) -> EventDetail {
        var reader = ByteReader(payload)
        let detail = try reader.readEventDetail()
        try reader.expectEnd("detail")
        return detail
    }
}
