import CAnnalsEpoll
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// The sockets of one event loop's connections in one epoll set, watched by a single Dispatch read source on
/// the loop's queue. When the source fires, every connection ready then is served in that one turn of the
/// queue, and the set is asked again, for a few rounds, before the turn ends: under load a loop serves the
/// requests that arrive while it works without a round trip through Dispatch for each (a read source per
/// socket cost every request a wake-up of Dispatch's event thread, a hand-off to a worker and a re-arm). A
/// client alone on the server (`SoleClient`) is polled for a little longer, since its next request follows
/// its answer: that saves it the same wake-ups between its requests.
///
/// Level-triggered: a connection that leaves bytes unread is reported again. A connection whose reading is
/// paused leaves the set (a hung-up socket is reported whatever is asked for, so it cannot merely mask input).
final class LoopReadiness: @unchecked Sendable {
    private let epoll: Int32
    private let queue: DispatchQueue
    private let source: any DispatchSourceRead
    private let soleClient: SoleClient
    private let busyPollNanoseconds: UInt64
    /// What to call when a member is readable, by id; touched only on `queue`.
    private var members: [UInt64: () -> Void] = [:]
    private var ready = [UInt64](repeating: 0, count: Int(LoopReadiness.batch))

    /// Members served per round, and rounds per turn (while several clients are served).
    static let batch: Int32 = 64
    static let rounds = 4
    /// The longest turn while a sole client is served, so that other work on the queue waits no longer.
    static let soleTurnNanoseconds: UInt64 = 2_000_000

    /// - Parameters:
    ///   - soleClient: shared by the server's loops; tells when one client alone is being served.
    ///   - busyPollNanoseconds: how long a turn serving a sole client polls for its next request before it ends
    ///     (0: never).
    /// - Returns: nil when the system refuses a new epoll set (out of file descriptors).
    init?(queue: DispatchQueue, soleClient: SoleClient, busyPollNanoseconds: UInt64) {
        epoll = annals_epoll_create()
        guard epoll >= 0 else { return nil }
        self.queue = queue
        self.soleClient = soleClient
        self.busyPollNanoseconds = busyPollNanoseconds
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

    /// One turn: serves what is ready, for up to `rounds` rounds; while a sole client is served, until it has sent
    /// nothing for `busyPollNanoseconds` (its next request usually follows its answer within microseconds) or
    /// the turn has lasted `soleTurnNanoseconds`.
    private func serveReady() {
        let start = DispatchTime.now().uptimeNanoseconds
        var round = 0
        var idleSince: UInt64?
        while true {
            let count = ready.withUnsafeMutableBufferPointer { annals_epoll_ready(epoll, $0.baseAddress, Self.batch) }
            let now = DispatchTime.now().uptimeNanoseconds
            if count > 0 {
                for index in 0..<Int(count) {
                    soleClient.serving(ready[index], now: now)
                    members[ready[index]]?()
                }
                round += 1
                idleSince = nil
                if round < Self.rounds { continue }
            }
            guard busyPollNanoseconds > 0, now - start < Self.soleTurnNanoseconds, soleClient.isAlone(now: now) else { return }
            if count == 0 {
                if let idleSince, now - idleSince > busyPollNanoseconds { return }
                if idleSince == nil { idleSince = now }
            }
        }
    }
}
