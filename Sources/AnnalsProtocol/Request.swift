import AnnalsCore

/// A message from client to server. Each is one frame; its request id, chosen by the client, comes back on
/// every frame of the response.
public enum Request: Sendable, Hashable {
    /// Must be the first frame of a connection.
    case hello(ClientHello)
    /// Asks for a `pong` with the same nonce.
    case ping(nonce: UInt64)
    /// Appends log entries; answered by `appendResult` with one outcome per entry, in order.
    case append([LogEntry])
    /// New content for an existing event (matched by id); answered by `record`.
    case amend(Event)
    /// Retracts an event; answered by `record`.
    case retract(id: String, reason: String)
    /// Everything about one event, at its current revision or at `revision`; answered by `detail`.
    case get(id: String, revision: Int?)
    /// A page of a timeline; answered by one or more `page` frames.
    case timeline(TimelineQuery)
    /// Entries with seq > `fromSeq` matching the query's filters, then live ones; answered by `subscribed`, then
    /// `pushed` frames until `unsubscribe`.
    case subscribe(TimelineQuery, fromSeq: Int64)
    /// Ends the subscription opened by the request with id `subscriptionID`; answered by `unsubscribed`.
    case unsubscribe(subscriptionID: UInt32)
    /// Answered by `stats`.
    case stats
    /// Answered by `goodbye`, after which the server closes.
    case goodbye
    /// Up to `limit` entries with seq > `afterSeq` matching the query's filters, in log order; answered by
    /// `logPage`. Unlike `subscribe` it ends by itself (for exports and catching up without following).
    case readLog(TimelineQuery, afterSeq: Int64, limit: Int)

    /// The message type of the frame.
    public var type: MessageType {
        switch self {
        case .hello: .hello
        case .ping: .ping
        case .append: .append
        case .amend: .amend
        case .retract: .retract
        case .get: .get
        case .timeline: .timeline
        case .subscribe: .subscribe
        case .unsubscribe: .unsubscribe
        case .stats: .stats
        case .goodbye: .goodbye
        case .readLog: .readLog
        }
    }
}
