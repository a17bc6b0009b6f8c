import AnnalsCore

/// Event records already in their wire encoding (PROTOCOL.md §4.3 EventRecord), back to back, with where each
/// one ends: a page a store keeps as bytes and a server sends without decoding and encoding it again.
public struct EncodedRecords: Sendable, Hashable {
    /// The records' bytes, one after the other.
    public private(set) var bytes: [UInt8] = []
    /// The end offset in `bytes` of each record.
    public private(set) var ends: [Int] = []

    public init() {}

    /// The number of records.
    public var count: Int { ends.count }

    /// The most bytes `append(event:seq:retraction:)` adds after the event's when there is no retraction.
    public static let trailerBytes = 9

    /// Makes room for `records` more records of `bytes` bytes in all.
    public mutating func reserveCapacity(records: Int, bytes: Int) {
        self.bytes.reserveCapacity(self.bytes.count + bytes)
        ends.reserveCapacity(ends.count + records)
    }

    /// Appends a record made of stored event bytes (`StoredEvent.encode`), its log position and its retraction.
    public mutating func append(event: UnsafeRawBufferPointer, seq: Int64, retraction: Retraction?) {
        bytes.append(contentsOf: event)
        withUnsafeBytes(of: seq.bigEndian) { bytes.append(contentsOf: $0) }
        if let retraction {
            var writer = ByteWriter(capacity: 64)
            writer.writeOptional(retraction) { $0.write($1) }
            bytes.append(contentsOf: writer.bytes)
        } else {
            bytes.append(0)  // an absent optional, as `ByteWriter.writeOptional` writes it
        }
        ends.append(bytes.count)
    }

    /// Appends an encoded record.
    public mutating func append(_ record: EventRecord) {
        var writer = ByteWriter(capacity: 512)
        writer.write(record)
        bytes.append(contentsOf: writer.bytes)
        ends.append(bytes.count)
    }

    /// Appends every record of `other`.
    public mutating func append(contentsOf other: EncodedRecords) {
        let base = bytes.count
        bytes.append(contentsOf: other.bytes)
        ends.append(contentsOf: other.ends.map { $0 + base })
    }

    /// The decoded records (for tests and engines that need values).
    public func decoded() throws(ProtocolError) -> [EventRecord] {
        var reader = ByteReader(bytes)
        var records: [EventRecord] = []
        for _ in ends { records.append(try reader.readEventRecord()) }
        try reader.expectEnd("records")
        return records
    }
}

/// An event as a store keeps each revision: the wire encoding of `Event` (PROTOCOL.md §4.3) with the body
/// absent, so that a page record is these bytes followed by the log position and the retraction.
public enum StoredEvent {
    /// The bytes of `event` without its body.
    public static func encode(_ event: Event) -> [UInt8] {
        var event = event
        event.body = nil
        var writer = ByteWriter(capacity: 256)
        writer.write(event)
        return writer.bytes
    }

    /// The bytes of `event` without its body, `recorded` and `revision`: what is known before the store decides
    /// the revision (`complete` adds them).
    public static func encodeContent(_ event: Event) -> [UInt8] {
        var event = event
        event.body = nil
        event.recorded = nil
        event.revision = nil
        var writer = ByteWriter(capacity: 256)
        writer.write(event)
        writer.truncate(to: writer.count - 2)  // the two absent optionals
        return writer.bytes
    }

    /// `encodeContent` bytes completed with the revision's time and number: the `encode` bytes of the event.
    public static func complete(_ content: [UInt8], recorded: Timestamp, revision: Int) -> [UInt8] {
        var writer = ByteWriter(capacity: content.count + 14)
        writer.writeBytesWithoutLength(content)
        writer.writeOptional(recorded) { $0.write($1) }
        writer.writeOptional(revision) { $0.writeU32(clamping: $1) }
        return writer.bytes
    }

    /// The event the bytes hold (its body absent).
    /// - Throws: `ProtocolError` when the bytes are not a whole event.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(ProtocolError) -> Event {
        var reader = ByteReader(Array(bytes))
        let event = try reader.readEvent()
        try reader.expectEnd("stored event")
        return event
    }
}
