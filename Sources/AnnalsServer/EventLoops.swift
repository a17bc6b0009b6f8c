import Dispatch
import Synchronization

/// The server's event loops: serial queues, each serving many connections. Everything a connection does
/// (its sources, decoding, store reads, encoding, sends) runs on its loop, so a read runs where its request
/// was decoded, without a thread hand-off, and a busy loop drains the work of all its connections in
/// arrival order without sleeping in between.
///
/// Connections use the loop queue itself rather than a queue of their own that targets it: Dispatch drains
/// such a queue until it is empty, so a connection that re-enqueues work would not yield to the others.
final class EventLoops: Sendable {
    let queues: [DispatchQueue]
    /// Open connections per loop.
    private let load: Mutex<[Int]>

    /// - Parameter count: loops, i.e. queries that run at once (at least 1).
    init(count: Int) {
        queues = (0..<max(1, count)).map { DispatchQueue(label: "annals.loop.\($0)") }
        load = Mutex(Array(repeating: 0, count: queues.count))
    }

    /// The loop for a new connection: the one with the fewest connections (so two long-lived connections do
    /// not share a loop while another idles because short ones came and went in between).
    /// - Returns: the loop's number (give it back to `release`) and its queue.
    func assign() -> (number: Int, queue: DispatchQueue) {
        let number = load.withLock { load in
            let least = load.indices.min { load[$0] < load[$1] } ?? 0
            load[least] += 1
            return least
        }
        return (number, queues[number])
    }

    /// A connection of loop `number` closed.
    func release(_ number: Int) {
        load.withLock { $0[number] -= 1 }
    }

    /// Open connections per loop (for tests and diagnostics).
    var connections: [Int] { load.withLock { $0 } }
}
