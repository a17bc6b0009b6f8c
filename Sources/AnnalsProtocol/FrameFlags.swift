/// The flags byte of a frame. Only bit 0 (`more`) is defined; the others are reserved and must be 0.
public struct FrameFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Another frame of the same response stream follows (a streamed timeline page, subscription catch-up).
    public static let more = FrameFlags(rawValue: 0x01)

    /// The bits a peer may set; a frame with any other bit set is malformed.
    public static let defined: FrameFlags = [.more]

    /// Whether a reserved bit is set.
    public var hasReservedBits: Bool { rawValue & ~FrameFlags.defined.rawValue != 0 }
}
