import AnnalsStore
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Reads served by a streaming replica of the database (a hot standby, `annalsd --db-replica`), without losing
/// read-your-writes: a read goes to the replica only once it has replayed every commit this process made, and to
/// the primary otherwise. The replica's replay position is asked (one short query on the replica) when a read
/// needs a later one, at most every `probeInterval`, so a replica that lags costs the primary a read, not a wait.
/// A replica that fails a read (down, restarting, a query cancelled by recovery) leaves that read to the primary.
///
/// Change-log reads (`entries(after:)`, `lastSeq`) stay on the primary: subscriptions follow positions the primary
/// announces.
final class ReplicaReads: Sendable {
    /// What `read` did.
    enum Outcome<T> {
        case answered(T)
        /// The replica is behind this process's commits, or failed: read from the primary.
        case usePrimary
    }

    private let pool: ConnectionPool
    /// The highest log position the replica is known to have replayed.
    private let replayed = Atomic<Int64>(0)
    /// The last log position this process committed: what a read must see.
    private let committed = Atomic<Int64>(0)
    /// When the replica's position was last asked for (uptime, nanoseconds).
    private let lastProbe = Atomic<UInt64>(0)
    /// Reads the replica answered, and reads it left to the primary (tests, diagnostics).
    let answered = Atomic<Int>(0)
    let leftToPrimary = Atomic<Int>(0)

    static let probeIntervalNanoseconds: UInt64 = 2_000_000

    /// Connects to the replica `connectionString` names and checks that it is a replica of an Annals store of
    /// `schemaVersion` (waiting up to `catchUpSeconds` for it to replay a migration the primary just made).
    /// - Throws: `StoreError` with one line that says the replica: it cannot be reached or logged in to, it is
    ///   not in recovery (a primary, not a replica), or it holds no Annals store of this version.
    init(connectionString: String, poolSize: Int, busyPollNanoseconds: UInt64, statementTimeout: Double, schemaVersion: Int,
         catchUpSeconds: Double = 10) throws(StoreError) {
        let target: ConnectionString
        do {
            target = try ConnectionString(connectionString)
        } catch {
            throw StoreError(error.code, "--db-replica: \(error.message)")
        }
        let connect = target.connector(statementTimeout: statementTimeout)
        let first: PGConnection
        do {
            first = try target.firstConnection(connect)
        } catch {
            throw StoreError(error.code, "the replica: \(error.message)")
        }
        do {
            guard try first.query("SELECT pg_is_in_recovery()").bool(0, 0) else {
                first.close()
                throw StoreError(.io, "the replica \(target.place) is not in recovery: --db-replica takes a streaming replica (a hot standby) of the --db database, not a server of its own")
            }
            let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(catchUpSeconds * 1e9)
            while true {
                var version: Int?
                if try first.query("SELECT to_regclass('annals_schema') IS NOT NULL").bool(0, 0) {
                    let found = try first.query("SELECT version FROM annals_schema")
                    version = found.rowCount == 0 ? nil : found.int(0, 0)
                }
                if version == schemaVersion { break }
                if DispatchTime.now().uptimeNanoseconds > deadline {
                    first.close()
                    let holds = version.map { "Annals schema version \($0), the primary \(schemaVersion)" } ?? "no Annals store"
                    throw StoreError(.io, "the replica \(target.place) holds \(holds): --db-replica takes a streaming replica of the --db database")
                }
                usleep(50_000)
            }
        } catch let error as StoreError {
            throw error
        } catch {
            first.close()
            throw StoreError(.io, "the replica \(target.place) cannot be read: \((error as? PGError)?.message ?? "\(error)")")
        }
        pool = ConnectionPool(capacity: poolSize, statementTimeout: statementTimeout, backoff: Backoff(),
                              busyPollNanoseconds: busyPollNanoseconds, connect: connect)
        pool.adopt(first)
    }

    /// This process committed through `seq`: from now on a read must see it. Call before acknowledging the commit.
    func committed(through seq: Int64) {
        committed.raise(to: seq)
    }

    /// Runs `body` on a replica connection if the replica has replayed every commit of this process.
    func read<T>(_ body: (PGConnection) throws -> T) -> Outcome<T> {
        let needed = committed.load(ordering: .acquiring)
        if replayed.load(ordering: .acquiring) < needed && !mayProbe() {
            leftToPrimary.add(1, ordering: .relaxed)
            return .usePrimary
        }
        do {
            let outcome = try pool.withConnection { connection -> Outcome<T> in
                if replayed.load(ordering: .acquiring) < needed {
                    // Replay only moves forward: what this query sees, every later query on the replica sees.
                    let position = try connection.query("SELECT seq FROM log_head").int64(0, 0)
                    replayed.raise(to: position)
                    if position < needed { return .usePrimary }
                }
                return .answered(try body(connection))
            }
            if outcome.isAnswer { answered.add(1, ordering: .relaxed) } else { leftToPrimary.add(1, ordering: .relaxed) }
            return outcome
        } catch {
            leftToPrimary.add(1, ordering: .relaxed)
            return .usePrimary
        }
    }

    /// Whether this read may ask the replica for its position (once per `probeIntervalNanoseconds` in all).
    private func mayProbe() -> Bool {
        let now = DispatchTime.now().uptimeNanoseconds
        let last = lastProbe.load(ordering: .relaxed)
        guard now &- last >= Self.probeIntervalNanoseconds else { return false }
        return lastProbe.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged
    }

    func close() {
        pool.close()
    }
}

private extension ReplicaReads.Outcome {
    var isAnswer: Bool {
        if case .answered = self { true } else { false }
    }
}
