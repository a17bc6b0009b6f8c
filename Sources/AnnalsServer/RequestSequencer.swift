/// The order of one connection's requests and responses, as a value with no I/O: its methods take what
/// happened (a request decoded, store work finished, output written…) and return the `Action`s the
/// connection performs, so every rule below is unit-tested without sockets.
///
/// - Responses go out in request order (PROTOCOL.md §9.2); a subscription's pushes go right after its
///   `subscribed` reply, or at once when it is out.
/// - Store work starts in request order, each once the writes sent before it on the connection have
///   finished (read-your-writes): reads and updates wait for earlier appends and updates; appends wait for
///   earlier updates only, since the store keeps appends in the order they arrive.
/// - A search also waits for the full-text index to pass the connection's last write (§9.3).
/// - At most `maxRunning` reads and updates run at once; an append first reserves room in the server's append
///   budget. Nothing starts while the answers not yet sent pass the output high-water mark.
/// - Reading pauses while the unsent output passes the high-water mark, while `maxInFlight` requests are
///   unanswered, while an append waits for budget, and for good once the connection closes; it resumes below
///   the low-water mark and half the in-flight limit.
/// - After `goodbye`, an answer whose error closes, or a shutdown, no request is taken and the connection
///   closes once every earlier answer is sent; an error that closes at once abandons the rest (§6.3).
struct RequestSequencer<Job> {
    /// Names one request's response slot in the events about it.
    typealias Ticket = Int

    /// What a request needs from the store, as far as ordering goes.
    enum Work: Equatable, Sendable {
        /// Reads the store (runs on the connection's loop).
        case read
        /// A read that must see the connection's writes in the full-text index.
        case search
        /// An amend or a retraction: writes, and waits for the writer.
        case update
        /// An append of `events` entries, handed to the writer.
        case append(events: Int)
    }

    /// What the connection must do.
    enum Action {
        /// Run `job` for the request; report with `finish(ticket, …)`.
        case start(Ticket, requestID: UInt32, Job)
        /// Take `events` from the append budget; report with `budgetReserved(ticket)` or `budgetFull()`.
        case reserveBudget(Ticket, events: Int)
        /// Ask the store when searches see the log through `seq`; report with `searchable(_:)`.
        case awaitSearchable(through: Int64)
        /// The search could not wait any longer: answer it with search-unavailable through `finish`.
        case searchUnavailable(Ticket, requestID: UInt32)
        /// Queue these frames for sending, in this order.
        case send([[UInt8]])
        case pauseReading
        case resumeReading
        /// Everything is sent: close the connection.
        case close
    }

    /// The connection's thresholds (from `ServerConfiguration`).
    struct Limits: Sendable {
        var maxInFlight = 256
        var outputHighWater = 8 << 20
        var outputLowWater = 1 << 20
        /// Reads and updates of one connection running at once: one running and one ready, so the connection
        /// never idles between them; more would only hold answers the client has not read.
        var maxRunning = 2
    }

    private enum State {
        case waiting(Job, Work, appendsBefore: Int, updatesBefore: Int)
        case running(Work)
        case done(frames: [[UInt8]], bytes: Int, closes: Bool)
    }

    private struct Slot {
        let requestID: UInt32
        var state: State
        /// Pushes that go right after this response (the `subscribed` reply of a subscription).
        var trailing: [[UInt8]] = []
    }

    let limits: Limits
    /// Unanswered requests in request order, from `head` on; `slots[i]` has ticket `firstTicket + i`.
    private var slots: [Slot] = []
    private var head = 0
    private var firstTicket = 0
    /// The first slot that may still wait to start.
    private var nextStart = 0
    private var appendsIssued = 0, appendsDone = 0, updatesIssued = 0, updatesDone = 0
    private var running = 0
    /// Bytes of answers done but waiting behind an earlier one, and bytes handed to the output and not yet written.
    private var heldBytes = 0, unsentBytes = 0
    /// The last log position this connection wrote (or found written): its searches must see it.
    private(set) var lastWriteSeq: Int64 = 0
    private var reserving: Ticket?
    private var waitingForBudget = false
    private var awaitingSearch = false
    private var searchCleared = false
    private(set) var readingPaused = false
    /// No more requests: the connection closes once everything before is sent.
    private var closing = false
    /// An error closed the connection at once: nothing more starts or is sent.
    private var failed = false
    private var closed = false

    init(limits: Limits) { self.limits = limits }

    /// Whether requests are still taken (not after goodbye, an error that closes, or a shutdown).
    var acceptsRequests: Bool { !closing }

