import Dispatch
import Synchronization

/// The server's event loops: serial queues, each serving many connections, whose sockets it watches as one
/// readiness set (`LoopReadiness`). Everything a connection does (its reads, decoding, store reads, encoding,
/// sends) runs on its loop, so a read runs where its request
/// was decoded, without a thread hand-off, and a busy loop drains the work of all its connections in
/// arrival order without sleeping in between.
///
/// Connections use the loop queue itself rather than a queue of their own that targets it: Dispatch drains
/// such a queue until it is empty, so a connection that re-enqueues work would not yield to the others.
final class EventLoops: Sendable {
    /// One loop: its queue and the readiness set of its connections' sockets.
    struct Loop: Sendable {
        let number: Int
        let queue: DispatchQueue
        let readiness: LoopReadiness
    }

    let loops: [Loop]
    /// Open connections per loop.
    private let load: Mutex<[Int]>

    /// - Parameters:
    ///   - count: loops, i.e. queries that run at once (at least 1).
    ///   - busyPollNanoseconds: how long a loop serving a sole client polls for its next request (0: never).
    /// - Returns: nil when the system refuses the loops' epoll sets (out of file descriptors).
    init?(count: Int, busyPollNanoseconds: UInt64 = 0) {
        var loops: [Loop] = []
        let soleClient = SoleClient()
        for number in 0..<max(1, count) {
            let queue = DispatchQueue(label: "annals.loop.\(number)")
            guard let readiness = LoopReadiness(queue: queue, soleClient: soleClient, busyPollNanoseconds: busyPollNanoseconds) else { return nil }
            loops.append(Loop(number: number, queue: queue, readiness: readiness))
        }
        self.loops = loops
        load = Mutex(Array(repeating: 0, count: loops.count))
    }

    /// The loop for a new connection: the one with the fewest connections (so two long-lived connections do
    /// not share a loop while another idles because short ones came and went in between). Give its number
    /// back to `release` when the connection closes.
    func assign() -> Loop {
        let number = load.withLock { load in
            let least = load.indices.min { load[$0] < load[$1] } ?? 0
            load[least] += 1
            return least
        }
        return loops[number]
    }

    /// A connection of loop `number` closed.
    func release(_ number: Int) {
        load.withLock { $0[number] -= 1 }
    }

    /// Open connections per loop (for tests and diagnostics).
    var connections: [Int] { load.withLock { $0 } }
}
