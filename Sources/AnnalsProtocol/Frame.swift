/// One frame of the wire protocol: `u32 length`, then the header (`u8 type`, `u8 flags`, `u32 requestID`), then
/// the payload. All integers are big-endian; `length` counts the header and the payload, not itself.
public struct Frame: Sendable, Hashable {
    /// The bytes of the length prefix.
    public static let lengthPrefixSize = 4
    /// The bytes of the header after the length prefix: type, flags and request id.
    public static let headerSize = 6
    /// The smallest valid value of the length prefix (a frame with an empty payload).
    public static let minimumLength = headerSize

    /// The type byte as received; see `type` for the known types.
    public var typeCode: UInt8
    /// The flags byte.
    public var flags: FrameFlags
    /// The id the client gave the request; responses and `pushed` frames carry the id of the request they answer,
    /// 0 when it cannot be known.
    public var requestID: UInt32
    /// The bytes after the header.
    public var payload: [UInt8]

    /// A frame of a known type.
    public init(type: MessageType, flags: FrameFlags = [], requestID: UInt32, payload: [UInt8] = []) {
        self.init(typeCode: type.rawValue, flags: flags, requestID: requestID, payload: payload)
    }

    /// A frame with any type byte, known or not.
    public init(typeCode: UInt8, flags: FrameFlags = [], requestID: UInt32, payload: [UInt8] = []) {
        self.typeCode = typeCode
        self.flags = flags
        self.requestID = requestID
        self.payload = payload
    }

    /// The message type; nil when the type byte is not one this library knows.
    public var type: MessageType? {
        get { MessageType(rawValue: typeCode) }
        set { if let newValue { typeCode = newValue.rawValue } }
    }

    /// Whether the `more` flag is set.
    public var more: Bool { flags.contains(.more) }

    /// The value of the length prefix: header plus payload.
    public var length: Int { Frame.headerSize + payload.count }

    /// The frame as sent: length prefix, header, payload.
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: Frame.lengthPrefixSize + length)
        writer.writeU32(UInt32(clamping: length))
        writer.writeU8(typeCode)
        writer.writeU8(flags.rawValue)
        writer.writeU32(requestID)
        writer.writeBytesWithoutLength(payload)
        return writer.bytes
    }

    /// The frame in `bytes`, which must hold exactly one whole frame.
    /// - Throws: `malformedFrame` when the bytes are not exactly one frame or a reserved flag is set;
    ///   `frameTooLarge` when the length exceeds `maxFrameSize`.
    public init(bytes: [UInt8], maxFrameSize: Int = ServerLimits.defaultMaxFrameSize) throws(ProtocolError) {
        var decoder = FrameDecoder(maxFrameSize: maxFrameSize)
        decoder.append(bytes)
        guard let frame = try decoder.next() else {
            throw .malformed("truncated frame: \(bytes.count) bytes do not hold a whole frame")
        }
        guard decoder.bufferedByteCount == 0 else {
            throw .malformed("\(decoder.bufferedByteCount) bytes follow the frame")
        }
        self = frame
    }
}

extension ByteWriter {
    /// A writer holding a frame header with a placeholder length; finish it with `finishFrame()`.
    static func frame(_ type: MessageType, flags: FrameFlags = [], requestID: UInt32, capacity: Int = 64) -> ByteWriter {
        var writer = ByteWriter(capacity: max(capacity, Frame.lengthPrefixSize + Frame.headerSize))
        writer.writeU32(0)
        writer.writeU8(type.rawValue)
        writer.writeU8(flags.rawValue)
        writer.writeU32(requestID)
        return writer
    }

    /// Fills in the length prefix of a frame started with `frame(_:flags:requestID:capacity:)`.
    mutating func finishFrame() {
        patchU32(UInt32(clamping: count - Frame.lengthPrefixSize), at: 0)
    }
}
