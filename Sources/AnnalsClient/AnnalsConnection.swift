import AnnalsCore
import AnnalsProtocol
import Dispatch
import Foundation
import Synchronization

/// A connection to annalsd: the handshake, every operation, pipelining and subscriptions.
///
/// Thread-safe. Calls may come from many threads; requests are written in call order and their
/// responses matched by request id, so many can be in flight at once (pipelining). The blocking methods
/// wait for their own response only; the `send` method takes a completion instead. A background thread
/// reads the socket and delivers responses and subscription pushes.
public final class AnnalsConnection: Sendable {
    /// The server's hello: its version, the protocol version and the limits it enforces.
    public let serverHello: ServerHello

    private struct State {
        var nextRequestID: UInt32 = 1  // the hello used ClientSocket.helloRequestID
        var pending: [UInt32: Pending] = [:]
        var subscriptions: [UInt32: @Sendable (SequencedEntry) -> Void] = [:]
        var lastPushed: [UInt32: Int64] = [:]
        var caughtUp: Set<UInt32> = []
        /// Subscriptions the server ended with an error on a connection that stays open.
        var endedSubscriptions: [UInt32: ProtocolError] = [:]
        var failure: ClientError?
    }

    private struct Pending {
        var assembler = PageAssembler()
        var completion: @Sendable (Result<Response, ClientError>) -> Void
    }

    private let socket: ClientSocket
    private let state = Mutex(State())
    private let defaultTimeout: Mutex<Double>
    private let writeLock = Mutex(())
    private let readerDone = DispatchSemaphore(value: 0)
    private let maxFrameSize: Int

    /// Connects and performs the handshake.
    /// - Parameters:
    ///   - token: the shared secret, when the server requires one.
    ///   - timeout: seconds to wait for the connection and the server's hello.
    ///   - requestTimeout: seconds a blocking call waits for its answer (`requestTimeout` can change it later).
    /// - Throws: `ClientError.cannotConnect` (also when the peer does not speak the Annals protocol), or
    ///   `.server` with unsupported-version and the like.
    public convenience init(host: String = "127.0.0.1", port: UInt16 = 7355, token: String? = nil,
                            clientName: String = "annals-client", timeout: Double = 10, requestTimeout: Double = 120) throws(ClientError) {
        try self.init(address: .tcp(host: host, port: port), token: token, clientName: clientName, timeout: timeout,
                      requestTimeout: requestTimeout)
    }

    /// Connects to `address` (TCP, or a Unix-domain socket) and performs the handshake; see `init(host:port:…)`.
    public init(address: ServerAddress, token: String? = nil, clientName: String = "annals-client", timeout: Double = 10,
                requestTimeout: Double = 120) throws(ClientError) {
        socket = try ClientSocket.connect(to: address, timeout: timeout)
        defaultTimeout = Mutex(requestTimeout)
        do {
            let decoder: FrameDecoder
            (serverHello, decoder) = try socket.handshake(ClientHello(clientName: clientName, token: token), timeout: timeout,
                                                          peer: address.description)
            maxFrameSize = serverHello.limits.maxFrameSize
            Thread { [self] in readLoop(decoder: decoder) }.start()
        } catch {
            socket.close()
            throw error
        }
    }

    deinit {
        socket.shutdownBoth()
        readerDone.wait()
        socket.close()
    }

    // MARK: Sending

    /// Sends `request` and calls `completion` with its response (a whole page for a timeline, the
    /// `subscribed` reply for a subscription), on the reader thread: keep it short.
    /// - Returns: the request id (a subscription's id).
    @discardableResult
    public func send(_ request: Request, completion: @escaping @Sendable (Result<Response, ClientError>) -> Void) -> UInt32 {
        send(request, pushes: nil, completion: completion)
    }

