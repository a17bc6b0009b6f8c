import AnnalsCore
import AnnalsStore
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// The writer of one store instance, confined to the store's writer queue, with a connection of its own.
///
/// A group transaction takes two round trips. The first begins, locks the `events` rows of the ids the group
/// names (in id order, so two writers never wait on each other in a cycle), reads their histories and takes
/// numbers for new events. The group is then decided in memory (`WriteGroup`), and the second round trip, all
/// pipelined, writes its bodies, events and facets, then locks the one row of `log_head`, numbers and inserts
/// its revisions, notifies the other processes (`pg_notify` with the last position, delivered at commit) and
/// commits. Every writer of every process takes that lock last and holds it to its commit, so positions are
/// committed in their order (a reader of "entries after N" never misses one committed later with a lower
/// number), while the heavier part of the groups of several processes runs at the same time.
///
/// Two processes creating the same new id at once: the second one's insert waits for the first to commit, then
/// fails on the unique id; the group is then decided again from what is stored (as after a deadlock).
final class PostgresWriter {
    /// What a group gives back: one result per batch, and the last log position when something was committed.
    struct Committed {
        var results: [Result<[AppendOutcome], StoreError>]
        var lastSeq: Int64?
    }

    /// The notification channel commits are announced on; the payload is the last log position.
    static let channel = "annals_commits"

    private var connection: PGConnection?
    private let connect: () throws(PGError) -> PGConnection
    private let backoff: Backoff
    private let clock: @Sendable () -> Timestamp
    private let statementTimeout: Double
    /// Send the statements of a transaction one round trip each instead of pipelined (measurements only).
    var pipelined = true
    /// How long a group whose connection was lost during its commit waits for the server to say whether it
    /// committed (`settle`) before it is answered "may or may not have been written".
    var settleSeconds = 15.0

    init(backoff: Backoff, statementTimeout: Double, clock: @escaping @Sendable () -> Timestamp,
         connect: @escaping () throws(PGError) -> PGConnection) {
        self.backoff = backoff
        self.statementTimeout = statementTimeout
        self.clock = clock
        self.connect = connect
    }

    /// Applies `batches` in one transaction. A batch with a rejected entry writes nothing; a failure of the
    /// database fails every batch of the group, and nothing of it is written.
    func apply(_ batches: [[PostgresEntry]]) -> Committed {
        if batches.allSatisfy({ $0.contains { $0.prepared.rejection != nil } }) {
            var group = WriteGroup(histories: [:], eventNumbers: [], clock: clock)
            return Committed(results: batches.map { .success(group.add($0)) }, lastSeq: nil)
        }
        var ids: [String] = []
        var seen = Set<String>()
        for batch in batches where !batch.contains(where: { $0.prepared.rejection != nil }) {
            for entry in batch where seen.insert(entry.prepared.entry.id).inserted { ids.append(entry.prepared.entry.id) }
        }
        var attempts = 0
        while true {
            attempts += 1
            switch attempt(batches, ids: ids) {
            case .done(let committed): return committed
            case .raced(let error):
                guard attempts < Self.maxAttempts else {
                    return failed(batches, PGErrorMapping.storeError(error, statementTimeout: statementTimeout, write: .nothingWritten))
                }
            }
        }
    }

    /// How many times a group is decided again after racing another process's.
    static let maxAttempts = 8

    private enum Attempt {
        case done(Committed)
        /// Rolled back after losing a race with another process (a unique id, a deadlock): decide again.
        case raced(PGError)
    }

    /// SQLSTATEs of a lost race: unique violation, deadlock, serialization failure.
    private static func isRace(_ error: PGError) -> Bool {
        ["23505", "40P01", "40001"].contains(error.sqlState ?? "")
    }

