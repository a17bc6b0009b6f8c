/// The type byte of a frame: requests are `0x01`–`0x3F`, responses `0x41`–`0x7F`, `0x7F` is `error`.
///
/// A response type is its request's type plus `0x40` where there is a one-to-one answer.
public enum MessageType: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    // Requests (client → server).
    /// Opens the connection: protocol version, client name, optional token.
    case hello = 0x01
    /// Asks for a `pong` carrying the same nonce.
    case ping = 0x02
    /// Appends a batch of log entries.
    case append = 0x03
    /// Replaces the content of an existing event (a new revision).
    case amend = 0x04
    /// Retracts an event, with a reason.
    case retract = 0x05
    /// Asks for everything known about one event.
    case get = 0x06
    /// Asks for a page of a timeline.
    case timeline = 0x07
    /// Subscribes to log entries matching filters, from a log position on.
    case subscribe = 0x08
    /// Ends a subscription.
    case unsubscribe = 0x09
    /// Asks for store statistics.
    case stats = 0x0A
    /// Ends the connection politely.
    case goodbye = 0x0B
    /// Asks for a bounded run of the log after a position (protocol version 2).
    case readLog = 0x0C

    // Responses (server → client).
    /// Answers `hello`: server version, protocol version and limits.
    case helloReply = 0x41
    /// Answers `ping`.
    case pong = 0x42
    /// Answers `append`: one outcome per entry.
    case appendResult = 0x43
    /// Answers `amend` and `retract`: the event as now stored.
    case record = 0x44
    /// Answers `get`.
    case detail = 0x45
    /// Answers `timeline`: one or more frames of records, the last with the next cursor.
    case page = 0x46
    /// Answers `subscribe`: the current last log position.
    case subscribed = 0x47
    /// One log entry delivered to a subscription (request id of the `subscribe`).
    case pushed = 0x48
    /// Answers `unsubscribe`.
    case unsubscribed = 0x49
    /// Answers `stats`.
    case statsReply = 0x4A
    /// Answers `goodbye`; the server closes after it.
    case goodbyeReply = 0x4B
    /// Answers `readLog`: entries, where to continue, and whether the log's end was reached.
    case logPage = 0x4C
    /// An error answering one request (or the connection, with request id 0).
    case error = 0x7F

    /// Whether a client sends this type.
    public var isRequest: Bool { rawValue < 0x40 }

    /// Whether a server sends this type.
    public var isResponse: Bool { rawValue > 0x40 }

    /// The name used in `Protocol/PROTOCOL.md`, e.g. `appendResult`.
    public var description: String {
        switch self {
        case .hello: "hello"
        case .ping: "ping"
        case .append: "append"
        case .amend: "amend"
        case .retract: "retract"
        case .get: "get"
        case .timeline: "timeline"
        case .subscribe: "subscribe"
        case .unsubscribe: "unsubscribe"
        case .stats: "stats"
        case .goodbye: "goodbye"
        case .readLog: "readLog"
        case .helloReply: "hello"
        case .pong: "pong"
        case .appendResult: "appendResult"
        case .record: "record"
        case .detail: "detail"
        case .page: "page"
        case .subscribed: "subscribed"
        case .pushed: "pushed"
        case .unsubscribed: "unsubscribed"
        case .statsReply: "stats"
        case .goodbyeReply: "goodbye"
        case .logPage: "logPage"
        case .error: "error"
        }
    }
}
