@testable import AnnalsPostgres
import AnnalsCore
import AnnalsProtocol
import AnnalsStore
import AnnalsStoreTesting
import Foundation
import Testing

/// Reads from a streaming replica (`Options.replicaConnectionString`, `annalsd --db-replica`), on the replica of
/// the test server that Scripts/test starts (`ANNALS_TEST_POSTGRESQL_REPLICA`). Replay is paused to make the
/// replica lag on purpose: what a store then reads shows where the read was served.
@Suite("PostgreSQL: reads from a streaming replica", .serialized)
struct ReplicaTests {
    /// The replica's URI of the test's database.
    static func replicaURL(of database: TestDatabase) throws -> String {
        try TestPostgresServer.replacingDatabase(in: TestPostgresServer.replicaURI(), with: database.name)
    }

    /// Waits until the replica has replayed everything the primary wrote so far.
    static func waitForReplay(_ database: TestDatabase) throws {
        let primary = try PGConnection(try ConnectionString(database.admin), statementTimeout: 0)
        let lsn = try primary.query("SELECT pg_current_wal_insert_lsn()::text").text(0, 0) ?? ""
        primary.close()
        let replica = try TestPostgresServer.replicaURI()
        // Generous: the whole suite runs beside it on two cores, creating and dropping databases whose WAL the
        // replica replays too (a CI run saw replay take over 20 s).
        let seconds = 120.0
        let caughtUp = try eventually(seconds: seconds) {
            try TestDatabase.scalar(replica, "SELECT CASE WHEN pg_last_wal_replay_lsn() >= '\(lsn)'::pg_lsn THEN 1 ELSE 0 END::int8") == 1
        }
        if !caughtUp { throw FixtureError("the replica did not replay the primary's WAL within \(Int(seconds)) s") }
    }

    /// Pauses or resumes replay on the replica; a pause is waited for (it is only requested at first).
    static func setReplay(paused: Bool) throws {
        let replica = try TestPostgresServer.replicaURI()
        try TestDatabase.run(replica, paused ? "SELECT pg_wal_replay_pause()" : "SELECT pg_wal_replay_resume()")
        guard paused else { return }
        let stopped = try eventually {
            try TestDatabase.scalar(replica, "SELECT CASE WHEN pg_get_wal_replay_pause_state() = 'paused' THEN 1 ELSE 0 END::int8") == 1
        }
        if !stopped { throw FixtureError("the replica did not pause its replay within 20 s") }
    }

    @Test func readsGoToTheReplicaAndStillSeeTheConnectionsOwnWrites() throws {
        let database = try TestDatabase()
        let elsewhere = try database.store()  // another annalsd on the same database
        defer { elsewhere.close() }
        _ = try elsewhere.append(Sample.diplomacy.map(LogEntry.event))
        try Self.waitForReplay(database)

        let store = try database.store { options in
            options.replicaConnectionString = try Self.replicaURL(of: database)
            options.detailCacheBytes = 0  // where each get is read is the question here; kept details are not read
        }
        defer { store.close() }
        let first = Sample.diplomacy[0].id
        #expect(try store.get(id: first, revision: nil) != nil)
        #expect(try store.encodedTimeline(TimelineQuery()).records.count == Sample.diplomacy.count)
        #expect(store.replicaReads?.answered == 2)

        try Self.setReplay(paused: true)
        defer { try? Self.setReplay(paused: false) }
        // Written elsewhere while the replica stands still: reads the replica serves do not see it yet.
        let late = Sample.event("replica-test-late-statement", "2019-02-07", kind: .speech, body: "The prime minister invokes the 1956 declaration.")
        _ = try elsewhere.append([.event(late)])
        #expect(try store.get(id: late.id, revision: nil) == nil, "served by the paused replica")
        // Written through this store: its reads see it, from the primary, while the replica lags.
        let own = Sample.event("replica-test-own-summit", "2018-11-15", kind: .summit, body: "Talks to hasten matters on the basis of the 1956 declaration.")
        let before = try #require(store.replicaReads)
        _ = try store.append([.event(own)])
        #expect(try store.get(id: own.id, revision: nil)?.current.event.body == own.body)
        #expect(try store.encodedTimeline(TimelineQuery(text: "hasten")).records.count == 1)
        var amended = own
        amended.summary = "Agreed in Singapore."
        #expect(try store.amend(amended).event.summary == "Agreed in Singapore.")
        let during = try #require(store.replicaReads)
        #expect(during.answered == before.answered, "nothing read from the replica while it lagged this store's writes")
        #expect(during.leftToPrimary >= before.leftToPrimary + 3)

        // Replay resumes: once the replica has the store's writes, it serves the reads again, and has them.
        try Self.setReplay(paused: false)
        let servedAgain = try eventually {
            let answered = store.replicaReads?.answered ?? 0
            let detail = try store.get(id: own.id, revision: nil)
            return (store.replicaReads?.answered ?? 0) > answered && detail?.current.event.summary == "Agreed in Singapore."
        }
        #expect(servedAgain)
        #expect(try store.get(id: late.id, revision: nil) != nil)
        // The change log is read on the primary, whatever the replica holds.
        #expect(try store.lastSeq() == elsewhere.lastSeq())
        let log = try store.entries(after: 0, limit: 100).map { "\($0.seq) \($0.entry)".prefix(60) }
        #expect(try store.lastSeq() == Int64(Sample.diplomacy.count + 3), "\(log)")
    }

    @Test func aReplicaThatIsNotOneIsRefusedInOneLine() throws {
        let database = try TestDatabase()
        do {
            let store = try database.store()
            store.close()
        }
        try Self.waitForReplay(database)
        var options = TestDatabase.options
        options.replicaCatchUpSeconds = 0.2

        // The primary itself.
        options.replicaConnectionString = database.url
        let primary = #expect(throws: StoreError.self) { try database.store(options) }
        #expect(primary?.message.contains("is not in recovery") == true, "\(primary?.message ?? "")")
        // A replica's database that holds no Annals store.
        options.replicaConnectionString = try TestPostgresServer.replicaURI()
        let empty = #expect(throws: StoreError.self) { try database.store(options) }
        #expect(empty?.message.contains("holds no Annals store") == true, "\(empty?.message ?? "")")
        // No server there.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("annals-no-replica-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        options.replicaConnectionString = "postgresql:///\(database.name)?host=\(directory.path)&port=5999&user=postgres"
        let down = #expect(throws: StoreError.self) { try database.store(options) }
        #expect(down?.code == .unavailable)
        #expect(down?.message.hasPrefix("the replica: ") == true && down?.message.contains("cannot be reached") == true, "\(down?.message ?? "")")
    }
}
