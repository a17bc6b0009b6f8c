import AnnalsClient
import AnnalsCore
import AnnalsProtocol
import AnnalsStoreTesting
import Foundation
import Synchronization
import Testing

/// annalsd on PostgreSQL when the database server goes away and comes back, or a statement runs too long
/// (issue 13 §6). Each test runs a cluster of its own (`PrivateCluster`): it stops and starts it.
@Suite("annalsd on PostgreSQL: faults")
struct PostgresFaultTests {
    /// What the appending client saw.
    private struct Tally {
        /// Ids of events in batches the server acknowledged.
        var acknowledged: [String] = []
        /// Batches that failed, with the error.
        var failed: [(ids: [String], error: ClientError)] = []
    }

    /// Appends batches of `size` new events through `server` on a thread of its own until told to stop, keeping
    /// count of what was acknowledged and what failed; reconnects if the connection drops.
    private final class Appender: @unchecked Sendable {
        let tally = Mutex(Tally())
        private let stopped = Atomic<Bool>(false)
        private let finished = DispatchSemaphore(value: 0)

        init(server: ServerProcess, size: Int) {
            Thread { [self] in
                var connection: AnnalsConnection?
                var batchNumber = 0
                while !stopped.load(ordering: .relaxed) {
                    if connection == nil { connection = try? server.connect() }
                    guard let live = connection else { usleep(50_000); continue }
                    let ids = (0..<size).map { "outage-\(batchNumber)-\($0)" }
                    batchNumber += 1
                    let entries = ids.map { LogEntry.event(HardeningCorpus.event($0, title: "Appended around an outage \($0)", date: "1960-05-01")) }
                    do throws(ClientError) {
                        let outcomes = try live.append(entries)
                        let accepted = outcomes.allSatisfy { if case .accepted = $0 { true } else { false } }
                        tally.withLock { tally in
                            if accepted { tally.acknowledged += ids } else { tally.failed.append((ids, .protocolViolation("not all accepted: \(outcomes)"))) }
                        }
                    } catch {
                        tally.withLock { $0.failed.append((ids, error)) }
                        if case .server = error {} else { connection = nil }
                        // Pacing, not an assertion: during the outage, one failed batch every 50 ms is plenty.
                        usleep(50_000)
                    }
                }
                connection?.close()
                finished.signal()
            }.start()
        }

        /// Stops appending and waits for the last batch's answer (idempotent).
        func stop() {
            stopped.store(true, ordering: .relaxed)
            if finished.wait(timeout: .now() + 120) == .success { finished.signal() }
        }

        var acknowledgedCount: Int { tally.withLock { $0.acknowledged.count } }
        var failedCount: Int { tally.withLock { $0.failed.count } }
    }

