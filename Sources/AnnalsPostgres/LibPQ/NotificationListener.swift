import CAnnalsPQ
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// LISTENs on a connection of its own, on a thread of its own, and hands each notification to `received`.
/// When the connection is lost, `lost` runs (notifications may be missed from then on) and the connection is made
/// again with backoff (0.1 s doubling to 5 s); `reconnected` runs once it listens again, so a follower can catch up
/// on what was committed meanwhile. While it listens, a round trip every `confirmIntervalNanoseconds` proves it
/// still does (a connection can die without a word): `confirmed(start)` runs once the answer came back and the
/// notifications that arrived before it were handed on; `start` is when the round trip began (uptime, ns).
final class NotificationListener: @unchecked Sendable {
    /// The thread's state; touched only by the listening thread (after `start`).
    private var connection: PGConnection?
    private let connect: () throws(PGError) -> PGConnection
    private let channels: [String]
    private let received: @Sendable (_ channel: String, _ payload: String) -> Void
    private let reconnected: @Sendable (PGConnection) -> Void
    private let lost: @Sendable () -> Void
    private let confirmed: @Sendable (UInt64) -> Void
    static let confirmIntervalNanoseconds: UInt64 = 500_000_000
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let queue = DispatchQueue(label: "annals.postgres.listen")
    /// Marks the listening thread, so `stop` called from a handler (the store's last reference dropped there)
    /// does not wait for itself.
    private let onListeningThread = DispatchSpecificKey<Bool>()

    /// Connects and starts listening at once, so a notification sent after `init` returns is never missed.
    /// - Throws: the failure to connect or to LISTEN.
    init(channels: [String], connect: @escaping () throws(PGError) -> PGConnection,
         received: @escaping @Sendable (String, String) -> Void, lost: @escaping @Sendable () -> Void,
         reconnected: @escaping @Sendable (PGConnection) -> Void, confirmed: @escaping @Sendable (UInt64) -> Void) throws(PGError) {
        self.channels = channels
        self.connect = connect
        self.received = received
        self.reconnected = reconnected
        self.lost = lost
        self.confirmed = confirmed
        let connection = try connect()
        try listen(on: connection)
        self.connection = connection
        queue.setSpecific(key: onListeningThread, value: true)
        queue.async { self.run() }
    }

    private func listen(on connection: PGConnection) throws(PGError) {
        try connection.execute(channels.map { "LISTEN \($0);" }.joined(separator: " "))
    }

    /// The thread's loop: waits for the socket, reads notifications, confirms it listens, reconnects when the
    /// connection is lost.
    private func run() {
        var delay = 0.1
        var lastConfirmed = DispatchTime.now().uptimeNanoseconds
        while !stopped.load(ordering: .acquiring) {
            guard let connection, !connection.isBroken, let handle = connection.rawHandle else {
                if self.connection != nil { lost() }
                self.connection?.close()
                self.connection = nil
                do {
                    let made = try connect()
                    try listen(on: made)
                    self.connection = made
                    delay = 0.1
                    lastConfirmed = DispatchTime.now().uptimeNanoseconds
                    reconnected(made)
                } catch {
                    sleep(seconds: delay)
                    delay = min(5, delay * 2)
                }
                continue
            }
            var descriptor = pollfd(fd: connection.socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 250)
            if ready < 0 { continue }
            if ready > 0 && PQconsumeInput(handle) == 0 {
                connection.close()
                continue
            }
            var confirming: UInt64?
            let now = DispatchTime.now().uptimeNanoseconds
            if now &- lastConfirmed >= Self.confirmIntervalNanoseconds {
                // Notifications that arrive meanwhile wait in libpq's queue for the loop below.
                guard (try? connection.execute("SELECT 1")) != nil else {
                    connection.close()
                    continue
                }
                confirming = now
            }
            while let notification = PQnotifies(handle) {
                let channel = String(cString: notification.pointee.relname)
                let payload = notification.pointee.extra.map { String(cString: $0) } ?? ""
                PQfreemem(notification)
                received(channel, payload)
            }
            if let confirming {
                lastConfirmed = confirming
                confirmed(confirming)
            }
        }
        connection?.close()
        connection = nil
        finished.signal()
    }

    private func sleep(seconds: Double) {
        var left = seconds
        while left > 0 && !stopped.load(ordering: .acquiring) {
            usleep(UInt32(min(left, 0.1) * 1_000_000))
            left -= 0.1
        }
    }

    /// Stops the thread and closes its connection; returns once it has (at once when called from a handler on
    /// that thread, which then ends after the handler returns).
    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if DispatchQueue.getSpecific(key: onListeningThread) == true { return }
        finished.wait()
    }
}
