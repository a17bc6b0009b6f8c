/// zlib reported an error, or compressed data is damaged.
public struct CompressionError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "compression error: \(message)" }
}