    /// Requests received and not yet answered on the wire.
    var inFlight: Int { slots.count - head }

    /// Whether the response of `ticket` is still to be sent.
    func isPending(_ ticket: Ticket) -> Bool { index(of: ticket) != nil }

    // MARK: Events

    /// A request answered at once (ping, hello, errors that do not close).
    mutating func answer(_ requestID: UInt32, with frames: [[UInt8]], closes: Bool = false) -> [Action] {
        guard !closing else { return [] }
        var actions: [Action] = []
        append(Slot(requestID: requestID, state: .done(frames: frames, bytes: Self.size(frames), closes: closes)))
        release(into: &actions)
        return settle(actions)
    }

    /// A request that needs the store.
    mutating func enqueue(_ job: Job, _ work: Work, requestID: UInt32) -> [Action] {
        guard !closing else { return [] }
        append(Slot(requestID: requestID, state: .waiting(job, work, appendsBefore: appendsIssued, updatesBefore: updatesIssued)))
        switch work {
        case .append: appendsIssued += 1
        case .update: updatesIssued += 1
        case .read, .search: break
        }
        var actions: [Action] = []
        startWaiting(into: &actions)
        return settle(actions)
    }

    /// The store work of `ticket` is done; `frames` answer it. `wroteThrough` is the last log position a write
    /// wrote or found written (read-your-writes for later searches).
    mutating func finish(_ ticket: Ticket, with frames: [[UInt8]], closes: Bool = false, wroteThrough: Int64? = nil) -> [Action] {
        guard let index = index(of: ticket), case .running(let work) = slots[index].state else { return [] }
        switch work {
        case .append: appendsDone += 1
        case .update: updatesDone += 1; running -= 1
        case .read, .search: running -= 1
        }
        if let wroteThrough { lastWriteSeq = max(lastWriteSeq, wroteThrough) }
        let bytes = Self.size(frames)
        slots[index].state = .done(frames: frames, bytes: bytes, closes: closes)
        heldBytes += bytes
        var actions: [Action] = []
        release(into: &actions)
        startWaiting(into: &actions)
        return settle(actions)
    }

    /// The append budget had room for `ticket`: it starts.
    mutating func budgetReserved(_ ticket: Ticket) -> [Action] {
        guard reserving == ticket, let index = index(of: ticket), case .waiting(let job, let work, _, _) = slots[index].state else { return [] }
        reserving = nil
        slots[index].state = .running(work)
        nextStart = index + 1
        var actions: [Action] = [.start(ticket, requestID: slots[index].requestID, job)]
        startWaiting(into: &actions)
        return settle(actions)
    }

    /// The append budget had no room: the append waits (and reading pauses) until `budgetFreed`.
    mutating func budgetFull() -> [Action] {
        reserving = nil
        waitingForBudget = true
        return settle([])
    }

    /// Some of the append budget came back.
    mutating func budgetFreed() -> [Action] {
        waitingForBudget = false
        var actions: [Action] = []
        startWaiting(into: &actions)
        return settle(actions)
    }

    /// The answer to `awaitSearchable`: true once searches see the connection's writes, false when the wait
    /// timed out (the search is then answered search-unavailable).
    mutating func searchable(_ ok: Bool) -> [Action] {
        awaitingSearch = false
        var actions: [Action] = []
        if ok {
            searchCleared = true
        } else if nextStart < slots.count, case .waiting(_, .search, _, _) = slots[nextStart].state {
            slots[nextStart].state = .running(.search)
            running += 1
            actions.append(.searchUnavailable(ticket(at: nextStart), requestID: slots[nextStart].requestID))
            nextStart += 1
        }
        startWaiting(into: &actions)
        return settle(actions)
    }

    /// Pushes of the subscription opened by `ticket`: after its reply, or now when the reply is out.
    mutating func push(_ frames: [[UInt8]], after ticket: Ticket) -> [Action] {
        guard !failed, !frames.isEmpty else { return [] }
        if let index = index(of: ticket) {
            slots[index].trailing += frames
            return []
        }
        unsentBytes += Self.size(frames)
        return settle([.send(frames)])
    }

    /// The output was written down to `remaining` unsent bytes.
    mutating func written(remaining: Int) -> [Action] {
        unsentBytes = remaining
        var actions: [Action] = []
        startWaiting(into: &actions)
        return settle(actions)
    }

