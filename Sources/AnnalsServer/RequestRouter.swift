import AnnalsCore
import AnnalsProtocol

/// What a connection does with each frame it decodes: the handshake and token rules (PROTOCOL.md §6.1), the
/// limits the server announced, and the validation of requests before they reach the store. A value with no
/// I/O: it holds the handshake's state only.
struct RequestRouter {
    /// What to do with one frame.
    enum Route {
        /// Answer at once (in request order); an error whose code closes closes after it is sent.
        case answer(Response)
        /// Send this error now and close, abandoning requests not yet answered.
        case close(ProtocolError)
        /// Run on the store.
        case store(StoreRequest)
        case unsubscribe(subscriptionID: UInt32)
        case goodbye
    }

    enum Phase: Equatable {
        case awaitingHello
        /// A hello without the right token: every request but hello and goodbye is refused.
        case unauthorized(tokenGiven: Bool)
        case authorized
    }

    /// The largest frame accepted before a successful hello, and while the client lacks the token: a hello is
    /// small (PROTOCOL.md §2.1), and strangers must not make the server buffer 16 MiB frames.
    static var handshakeFrameLimit: Int { 64 * 1024 }

    let configuration: ServerConfiguration
    private(set) var phase = Phase.awaitingHello
    /// The name the client gave in its last hello, for the log.
    private(set) var clientName: String?

    init(configuration: ServerConfiguration) { self.configuration = configuration }

    /// The largest frame the decoder may take now.
    var maxFrameSize: Int {
        phase == .authorized ? configuration.limits.maxFrameSize : min(configuration.limits.maxFrameSize, Self.handshakeFrameLimit)
    }

    var handshaken: Bool { phase != .awaitingHello }

    /// The route for a stream that cannot be read on (a bad length prefix or header).
    func route(streamError error: ProtocolError) -> Route {
        if error.code == .frameTooLarge && phase != .authorized {
            return .close(ProtocolError(.frameTooLarge, "\(error.message); until a hello (with the token, when the server needs one) succeeds, frames are limited to \(maxFrameSize) bytes"))
        }
        return .close(error)
    }

    /// The route for one frame.
    mutating func route(_ frame: Frame) -> Route {
        let request: Request
        do {
            request = try Request(frame: frame)
        } catch {
            // A hello that does not decode is malformed (PROTOCOL.md §10), not a missing handshake.
            if phase == .awaitingHello && frame.type != .hello && error.code != .unsupportedVersion {
                return .close(ProtocolError(.handshakeRequired, "the first frame must be hello: \(error.message)"))
            }
            return error.code.closesConnection ? .close(error) : .answer(.error(error))
        }
        switch (phase, request) {
        case (.awaitingHello, .hello(let hello)), (.unauthorized, .hello(let hello)):
            // Without the right token the client may say hello again with it (PROTOCOL.md §6.1, §10).
            return greet(hello)
        case (.awaitingHello, _):
            return .close(ProtocolError(.handshakeRequired, "the first frame must be hello, not \(request.type)"))
        case (_, .goodbye):
            return .goodbye
        case (.unauthorized(let tokenGiven), _):
            return .answer(.error(.unauthorized(tokenGiven: tokenGiven)))
        case (.authorized, _):
            return authorized(request)
        }
    }

    private mutating func greet(_ hello: ClientHello) -> Route {
        guard hello.protocolVersion == ProtocolVersion.current else {
            return .close(ProtocolError(.unsupportedVersion,
                                        "protocol version \(hello.protocolVersion) is not supported; this server speaks \(ProtocolVersion.current)"))
        }
        clientName = hello.clientName
        let authorized = configuration.token.map { token in hello.token.map { TokenCheck.equal($0, token) } ?? false } ?? true
        phase = authorized ? .authorized : .unauthorized(tokenGiven: hello.token != nil)
        return .answer(.hello(ServerHello(serverVersion: configuration.serverVersion, protocolVersion: ProtocolVersion.current,
                                          limits: configuration.limits, tokenRequired: configuration.token != nil)))
    }

    private func authorized(_ request: Request) -> Route {
        let limits = configuration.limits
        switch request {
        case .hello:
            return .answer(.error(ProtocolError(.malformedFrame, "hello was already received")))
        case .ping(let nonce):
            return .answer(.pong(nonce: nonce))
        case .append(let entries):
            guard entries.count <= limits.maxEventsPerBatch else {
                return .answer(.error(ProtocolError(.batchTooLarge,
                    "\(entries.count) entries in one append; this server takes at most \(limits.maxEventsPerBatch)")))
            }
            return .store(.append(entries))
        case .amend(let event):
            return .store(.amend(event))
        case .retract(let id, let reason):
            return .store(.retract(id: id, reason: reason))
        case .get(let id, let revision):
            return .store(.get(id: id, revision: revision))
        case .timeline(let query):
            guard query.limit <= limits.maxTimelinePage else {
                return .answer(.error(ProtocolError(.invalidQuery,
                    "limit \(query.limit) is over this server's page limit of \(limits.maxTimelinePage)")))
            }
            return .store(.timeline(query))
        case .stats:
            return .store(.stats)
        case .subscribe(let query, let fromSeq):
            if query.referencedBy != nil {
                return .answer(.error(ProtocolError(.invalidQuery, "subscriptions cannot filter by referenced-by")))
            }
            return Self.filter(query).route { .store(.subscribe($0, fromSeq: fromSeq)) }
        case .unsubscribe(let subscriptionID):
            return .unsubscribe(subscriptionID: subscriptionID)
        case .readLog(let query, let afterSeq, let limit):
            guard (1...TimelineQuery.maxLimit).contains(limit) else {
                return .answer(.error(ProtocolError(.invalidQuery, "readLog limit must be between 1 and \(TimelineQuery.maxLimit), not \(limit)")))
            }
            return Self.filter(query).route { .store(.readLog($0, afterSeq: afterSeq, limit: limit)) }
        case .goodbye:
            return .goodbye
        }
    }

    /// The query's log filter, or the answer that it cannot be evaluated.
    private static func filter(_ query: TimelineQuery) -> Result<LogFilter, ProtocolError> {
        Result { () throws(QueryError) in try LogFilter(query) }.mapError(ProtocolError.init(queryError:))
    }
}

private extension Result where Failure == ProtocolError {
    /// The route for a value that may have failed validation: the value's, or the error as the answer.
    func route(_ route: (Success) -> RequestRouter.Route) -> RequestRouter.Route {
        switch self {
        case .success(let value): route(value)
        case .failure(let error): .answer(.error(error))
        }
    }
}