    private func attempt(_ batches: [[PostgresEntry]], ids: [String]) -> Attempt {
        let connection: PGConnection
        var group: WriteGroup
        do {
            (connection, group) = try begin(ids: ids)
        } catch {
            if Self.isRace(error) { return .raced(error) }
            return .done(failed(batches, PGErrorMapping.storeError(error, statementTimeout: statementTimeout, write: .nothingWritten)))
        }
        let outcomes = batches.map { group.add($0) }
        if group.ranOutOfEventNumbers {
            try? connection.execute("ROLLBACK")
            return .raced(PGError(message: "another process created an id of this group while it started"))
        }
        guard group.writesAnything else {
            do {
                try connection.execute("ROLLBACK")
            } catch {
                drop(connection)
            }
            return .done(Committed(results: outcomes.map { .success($0) }, lastSeq: nil))
        }
        let committed = { (first: Int64) -> Committed in
            Committed(results: outcomes.map { .success($0.map { WriteGroup.resolved($0, first: first) }) },
                      lastSeq: first + group.revisionCount - 1)
        }
        do throws(PGError) {
            let content = bounded(byLockWaitsOnly: group.contentStatements)
            let statements = content + group.publishing + [
                .init("SELECT pg_notify('\(Self.channel)', seq::text) FROM log_head"),
                .init("COMMIT"),
            ]
            let lose = loseConnection
            loseConnection = nil
            if lose == .beforeCommit { connection.close() }
            let results = try run(statements, on: connection)
            if lose == .afterCommit { throw PGError(message: "the connection was lost (a test's fault)", connectionLost: true) }
            return .done(committed(results[content.count].int64(0, 0)))
        } catch {
            guard error.connectionLost else {
                try? connection.execute("ROLLBACK")
                if Self.isRace(error) { return .raced(error) }
                return .done(failed(batches, PGErrorMapping.storeError(error, statementTimeout: statementTimeout, write: .nothingWritten)))
            }
            drop(connection)
            switch settle(group.revisionKeys) {
            case .committed(let last)?: return .done(committed(last - group.revisionCount + 1))
            case .notCommitted?: return .done(failed(batches, PGErrorMapping.storeError(error, statementTimeout: statementTimeout, write: .nothingWritten)))
            case nil: return .done(failed(batches, PGErrorMapping.storeError(error, statementTimeout: statementTimeout, write: .outcomeUnknown)))
            }
        }
    }

    /// `statements` run without the statement timeout, their lock waits cut short after as long instead, then the
    /// timeout back for what follows. A group's inserts can take longer than any read should through no fault of
    /// their own: the insert that overflows the search index's pending list merges it into the index (past 30 s
    /// at a million events with three annalsd loading, which failed 28 to 41 batches of 1,000 in every 1M bench
    /// run); waiting on another session's lock is what the timeout is for, and is still bounded.
    private func bounded(byLockWaitsOnly statements: [PGConnection.Statement]) -> [PGConnection.Statement] {
        let timeout = "\(max(0, Int((statementTimeout * 1000).rounded(.up))))ms"
        return [.init("SELECT set_config('statement_timeout', '0', true), set_config('lock_timeout', $1, true)", [.text(timeout)])]
            + statements
            + [.init("SELECT set_config('statement_timeout', $1, true), set_config('lock_timeout', '0', true)", [.text(timeout)])]
    }

    /// Where a test makes the writer lose its connection in the next group (then it is reset).
    enum LosePoint {
        /// Before the group's rows are sent: the transaction dies uncommitted.
        case beforeCommit
        /// After the commit succeeded, as if its answer had been lost on the way.
        case afterCommit
    }

    var loseConnection: LosePoint?

    /// What became of a group whose connection was lost while its rows and commit were under way.
    enum Settled {
        /// Committed; its last revision is at this log position.
        case committed(lastSeq: Int64)
        case notCommitted
    }

    /// Finds out whether the group that writes `keys` committed, on a new connection: it takes the log lock first,
    /// which waits for the old transaction to end if its session still runs, then looks for the group's last
    /// revision and the positions before it. A transaction commits whole, at consecutive positions, so the group
    /// committed if and only if its revisions are there in its order (the last one alone could have been
    /// written by another process replaying the same entry). Tries for up to `settleSeconds` while the server
    /// cannot be reached (a restart).
    /// - Returns: nil when it cannot tell in that time.
    private func settle(_ keys: [WriteGroup.RevisionKey]) -> Settled? {
        guard let last = keys.last else { return .notCommitted }
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(settleSeconds * 1e9)
        var delay = 0.05
        while true {
            if let connection = try? connect() {
                defer { connection.close() }
                do throws(PGError) {
                    let results = try connection.pipeline([
                        .init("BEGIN"),
                        .init("SELECT seq FROM log_head FOR UPDATE"),
                        .init("""
                            SELECT r.seq, r.event, r.revision, r.hash
                            FROM (SELECT seq FROM revisions WHERE event = $1 AND revision = $2 AND hash = $3) l
                                JOIN revisions r ON r.seq > l.seq - $4 AND r.seq <= l.seq
                            ORDER BY r.seq
                            """, [.int64(last.event), .int64(last.revision), .int64(last.hash), .int64(Int64(keys.count))]),
                        .init("ROLLBACK"),
                    ])
                    let rows = results[2]
                    let found = (0..<rows.rowCount).map { row in
                        WriteGroup.RevisionKey(event: rows.int64(row, 1), revision: rows.int64(row, 2), hash: rows.int64(row, 3))
                    }
                    guard found == keys, rows.rowCount > 0 else { return .notCommitted }
                    return .committed(lastSeq: rows.int64(rows.rowCount - 1, 0))
                } catch {
                    if !error.connectionLost { return nil }
                }
            }
            guard DispatchTime.now().uptimeNanoseconds + UInt64(delay * 1e9) < deadline else { return nil }
            usleep(UInt32(delay * 1e6))
            delay = min(1, delay * 2)
        }
    }

