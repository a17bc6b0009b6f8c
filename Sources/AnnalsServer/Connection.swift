import AnnalsCore
import AnnalsProtocol
import AnnalsStore
import Dispatch
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One client connection. All of its state is confined to its own serial `queue`: the read and write
/// sources, the timer and every completion hop onto it before touching anything.
///
/// Requests are decoded in arrival order and may run concurrently (appends join the store's group
/// commit, reads run through the server's `ReadScheduler`); each gets a response slot, and slots are
/// sent strictly in request order. Subscription pushes go out between slots once the subscription's
/// reply is sent.
final class Connection: @unchecked Sendable {
    let id: Int
    let fd: Int32
    let peer: String
    let queue: DispatchQueue
    private let context: ServerContext
    private var logger: Logger

    private var decoder: FrameDecoder
    private var readSource: (any DispatchSourceRead)?
    private var writeSource: (any DispatchSourceWrite)?
    private var timer: (any DispatchSourceTimer)?
    private var writeSourceRunning = false
    private var readingPaused = false
    private var output = OutputBuffer()
    private var slots: [ResponseSlot] = []
    private var slotHead = 0
    private var handshaken = false
    private var authorized = false
    /// Whether the last hello carried a token (for an unauthorized client: a missing or a wrong token).
    private var helloHadToken = false
    private var closeWhenFlushed = false
    private(set) var closed = false
    private var lastFrameAt = DispatchTime.now()
    private var partialSince: DispatchTime?
    private var lastSendProgress = DispatchTime.now()
    private var subscriptions: [UInt32: Subscription] = [:]
    private var readBuffer: [UInt8] = []
    /// Store work waiting to start, in request order (see `startStoreJobs`), from `waitingHead` on.
    private var waitingJobs: [StoreJob] = []
    /// Writes issued and finished, so a request sees the effect of every write sent before it on this
    /// connection (read-your-writes), while pipelined appends still go to the store together.
    private var appendsIssued = 0
    private var appendsDone = 0
    private var updatesIssued = 0
    private var updatesDone = 0
    private var waitingHead = 0
    private var storeJobsRunning = 0
    /// The last log position this connection wrote (or found already written): its searches must see it.
    private var lastWriteSeq: Int64 = 0
    /// A search at the head of `waitingJobs` waits for the full-text index.
    private var waitingForSearch = false
    /// The next append waits for room in the server's `AppendBudget` (reading is paused meanwhile).
    private var waitingForAppendBudget = false
    /// Bytes of responses encoded but not yet moved to `output` (waiting behind an earlier slot).
    private var heldResponseBytes = 0

    /// Store jobs of one connection submitted at once: one running and one ready, so the connection never
    /// idles between them. More would only buffer answers the client has not read.
    static let maxStoreJobs = 2

    /// The largest frame accepted before a successful hello, and while the client lacks the token: a hello
    /// is small (PROTOCOL.md §2.1), and strangers must not make the server buffer 16 MiB frames.
    static let handshakeFrameLimit = 64 * 1024

    /// Bytes taken from the socket per `recv`.
    static let readChunk = 64 * 1024

    init(id: Int, fd: Int32, context: ServerContext) {
        self.id = id
        self.fd = fd
        self.peer = Socket.peerName(fd)
        self.context = context
        self.queue = DispatchQueue(label: "annals.connection.\(id)")
        self.decoder = FrameDecoder(maxFrameSize: min(context.configuration.limits.maxFrameSize, Self.handshakeFrameLimit))
        var logger = context.logger
        logger[metadataKey: "connection"] = "\(id)"
        logger[metadataKey: "peer"] = "\(peer)"
        self.logger = logger
    }

    /// Starts reading. Call once, from any thread.
    func start() {
        queue.async { self.setUp() }
    }

