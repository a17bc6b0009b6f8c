import AnnalsCore

/// An error of the wire protocol: a numbered, named code, a message for a person and, for rejected events,
/// the `EventError` that says which field was at fault.
///
/// The same value is thrown by the decoders in this module and carried by an `error` frame (type `0x7F`).
public struct ProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A protocol error code. Numbers and names are stable and documented in `Protocol/PROTOCOL.md`;
    /// new codes may be added, so never switch exhaustively over them.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The stable number sent on the wire.
        public let number: UInt16
        /// The stable kebab-case name.
        public let name: String
        /// Whether the server closes the connection after sending an error with this code.
        public let closesConnection: Bool

        private init(_ number: UInt16, _ name: String, closes: Bool) {
            self.number = number
            self.name = name
            self.closesConnection = closes
        }

        /// The frame or its payload does not follow the protocol (bad length, reserved flag, truncated or
        /// trailing bytes, invalid UTF-8, unknown code, a second hello). Closes.
        public static let malformedFrame = Code(1, "malformed-frame", closes: true)
        /// The client's `hello` asks for a protocol version the server does not speak. Closes.
        public static let unsupportedVersion = Code(2, "unsupported-version", closes: true)
        /// The `hello` token is missing or wrong. The connection stays in the handshake state: send another `hello`.
        public static let unauthorized = Code(3, "unauthorized", closes: false)
        /// A frame's length prefix exceeds the max frame size. Closes (the rest of the frame is not read).
        public static let frameTooLarge = Code(4, "frame-too-large", closes: true)
        /// The message type is not a request this server knows.
        public static let unknownOperation = Code(5, "unknown-operation", closes: false)
        /// The event or retraction breaks a validation rule; the error frame carries the `EventError`.
        public static let invalidEvent = Code(6, "invalid-event", closes: false)
        /// The request contradicts what is stored (e.g. amending a retracted event), or reuses the id of an
        /// active subscription.
        public static let conflict = Code(7, "conflict", closes: false)
        /// The event, revision or subscription does not exist.
        public static let notFound = Code(8, "not-found", closes: false)
        /// The server has too many connections, or the client reads too slowly to keep up. Closes.
        public static let serverBusy = Code(9, "server-busy", closes: true)
        /// The server failed; the request may or may not have taken effect. Not the client's fault.
        public static let `internal` = Code(10, "internal", closes: false)
        /// A request other than `hello` came before a successful handshake. Closes.
        public static let handshakeRequired = Code(11, "handshake-required", closes: true)
        /// The timeline query is not valid: a bad cursor, full-text syntax, page limit or date range.
        public static let invalidQuery = Code(12, "invalid-query", closes: false)
        /// The connection was idle for longer than the idle timeout. Closes.
        public static let timeout = Code(13, "timeout", closes: true)
        /// The store cannot write: the disk or the database is full. Reads still work.
        public static let storageFull = Code(14, "storage-full", closes: false)
        /// An `append` carries more entries than the server's max events per batch.
        public static let batchTooLarge = Code(15, "batch-too-large", closes: false)
        /// The server is shutting down; requests not yet answered are not processed. Closes.
        public static let shuttingDown = Code(16, "shutting-down", closes: true)
        /// The response would not fit in one frame (e.g. a detail whose revisions together exceed the max frame
        /// size). Ask for less, e.g. one revision with `get(id, revision)`.
        public static let responseTooLarge = Code(17, "response-too-large", closes: false)
        /// A search could not see the log as far as it must (the connection's own writes, or what was stored when
        /// the server started) in time: the full-text index is behind, rebuilding or failing. Retry later.
        public static let searchUnavailable = Code(18, "search-unavailable", closes: false)
        /// The server cannot reach its database (an engine on a database server that is down or unreachable):
        /// nothing was written. Retry later; the server reconnects by itself.
        public static let storeUnavailable = Code(19, "store-unavailable", closes: false)

        /// Every known code, in number order.
        public static let all: [Code] = [
            .malformedFrame, .unsupportedVersion, .unauthorized, .frameTooLarge, .unknownOperation, .invalidEvent,
            .conflict, .notFound, .serverBusy, .internal, .handshakeRequired, .invalidQuery, .timeout,
            .storageFull, .batchTooLarge, .shuttingDown, .responseTooLarge, .searchUnavailable,
            .storeUnavailable,
        ]

        /// The code with the given number; an unknown number (from a newer peer) keeps its number, is named
        /// `error-<number>` and does not close the connection.
        public init(number: UInt16) {
            self = Code.all.first { $0.number == number } ?? Code(number, "error-\(number)", closes: false)
        }

        /// The code with the given name, if known.
        public init?(name: String) {
            guard let code = Code.all.first(where: { $0.name == name }) else { return nil }
            self = code
        }

        public var description: String { name }
    }

    /// What kind of problem it is.
    public var code: Code
    /// What was wrong and, where it helps, what to do, for a person.
    public var message: String
    /// For `invalidEvent` (and sometimes `conflict` and `notFound`): the validation error with the field at fault.
    public var eventError: EventError?

    /// An error with `code` explained by `message`.
    public init(_ code: Code, _ message: String, eventError: EventError? = nil) {
        self.code = code
        self.message = message
        self.eventError = eventError
    }

    /// `<code name>: <message>`, followed by the event error when there is one.
    public var description: String {
        if let eventError { return "\(code.name): \(message) [\(eventError)]" }
        return "\(code.name): \(message)"
    }

    /// A `malformedFrame` error.
    static func malformed(_ message: String) -> ProtocolError {
        ProtocolError(.malformedFrame, message)
    }
}