    /// Starts the group transaction: the row locks and histories of `ids`, and a number for each of them that is
    /// not stored yet. A connection found lost here (nothing written yet) is made again and the start tried once
    /// more.
    private func begin(ids: [String]) throws(PGError) -> (PGConnection, WriteGroup) {
        var retried = false
        while true {
            let reused = connection != nil
            let connection = try live()
            do throws(PGError) {
                let results = try run([
                    .init("BEGIN"),
                    .init("SELECT count(*) FROM (SELECT FROM events WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE) AS locked",
                          [.textArray(ids)]),
                    .init("""
                        SELECT e.event, e.id, h.revision, h.seq, h.retraction, r.revision, r.seq, r.hash, r.retraction IS NOT NULL
                        FROM events e JOIN revisions h ON h.event = e.event AND h.revision = e.head_revision
                            JOIN revisions r ON r.event = e.event
                        WHERE e.id = ANY($1::text[]) ORDER BY e.event, r.revision
                        """, [.textArray(ids)]),
                    // A number for each id not stored. This statement sees its own moment: an id another process
                    // created since the histories were read is counted here, so the group may run out of numbers
                    // (`WriteGroup.ranOutOfEventNumbers`) and is decided again.
                    .init("SELECT nextval('event_numbers') FROM generate_series(1, $1 - (SELECT count(*) FROM events WHERE id = ANY($2::text[])))",
                          [.int64(Int64(ids.count)), .textArray(ids)]),
                ], on: connection)
                let rows = results[2], numbers = results[3]
                var histories: [String: StoredHistory] = [:]
                for row in 0..<rows.rowCount {
                    let id = rows.text(row, 1) ?? ""
                    let key = StoredHistory.RevisionKey(revision: rows.int(row, 5), seq: rows.int64(row, 6), hash: rows.int64(row, 7),
                                                        retraction: rows.bool(row, 8))
                    if histories[id] == nil {
                        histories[id] = StoredHistory(event: rows.int64(row, 0),
                                                      head: .init(revision: rows.int(row, 2), seq: rows.int64(row, 3), retraction: rows.text(row, 4)),
                                                      revisions: [])
                    }
                    histories[id]!.revisions.append(key)
                }
                return (connection, WriteGroup(histories: histories, eventNumbers: (0..<numbers.rowCount).map { numbers.int64($0, 0) }, clock: clock))
            } catch {
                if error.connectionLost {
                    drop(connection)
                    if reused && !retried {
                        retried = true
                        continue
                    }
                } else {
                    try? connection.execute("ROLLBACK")
                }
                throw error
            }
        }
    }

    private func run(_ statements: [PGConnection.Statement], on connection: PGConnection) throws(PGError) -> [PGResult] {
        if pipelined { return try connection.pipeline(statements) }
        var results: [PGResult] = []
        for statement in statements { results.append(try connection.query(statement)) }
        return results
    }

    private func live() throws(PGError) -> PGConnection {
        if let connection, !connection.isBroken { return connection }
        connection?.close()
        connection = nil
        let made = try backoff.attempt(connect)
        connection = made
        return made
    }

    private func drop(_ connection: PGConnection) {
        connection.close()
        if self.connection === connection { self.connection = nil }
    }

    private func failed(_ batches: [[PostgresEntry]], _ error: StoreError) -> Committed {
        Committed(results: batches.map { _ in .failure(error) }, lastSeq: nil)
    }

    /// Closes the connection.
    func close() {
        connection?.close()
        connection = nil
    }
}