    private func setUp() {
        dispatchPrecondition(condition: .onQueue(queue))
        let read = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        read.setEventHandler { [unowned self] in self.readAvailable() }
        let write = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: queue)
        write.setEventHandler { [unowned self] in self.flush() }
        // The fd is closed once both sources are cancelled; the sources keep `self` alive until then.
        let group = DispatchGroup()
        group.enter()
        group.enter()
        read.setCancelHandler { group.leave() }
        write.setCancelHandler { group.leave() }
        let fd = self.fd
        group.notify(queue: queue) {
            close(fd)
            self.context.connectionClosed(self)
        }
        let tick = DispatchSource.makeTimerSource(queue: queue)
        tick.schedule(deadline: .now() + 1, repeating: 1, leeway: .milliseconds(250))
        tick.setEventHandler { [unowned self] in self.checkTimeouts() }
        readSource = read
        writeSource = write
        timer = tick
        read.resume()
        tick.resume()
        logger.debug("connected")
    }

    // MARK: Reading

    private func readAvailable() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !closed else { return }
        if readBuffer.isEmpty {
            readBuffer = [UInt8](unsafeUninitializedCapacity: Self.readChunk) { _, count in count = Self.readChunk }
        }
        var budget = 1 << 20  // read at most 1 MiB per event, for fairness between connections
        while budget > 0 && !closed && !readingPaused {
            let n = readBuffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                budget -= n
                readBuffer.withUnsafeBytes { decoder.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                processFrames()
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

    private func processFrames() {
        while !closed && !closeWhenFlushed && !readingPaused {
            let frame: Frame?
            do {
                frame = try decoder.next()
            } catch {
                if error.code == .frameTooLarge && !authorized {
                    respondAndClose(ProtocolError(.frameTooLarge, "\(error.message); until a hello (with the token, when the server needs one) succeeds, frames are limited to \(decoder.maxFrameSize) bytes"), requestID: 0)
                } else {
                    respondAndClose(error, requestID: 0)
                }
                return
            }
            guard let frame else { return }
            lastFrameAt = .now()
            // The read timeout measures one frame: a pipelining client always has a next one started.
            partialSince = nil
            handle(frame)
            applyBackpressure()
        }
    }

    // MARK: Requests

    private func handle(_ frame: Frame) {
        let request: Request
        do {
            request = try Request(frame: frame)
        } catch {
            // A hello that does not decode is malformed (PROTOCOL.md §10), not a missing handshake.
            if !handshaken && frame.type != .hello && error.code != .unsupportedVersion {
                respondAndClose(ProtocolError(.handshakeRequired, "the first frame must be hello: \(error.message)"), requestID: frame.requestID)
            } else if error.code.closesConnection {
                respondAndClose(error, requestID: frame.requestID)
            } else {
                immediate(frame.requestID, .error(error))
            }
            return
        }
        guard handshaken else {
            guard case .hello(let hello) = request else {
                respondAndClose(ProtocolError(.handshakeRequired, "the first frame must be hello, not \(request.type)"), requestID: frame.requestID)
                return
            }
            greet(hello, requestID: frame.requestID)
            return
        }
        if case .hello(let hello) = request, !authorized {
            // Without the right token the client may say hello again with it (PROTOCOL.md §6.1, §10).
            greet(hello, requestID: frame.requestID)
            return
        }
        if case .goodbye = request {
            let slot = newSlot(frame.requestID)
            fill(slot, .success(.goodbye))
            closeWhenFlushed = true
            flushSlots()
            return
        }
        guard authorized else {
            immediate(frame.requestID, .error(ProtocolError(.unauthorized, helloHadToken
                ? "the token given in hello is not this server's token"
                : "this server needs a token, and the hello carried none")))
            return
        }
        dispatch(request, requestID: frame.requestID)
    }

    private func greet(_ hello: ClientHello, requestID: UInt32) {
        let config = context.configuration
        guard hello.protocolVersion == ProtocolVersion.current else {
            respondAndClose(ProtocolError(.unsupportedVersion,
                                          "protocol version \(hello.protocolVersion) is not supported; this server speaks \(ProtocolVersion.current)"),
                            requestID: requestID)
            return
        }
        handshaken = true
        helloHadToken = hello.token != nil
        if let token = config.token {
            authorized = hello.token.map { TokenCheck.equal($0, token) } ?? false
        } else {
            authorized = true
        }
        if authorized { decoder.maxFrameSize = config.limits.maxFrameSize }
        logger.debug("hello from \(hello.clientName)", metadata: ["authorized": "\(authorized)"])
        immediate(requestID, .hello(ServerHello(serverVersion: config.serverVersion, protocolVersion: ProtocolVersion.current,
                                                limits: config.limits, tokenRequired: config.token != nil)))
    }

    private func dispatch(_ request: Request, requestID: UInt32) {
        let store = context.store
        switch request {
        case .hello:
            immediate(requestID, .error(ProtocolError(.malformedFrame, "hello was already received")))
        case .ping(let nonce):
            immediate(requestID, .pong(nonce: nonce))
        case .append(let entries):
            guard entries.count <= context.configuration.limits.maxEventsPerBatch else {
                immediate(requestID, .error(ProtocolError(.batchTooLarge,
                    "\(entries.count) entries in one append; this server takes at most \(context.configuration.limits.maxEventsPerBatch)")))
                return
            }
            enqueue(StoreJob(slot: newSlot(requestID), kind: .append(entries), appendsBefore: appendsIssued, updatesBefore: updatesIssued))
            appendsIssued += 1
        case .amend(let event):
            inStore(requestID, update: true) { () throws(StoreError) in .record(try store.amend(event)) }
        case .retract(let id, let reason):
            inStore(requestID, update: true) { () throws(StoreError) in .record(try store.retract(id: id, reason: reason)) }
        case .get(let id, let revision):
            inStore(requestID) { () throws(StoreError) in
                guard let detail = try store.encodedDetail(id: id, revision: revision) else {
                    throw StoreError(.notFound, "no event with id '\(id)'")
                }
                return .encodedDetail(detail)
            }
        case .timeline(let query):
            guard query.limit <= context.configuration.limits.maxTimelinePage else {
                immediate(requestID, .error(ProtocolError(.invalidQuery,
                    "limit \(query.limit) is over this server's page limit of \(context.configuration.limits.maxTimelinePage)")))
                return
            }
            let job = StoreJob(slot: newSlot(requestID), kind: .store(update: false, {
                Result { () throws(StoreError) in
                    let page = try store.encodedTimeline(query)
                    return .encodedPage(page.records, nextCursor: page.nextCursor)
                }
            }), appendsBefore: appendsIssued, updatesBefore: updatesIssued, searches: query.text != nil)
            enqueue(job)
        case .stats:
            inStore(requestID) { () throws(StoreError) in .stats(try store.stats()) }
        case .subscribe(let query, let fromSeq):
            subscribe(query, fromSeq: fromSeq, requestID: requestID)
        case .unsubscribe(let subscriptionID):
            guard let subscription = subscriptions.removeValue(forKey: subscriptionID) else {
                immediate(requestID, .error(ProtocolError(.notFound, "no subscription with request id \(subscriptionID)")))
                return
            }
            // A reply still held for its flag goes out first, saying no catch-up follows.
            announce(subscription, more: false)
            immediate(requestID, .unsubscribed)
        case .readLog(let query, let afterSeq, let limit):
            readLog(query, afterSeq: afterSeq, limit: limit, requestID: requestID)
        case .goodbye:
            break
        }
    }

    /// Answers `readLog` with one `logPage` frame: entries up to `limit`, and as many as fit in a frame.
    private func readLog(_ query: TimelineQuery, afterSeq: Int64, limit: Int, requestID: UInt32) {
        guard (1...TimelineQuery.maxLimit).contains(limit) else {
            immediate(requestID, .error(ProtocolError(.invalidQuery, "readLog limit must be between 1 and \(TimelineQuery.maxLimit), not \(limit)")))
            return
        }
        let filter: LogFilter
        do {
            filter = try LogFilter(query)
        } catch {
            immediate(requestID, .error(ProtocolError(.invalidQuery, error.message)))
            return
        }
        let store = context.store
        let budget = context.configuration.limits.maxFrameSize + Frame.lengthPrefixSize - Response.logPageOverhead
        inStore(requestID) { () throws(StoreError) in
            let page = try filter.page(from: store, after: afterSeq, limit: limit, byteBudget: budget,
                                       size: Response.logPageEntrySize)
            return .logPage(entries: page.entries, nextSeq: page.nextSeq, end: page.end)
        }
    }

    /// Runs `work` (a read through the `ReadScheduler`, or an update on the update queue) and sends its
    /// response in order.
    /// - Parameter update: `work` writes (amend, retract): later requests wait for it.
    private func inStore(_ requestID: UInt32, update: Bool = false, _ work: @escaping @Sendable () throws(StoreError) -> Response) {
        let job = StoreJob(slot: newSlot(requestID), kind: .store(update: update, { Result { () throws(StoreError) in try work() } }),
                           appendsBefore: appendsIssued, updatesBefore: updatesIssued)
        if update { updatesIssued += 1 }
        enqueue(job)
    }

    private func enqueue(_ job: StoreJob) {
        waitingJobs.append(job)
        startStoreJobs()
    }

    /// Starts waiting store jobs strictly in request order, each once the writes sent before it have finished
    /// (appends only wait for amends and retracts: the store keeps appends in the order they arrive), while
    /// fewer than `maxStoreJobs` run at once and the answers not yet sent stay under the output
    /// high-water mark. A client that pipelines requests and reads nothing thus holds at most the high-water
    /// mark plus a couple of answers in the server, not every answer it asked for.
    private func startStoreJobs() {
        dispatchPrecondition(condition: .onQueue(queue))
        let highWater = context.configuration.outputHighWater
        while !closed, waitingHead < waitingJobs.count, output.count + heldResponseBytes < highWater {
            let job = waitingJobs[waitingHead]
            guard updatesDone >= job.updatesBefore else { break }
            if job.searches, appendsDone >= job.appendsBefore, !searchableThrough(lastWriteSeq, for: job) { break }
            switch job.kind {
            case .append(let entries):
                guard !waitingForAppendBudget else { return }
                guard context.appendBudget.take(entries.count, orWhenFreed: { self.queue.async { self.appendBudgetFreed() } }) else {
                    waitingForAppendBudget = true
                    applyBackpressure()
                    return
                }
                waitingHead += 1
                context.store.append(entries) { result in
                    self.context.appendBudget.giveBack(entries.count)
                    self.queue.async {
                        self.appendsDone += 1
                        if case .success(let outcomes) = result {
                            for case .accepted(let seq) in outcomes { self.lastWriteSeq = max(self.lastWriteSeq, seq) }
                            for case .duplicate(let seq) in outcomes { self.lastWriteSeq = max(self.lastWriteSeq, seq) }
                        }
                        self.fill(job.slot, result.map(Response.appendResult))
                        self.startStoreJobs()
                    }
                }
            case .store(let update, let work):
                guard appendsDone >= job.appendsBefore, storeJobsRunning < Self.maxStoreJobs else { return }
                waitingHead += 1
                storeJobsRunning += 1
                if update {
                    context.updates.async {
                        let result = work()
                        self.queue.async { self.finishStoreJob(job, update: true, result) }
                    }
                } else {
                    context.reads.submit(on: queue) { onConnectionQueue in
                        let result = work()
                        if onConnectionQueue {
                            self.finishStoreJob(job, update: false, result)
                        } else {
                            self.queue.async { self.finishStoreJob(job, update: false, result) }
                        }
                    }
                }
            }
        }
        if waitingHead == waitingJobs.count {
            waitingJobs.removeAll(keepingCapacity: true)
            waitingHead = 0
        }
    }

    /// Whether a search may run: it must see this connection's writes sent before it (read-your-writes), and
    /// the full-text index follows the log behind it. When it does not yet, waits for the index (at most
    /// `searchWaitSeconds`, then the search fails with search-unavailable) and tries again.
    private func searchableThrough(_ seq: Int64, for job: StoreJob) -> Bool {
        if waitingForSearch { return false }
        let ready = Atomic<Bool>(false)
        let store = context.store
        waitingForSearch = true
        store.whenSearchable(through: seq, timeout: Self.searchWaitSeconds) { ok in
            if ready.exchange(true, ordering: .acquiringAndReleasing) {
                // Answered later than the check below: the job waits on the queue.
                self.queue.async { self.searchWaitEnded(ok, job: job) }
            }
        }
        if ready.exchange(true, ordering: .acquiringAndReleasing) {
            // Answered at once, within the call: searchable (or the store is closing).
            waitingForSearch = false
            return true
        }
        return false
    }

    private func searchWaitEnded(_ ok: Bool, job: StoreJob) {
        waitingForSearch = false
        guard !ok, waitingHead < waitingJobs.count, waitingJobs[waitingHead].slot === job.slot else {
            startStoreJobs()
            return
        }
        waitingHead += 1
        fill(job.slot, .success(.error(ProtocolError(.searchUnavailable,
            "the full-text index has not reached this search's log position within \(Int(Self.searchWaitSeconds)) s; try again"))))
        startStoreJobs()
    }

    /// How long a search waits for the full-text index to pass the writes it must see.
    static let searchWaitSeconds: Double = 30

    private func appendBudgetFreed() {
        waitingForAppendBudget = false
        startStoreJobs()
        applyBackpressure()
    }

    private func finishStoreJob(_ job: StoreJob, update: Bool, _ result: Result<Response, StoreError>) {
        dispatchPrecondition(condition: .onQueue(queue))
        storeJobsRunning -= 1
        if update {
            updatesDone += 1
            if case .success(.record(let record)) = result { lastWriteSeq = max(lastWriteSeq, record.seq) }
        }
        fill(job.slot, result)
        startStoreJobs()
    }

    // MARK: Response slots

    private func newSlot(_ requestID: UInt32) -> ResponseSlot {
        let slot = ResponseSlot(requestID: requestID)
        slots.append(slot)
        return slot
    }

    private func immediate(_ requestID: UInt32, _ response: Response) {
        fill(newSlot(requestID), .success(response))
    }

    private func fill(_ slot: ResponseSlot, _ result: Result<Response, StoreError>) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !closed else { return }
        if case .success(.subscribed(let lastSeq)) = result, let subscription = slot.subscription {
            start(subscription, lastSeq: lastSeq, slot: slot)
            return
        }
        let response: Response
        switch result {
        case .success(let r): response = r
        case .failure(let error): response = .error(ProtocolError(storeError: error))
        }
        do {
            slot.frames = try response.encodeFrames(requestID: slot.requestID, maxFrameSize: context.configuration.limits.maxFrameSize)
        } catch {
            slot.frames = [Response.error(error).encode(requestID: slot.requestID)]
        }
        heldResponseBytes += slot.byteCount
        if case .error(let error) = response, error.code.closesConnection { slot.closeAfter = true }
        flushSlots()
    }

    /// Moves completed slots, in request order, to the output buffer.
    private func flushSlots() {
        while slotHead < slots.count, let frames = slots[slotHead].frames {
            let slot = slots[slotHead]
            slotHead += 1
            heldResponseBytes -= slot.byteCount
            for frame in frames { output.append(frame) }
            slot.onSent?()
            if slot.closeAfter { closeWhenFlushed = true }
        }
        if slotHead == slots.count {
            slots.removeAll(keepingCapacity: true)
            slotHead = 0
        } else if slotHead > 1024 {
            slots.removeFirst(slotHead)
            slotHead = 0
        }
        flush()
    }

    private var inFlight: Int { slots.count - slotHead }

    // MARK: Writing and backpressure

    private func flush() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !closed else { return }
        let before = output.count
        switch output.flush(to: fd) {
        case .drained:
            if writeSourceRunning {
                writeSource?.suspend()
                writeSourceRunning = false
            }
            if closeWhenFlushed && inFlight == 0 {
                shutDown()
                return
            }
        case .wouldBlock:
            if !writeSourceRunning {
                writeSource?.resume()
                writeSourceRunning = true
            }
        case .failed(let code):
            logger.debug("write failed: errno \(code)")
            shutDown()
            return
        }
        if output.count < before || output.isEmpty { lastSendProgress = .now() }
        applyBackpressure()
        startStoreJobs()
        pumpSubscriptions()
    }

    private func applyBackpressure() {
        let config = context.configuration
        if !readingPaused && (output.count > config.outputHighWater || inFlight >= config.maxInFlight || waitingForAppendBudget) {
            readingPaused = true
            readSource?.suspend()
        } else if readingPaused && output.count < config.outputLowWater && inFlight < config.maxInFlight / 2
                    && !waitingForAppendBudget && !closed {
            readingPaused = false
            partialSince = nil  // the wait was ours, not the client's
            readSource?.resume()
            // Frames may already be buffered in the decoder.
            queue.async { self.processFrames() }
        }
    }

    // MARK: Subscriptions

    /// Subscribes: once the writes sent before it have finished, reads the last log position, then
    /// catches up from `fromSeq` and follows live. The `subscribed` reply is held until the first catch-up
    /// match is found (or the catch-up ends without one) so its `more` flag can say whether catch-up
    /// entries follow; the last catch-up entry is held back the same way (PROTOCOL.md §8.2).
    private func subscribe(_ query: TimelineQuery, fromSeq: Int64, requestID: UInt32) {
        if query.referencedBy != nil {
            immediate(requestID, .error(ProtocolError(.invalidQuery, "subscriptions cannot filter by referenced-by")))
            return
        }
        if subscriptions[requestID] != nil {
            immediate(requestID, .error(ProtocolError(.conflict, "request id \(requestID) already names an active subscription")))
            return
        }
        let filter: LogFilter
        do {
            filter = try LogFilter(query)
        } catch {
            immediate(requestID, .error(ProtocolError(.invalidQuery, error.message)))
            return
        }
        let store = context.store
        let job = StoreJob(slot: newSlot(requestID), kind: .store(update: false, {
            Result { () throws(StoreError) in Response.subscribed(lastSeq: try store.lastSeq()) }
        }), appendsBefore: appendsIssued, updatesBefore: updatesIssued)
        job.slot.subscription = Subscription(id: requestID, filter: filter, cursor: max(0, fromSeq))
        enqueue(job)
    }

    /// Starts a subscription once its `lastSeq` is known.
    private func start(_ subscription: Subscription, lastSeq: Int64, slot: ResponseSlot) {
        subscription.catchUpEnd = lastSeq
        subscription.subscribedSlot = slot
        slot.onSent = { [unowned self] in
            subscription.announced = true
            for frame in subscription.pendingFrames { self.output.append(frame) }
            subscription.pendingFrames.removeAll()
        }
        subscriptions[subscription.id] = subscription
        if subscription.cursor >= lastSeq { finishCatchUp(subscription) }
        flushSlots()
    }

    /// Sends `frame` for `subscription`: now if its `subscribed` reply is out, else right after it.
    private func emit(_ frame: [UInt8], for subscription: Subscription) {
        if subscription.announced { output.append(frame) } else { subscription.pendingFrames.append(frame) }
    }

    /// Fills the held `subscribed` reply.
    private func announce(_ subscription: Subscription, more: Bool) {
        guard let slot = subscription.subscribedSlot else { return }
        subscription.subscribedSlot = nil
        slot.frames = [Response.subscribed(lastSeq: subscription.catchUpEnd).encode(requestID: subscription.id, more: more)]
    }

    /// Marks the end of catch-up: the last catch-up frame (or the reply itself) goes out with `more` = 0.
    private func finishCatchUp(_ subscription: Subscription) {
        guard !subscription.caughtUp else { return }
        subscription.caughtUp = true
        if subscription.subscribedSlot != nil {
            announce(subscription, more: false)
        } else if let held = subscription.held {
            subscription.held = nil
            emit(Response.pushed(seq: held.seq, entry: held.entry).encode(requestID: subscription.id, more: false), for: subscription)
        }
    }

    /// Called (on any thread) when the store commits up to `seq`.
    func storeCommitted() {
        queue.async { self.pumpSubscriptions() }
    }

    /// Fetches and pushes entries for subscriptions that are behind, while the output has room.
    private func pumpSubscriptions() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !closed, !subscriptions.isEmpty else { return }
        let config = context.configuration
        if output.count > config.subscriberBufferLimit, let slow = subscriptions.keys.min() {
            respondAndClose(ProtocolError(.serverBusy, "subscriber too slow: \(output.count) bytes of pushes unread; resubscribe from the last seq received"),
                            requestID: slow)
            return
        }
        guard output.count < config.outputLowWater else { return }
        let last = context.lastSeq
        for subscription in subscriptions.values where !subscription.fetching && subscription.cursor < max(last, subscription.catchUpEnd) {
            // Wait for the reply to go out before reading further than the one entry that decides its flag.
            if !subscription.announced && subscription.subscribedSlot == nil { continue }
            subscription.fetching = true
            let store = context.store
            let cursor = subscription.cursor
            let limit = subscription.fetchLimit
            context.reads.submit(on: nil) { _ in
                let result = Result { () throws(StoreError) in try subscription.fetch(from: store, after: cursor, limit: limit) }
                self.queue.async { self.deliver(result, to: subscription) }
            }
        }
    }

    private func deliver(_ result: Result<(matches: [SequencedEntry], cursor: Int64), StoreError>, to subscription: Subscription) {
        subscription.fetching = false
        guard !closed, subscriptions[subscription.id] === subscription else { return }
        switch result {
        case .success(let (matches, cursor)):
            var bytes = 0
            for match in matches {
                if !subscription.caughtUp && match.seq <= subscription.catchUpEnd {
                    // A catch-up entry: the previous one, if any, is not the last.
                    announce(subscription, more: true)
                    if let held = subscription.held {
                        let frame = Response.pushed(seq: held.seq, entry: held.entry).encode(requestID: subscription.id, more: true)
                        bytes += frame.count
                        emit(frame, for: subscription)
                    }
                    subscription.held = match
                } else {
                    finishCatchUp(subscription)
                    let frame = Response.pushed(seq: match.seq, entry: match.entry).encode(requestID: subscription.id, more: false)
                    bytes += frame.count
                    emit(frame, for: subscription)
                }
            }
            subscription.adapt(count: matches.count, bytes: bytes, budget: context.configuration.outputLowWater)
            subscription.cursor = cursor
            if cursor >= subscription.catchUpEnd { finishCatchUp(subscription) }
            flushSlots()
        case .failure(let error):
            logger.warning("subscription \(subscription.id) failed: \(error)")
            subscriptions[subscription.id] = nil
            if let slot = subscription.subscribedSlot {
                subscription.subscribedSlot = nil
                slot.frames = [Response.error(ProtocolError(storeError: error)).encode(requestID: subscription.id)]
            } else {
                emit(Response.error(ProtocolError(storeError: error)).encode(requestID: subscription.id), for: subscription)
            }
            flushSlots()
        }
    }

    // MARK: Timeouts and closing

    private func checkTimeouts() {
        guard !closed else { return }
        let config = context.configuration
        let now = DispatchTime.now()
        func seconds(since t: DispatchTime) -> Double { Double(now.uptimeNanoseconds - t.uptimeNanoseconds) / 1e9 }
        if let partialSince, !readingPaused, seconds(since: partialSince) > Double(config.readTimeoutSeconds) {
            respondAndClose(ProtocolError(.timeout, "a frame took over \(config.readTimeoutSeconds) s to arrive"), requestID: 0)
        } else if !output.isEmpty && seconds(since: lastSendProgress) > Double(config.writeTimeoutSeconds) {
            logger.info("closing: the client read nothing for \(config.writeTimeoutSeconds) s")
            shutDown()
        } else if inFlight == 0 && seconds(since: lastFrameAt) > Double(config.idleTimeoutSeconds) {
            // Subscriptions do not keep a connection alive (PROTOCOL.md §6.2): listeners ping.
            respondAndClose(ProtocolError(.timeout, "idle for over \(config.idleTimeoutSeconds) s"), requestID: 0)
        } else if !handshaken && seconds(since: lastFrameAt) > Double(min(config.idleTimeoutSeconds, config.readTimeoutSeconds)) {
            respondAndClose(ProtocolError(.timeout, "no hello within \(min(config.idleTimeoutSeconds, config.readTimeoutSeconds)) s"), requestID: 0)
        }
    }

    /// Sends `error` after the responses already queued, then closes.
    private func respondAndClose(_ error: ProtocolError, requestID: UInt32) {
        logger.debug("closing after error", metadata: ["code": "\(error.code.name)", "message": "\(error.message)"])
        // The error goes out now, ahead of responses still being worked on: those are abandoned.
        slots.removeAll()
        slotHead = 0
        heldResponseBytes = 0
        waitingJobs.removeAll()
        waitingHead = 0
        output.append(Response.error(error).encode(requestID: requestID))
        closeWhenFlushed = true
        stopReading()
        flush()
    }

    private func stopReading() {
        if !readingPaused {
            readingPaused = true
            readSource?.suspend()
        }
    }

    /// Finishes what is in flight, sends it, then closes (server shutdown).
    func drainAndClose() {
        queue.async {
            guard !self.closed else { return }
            self.stopReading()
            // A subscription still catching up holds its reply: send it, so nothing is left in flight.
            for subscription in self.subscriptions.values { self.announce(subscription, more: false) }
            self.flushSlots()
            // Then say why the connection ends: to each subscription, or to the connection (request id 0).
            let ids = self.subscriptions.isEmpty ? [UInt32(0)] : self.subscriptions.keys.sorted()
            self.subscriptions.removeAll()
            let shutdown = ProtocolError(.shuttingDown, "the server is shutting down")
            for id in ids { self.immediate(id, .error(shutdown)) }
            self.closeWhenFlushed = true
            self.flushSlots()
        }
    }

    /// Closes now: cancels the sources (the fd is closed by their cancel handlers).
    func shutDown() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !closed else { return }
        closed = true
        subscriptions.removeAll()
        timer?.cancel()
        // A suspended source never runs its cancel handler: resume before cancelling.
        if readingPaused { readSource?.resume() }
        if !writeSourceRunning { writeSource?.resume() }
        readSource?.cancel()
        writeSource?.cancel()
        logger.debug("closed")
    }
}