    /// `goodbye`: answered after every earlier request; then the connection closes.
    mutating func goodbye(_ requestID: UInt32, with frame: [UInt8]) -> [Action] {
        guard !closing else { return [] }
        var actions: [Action] = []
        append(Slot(requestID: requestID, state: .done(frames: [frame], bytes: frame.count, closes: true)))
        closing = true
        release(into: &actions)
        return settle(actions)
    }

    /// An error that closes at once: `frame` goes out now, requests not yet answered are abandoned.
    mutating func fail(with frame: [UInt8]) -> [Action] {
        guard !failed else { return [] }
        failed = true
        closing = true
        firstTicket += slots.count
        slots.removeAll()
        head = 0
        nextStart = 0
        heldBytes = 0
        reserving = nil
        unsentBytes += frame.count
        return settle([.send([frame])])
    }

    /// Server shutdown: answers the requests received, then sends `frames` and closes.
    mutating func drain(then frames: [[UInt8]]) -> [Action] {
        guard !closing else { return [] }
        var actions: [Action] = []
        append(Slot(requestID: 0, state: .done(frames: frames, bytes: Self.size(frames), closes: true)))
        closing = true
        release(into: &actions)
        return settle(actions)
    }

    // MARK: Rules

    /// Starts waiting work in request order while the rules allow.
    private mutating func startWaiting(into actions: inout [Action]) {
        while !failed, nextStart < slots.count {
            guard case .waiting(let job, let work, let appendsBefore, let updatesBefore) = slots[nextStart].state else {
                nextStart += 1
                continue
            }
            guard unsentBytes + heldBytes < limits.outputHighWater, updatesDone >= updatesBefore else { return }
            let ticket = ticket(at: nextStart)
            switch work {
            case .append(let events):
                guard !waitingForBudget, reserving == nil else { return }
                reserving = ticket
                actions.append(.reserveBudget(ticket, events: events))
                return  // continues with budgetReserved
            case .search where !searchCleared:
                guard appendsDone >= appendsBefore, !awaitingSearch else { return }
                awaitingSearch = true
                actions.append(.awaitSearchable(through: lastWriteSeq))
                return  // continues with searchable
            case .read, .search, .update:
                guard appendsDone >= appendsBefore, running < limits.maxRunning else { return }
                searchCleared = false
                running += 1
                slots[nextStart].state = .running(work)
                nextStart += 1
                actions.append(.start(ticket, requestID: slots[nextStart - 1].requestID, job))
            }
        }
    }

    /// Moves the answers that are done, in request order, to the output.
    private mutating func release(into actions: inout [Action]) {
        var frames: [[UInt8]] = []
        while !failed, head < slots.count, case .done(let done, let bytes, let closes) = slots[head].state {
            frames += done
            frames += slots[head].trailing
            heldBytes -= bytes
            unsentBytes += bytes + Self.size(slots[head].trailing)
            if closes { closing = true }
            slots[head].state = .done(frames: [], bytes: 0, closes: false)  // let the bytes go now
            slots[head].trailing = []
            head += 1
        }
        if head == slots.count || head >= 1024 {
            firstTicket += head
            slots.removeFirst(head)
            nextStart = max(0, nextStart - head)
            head = 0
        }
        if !frames.isEmpty { actions.append(.send(frames)) }
    }

    /// Pauses or resumes reading, and closes once everything is sent.
    private mutating func settle(_ actions: [Action]) -> [Action] {
        var actions = actions
        if closed { return actions }
        let mustPause = closing || unsentBytes > limits.outputHighWater || inFlight >= limits.maxInFlight || waitingForBudget
        if mustPause && !readingPaused {
            readingPaused = true
            actions.append(.pauseReading)
        } else if !mustPause && readingPaused && unsentBytes < limits.outputLowWater && inFlight < limits.maxInFlight / 2 {
            readingPaused = false
            actions.append(.resumeReading)
        }
        if closing && inFlight == 0 && unsentBytes == 0 {
            closed = true
            actions.append(.close)
        }
        return actions
    }

    private mutating func append(_ slot: Slot) {
        if case .done(_, let bytes, _) = slot.state { heldBytes += bytes }
        slots.append(slot)
    }

    private func ticket(at index: Int) -> Ticket { firstTicket + index }

    private func index(of ticket: Ticket) -> Int? {
        let index = ticket - firstTicket
        return index >= head && index < slots.count ? index : nil
    }

    private static func size(_ frames: [[UInt8]]) -> Int { frames.reduce(0) { $0 + $1.count } }
}

extension RequestSequencer.Action: Equatable where Job: Equatable {}