    private func send(_ request: Request, pushes: (@Sendable (SequencedEntry) -> Void)?,
                      completion: @escaping @Sendable (Result<Response, ClientError>) -> Void) -> UInt32 {
        // Writes happen under the write lock, so request ids go out in increasing order.
        return writeLock.withLock { _ -> UInt32 in
            let (id, failure) = state.withLock { state -> (UInt32, ClientError?) in
                if let failure = state.failure { return (0, failure) }
                let id = state.nextRequestID
                state.nextRequestID = id == UInt32.max ? 1 : id + 1
                state.pending[id] = Pending(completion: completion)
                if let pushes { state.subscriptions[id] = pushes }
                return (id, nil)
            }
            if let failure {
                completion(.failure(failure))
                return 0
            }
            let frame = request.encode(requestID: id)
            if frame.count > maxFrameSize {
                _ = state.withLock { $0.pending.removeValue(forKey: id) }
                completion(.failure(.server(ProtocolError(.frameTooLarge,
                    "the request is \(frame.count) bytes; the server takes frames up to \(maxFrameSize): send smaller batches"))))
                return 0
            }
            if case .failure(let error) = Result(catching: { () throws(ClientError) in try socket.sendAll(frame) }) {
                fail(error)
            }
            return id
        }
    }

    /// Seconds a blocking call waits for its answer unless it says otherwise (default 120).
    public var requestTimeout: Double {
        get { defaultTimeout.withLock { $0 } }
        set { defaultTimeout.withLock { $0 = newValue } }
    }

    /// Sends and waits for the response.
    /// - Parameter timeout: seconds to wait (default: `requestTimeout`); after that the call fails with
    ///   `ClientError.timeout` and a late answer is dropped. The connection stays usable.
    /// - Throws: `ClientError.server` when the server answers with an error.
    public func call(_ request: Request, timeout: Double? = nil) throws(ClientError) -> Response {
        let response = try wait(for: request, timeout: timeout).response
        if case .error(let error) = response { throw .server(error) }
        return response
    }

    /// Sends `request` and waits up to `timeout` seconds for its response.
    private func wait(for request: Request, pushes: (@Sendable (SequencedEntry) -> Void)? = nil,
                      timeout: Double?) throws(ClientError) -> (response: Response, id: UInt32) {
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<Result<Response, ClientError>?>(nil)
        let id = send(request, pushes: pushes) { outcome in
            result.withLock { $0 = outcome }
            done.signal()
        }
        let seconds = timeout ?? requestTimeout
        if done.wait(timeout: .now() + seconds) == .timedOut {
            abandon(id)
            if let outcome = result.withLock({ $0 }) { return (try outcome.get(), id) }
            throw .timeout("no answer to \(request.type) within \(Self.format(seconds)) s")
        }
        return (try result.withLock { $0! }.get(), id)
    }

    /// Forgets a request whose caller stopped waiting: its answer, if it comes, is dropped.
    private func abandon(_ id: UInt32) {
        state.withLock { state in
            state.pending[id] = nil
            state.subscriptions[id] = nil
        }
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }

    // MARK: Operations

