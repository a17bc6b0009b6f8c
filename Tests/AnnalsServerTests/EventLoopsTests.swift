import Dispatch
import Synchronization
import Testing
@testable import AnnalsServer
#if canImport(Glibc)
import Glibc
#endif

@Suite("EventLoops: which loop serves a new connection")
struct EventLoopsTests {
    @Test func aNewConnectionGoesToTheLoopWithTheFewest() throws {
        let loops = try #require(EventLoops(count: 2))
        let first = loops.assign(), second = loops.assign()
        #expect([first.number, second.number].sorted() == [0, 1])
        #expect(first.queue !== second.queue)
        #expect(first.readiness !== second.readiness)
        // Short connections come and go on one loop: the next long one still goes where there is room.
        let short = loops.assign()
        loops.release(short.number)
        loops.release(first.number)
        #expect(loops.assign().number == first.number)
        #expect(loops.connections == [1, 1])
    }
}

/// A loop's readiness set, on socket pairs: a member is served on the loop's queue while it has bytes unread,
/// several ready members in one turn, and not at all once taken out.
@Suite("LoopReadiness: the sockets of one loop")
struct LoopReadinessTests {
    /// A connected pair of Unix-domain stream sockets, non-blocking; closed on deinit.
    final class Pair: Sendable {
        let ours: Int32, theirs: Int32
        init() throws {
            var fds: [Int32] = [0, 0]
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { throw Failed() }
            ours = fds[0]
            theirs = fds[1]
            _ = fcntl(ours, F_SETFL, fcntl(ours, F_GETFL) | O_NONBLOCK)
        }
        func send(_ text: String) { _ = text.withCString { write(theirs, $0, strlen($0)) } }
        /// Reads what is there; nil when nothing is.
        func drain() -> Int? {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = recv(ours, &buffer, buffer.count, 0)
            return n > 0 ? n : nil
        }
        deinit {
            close(ours)
            close(theirs)
        }
        struct Failed: Error {}
    }

    @Test func readyMembersAreServedOnTheLoopUntilDrainedAndNotOnceTakenOut() throws {
        let queue = DispatchQueue(label: "test.loop")
        let readiness = try #require(LoopReadiness(queue: queue, soleClient: SoleClient(), busyPollNanoseconds: 0))
        let pairs = try (0..<3).map { _ in try Pair() }
        let served = Mutex<[Int]>([])
        let onQueue = Mutex(true)
        queue.sync {
            for (index, pair) in pairs.enumerated() {
                #expect(readiness.watch(fd: pair.ours, id: UInt64(index)) {
                    if DispatchQueue.getSpecific(key: Self.key) == nil { onQueue.withLock { $0 = false } }
                    served.withLock { $0.append(index) }
                    _ = pair.drain()
                })
            }
        }
        queue.setSpecific(key: Self.key, value: ())
        // Nothing is ready: nothing is served.
        usleep(100_000)
        #expect(served.withLock { $0 }.isEmpty)
        // Two members ready at once: each served, once per readiness (drained when served).
        queue.sync {
            pairs[0].send("a")
            pairs[2].send("c")
        }
        #expect(Self.eventually { served.withLock { Set($0) } == [0, 2] })
        usleep(100_000)
        #expect(served.withLock { $0.count } == 2, "\(served.withLock { $0 })")
        // Taken out, a member is not served again, though its bytes wait.
        queue.sync { readiness.unwatch(fd: pairs[1].ours, id: 1) }
        pairs[1].send("b")
        pairs[0].send("again")
        #expect(Self.eventually { served.withLock { $0.count } == 3 })
        usleep(100_000)
        #expect(served.withLock { $0 } .last == 0 && !served.withLock { $0 }.contains(1))
        #expect(onQueue.withLock { $0 })
        // A member that leaves bytes unread is served again (level-triggered) until it reads them.
        let unread = try Pair()
        let calls = Mutex(0)
        queue.sync {
            _ = readiness.watch(fd: unread.ours, id: 9) {
                if calls.withLock({ $0 += 1; return $0 }) == 5 { _ = unread.drain() }
            }
        }
        unread.send("x")
        #expect(Self.eventually { calls.withLock { $0 } >= 5 })
        usleep(100_000)
        #expect(calls.withLock { $0 } == 5)
        queue.sync {
            for (index, pair) in pairs.enumerated() { readiness.unwatch(fd: pair.ours, id: UInt64(index)) }
            readiness.unwatch(fd: unread.ours, id: 9)
        }
    }

    @Test func aSoleClientIsPolledForAndOtherWorkOnTheQueueStillRuns() throws {
        let queue = DispatchQueue(label: "test.loop.poll")
        // Polls for 5 ms after each request: longer than a sole client's turn may last, so only that limit can
        // end a turn while the client keeps sending.
        let readiness = try #require(LoopReadiness(queue: queue, soleClient: SoleClient(quietNanoseconds: 0), busyPollNanoseconds: 5_000_000))
        let pair = try Pair()
        let received = Mutex(0)
        queue.sync {
            _ = readiness.watch(fd: pair.ours, id: 1) {
                while let n = pair.drain() { received.withLock { $0 += n } }
            }
        }
        let sending = Atomic(true)
        let sent = Atomic(0)
        DispatchQueue.global().async {
            while sending.load(ordering: .relaxed) {
                pair.send("r")
                sent.add(1, ordering: .relaxed)
                usleep(200)
            }
        }
        #expect(Self.eventually { received.withLock { $0 } > 100 }, "the client's requests are served")
        let ran = Atomic(0)
        for _ in 0..<5 { queue.async { ran.add(1, ordering: .relaxed) } }
        #expect(Self.eventually { ran.load(ordering: .relaxed) == 5 }, "work queued on the loop runs while the client keeps sending")
        sending.store(false, ordering: .relaxed)
        #expect(Self.eventually { received.withLock { $0 } == sent.load(ordering: .relaxed) }, "every byte is read")
        queue.sync { readiness.unwatch(fd: pair.ours, id: 1) }
    }

    private static let key = DispatchSpecificKey<Void>()

    private static func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<400 {
            if condition() { return true }
            usleep(25_000)
        }
        return condition()
    }
}
