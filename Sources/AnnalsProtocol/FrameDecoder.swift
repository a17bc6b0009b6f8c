/// Cuts a byte stream into frames, incrementally: `append` what the socket gave, then call `next()` until it
/// returns nil.
///
/// The length prefix is checked as soon as its 4 bytes are there: below 6 is `malformedFrame`, above
/// `maxFrameSize` is `frameTooLarge`, before anything is allocated for the frame. Both errors are final: the
/// stream cannot be resynchronised, so every later `next()` throws the same error.
///
/// The decoder keeps unread bytes in one buffer and a read index into it; frames are consumed by moving the
/// index, and the consumed prefix is dropped on the next `append`, so each byte is copied into the buffer once
/// and moved at most once. If the caller drains `next()` after every `append`, the buffer never holds more than
/// one partial frame (at most `maxFrameSize + 4` bytes) plus the last chunk appended.
///
/// Frames of unknown types and frames of either direction are returned as they are; `Request(frame:)` and
/// `Response(frame:)` judge their types. Reserved flag bits are rejected here (`malformedFrame`).
public struct FrameDecoder: Sendable {
    /// The largest accepted value of a length prefix (header plus payload). A client sets this to the server's
    /// `ServerLimits.maxFrameSize` once it has the server's `hello`.
    public var maxFrameSize: Int

    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var failure: ProtocolError?
    /// Bytes moved to the front of the buffer so far (the decoder's only copying besides payloads): it stays
    /// below what was appended, whatever the frames, so decoding is linear in the bytes received.
    public private(set) var movedByteCount = 0

    /// A decoder that rejects frames whose length prefix exceeds `maxFrameSize`.
    public init(maxFrameSize: Int = ServerLimits.defaultMaxFrameSize) {
        self.maxFrameSize = maxFrameSize
    }

    /// The bytes appended and not yet returned as frames.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Frees the buffer's storage when no byte is buffered, so an idle connection holds no memory for it.
    public mutating func releaseStorage() {
        guard bufferedByteCount == 0 else { return }
        buffer = []
        readIndex = 0
    }

    /// Adds bytes read from the stream.
    /// - Complexity: O(`bytes.count`) plus, once after frames were consumed, O(partial frame left in the buffer).
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Adds bytes read from the stream.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        compact()
        if bytes.withContiguousStorageIfAvailable({ buffer.append(contentsOf: $0) }) == nil {
            buffer.append(contentsOf: bytes)
        }
    }

    private mutating func compact() {
        guard readIndex > 0 else { return }
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
        } else {
            movedByteCount += buffer.count - readIndex
            buffer.removeSubrange(0..<readIndex)
        }
        readIndex = 0
    }

    /// The next whole frame, or nil when more bytes are needed.
    /// - Throws: `frameTooLarge` when a length prefix exceeds `maxFrameSize`; `malformedFrame` when it is below 6
    ///   or a reserved flag bit is set. After a throw the decoder is failed and throws the same error again.
    public mutating func next() throws(ProtocolError) -> Frame? {
        if let failure { throw failure }
        let available = buffer.count - readIndex
        guard available >= Frame.lengthPrefixSize else { return nil }
        let start = readIndex
        let (length, typeCode, flagsByte, requestID): (Int, UInt8, UInt8, UInt32) = buffer.withUnsafeBytes { raw in
            let length = Int(UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: start, as: UInt32.self)))
            guard available >= Frame.lengthPrefixSize + Frame.headerSize else { return (length, 0, 0, 0) }
            return (
                length, raw[start + 4], raw[start + 5],
                UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: start + 6, as: UInt32.self))
            )
        }
        guard length >= Frame.minimumLength else {
            return try fail(.malformed("frame length \(length) is below the \(Frame.headerSize)-byte header"))
        }
        guard length <= maxFrameSize else {
            return try fail(ProtocolError(
                .frameTooLarge,
                "frame of \(length) bytes exceeds the max frame size of \(maxFrameSize) bytes; send smaller batches"
            ))
        }
        guard available >= Frame.lengthPrefixSize + Frame.headerSize else { return nil }
        let flags = FrameFlags(rawValue: flagsByte)
        guard !flags.hasReservedBits else {
            return try fail(.malformed("reserved flag bits set (flags 0x\(String(flagsByte, radix: 16))); only bit 0 is defined"))
        }
        guard available >= Frame.lengthPrefixSize + length else { return nil }
        let payloadStart = start + Frame.lengthPrefixSize + Frame.headerSize
        let end = start + Frame.lengthPrefixSize + length
        let payload = Array(buffer[payloadStart..<end])
        readIndex = end
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
            readIndex = 0
        }
        return Frame(typeCode: typeCode, flags: flags, requestID: requestID, payload: payload)
    }

    private mutating func fail(_ error: ProtocolError) throws(ProtocolError) -> Frame? {
        failure = error
        buffer = []
        readIndex = 0
        throw error
    }
}
