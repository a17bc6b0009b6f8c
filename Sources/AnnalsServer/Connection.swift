import AnnalsCore
import AnnalsProtocol
import AnnalsStore
import Dispatch
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One client connection: its socket (read through its loop's `LoopReadiness`), write source and timer,
/// confined to its event loop `queue` (see `EventLoops`). It only does I/O and performs what its parts decide:
/// `RequestRouter` (handshake, limits), `RequestSequencer` (order, read-your-writes, backpressure, closing) and
/// one `SubscriptionFeed` per subscription.
///
/// Each event of the loop is a turn (`turn`): the frames read are handled, reads run inline (appends go to
/// the store's writer, amends and retractions to the update queue, and their completions come back as turns
/// of their own), and everything ready leaves in one `sendmsg` at the end.
final class Connection: @unchecked Sendable {
    let id: Int
    let fd: Int32
    /// The connection's event loop (its number in `EventLoops`, and its queue): every access to its state
    /// happens there.
    let loop: Int
    let queue: DispatchQueue
    private let readiness: LoopReadiness
    private let context: ServerContext
    private let logger: Logger
    private var router: RequestRouter
    private var sequencer: RequestSequencer<StoreRequest>
    private var feeds: [UInt32: SubscriptionFeed] = [:] {
        didSet { if feeds.isEmpty != oldValue.isEmpty { subscribed.store(!feeds.isEmpty, ordering: .sequentiallyConsistent) } }
    }
    /// Whether `feeds` has any, for `storeCommitted` (called on the writer's thread). Sequentially consistent,
    /// with `ServerContext.lastSeq`: a commit either sees the flag or is seen by the feed's first fetch.
    private let subscribed = Atomic<Bool>(false)
    private var decoder: FrameDecoder
    private var readBuffer: [UInt8] = []
    private var output = OutputBuffer()
    private var sources: (write: any DispatchSourceWrite, timer: any DispatchSourceTimer)?
    private var readingPaused = false
    private var writeSourceRunning = false
    private(set) var closed = false
    /// Actions waiting to be performed (see `perform`), and reads run inline in this turn.
    private var actions: [RequestSequencer<StoreRequest>.Action] = []
    private var performing = false
    private var readsThisTurn = 0
    private var continuationScheduled = false
    private var lastFrameAt = DispatchTime.now()
    private var partialSince: DispatchTime?
    private var lastSendProgress = DispatchTime.now()

    /// Bytes taken from the socket per `recv`, and at most per turn (fairness between connections).
    static let readChunk = 64 * 1024
    static let readPerTurn = 1 << 20
    /// Store reads one turn runs inline; the rest wait for a later turn, behind other connections' work.
    static let readsPerTurn = 8
    /// How long a search waits for the full-text index to pass the writes it must see.
    static let searchWaitSeconds: Double = 30

    init(id: Int, fd: Int32, loop: EventLoops.Loop, context: ServerContext) {
        self.id = id
        self.fd = fd
        self.loop = loop.number
        self.queue = loop.queue
        self.readiness = loop.readiness
        self.context = context
        let config = context.configuration
        router = RequestRouter(configuration: config)
        sequencer = RequestSequencer(limits: .init(maxInFlight: config.maxInFlight, outputHighWater: config.outputHighWater,
                                                   outputLowWater: config.outputLowWater))
        decoder = FrameDecoder(maxFrameSize: router.maxFrameSize)
        var logger = context.logger
        logger[metadataKey: "connection"] = "\(id)"
        logger[metadataKey: "peer"] = "\(Socket.peerName(fd))"
        self.logger = logger
    }

    /// Starts reading. Call once, from any thread.
    func start() {
        queue.async { self.setUp() }
    }

    private func setUp() {
        dispatchPrecondition(condition: .onQueue(queue))
        let write = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: queue)
        write.setEventHandler { [unowned self] in turn {} }
        // The fd is closed once the write source is cancelled (after the socket left the readiness set); the
        // source keeps `self` alive until then.
        let fd = self.fd
        write.setCancelHandler {
            close(fd)
            self.context.connectionClosed(self)
        }
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + 1, repeating: 1, leeway: .milliseconds(250))
        timer.setEventHandler { [unowned self] in turn(checkTimeouts) }
        sources = (write, timer)
        timer.resume()
        guard watchReadable() else {
            logger.warning("cannot watch the connection's socket (errno \(errno)): closing it")
            shutDown()
            return
        }
        logger.debug("connected")
    }

    /// Puts the socket in the loop's readiness set: each time it is readable, a turn reads it.
    private func watchReadable() -> Bool {
        readiness.watch(fd: fd, id: UInt64(id)) { [unowned self] in turn(readAvailable) }
    }

    // MARK: Turns

    /// One event of the loop: `body` and what it set in motion, one send of every answer ready, then the
    /// subscriptions' pushes (read while the output has room, so after the send) and their send.
    private func turn(_ body: () -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !closed else { return }
        readsThisTurn = 0
        body()
        flush()
        guard !feeds.isEmpty else { return }
        pumpSubscriptions()
        flush()
    }

    /// Runs `body` in a later turn, behind the work already queued on the loop.
    private func later(_ body: @escaping @Sendable () -> Void) {
        queue.async { self.turn(body) }
    }

    /// Performs the sequencer's actions in order; actions they cause are queued behind them.
    private func perform(_ new: [RequestSequencer<StoreRequest>.Action]) {
        actions += new
        guard !performing else { return }
        performing = true
        var next = 0
        while next < actions.count && !closed {
            let action = actions[next]
            next += 1
            perform(action)
        }
        actions.removeAll(keepingCapacity: true)
        performing = false
    }

    private func perform(_ action: RequestSequencer<StoreRequest>.Action) {
        switch action {
        case .start(let ticket, let requestID, let request):
            start(request, ticket: ticket, requestID: requestID)
        case .reserveBudget(let ticket, let events):
            let reserved = context.appendBudget.take(events) {
                self.later { self.perform(self.sequencer.budgetFreed()) }
            }
            perform(reserved ? sequencer.budgetReserved(ticket) : sequencer.budgetFull())
        case .awaitSearchable(let seq):
            awaitSearchable(through: seq)
        case .searchUnavailable(let ticket, let requestID):
            finish(ticket, requestID: requestID, .success(.error(.searchUnavailable(waited: Self.searchWaitSeconds))))
        case .send(let frames):
            for frame in frames { output.append(frame) }
        case .pauseReading:
            if !readingPaused {
                readingPaused = true
                readiness.unwatch(fd: fd, id: UInt64(id))
            }
        case .resumeReading:
            if readingPaused {
                readingPaused = false
                partialSince = nil  // the wait was ours, not the client's
                guard watchReadable() else {
                    logger.warning("cannot watch the connection's socket again (errno \(errno)): closing it")
                    shutDown()
                    return
                }
                // Frames may already wait in the decoder.
                continueReading()
            }
        case .close:
            shutDown()
        }
    }

    // MARK: Reading

    /// Handles the frames already decoded, then reads the socket (up to `readPerTurn` bytes).
    private func readAvailable() {
        processFrames()
        if readBuffer.isEmpty {
            readBuffer = [UInt8](unsafeUninitializedCapacity: Self.readChunk) { _, count in count = Self.readChunk }
        }
        var budget = Self.readPerTurn
        while budget > 0 && !closed && !readingPaused && !continuationScheduled && sequencer.acceptsRequests {
            let n = readBuffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                budget -= n
                readBuffer.withUnsafeBytes { decoder.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                processFrames()
                // Less than a full buffer: the socket is drained (the source fires again if more comes), so
                // a request-response client costs one recv per request, not two.
                if n < readBuffer.count { break }
            } else if n == 0 {
                logger.debug("peer closed the connection")
                shutDown()
                return
            } else {
                if errno == EINTR { continue }
                if errno != EAGAIN && errno != EWOULDBLOCK {
                    logger.debug("read failed: errno \(errno)")
                    shutDown()
                }
                break
            }
        }
        partialSince = decoder.bufferedByteCount > 0 ? (partialSince ?? .now()) : nil
        if decoder.bufferedByteCount == 0 {
            // Between requests a connection holds no read buffers (64 KB or more each otherwise).
            readBuffer = []
            decoder.releaseStorage()
        }
    }

    /// Handles the frames in the decoder, up to this turn's share of reads.
    private func processFrames() {
        while !closed && !readingPaused && sequencer.acceptsRequests {
            if readsThisTurn >= Self.readsPerTurn && decoder.bufferedByteCount > 0 {
                continueReading()
                return
            }
            let frame: Frame?
            do {
                frame = try decoder.next()
            } catch {
                route(router.route(streamError: error), requestID: 0)
                return
            }
            guard let frame else { return }
            lastFrameAt = .now()
            // The read timeout measures one frame: a pipelining client always has a next one started.
            partialSince = nil
            route(router.route(frame), requestID: frame.requestID)
            decoder.maxFrameSize = router.maxFrameSize
        }
    }

    /// Handles the frames left in the decoder in a later turn.
    private func continueReading() {
        guard !continuationScheduled else { return }
        continuationScheduled = true
        later {
            self.continuationScheduled = false
            self.readAvailable()
        }
    }

    // MARK: Requests

    private func route(_ route: RequestRouter.Route, requestID: UInt32) {
        switch route {
        case .answer(let response):
            if case .hello = response {
                logger.debug("hello from \(router.clientName ?? "?")", metadata: ["authorized": "\(router.phase == .authorized)"])
            }
            let (frames, closes) = encode(.success(response), requestID: requestID)
            perform(sequencer.answer(requestID, with: frames, closes: closes))
        case .close(let error):
            fail(error, requestID: requestID)
        case .store(.subscribe) where feeds[requestID] != nil:
            perform(sequencer.answer(requestID, with: [Response.error(ProtocolError(.conflict,
                "request id \(requestID) already names an active subscription")).encode(requestID: requestID)]))
        case .store(let request):
            perform(sequencer.enqueue(request, request.work, requestID: requestID))
        case .unsubscribe(let subscriptionID):
            guard let feed = feeds[subscriptionID] else {
                perform(sequencer.answer(requestID, with: [Response.error(ProtocolError(.notFound,
                    "no subscription with request id \(subscriptionID)")).encode(requestID: requestID)]))
                return
            }
            end(feed)
            perform(sequencer.answer(requestID, with: [Response.unsubscribed.encode(requestID: requestID)]))
        case .goodbye:
            // Goodbye ends every subscription (PROTOCOL.md §6.3).
            for feed in feeds.values { end(feed) }
            perform(sequencer.goodbye(requestID, with: Response.goodbye.encode(requestID: requestID)))
        }
    }

    /// Runs a request the sequencer started: a read here and now (or in a later turn once this turn's share of
    /// reads is used), an append on the store's writer, an amend or a retraction on the update queue.
    private func start(_ request: StoreRequest, ticket: Int, requestID: UInt32) {
        let store = context.store
        switch request.work {
        case .append:
            guard case .append(let entries) = request else { return }
            store.append(entries) { [self] result in
                context.appendBudget.giveBack(entries.count)
                later {
                    let wrote = (try? result.get())?.compactMap(\.writtenSeq).max()
                    self.finish(ticket, requestID: requestID, result.map(Response.appendResult), wroteThrough: wrote)
                }
            }
        case .update:
            let maxFrameSize = context.configuration.limits.maxFrameSize
            context.updates.async { [self] in
                let result = Result { () throws(StoreError) in try request.respond(using: store, maxFrameSize: maxFrameSize) }
                later {
                    let wrote: Int64? = if case .success(.record(let record)) = result { record.seq } else { nil }
                    self.finish(ticket, requestID: requestID, result, wroteThrough: wrote)
                }
            }
        case .read, .search:
            guard readsThisTurn < Self.readsPerTurn else {
                later { self.start(request, ticket: ticket, requestID: requestID) }
                return
            }
            readsThisTurn += 1
            let result = Result { () throws(StoreError) in try request.respond(using: store, maxFrameSize: context.configuration.limits.maxFrameSize) }
            // A subscription starts its feed, which sends the reply once its flag is known (unless the connection
            // is closing: then the reply says no catch-up follows).
            guard case .subscribe(let filter, let fromSeq) = request, case .success(.subscribed(let lastSeq)) = result,
                  sequencer.acceptsRequests else {
                finish(ticket, requestID: requestID, result)
                return
            }
            var feed = SubscriptionFeed(id: requestID, filter: filter, ticket: ticket, fromSeq: fromSeq, lastSeq: lastSeq)
            let first = feed.begin()
            feeds[requestID] = feed
            send(first, of: feed)
        }
    }

    private func finish(_ ticket: Int, requestID: UInt32, _ result: Result<Response, StoreError>, wroteThrough: Int64? = nil) {
        let (frames, closes) = encode(result, requestID: requestID)
        perform(sequencer.finish(ticket, with: frames, closes: closes, wroteThrough: wroteThrough))
    }

    /// The frames of an answer, and whether its error closes the connection.
    private func encode(_ result: Result<Response, StoreError>, requestID: UInt32) -> (frames: [[UInt8]], closes: Bool) {
        let response = result.mapError(ProtocolError.init(storeError:)).reduce()
        let closes = if case .error(let error) = response { error.code.closesConnection } else { false }
        do {
            return (try response.encodeFrames(requestID: requestID, maxFrameSize: context.configuration.limits.maxFrameSize), closes)
        } catch {
            return ([Response.error(error).encode(requestID: requestID)], closes)
        }
    }

    /// Asks the store when searches see the connection's writes; an answer given within the call continues
    /// at once, a later one in a turn of its own.
    private func awaitSearchable(through seq: Int64) {
        // Whichever of the answer and the end of the call comes second goes on.
        let other = Atomic<Bool>(false)
        let answer = Mutex<Bool>(false)
        context.store.whenSearchable(through: seq, timeout: Self.searchWaitSeconds) { ok in
            answer.withLock { $0 = ok }
            if other.exchange(true, ordering: .acquiringAndReleasing) {
                self.later { self.perform(self.sequencer.searchable(ok)) }
            }
        }
        if other.exchange(true, ordering: .acquiringAndReleasing) {
            perform(sequencer.searchable(answer.withLock { $0 }))
        }
    }

    // MARK: Subscriptions

    /// Reads entries for the feeds that are behind, while the output has room; continues in a later turn
    /// while they are behind.
    private func pumpSubscriptions() {
        guard !closed, !feeds.isEmpty else { return }
        let config = context.configuration
        if output.count > config.subscriberBufferLimit, let slow = feeds.keys.min() {
            fail(ProtocolError(.serverBusy, "subscriber too slow: \(output.count) bytes of pushes unread; resubscribe from the last seq received"),
                 requestID: slow)
            return
        }
        guard output.count < config.outputLowWater else { return }
        let lastSeq = context.lastSeq
        var behind = false
        for id in feeds.keys.sorted() {
            guard var feed = feeds[id], feed.wantsEntries(lastSeq: lastSeq, replySent: !sequencer.isPending(feed.ticket)) else { continue }
            let cursor = feed.cursor
            do {
                let (matches, reached) = try feed.filter.next(from: context.store, after: cursor, limit: feed.fetchLimit)
                let out = feed.received(matches, through: reached, budget: config.outputLowWater)
                feeds[id] = feed
                send(out, of: feed)
                behind = behind || feed.wantsEntries(lastSeq: lastSeq, replySent: !sequencer.isPending(feed.ticket))
            } catch where error.code == .unavailable {
                // The database is away for now (the PostgreSQL engine while its server restarts): the feed stays,
                // and the connection's timer makes a turn every second that reads it again, so a tail resumes
                // by itself once the database is back.
                logger.debug("subscription \(id) waits for the database: \(error)")
            } catch {
                logger.warning("subscription \(id) failed: \(error)")
                feeds[id] = nil
                let frame = Response.error(ProtocolError(storeError: error)).encode(requestID: id)
                if feed.replied {
                    perform(sequencer.push([frame], after: feed.ticket))
                } else {
                    perform(sequencer.finish(feed.ticket, with: [frame]))
                }
            }
        }
        if behind && output.count < config.outputLowWater { later {} }
    }

    private func send(_ out: SubscriptionFeed.Output, of feed: SubscriptionFeed) {
        if let reply = out.reply { perform(sequencer.finish(feed.ticket, with: [reply])) }
        if !out.pushes.isEmpty { perform(sequencer.push(out.pushes, after: feed.ticket)) }
    }

    /// Ends a subscription: its reply, if still held, says no catch-up follows.
    private func end(_ feed: SubscriptionFeed) {
        var feed = feed
        feeds[feed.id] = nil
        send(feed.end(), of: feed)
    }

    /// Called (on any thread) when the store commits: subscriptions may have entries to push. A connection
    /// without any is left alone (a subscription that starts later reads the last position itself).
    func storeCommitted() {
        guard subscribed.load(ordering: .sequentiallyConsistent) else { return }
        queue.async { self.turn {} }
    }

    // MARK: Writing

    /// Sends what the output holds, in as few `sendmsg` calls as the socket allows.
    private func flush() {
        while !closed {
            let before = output.count
            let result = output.flush(to: fd)
            switch result {
            case .drained:
                if writeSourceRunning {
                    sources?.write.suspend()
                    writeSourceRunning = false
                }
            case .wouldBlock:
                if !writeSourceRunning {
                    sources?.write.resume()
                    writeSourceRunning = true
                }
            case .failed(let code):
                logger.debug("write failed: errno \(code)")
                shutDown()
                return
            }
            if output.count < before || output.isEmpty { lastSendProgress = .now() }
            perform(sequencer.written(remaining: output.count))
            // Room in the output may have let more answers through: they leave in this turn too.
            guard case .drained = result, !output.isEmpty else { return }
        }
    }

    // MARK: Timeouts and closing

    private func checkTimeouts() {
        let config = context.configuration
        let now = DispatchTime.now()
        func seconds(since t: DispatchTime) -> Double { Double(now.uptimeNanoseconds - t.uptimeNanoseconds) / 1e9 }
        let handshakeLimit = min(config.idleTimeoutSeconds, config.readTimeoutSeconds)
        if let partialSince, !readingPaused, seconds(since: partialSince) > Double(config.readTimeoutSeconds) {
            fail(ProtocolError(.timeout, "a frame took over \(config.readTimeoutSeconds) s to arrive"), requestID: 0)
        } else if !output.isEmpty && seconds(since: lastSendProgress) > Double(config.writeTimeoutSeconds) {
            logger.info("closing: the client read nothing for \(config.writeTimeoutSeconds) s")
            shutDown()
        } else if sequencer.inFlight == 0 && seconds(since: lastFrameAt) > Double(config.idleTimeoutSeconds) {
            // Subscriptions do not keep a connection alive (PROTOCOL.md §6.2): listeners ping.
            fail(ProtocolError(.timeout, "idle for over \(config.idleTimeoutSeconds) s"), requestID: 0)
        } else if !router.handshaken && seconds(since: lastFrameAt) > Double(handshakeLimit) {
            fail(ProtocolError(.timeout, "no hello within \(handshakeLimit) s"), requestID: 0)
        }
    }

    /// Sends `error` ahead of everything not yet answered (which is abandoned), then closes.
    private func fail(_ error: ProtocolError, requestID: UInt32) {
        logger.debug("closing after error", metadata: ["code": "\(error.code.name)", "message": "\(error.message)"])
        feeds.removeAll()
        perform(sequencer.fail(with: Response.error(error).encode(requestID: requestID)))
    }

    /// Server shutdown: finishes what is in flight, sends it, then `shutting-down` to each subscription (or to
    /// the connection, request id 0), then closes.
    func drainAndClose() {
        queue.async {
            self.turn {
                let ids = self.feeds.isEmpty ? [UInt32(0)] : self.feeds.keys.sorted()
                for feed in self.feeds.values { self.end(feed) }
                self.perform(self.sequencer.drain(then: ids.map { Response.error(.shuttingDown).encode(requestID: $0) }))
            }
        }
    }

    /// Closes now: takes the socket out of the readiness set and cancels the sources (the fd is closed by the
    /// write source's cancel handler).
    func shutDown() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !closed, let sources else { return }
        closed = true
        feeds.removeAll()
        readiness.unwatch(fd: fd, id: UInt64(id))
        sources.timer.cancel()
        // A suspended source never runs its cancel handler: resume before cancelling.
        if !writeSourceRunning { sources.write.resume() }
        sources.write.cancel()
        logger.debug("closed")
    }
}

private extension Result where Failure == ProtocolError, Success == Response {
    /// The response, or the error as an error response.
    func reduce() -> Response {
        switch self {
        case .success(let response): response
        case .failure(let error): .error(error)
        }
    }
}

private extension AppendOutcome {
    /// Where the entry is in the log (written now or before), or nil when it was rejected.
    var writtenSeq: Int64? {
        switch self {
        case .accepted(let seq), .duplicate(let seq): seq
        case .rejected: nil
        }
    }
}
