import AnnalsCore

/// A message from server to client, carrying the request id of the request it answers.
///
/// `page` may be split across several frames (see `Response.encodeFrames(requestID:maxFrameSize:)` and
/// `PageAssembler`); every other response is one frame.
public enum Response: Sendable, Hashable {
    /// Answers a successful `hello`.
    case hello(ServerHello)
    /// Answers `ping` with its nonce.
    case pong(nonce: UInt64)
    /// Answers `append`: one outcome per entry, in the order of the entries.
    case appendResult([AppendOutcome])
    /// Answers `amend` and `retract`: the event as now stored.
    case record(EventRecord)
    /// Answers `get`.
    case detail(EventDetail)
    /// A `detail` already encoded from stored bytes (`DetailPayload`); read back as `detail`.
    case encodedDetail([UInt8])
    /// Answers `timeline`, or one frame of the answer: records, and on the last frame the cursor of the next page.
    case page(records: [EventRecord], nextCursor: String?)
    /// A `page` whose records are already encoded (a store's stored bytes); it goes on the wire as `page` does,
    /// and is read back as `page`.
    case encodedPage(EncodedRecords, nextCursor: String?)
    /// Answers `subscribe`: entries up to `lastSeq` are catch-up, later ones live.
    case subscribed(lastSeq: Int64)
    /// One log entry for a subscription, at log position `seq`.
    case pushed(seq: Int64, entry: LogEntry)
    /// Answers `stats`.
    case stats(StoreStats)
    /// Answers `goodbye`; the server closes the connection after it.
    case goodbye
    /// Answers `unsubscribe`; no `pushed` frame of that subscription follows it.
    case unsubscribed
    /// Answers `readLog`: matching entries in log order; `nextSeq` is where to continue (the position read
    /// up to, which may be past the last entry returned); `end` says the log held nothing later when read.
    case logPage(entries: [SequencedEntry], nextSeq: Int64, end: Bool)
    /// The request failed (or, with request id 0, the connection did).
    case error(ProtocolError)

    /// The message type of the frame.
    public var type: MessageType {
        switch self {
        case .hello: .helloReply
        case .pong: .pong
        case .appendResult: .appendResult
        case .record: .record
        case .detail, .encodedDetail: .detail
        case .page, .encodedPage: .page
        case .subscribed: .subscribed
        case .pushed: .pushed
        case .stats: .statsReply
        case .goodbye: .goodbyeReply
        case .unsubscribed: .unsubscribed
        case .logPage: .logPage
        case .error: .error
        }
    }

    /// Whether frames of this response may carry the `more` flag: `page` (a split page), `subscribed` and
    /// `pushed` (subscription catch-up).
    public var allowsMore: Bool {
        switch self {
        case .page, .encodedPage, .subscribed, .pushed: true
        default: false
        }
    }
}