    /// Round trip of a ping.
    /// - Returns: the measured round-trip time in seconds.
    public func ping() throws(ClientError) -> Double {
        let nonce = UInt64.random(in: 0...UInt64.max)
        let start = DispatchTime.now()
        guard case .pong(let echoed) = try call(.ping(nonce: nonce)), echoed == nonce else {
            throw .protocolViolation("the pong did not echo the nonce")
        }
        return Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    /// Appends a batch atomically; one outcome per entry.
    public func append(_ entries: [LogEntry]) throws(ClientError) -> [AppendOutcome] {
        guard case .appendResult(let outcomes) = try call(.append(entries)) else { throw unexpected("append") }
        return outcomes
    }

    /// Appends without waiting: pipeline many batches, each completion comes in order.
    public func append(_ entries: [LogEntry], completion: @escaping @Sendable (Result<[AppendOutcome], ClientError>) -> Void) {
        send(.append(entries)) { result in
            completion(result.flatMap { response in
                switch response {
                case .appendResult(let outcomes): .success(outcomes)
                case .error(let error): .failure(.server(error))
                default: .failure(.protocolViolation("expected an append result, got \(response.type)"))
                }
            })
        }
    }

    /// Records a new revision of an existing event.
    public func amend(_ event: Event) throws(ClientError) -> EventRecord {
        guard case .record(let record) = try call(.amend(event)) else { throw unexpected("amend") }
        return record
    }

    /// Retracts an event.
    public func retract(id: String, reason: String) throws(ClientError) -> EventRecord {
        guard case .record(let record) = try call(.retract(id: id, reason: reason)) else { throw unexpected("retract") }
        return record
    }

    /// One event with its revisions and references both ways.
    /// - Throws: `.server` with not-found for an unknown id.
    public func get(id: String, revision: Int? = nil) throws(ClientError) -> EventDetail {
        guard case .detail(let detail) = try call(.get(id: id, revision: revision)) else { throw unexpected("get") }
        return detail
    }

    /// One page of a timeline.
    public func timeline(_ query: TimelineQuery) throws(ClientError) -> TimelinePage {
        guard case .page(let records, let cursor) = try call(.timeline(query)) else { throw unexpected("timeline") }
        return TimelinePage(records: records, nextCursor: cursor)
    }

    /// Up to `limit` log entries after `afterSeq` that match `query`'s filters, in log order, without
    /// following the log: pass `nextSeq` as `afterSeq` for more, until `end`.
    public func readLog(_ query: TimelineQuery = TimelineQuery(), after afterSeq: Int64, limit: Int = 1000) throws(ClientError)
        -> (entries: [SequencedEntry], nextSeq: Int64, end: Bool) {
        guard case .logPage(let entries, let nextSeq, let end) = try call(.readLog(query, afterSeq: afterSeq, limit: limit)) else {
            throw unexpected("readLog")
        }
        return (entries, nextSeq, end)
    }

    /// Counts and sizes.
    public func stats() throws(ClientError) -> StoreStats {
        guard case .stats(let stats) = try call(.stats) else { throw unexpected("stats") }
        return stats
    }

    /// Subscribes to entries matching `query` after log position `fromSeq`: catch-up first, then live.
    /// `handler` runs on the reader thread for each pushed entry, in log order.
    /// - Returns: the subscription id and the server's last log position when it subscribed.
    public func subscribe(_ query: TimelineQuery, fromSeq: Int64,
                          handler: @escaping @Sendable (SequencedEntry) -> Void) throws(ClientError) -> (id: UInt32, lastSeq: Int64) {
        let (response, id) = try wait(for: .subscribe(query, fromSeq: fromSeq), pushes: handler, timeout: nil)
        switch response {
        case .subscribed(let lastSeq): return (id, lastSeq)
        case .error(let error):
            _ = state.withLock { $0.subscriptions.removeValue(forKey: id) }
            throw .server(error)
        default: throw unexpected("subscribe")
        }
    }

    /// The log position of the last entry pushed to subscription `id` and handled (0 before any).
    public func lastPushedSeq(_ id: UInt32) -> Int64 {
        state.withLock { $0.lastPushed[id] ?? 0 }
    }

    /// Whether subscription `id` has delivered every catch-up entry (the server marks the last one; see
    /// PROTOCOL.md §8.2): every entry pushed from now on is live.
    public func isCaughtUp(_ id: UInt32) -> Bool {
        state.withLock { $0.caughtUp.contains(id) }
    }

    /// Why the server ended subscription `id` with an error while the connection stays open (a read of the log
    /// failed on its side); nil while the subscription runs. A subscription ended by an error that closes the
    /// connection is reported by `failure` instead.
    public func subscriptionError(_ id: UInt32) -> ProtocolError? {
        state.withLock { $0.endedSubscriptions[id] }
    }

    /// Why the connection failed, once it has (every later call fails with this).
    public var failure: ClientError? {
        state.withLock { $0.failure }
    }

    /// Ends a subscription.
    public func unsubscribe(_ id: UInt32) throws(ClientError) {
        guard case .unsubscribed = try call(.unsubscribe(subscriptionID: id)) else { throw unexpected("unsubscribe") }
        _ = state.withLock { $0.subscriptions.removeValue(forKey: id) }
    }

    /// Says goodbye and waits for the server to close.
    public func close() {
        _ = try? call(.goodbye)
        socket.shutdownBoth()
    }

    private func unexpected(_ operation: String) -> ClientError {
        .protocolViolation("unexpected response to \(operation)")
    }

    // MARK: Reading

    private func readLoop(decoder initial: FrameDecoder) {
        var decoder = initial
        decoder.maxFrameSize = max(maxFrameSize, ServerLimits.defaultMaxFrameSize)
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        defer { readerDone.signal() }
        do {
            while true {
                while let frame = try decoderNext(&decoder) { try route(frame) }
                let n = try socket.receive(into: &buffer)
                if n == 0 { throw ClientError.disconnected("the server closed the connection") }
                decoder.append(buffer[0..<n])
            }
        } catch let error as ClientError {
            fail(error)
        } catch {
            fail(.disconnected("\(error)"))
        }
    }

    private func decoderNext(_ decoder: inout FrameDecoder) throws(ClientError) -> Frame? {
        do { return try decoder.next() } catch { throw .protocolViolation(error.message) }
    }

    private func route(_ frame: Frame) throws(ClientError) {
        if frame.type == .pushed {
            guard let handler = state.withLock({ $0.subscriptions[frame.requestID] }) else { return }
            guard case .pushed(let seq, let entry) = try decode(frame) else { return }
            handler(SequencedEntry(seq: seq, entry: entry))
            state.withLock { state in
                state.lastPushed[frame.requestID] = seq
                if !frame.more { state.caughtUp.insert(frame.requestID) }
            }
            return
        }
        if frame.requestID == 0 {
            // A connection-level error (timeout, malformed frame…): the server closes next.
            if case .error(let error) = try decode(frame) { fail(.server(error)) }
            return
        }
        if frame.type == .page {
            // nil: no one waits for this page (any more); .some(nil): more frames of it follow.
            let page: Result<TimelinePage?, ProtocolError>? = state.withLock { state in
                guard var pending = state.pending[frame.requestID] else { return nil }
                let result = Result { () throws(ProtocolError) in try pending.assembler.add(frame) }
                state.pending[frame.requestID] = pending
                return result
            }
            switch page {
            case nil, .success(nil)?:
                return
            case .success(let complete?)?:
                finish(frame.requestID, .success(.page(records: complete.records, nextCursor: complete.nextCursor)))
            case .failure(let error)?:
                // A frame that does not decode cannot be skipped: the stream cannot be trusted after it.
                throw .protocolViolation("a page frame for request \(frame.requestID) does not decode: \(error.message)")
            }
            return
        }
        let response = try decode(frame)
        if case .subscribed = response, !frame.more {
            _ = state.withLock { $0.caughtUp.insert(frame.requestID) }
        }
        if case .error(let error) = response {
            let ended = state.withLock { state in
                state.subscriptions.removeValue(forKey: frame.requestID) != nil && state.pending[frame.requestID] == nil
            }
            // A live subscription ended by the server (shutting down, a reader too slow): if the server closes
            // next, that error is why the connection failed.
            if ended && error.code.closesConnection {
                fail(.server(error))
                return
            }
            if ended { state.withLock { $0.endedSubscriptions[frame.requestID] = error } }
        }
        finish(frame.requestID, .success(response))
    }

    private func decode(_ frame: Frame) throws(ClientError) -> Response {
        do { return try Response(frame: frame) } catch { throw .protocolViolation(error.message) }
    }

    private func finish(_ requestID: UInt32, _ result: Result<Response, ClientError>) {
        let pending = state.withLock { $0.pending.removeValue(forKey: requestID) }
        pending?.completion(result)
    }

    /// Fails every pending request and refuses new ones.
    private func fail(_ error: ClientError) {
        let pending = state.withLock { state -> [Pending] in
            if state.failure == nil { state.failure = error }
            let all = Array(state.pending.values)
            state.pending.removeAll()
            state.subscriptions.removeAll()
            return all
        }
        for request in pending { request.completion(.failure(error)) }
        socket.shutdownBoth()
    }
}
