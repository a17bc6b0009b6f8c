import Dispatch
import Foundation
import Synchronization
import Testing
@testable import AnnalsServer

@Suite("ReadScheduler: one first-come-first-served queue of reads for every connection")
struct ReadSchedulerTests {
    /// Counts the jobs running at once and remembers the most seen.
    final class Concurrency: Sendable {
        private let state = Mutex((now: 0, most: 0))
        func enter() { state.withLock { $0.now += 1; $0.most = max($0.most, $0.now) } }
        func leave() { state.withLock { $0.now -= 1 } }
        var most: Int { state.withLock { $0.most } }
    }

    @Test func neverRunsMoreThanItsWidthAtOnce() {
        let scheduler = ReadScheduler(width: 2)
        let concurrency = Concurrency()
        let done = DispatchGroup()
        let queues = (0..<8).map { DispatchQueue(label: "connection.\($0)") }
        for i in 0..<64 {
            done.enter()
            // Half ask to run on their connection's queue, half on a lane, as reads and subscription fetches do.
            scheduler.submit(on: i % 2 == 0 ? queues[i % 8] : nil) { _ in
                concurrency.enter()
                // Stay until a second read has run alongside (or 2 s passed): on a busy machine a short read
                // may finish before the thread of the next one is scheduled, and the width is never reached.
                let until = DispatchTime.now() + 2
                while concurrency.most < 2 && DispatchTime.now() < until { usleep(200) }
                usleep(2_000)
                concurrency.leave()
                done.leave()
            }
        }
        #expect(done.wait(timeout: .now() + 30) == .success)
        #expect(concurrency.most == 2)
        #expect(scheduler.waitingCount == 0)
    }

    @Test func waitingReadsStartInTheOrderTheyWereSubmitted() {
        let scheduler = ReadScheduler(width: 1)
        let started = Mutex<[Int]>([])
        let release = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        done.enter()
        scheduler.submit(on: nil) { _ in
            release.wait()  // holds the only slot while the others queue up
            done.leave()
        }
        let queues = (0..<5).map { DispatchQueue(label: "connection.\($0)") }
        for i in 0..<50 {
            done.enter()
            scheduler.submit(on: queues[i % 5]) { _ in
                started.withLock { $0.append(i) }
                done.leave()
            }
        }
        #expect(scheduler.waitingCount == 50)
        release.signal()
        #expect(done.wait(timeout: .now() + 30) == .success)
        #expect(started.withLock { $0 } == Array(0..<50))
    }

    @Test func anIdleSchedulerRunsTheReadOnTheConnectionsQueueAndABusyOneOnALane() {
        let scheduler = ReadScheduler(width: 1)
        let queue = DispatchQueue(label: "connection")
        let key = DispatchSpecificKey<String>()
        queue.setSpecific(key: key, value: "connection")
        let seen = Mutex<[(inline: Bool, onQueue: Bool)]>([])
        let release = DispatchSemaphore(value: 0)
        let done = DispatchGroup()

        done.enter()
        scheduler.submit(on: queue) { inline in
            seen.withLock { $0.append((inline, DispatchQueue.getSpecific(key: key) == "connection")) }
            release.wait()
            done.leave()
        }
        // The slot is taken: this one waits, then runs on a lane when the first gives its slot back.
        done.enter()
        scheduler.submit(on: queue) { inline in
            seen.withLock { $0.append((inline, DispatchQueue.getSpecific(key: key) == "connection")) }
            done.leave()
        }
        release.signal()
        #expect(done.wait(timeout: .now() + 30) == .success)
        let result = seen.withLock { $0 }
        #expect(result.count == 2)
        #expect(result.first?.inline == true && result.first?.onQueue == true)
        #expect(result.last?.inline == false && result.last?.onQueue == false)

        // Idle again (once the lane has given its slot back, just after the read returned): the next read
        // runs on its connection's queue.
        let deadline = DispatchTime.now() + 10
        while scheduler.runningCount > 0 && DispatchTime.now() < deadline { usleep(1_000) }
        let again = DispatchSemaphore(value: 0)
        let inlineAgain = Atomic<Bool>(false)
        scheduler.submit(on: queue) { inline in
            inlineAgain.store(inline && DispatchQueue.getSpecific(key: key) == "connection", ordering: .relaxed)
            again.signal()
        }
        #expect(again.wait(timeout: .now() + 30) == .success)
        let ranInline = inlineAgain.load(ordering: .relaxed)
        #expect(ranInline)
    }
}
