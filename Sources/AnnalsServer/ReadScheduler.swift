import Dispatch
import Synchronization

/// Runs the store reads of every connection, at most `width` at once, in the order they were asked for.
///
/// One first-in-first-out queue for all connections keeps a busy server fair: a read waits only for the
/// reads asked for before it, whichever connection asked (per-connection queues let a few requests wait
/// behind many; profile.md §8 of the 2026-11-29 report). When a slot is free and nothing waits, the read
/// runs on the asking connection's own queue, saving two thread hand-offs; otherwise it waits its turn and
/// runs on a lane of `lanes`, which keeps taking the next waiting read until none is left.
final class ReadScheduler: Sendable {
    /// A read; its argument says whether it runs on the connection's queue it was submitted with.
    typealias Job = @Sendable (_ onConnectionQueue: Bool) -> Void

    private struct State {
        var running = 0
        var waiting: [Job] = []
        var head = 0

        var isEmpty: Bool { head == waiting.count }

        mutating func pop() -> Job {
            let job = waiting[head]
            head += 1
            if head == waiting.count {
                waiting.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024 {
                waiting.removeFirst(head)
                head = 0
            }
            return job
        }
    }

    /// Reads that may run at once.
    let width: Int
    private let state = Mutex(State())
    private let lanes = DispatchQueue(label: "annals.store.read", attributes: .concurrent)

    init(width: Int) { self.width = max(1, width) }

    /// Reads waiting for a slot (for tests and diagnostics).
    var waitingCount: Int { state.withLock { $0.waiting.count - $0.head } }

    /// Reads running now (for tests and diagnostics).
    var runningCount: Int { state.withLock { $0.running } }

    /// Runs `job` as soon as a slot is free and every read submitted before it has started.
    /// - Parameter connectionQueue: where to run `job` when it can start at once (`job(true)`); nil runs it
    ///   on a lane (`job(false)`).
    func submit(on connectionQueue: DispatchQueue?, _ job: @escaping Job) {
        let startNow = state.withLock { state -> Bool in
            guard state.running < width, state.isEmpty else {
                state.waiting.append(job)
                return false
            }
            state.running += 1
            return true
        }
        guard startNow else { return }
        if let connectionQueue {
            connectionQueue.async {
                job(true)
                self.finished()
            }
        } else {
            lanes.async { self.runLane(first: job) }
        }
    }

    /// A slot freed by a read that ran on a connection's queue passes to the next waiting read, on a lane.
    private func finished() {
        if let next = nextOrRelease() { lanes.async { self.runLane(first: next) } }
    }

    private func runLane(first: Job) {
        var job = first
        while true {
            job(false)
            guard let next = nextOrRelease() else { return }
            job = next
        }
    }

    /// The next waiting read, keeping the caller's slot; or nil, giving the slot back.
    private func nextOrRelease() -> Job? {
        state.withLock { state in
            if state.isEmpty {
                state.running -= 1
                return nil
            }
            return state.pop()
        }
    }
}