/// A request waiting for the store, with the writes of its connection it must see.
struct StoreJob: @unchecked Sendable {
    enum Kind {
        /// Handed to the store's group commit.
        case append([LogEntry])
        /// A read through the `ReadScheduler`, or an amend or retraction (`update`) on the update queue.
        case store(update: Bool, @Sendable () -> Result<Response, StoreError>)
    }

    let slot: ResponseSlot
    let kind: Kind
    /// Appends and updates this connection issued before this request.
    let appendsBefore: Int
    let updatesBefore: Int
    /// A search: it waits for the full-text index to pass the connection's writes.
    var searches = false
}

/// The response to one request, filled when its work completes. Confined to its connection's queue
/// (it only travels through other queues untouched), hence `@unchecked Sendable`.
final class ResponseSlot: @unchecked Sendable {
    let requestID: UInt32
    var frames: [[UInt8]]? {
        didSet { byteCount = frames?.reduce(0) { $0 + $1.count } ?? 0 }
    }
    /// The bytes of `frames`.
    private(set) var byteCount = 0
    var closeAfter = false
    /// Runs once the response has been queued for sending (subscriptions start then).
    var onSent: (() -> Void)?
    /// For a subscribe request: the subscription its `subscribed` reply starts.
    var subscription: Subscription?

    init(requestID: UInt32) {
        self.requestID = requestID
    }
}

extension ProtocolError {
    /// The wire error for a store failure.
    init(storeError: StoreError) {
        switch storeError.code {
        case .invalidEvent: self.init(.invalidEvent, storeError.message, eventError: storeError.eventError)
        case .conflict: self.init(.conflict, storeError.message, eventError: storeError.eventError)
        case .notFound: self.init(.notFound, storeError.message, eventError: storeError.eventError)
        case .invalidQuery: self.init(.invalidQuery, storeError.message)
        case .full: self.init(.storageFull, storeError.message)
        case .closed: self.init(.shuttingDown, storeError.message)
        case .corrupt, .io: self.init(.internal, storeError.message)
        }
    }
}