    /// PostgreSQL stopped (fast shutdown) and started again while a client appends through annalsd: appends
    /// during the outage fail with store-unavailable, every acknowledged event is there afterwards, no batch is
    /// half written, and appends, reads and a live tail resume without restarting annalsd.
    @Test func aRestartOfPostgreSQLUnderAppendsLosesNothingAcknowledged() throws {
        // synchronous_commit stays on (--durable): a commit is acknowledged once its WAL is written, so it
        // survives the server's stop; fsync off only spares the disk (the machine is not what is tested).
        let started = Date()
        let cluster = try PrivateCluster(durable: true, settings: ["fsync = off"])
        Hardening.figure("postgres.restart.seconds.cluster", String(format: "%.1f", Date().timeIntervalSince(started)))
        try PostgresTestServer.psql(cluster.url, "CREATE DATABASE annals")
        let url = try TestPostgresServer.replacingDatabase(in: cluster.url, with: "annals")
        let server = try ServerProcess(databasePath: url)
        let cli = CLIRunner(server: server)
        let follower = try cli.start(["tail", "--jsonl"])
        defer { follower.stop(signal: SIGKILL) }
        // tail follows from the position it read when it started: wait until it shows a first event.
        try cli.ok(["add", "--id", "before-outage", "--date", "1960", "--title", "Before the outage"])
        var shown = follower.waitForOutput(timeout: 5) { $0.contains("before-outage") }
        for i in 0..<20 where !shown {
            try cli.ok(["add", "--id", "before-outage-\(i)", "--date", "1960", "--title", "Before the outage \(i)"])
            shown = follower.waitForOutput(timeout: 5) { $0.contains("before-outage-\(i)") }
        }
        #expect(shown, "tail printed nothing: \(follower.stderr)")
        Hardening.figure("postgres.restart.seconds.tail-shown", String(format: "%.1f", Date().timeIntervalSince(started)))

        var phase = Date()
        func mark(_ name: String) {
            Hardening.figure("postgres.restart.seconds.\(name)", String(format: "%.1f", Date().timeIntervalSince(phase)))
            phase = Date()
        }
        mark("setup")
        let appender = Appender(server: server, size: 10)
        defer { appender.stop() }
        #expect(Hardening.waitUntil(timeout: 120) { appender.acknowledgedCount >= 300 }, "appends before the outage")

        mark("appends-before")
        try cluster.stop(mode: "fast")
        mark("stop")
        let failedBefore = appender.failedCount
        #expect(Hardening.waitUntil(timeout: 120) { appender.failedCount >= failedBefore + 5 }, "appends fail while the server is down")
        // A read fails the same way, and the connection stays open.
        let reader = try server.connect()
        defer { reader.close() }
        #expect(throws: ClientError.self) { _ = try reader.timeline(TimelineQuery(limit: 10)) }

        mark("failures-and-read")
        try cluster.start()
        mark("start")
        let restarted = appender.acknowledgedCount
        #expect(Hardening.waitUntil(timeout: 120) { appender.acknowledgedCount >= restarted + 300 }, "appends resume by themselves")
        appender.stop()
        mark("appends-after")

        // Reads resume by themselves, on the connection that saw them fail.
        #expect(Hardening.waitUntil(timeout: 60) { (try? reader.timeline(TimelineQuery(limit: 10))) != nil })
        mark("reads-resume")
        let tally = appender.tally.withLock { $0 }
        for (ids, error) in tally.failed {
            #expect(error.serverCode == .storeUnavailable, "batch \(ids.first ?? ""): \(error)")
        }
        let exported = try cli.ok(["export"]).lines.compactMap { try? EventLogCodec.decode(line: $0).id }
        let stored = Set(exported)
        mark("export")
        #expect(stored.count == exported.count, "each event once")
        let lost = tally.acknowledged.filter { !stored.contains($0) }
        #expect(lost.isEmpty, "\(lost.count) acknowledged events lost: \(lost.prefix(5))")
        var failedButStored = 0
        for (ids, _) in tally.failed {
            let present = ids.filter(stored.contains).count
            #expect(present == 0 || present == ids.count, "half a batch written: \(present) of \(ids)")
            if present == ids.count { failedButStored += 1 }
        }
        // Nothing else went in: the appended events are the acknowledged ones and whole failed batches.
        let appended = exported.filter { $0.hasPrefix("outage-") }.count
        #expect(appended == tally.acknowledged.count + 10 * failedButStored)
        Hardening.figure("postgres.restart.acknowledged", tally.acknowledged.count)
        Hardening.figure("postgres.restart.failed-batches", tally.failed.count)
        Hardening.figure("postgres.restart.failed-but-stored", failedButStored)
        if let first = tally.failed.first { Hardening.figure("postgres.restart.first-error", first.error) }

        // The tail started before the outage follows commits made after it (the listener reconnected).
        let last = tally.acknowledged.last ?? ""
        defer { mark("tail-after") }
        #expect(follower.waitForOutput(timeout: 60) { $0.contains(#""id":"\#(last)""#) },
                "tail after the restart: \(follower.stderr); annalsd: \(server.log.split(separator: "\n").filter { $0.contains("subscription") || $0.contains("warning") || $0.contains("error") }.suffix(10))")
    }

    /// A statement that runs past `--db-statement-timeout` is cancelled and its request answered with an error;
    /// the next one goes through. The statements are held up by a lock another session keeps, not by sleeping.
    @Test func aStatementPastTheTimeoutIsAnsweredWithAnError() throws {
        let database = try PostgresTestDatabase()
        let server = try ServerProcess(arguments: ["--db-statement-timeout", "1"], databasePath: database.url)
        let cli = CLIRunner(server: server)
        try cli.ok(["add", "--id", "first", "--date", "1956-10-19", "--title", "First"])

        // Every write locks the log's head row first: hold it.
        let holder = try HeldSession(database.url)
        try holder.send("BEGIN; SELECT * FROM log_head FOR UPDATE;")
        let lockHeld = "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'log_head' AND l.granted AND l.pid <> pg_backend_pid()"
        #expect(Hardening.waitUntil(timeout: 60) { (try? database.scalar(lockHeld)) != "0" })
        let write = try cli.run(["add", "--id", "second", "--date", "1956-10-20", "--title", "Second"])
        #expect(write.status != 0 && write.stderr.contains("took longer than 1 s and was cancelled"), "\(write)")
        #expect(write.stderr.contains("nothing was written"), "\(write)")
        try holder.send("ROLLBACK;")

        // A read held up the same way: another session takes the events table for itself.
        try holder.send("BEGIN; LOCK TABLE events IN ACCESS EXCLUSIVE MODE;")
        #expect(Hardening.waitUntil(timeout: 60) {
            (try? database.scalar(lockHeld.replacingOccurrences(of: "'log_head'", with: "'events'"))) != "0"
        })
        let read = try cli.run(["timeline"])
        #expect(read.status != 0 && read.stderr.contains("took longer than 1 s and was cancelled"), "\(read)")
        try holder.send("ROLLBACK;")
        holder.close()

        // The server goes on: the write that was cancelled goes in now, once.
        try cli.ok(["add", "--id", "second", "--date", "1956-10-20", "--title", "Second"])
        #expect(try cli.ok(["export"]).lines.count == 2)
    }
}
