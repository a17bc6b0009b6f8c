import AnnalsStore
import Dispatch
import Synchronization

/// A bounded pool of connections for reads. A caller waits while all `capacity` are lent. A connection found
/// broken (the server restarted, `pg_terminate_backend`) is dropped and made again, and a read that failed
/// because its connection was lost is run once more on a new one, so reads resume by themselves once the
/// server is back; while it is down they fail at once with `.unavailable` (`Backoff` spaces the attempts).
final class ConnectionPool: Sendable {
    private let idle = Mutex<[UncheckedBox<PGConnection>]>([])
    private let slots: DispatchSemaphore
    private let capacity: Int
    private let connect: @Sendable () throws(PGError) -> PGConnection
    private let backoff: Backoff
    private let closed = Atomic<Bool>(false)
    private let statementTimeout: Double
    /// Connections lent out now, and when two last were at once (uptime, nanoseconds): a read that runs alone on
    /// a pool that saw no overlap for `quietNanoseconds` may busy-poll for its answer
    /// (`PGConnection.busyPollNanoseconds`), so that a server serving many clients, whose reads overlap most of
    /// the time, never spins.
    private let lent = Atomic<Int>(0)
    private let lastOverlap = Atomic<UInt64>(0)
    private let quietNanoseconds: UInt64
    private let busyPollNanoseconds: UInt64

    /// - Parameters:
    ///   - busyPollNanoseconds: how long a lone read polls for each further packet of its answer (0: never).
    ///   - quietNanoseconds: how long after two borrowers last overlapped a lone one still does not busy-poll.
    init(capacity: Int, statementTimeout: Double, backoff: Backoff, busyPollNanoseconds: UInt64, quietNanoseconds: UInt64 = 10_000_000,
         connect: @escaping @Sendable () throws(PGError) -> PGConnection) {
        self.busyPollNanoseconds = busyPollNanoseconds
        self.quietNanoseconds = quietNanoseconds
        self.capacity = max(1, capacity)
        self.slots = DispatchSemaphore(value: max(1, capacity))
        self.statementTimeout = statementTimeout
        self.backoff = backoff
        self.connect = connect
    }

    /// Runs `body` with a connection no other thread uses meanwhile.
    /// - Throws: `body`'s failure as a `StoreError`; `.unavailable` when no connection can be made.
    func withConnection<T>(_ body: (PGConnection) throws -> T) throws(StoreError) -> T {
        guard !closed.load(ordering: .acquiring) else { throw StoreError(.closed, "the store is closed") }
        slots.wait()
        let alone = borrowAlone()
        defer {
            lent.subtract(1, ordering: .relaxed)
            slots.signal()
        }
        var retried = false
        while true {
            let pooled = retried ? nil : idle.withLock { $0.popLast() }?.value
            let connection: PGConnection
            if let pooled, !pooled.isBroken {
                connection = pooled
            } else {
                do {
                    connection = try backoff.attempt(connect)
                } catch {
                    throw PGErrorMapping.storeError(PGError(message: error.message, connectionLost: true), statementTimeout: statementTimeout)
                }
            }
            connection.busyPollNanoseconds = alone ? busyPollNanoseconds : 0
            do {
                let value = try body(connection)
                giveBack(connection)
                return value
            } catch let error as PGError {
                if !connection.isBroken && !error.connectionLost {
                    giveBack(connection)
                    throw PGErrorMapping.storeError(error, statementTimeout: statementTimeout)
                }
                connection.close()
                // A connection lent out from the pool may have died while idle: one more try on a new one.
                if retried || pooled == nil { throw PGErrorMapping.storeError(error, statementTimeout: statementTimeout) }
                retried = true
            } catch {
                giveBack(connection)
                throw PGErrorMapping.storeError(any: error, statementTimeout: statementTimeout)
            }
        }
    }

    /// Counts a borrower in; true when it is the only one and none overlapped another for `quietNanoseconds`.
    private func borrowAlone() -> Bool {
        let now = DispatchTime.now().uptimeNanoseconds
        guard lent.add(1, ordering: .relaxed).newValue == 1 else {
            lastOverlap.store(now, ordering: .relaxed)
            return false
        }
        let overlap = lastOverlap.load(ordering: .relaxed)
        return now >= overlap && now - overlap > quietNanoseconds
    }

    private func giveBack(_ connection: PGConnection) {
        if closed.load(ordering: .acquiring) || connection.isBroken {
            connection.close()
            return
        }
        idle.withLock { $0.append(UncheckedBox(connection)) }
    }

    /// Takes a connection made elsewhere (the store's first, which checked the URL and the schema).
    func adopt(_ connection: PGConnection) {
        giveBack(connection)
    }

    /// Closes the idle connections; later calls fail with `.closed`.
    func close() {
        closed.store(true, ordering: .releasing)
        idle.withLock { connections in
            for box in connections { box.value.close() }
            connections.removeAll()
        }
    }
}
