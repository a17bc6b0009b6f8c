import Testing
@testable import AnnalsServer

/// The sequencer's rules, driven event by event without sockets. Jobs are strings; frames are a few bytes
/// naming their request.
@Suite("RequestSequencer: order, read-your-writes, backpressure and closing of one connection")
struct RequestSequencerTests {
    typealias Sequencer = RequestSequencer<String>
    typealias Action = Sequencer.Action

    static func frame(_ name: String, bytes: Int = 0) -> [UInt8] { Array(name.utf8) + [UInt8](repeating: 0, count: bytes) }

    /// The tickets of the `start` actions, by job.
    static func started(_ actions: [Action]) -> [String] {
        actions.compactMap { action -> String? in if case .start(_, _, let job) = action { job } else { nil } }
    }

    static func ticket(of job: String, in actions: [Action]) -> Int? {
        actions.lazy.compactMap { action -> Int? in if case .start(let ticket, _, let j) = action, j == job { ticket } else { nil } }.first
    }

    static func sent(_ actions: [Action]) -> [[UInt8]] {
        actions.flatMap { action -> [[UInt8]] in if case .send(let frames) = action { frames } else { [] } }
    }

    @Test func answersGoOutInRequestOrderWhateverOrderTheWorkFinishes() throws {
        var sequencer = Sequencer(limits: .init())
        let a = sequencer.enqueue("a", .read, requestID: 1)
        let b = sequencer.enqueue("b", .read, requestID: 2)
        let c = sequencer.enqueue("c", .read, requestID: 3)
        // Two reads run at once; the third waits for one of them.
        #expect(Self.started(a) == ["a"] && Self.started(b) == ["b"] && Self.started(c).isEmpty)
        let ping = sequencer.answer(4, with: [Self.frame("pong")])
        #expect(Self.sent(ping).isEmpty, "an answer ready at once waits for the requests before it")
        let finishedB = sequencer.finish(try #require(Self.ticket(of: "b", in: b)), with: [Self.frame("b")])
        #expect(Self.sent(finishedB).isEmpty)
        #expect(Self.started(finishedB) == ["c"])
        let finishedA = sequencer.finish(try #require(Self.ticket(of: "a", in: a)), with: [Self.frame("a1"), Self.frame("a2")])
        // One send for everything ready, in order: the split answer's frames stay together.
        #expect(finishedA.filter { if case .send = $0 { true } else { false } }.count == 1)
        #expect(Self.sent(finishedA) == [Self.frame("a1"), Self.frame("a2"), Self.frame("b")])
        #expect(sequencer.inFlight == 2)
        let finishedC = sequencer.finish(try #require(Self.ticket(of: "c", in: finishedB)), with: [Self.frame("c")])
        #expect(Self.sent(finishedC) == [Self.frame("c"), Self.frame("pong")])
        #expect(sequencer.inFlight == 0)
    }

    @Test func readsAndUpdatesWaitForEarlierWritesWhileAppendsGoTogether() throws {
        var sequencer = Sequencer(limits: .init())
        var actions = sequencer.enqueue("append-1", .append(events: 10), requestID: 1)
        #expect(actions == [.reserveBudget(0, events: 10)])
        actions = sequencer.budgetReserved(0)
        #expect(Self.started(actions) == ["append-1"])
        actions = sequencer.enqueue("append-2", .append(events: 5), requestID: 2)
        #expect(actions == [.reserveBudget(1, events: 5)], "pipelined appends do not wait for each other")
        #expect(Self.started(sequencer.budgetReserved(1)) == ["append-2"])
        #expect(Self.started(sequencer.enqueue("get", .read, requestID: 3)).isEmpty, "a read waits for the appends before it")
        #expect(Self.started(sequencer.finish(0, with: [Self.frame("ok-1")], wroteThrough: 10)).isEmpty)
        let afterAppends = sequencer.finish(1, with: [Self.frame("ok-2")], wroteThrough: 15)
        #expect(Self.started(afterAppends) == ["get"])
        #expect(sequencer.lastWriteSeq == 15)

        // An append waits for an update before it; so does a read.
        var other = Sequencer(limits: .init())
        #expect(Self.started(other.enqueue("amend", .update, requestID: 1)) == ["amend"])
        #expect(other.enqueue("append", .append(events: 1), requestID: 2).isEmpty)
        #expect(other.enqueue("get", .read, requestID: 3).isEmpty)
        actions = other.finish(0, with: [Self.frame("record")], wroteThrough: 7)
        #expect(actions.contains(.reserveBudget(1, events: 1)))
        #expect(Self.started(actions).isEmpty, "the read also waits for the append, which has not started")
        #expect(Self.started(other.budgetReserved(1)) == ["append"], "and the read still waits for it")
        #expect(Self.started(other.finish(1, with: [Self.frame("ok")], wroteThrough: 8)) == ["get"])
        #expect(other.lastWriteSeq == 8)
    }

    @Test func aSearchWaitsForTheIndexToPassTheConnectionsWrites() throws {
        var sequencer = Sequencer(limits: .init())
        _ = sequencer.enqueue("append", .append(events: 1), requestID: 1)
        _ = sequencer.budgetReserved(0)
        #expect(sequencer.enqueue("search", .search, requestID: 2).isEmpty)
        #expect(sequencer.enqueue("get", .read, requestID: 3).isEmpty, "requests start in order: the read waits behind the search")
        let appended = sequencer.finish(0, with: [Self.frame("ok")], wroteThrough: 42)
        #expect(appended.contains(.awaitSearchable(through: 42)))
        #expect(Self.started(appended).isEmpty)
        let ready = sequencer.searchable(true)
        #expect(Self.started(ready) == ["search", "get"])

        // The index does not get there in time: the search is answered search-unavailable, the rest go on.
        var slow = Sequencer(limits: .init())
        #expect(slow.enqueue("search", .search, requestID: 9) == [.awaitSearchable(through: 0)])
        #expect(slow.enqueue("get", .read, requestID: 10).isEmpty)
        let gaveUp = slow.searchable(false)
        #expect(gaveUp.contains(.searchUnavailable(0, requestID: 9)))
        #expect(Self.started(gaveUp) == ["get"])
        #expect(Self.sent(slow.finish(0, with: [Self.frame("unavailable")])) == [Self.frame("unavailable")])
    }

    @Test func readingPausesAtTheInFlightLimitAndResumesAtHalf() throws {
        var sequencer = Sequencer(limits: .init(maxInFlight: 4))
        var actions: [Action] = []
        for id in 1...4 { actions += sequencer.enqueue("get-\(id)", .read, requestID: UInt32(id)) }
        #expect(actions.last == .pauseReading)
        #expect(sequencer.readingPaused)
        // Answering two leaves 2 in flight: not under half yet.
        actions = sequencer.finish(0, with: [Self.frame("1")]) + sequencer.finish(1, with: [Self.frame("2")])
        #expect(!actions.contains(.resumeReading))
        actions = sequencer.written(remaining: 0)
        #expect(!actions.contains(.resumeReading))
        actions = sequencer.finish(2, with: [Self.frame("3")])
        #expect(actions.contains(.resumeReading))
    }

    @Test func unsentOutputPausesReadingAndHoldsBackWork() throws {
        var sequencer = Sequencer(limits: .init(outputHighWater: 1000, outputLowWater: 100))
        var actions = sequencer.answer(1, with: [Self.frame("big", bytes: 1500)])
        #expect(actions.contains(.pauseReading))
        // Nothing starts while the unsent output is over the high-water mark.
        #expect(sequencer.enqueue("get", .read, requestID: 2).isEmpty)
        actions = sequencer.written(remaining: 500)
        #expect(Self.started(actions) == ["get"])
        #expect(!actions.contains(.resumeReading), "500 bytes are still over the low-water mark")
        actions = sequencer.written(remaining: 50)
        #expect(actions.contains(.resumeReading))
    }

    @Test func anAppendWaitsForTheBudgetWithReadingPaused() throws {
        var sequencer = Sequencer(limits: .init())
        #expect(sequencer.enqueue("append", .append(events: 100), requestID: 1) == [.reserveBudget(0, events: 100)])
        #expect(sequencer.budgetFull() == [.pauseReading])
        #expect(sequencer.enqueue("later", .append(events: 1), requestID: 2).isEmpty)
        let freed = sequencer.budgetFreed()
        #expect(freed == [.reserveBudget(0, events: 100), .resumeReading])
        #expect(sequencer.budgetReserved(1).isEmpty, "only the reservation asked for is taken")
        let started = sequencer.budgetReserved(0)
        #expect(Self.started(started) == ["append"])
        #expect(started.contains(.reserveBudget(1, events: 1)), "then the next append asks for its share")
    }

    @Test func goodbyeIsAnsweredAfterEveryEarlierRequestThenTheConnectionCloses() throws {
        var sequencer = Sequencer(limits: .init())
        _ = sequencer.enqueue("get", .read, requestID: 1)
        var actions = sequencer.goodbye(2, with: Self.frame("bye"))
        #expect(actions == [.pauseReading])
        #expect(!sequencer.acceptsRequests)
        #expect(sequencer.enqueue("ignored", .read, requestID: 3).isEmpty)
        actions = sequencer.finish(0, with: [Self.frame("detail")])
        #expect(Self.sent(actions) == [Self.frame("detail"), Self.frame("bye")])
        #expect(!actions.contains(.close), "not before the output is written")
        #expect(sequencer.written(remaining: 0) == [.close])
    }

    @Test func anErrorThatClosesGoesOutAtOnceAndAbandonsTheRest() throws {
        var sequencer = Sequencer(limits: .init())
        _ = sequencer.enqueue("get", .read, requestID: 1)
        _ = sequencer.answer(2, with: [Self.frame("pong")])
        let actions = sequencer.fail(with: Self.frame("malformed"))
        #expect(actions == [.send([Self.frame("malformed")]), .pauseReading])
        #expect(sequencer.finish(0, with: [Self.frame("late")]).isEmpty, "work that finishes later is dropped")
        #expect(sequencer.inFlight == 0)
        #expect(sequencer.written(remaining: 0) == [.close])

        // An answer whose error closes: the requests before it are answered, nothing after it is taken.
        var other = Sequencer(limits: .init())
        _ = other.enqueue("get", .read, requestID: 1)
        #expect(other.answer(2, with: [Self.frame("second hello")], closes: true).isEmpty)
        #expect(other.acceptsRequests, "it closes once sent, not before the answers before it")
        let sent = other.finish(0, with: [Self.frame("detail")])
        #expect(Self.sent(sent) == [Self.frame("detail"), Self.frame("second hello")])
        #expect(sent.contains(.pauseReading))
        #expect(!other.acceptsRequests)
        #expect(other.written(remaining: 0) == [.close])
    }

    @Test func pushesWaitForTheirSubscriptionsReply() throws {
        var sequencer = Sequencer(limits: .init())
        _ = sequencer.enqueue("slow", .read, requestID: 1)
        let subscribe = sequencer.enqueue("subscribe", .read, requestID: 2)
        let ticket = try #require(Self.ticket(of: "subscribe", in: subscribe))
        #expect(sequencer.push([Self.frame("early push")], after: ticket).isEmpty)
        #expect(Self.sent(sequencer.finish(ticket, with: [Self.frame("subscribed")])).isEmpty, "the reply waits for the slow read")
        #expect(sequencer.push([Self.frame("push 2")], after: ticket).isEmpty)
        let out = sequencer.finish(0, with: [Self.frame("slow")])
        #expect(Self.sent(out) == [Self.frame("slow"), Self.frame("subscribed"), Self.frame("early push"), Self.frame("push 2")])
        #expect(!sequencer.isPending(ticket))
        #expect(Self.sent(sequencer.push([Self.frame("live")], after: ticket)) == [Self.frame("live")])
    }

    @Test func shutdownAnswersWhatWasReceivedThenSaysWhy() throws {
        var sequencer = Sequencer(limits: .init())
        _ = sequencer.enqueue("get", .read, requestID: 1)
        _ = sequencer.enqueue("stats", .read, requestID: 2)
        _ = sequencer.enqueue("waiting", .read, requestID: 3)
        var actions = sequencer.drain(then: [Self.frame("shutting-down")])
        #expect(actions == [.pauseReading])
        actions = sequencer.finish(0, with: [Self.frame("detail")]) + sequencer.finish(1, with: [Self.frame("stats")])
        let waiting = try #require(Self.ticket(of: "waiting", in: actions))
        actions = sequencer.finish(waiting, with: [Self.frame("waited")])
        #expect(Self.sent(actions) == [Self.frame("waited"), Self.frame("shutting-down")])
        #expect(sequencer.written(remaining: 0) == [.close])
    }
}
