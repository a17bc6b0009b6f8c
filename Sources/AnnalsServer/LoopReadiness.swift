import CAnnalsEpoll
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// The sockets of one event loop's connections in one epoll set, watched by a single Dispatch read source on
/// the loop's queue. When the source fires, every connection ready then is served in that one turn of the
/// queue, and the set is asked again, for a few rounds, before the turn ends: under load a loop serves the
/// requests that arrive while it works without a round trip through Dispatch for each (a read source per
/// socket cost every request a wake-up of Dispatch's event thread, a hand-off to a worker and a re-arm).
///
/// Level-triggered: a connection that leaves bytes unread is reported again. A connection whose reading is
/// paused leaves the set (a hung-up socket is reported whatever is asked for, so it cannot merely mask input).
final class LoopReadiness: @unchecked Sendable {
    private let epoll: Int32
    private let queue: DispatchQueue
    private let source: any DispatchSourceRead
    /// What to call when a member is readable, by id; touched only on `queue`.
    private var members: [UInt64: () -> Void] = [:]
    private var ready = [UInt64](repeating: 0, count: Int(LoopReadiness.batch))

    /// Members served per round, and rounds per turn.
    static let batch: Int32 = 64
    static let rounds = 4

    /// - Returns: nil when the system refuses a new epoll set (out of file descriptors).
    init?(queue: DispatchQueue) {
        epoll = annals_epoll_create()
        guard epoll >= 0 else { return nil }
        self.queue = queue
        source = DispatchSource.makeReadSource(fileDescriptor: epoll, queue: queue)
        let fd = epoll
        source.setCancelHandler { close(fd) }
        source.setEventHandler { [weak self] in self?.serveReady() }
        source.resume()
    }

    deinit { source.cancel() }

    /// Adds `fd` under `id` (unique among the loop's members); `readable` runs on the queue each time it is.
    /// - Returns: false when the system refuses it (errno tells why).
    func watch(fd: Int32, id: UInt64, readable: @escaping () -> Void) -> Bool {
        dispatchPrecondition(condition: .onQueue(queue))
        guard annals_epoll_watch(epoll, fd, id, 1) == 0 else { return false }
        members[id] = readable
        return true
    }

    /// Takes `fd` out (before it is closed); a member that is not in the set is ignored.
    func unwatch(fd: Int32, id: UInt64) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard members.removeValue(forKey: id) != nil else { return }
        _ = annals_epoll_watch(epoll, fd, id, 0)
    }

    private func serveReady() {
        for _ in 0..<Self.rounds {
            let count = ready.withUnsafeMutableBufferPointer { annals_epoll_ready(epoll, $0.baseAddress, Self.batch) }
            guard count > 0 else { return }
            for index in 0..<Int(count) { members[ready[index]]?() }
        }
    }
}
