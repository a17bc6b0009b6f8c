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
    private let next = Atomic<Int>(0)

    /// - Parameter count: loops, i.e. queries that run at once (at least 1).
    init(count: Int) {
        queues = (0..<max(1, count)).map { DispatchQueue(label: "annals.loop.\($0)") }
    }

    /// The loop for a new connection: each in turn.
    func pick() -> DispatchQueue {
        let n = next.add(1, ordering: .relaxed).oldValue & Int.max
        return queues[n % queues.count]
    }
}
