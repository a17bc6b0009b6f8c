@testable import AnnalsPostgres
import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
import Foundation
import Synchronization
import Testing

/// Lost connections, a statement that runs too long, and databases that cannot be opened.
@Suite("PostgreSQL: faults", .serialized)
struct FaultTests {
    @Test func everyConnectionIsMadeAgainAfterTheServerEndsThem() throws {
        let database = try TestDatabase()
        let store = try database.store()
        let other = try database.store()
        defer { store.close(); other.close() }
        let heard = Mutex<[Int64]>([])
        store.onCommit { seq in heard.withLock { $0.append(seq) } }
        _ = try store.append([.event(Sample.event("before", "2019-01-28"))])
        _ = try store.timeline(TimelineQuery())
        let ended = try TestDatabase.scalar(database.url, """
            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
            """)
        #expect(ended >= 5, "the pools, the writer and the listeners of both stores")
        // Reads and writes go on by themselves on new connections.
        #expect(try store.timeline(TimelineQuery()).records.map(\.event.id) == ["before"])
        #expect(try store.append([.event(Sample.event("after", "2019-01-29"))]).first?.isAccepted == true)
        #expect(try other.get(id: "after") != nil)
        // The listener is back: another instance's commit is heard.
        #expect(eventually(seconds: 30) {
            _ = try? other.append([.event(Sample.event("heard-\(UUID().uuidString.prefix(8))", "2019-02-01"))])
            return (heard.withLock { $0.last } ?? 0) >= 3
        })
    }

    /// A store whose statements time out after 0.5 s, holding one event ("first").
    private static func storeWithHalfSecondTimeout(_ database: TestDatabase) throws -> PostgresEventStore {
        var options = TestDatabase.options
        options.statementTimeoutSeconds = 0.5
        let store = try database.store(options)
        _ = try store.append([.event(Sample.event("first", "2019-01-28"))])
        return store
    }

    @Test func aStatementPastTheTimeoutIsCancelledAndNothingIsWritten() throws {
        let database = try TestDatabase()
        let store = try Self.storeWithHalfSecondTimeout(database)
        defer { store.close() }
        // Another session holds the log lock, so the writer's lock wait runs past the timeout.
        let holder = try PGConnection(try ConnectionString(database.url), statementTimeout: 0)
        defer { holder.close() }
        try holder.execute("BEGIN; SELECT * FROM log_head FOR UPDATE")
        let error = #expect(throws: StoreError.self) {
            _ = try store.append([.event(Sample.event("second", "2019-01-29"))])
        }
        #expect(error?.code == .io)
        #expect(error?.message == "the query took longer than 0.5 s and was cancelled; nothing was written")
        try holder.execute("ROLLBACK")
        #expect(try store.get(id: "second") == nil)
        #expect(try store.append([.event(Sample.event("second", "2019-01-29"))]).first?.seq == 2)
    }

    /// A group's inserts may take longer than the timeout (the insert that overflows the search index's pending
    /// list merges it into the index); waiting on another session's lock may not.
    @Test func aSlowWriteIsNotCutShortButItsLockWaitsAre() throws {
        let database = try TestDatabase()
        let store = try Self.storeWithHalfSecondTimeout(database)
        defer { store.close() }
        try TestDatabase.run(database.url, """
            CREATE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(1.5); RETURN NULL; END $$;
            CREATE TRIGGER slow_events BEFORE INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION slow_insert();
            """)
        #expect(try store.append([.event(Sample.event("slow", "2019-01-29"))]).first?.isAccepted == true)
        #expect(try store.get(id: "slow") != nil)
        try TestDatabase.run(database.url, "DROP TRIGGER slow_events ON events")

        let holder = try PGConnection(try ConnectionString(database.url), statementTimeout: 0)
        defer { holder.close() }
        try holder.execute("BEGIN; LOCK TABLE facets IN SHARE MODE")
        let error = #expect(throws: StoreError.self) {
            _ = try store.append([.event(Sample.event("third", "2019-01-30"))])
        }
        #expect(error?.message == "the query waited longer than 0.5 s for another session's lock and was cancelled; nothing was written")
        try holder.execute("ROLLBACK")
        #expect(try store.get(id: "third") == nil)
        #expect(try store.append([.event(Sample.event("third", "2019-01-30"))]).first?.isAccepted == true)
        // Reads after a write still have the timeout: the write's exemption ended with its transaction.
        try holder.execute("BEGIN; LOCK TABLE events IN ACCESS EXCLUSIVE MODE")
        #expect(throws: StoreError.self) { _ = try store.timeline(TimelineQuery()) }
        try holder.execute("ROLLBACK")
    }

    @Test func duringAnOutageAppendsFailAsUnavailableWriteNothingAndReadsResumeByThemselves() throws {
        let database = try TestDatabase()
        let store = try database.store()
        defer { store.close() }
        _ = try store.append([.event(Sample.event("before", "2019-01-28"))])
        // The outage: the database takes no new connection, and every session on it is ended.
        try TestDatabase.run(database.admin, "ALTER DATABASE \(database.name) ALLOW_CONNECTIONS false")
        try database.endSessions()
        let append = #expect(throws: StoreError.self) {
            _ = try store.append([.event(Sample.event("during", "2019-01-29"))])
        }
        #expect(append?.code == .unavailable)
        #expect(append?.message.contains("nothing was written") == true)
        #expect(append?.message.contains("SELECT") == false)
        let read = #expect(throws: StoreError.self) {
            _ = try store.timeline(TimelineQuery())
        }
        #expect(read?.code == .unavailable)
        // The server is back: reads and appends resume by themselves, once the backoff lets them.
        try TestDatabase.run(database.admin, "ALTER DATABASE \(database.name) ALLOW_CONNECTIONS true")
        #expect(eventually { (try? store.timeline(TimelineQuery()).records.map(\.event.id)) == ["before"] })
        #expect(eventually { (try? store.append([.event(Sample.event("after", "2019-01-30"))]))?.first?.isAccepted == true })
        #expect(try store.get(id: "during") == nil, "the append that failed wrote nothing")
        #expect(try store.entries(after: 0, limit: 10).map(\.entry.id) == ["before", "after"])
    }

    @Test func aCommitWhoseAnswerWasLostIsFoundCommittedAndAcknowledged() throws {
        let database = try TestDatabase()
        let store = try database.store()
        defer { store.close() }
        store.loseWriterConnection(.afterCommit)
        let outcomes = try store.append([.event(Sample.event("e1", "2019-01-28")), .event(Sample.event("e2", "2019-01-29"))])
        #expect(outcomes.map(\.seq) == [1, 2] && outcomes.allSatisfy(\.isAccepted))
        #expect(try store.entries(after: 0, limit: 10).map(\.entry.id) == ["e1", "e2"])
        #expect(try store.append([.event(Sample.event("e3", "2019-01-30"))]).first?.seq == 3)
    }

    @Test func aGroupWhoseConnectionDiedBeforeItsCommitIsAnsweredNothingWritten() throws {
        let database = try TestDatabase()
        let store = try database.store()
        defer { store.close() }
        _ = try store.append([.event(Sample.event("e1", "2019-01-28"))])
        store.loseWriterConnection(.beforeCommit)
        let error = #expect(throws: StoreError.self) {
            _ = try store.append([.event(Sample.event("e2", "2019-01-29"))])
        }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("nothing was written") == true)
        #expect(try store.get(id: "e2") == nil)
        #expect(try store.append([.event(Sample.event("e2", "2019-01-29"))]).first?.seq == 2)
    }

    @Test func aReadPastTheTimeoutIsCancelledWithAClearError() throws {
        let database = try TestDatabase()
        let store = try Self.storeWithHalfSecondTimeout(database)
        defer { store.close() }
        // Another session keeps every reader out of the events table.
        let holder = try PGConnection(try ConnectionString(database.url), statementTimeout: 0)
        defer { holder.close() }
        try holder.execute("BEGIN; LOCK TABLE events IN ACCESS EXCLUSIVE MODE")
        let error = #expect(throws: StoreError.self) {
            _ = try store.timeline(TimelineQuery())
        }
        #expect(error?.code == .io)
        #expect(error?.message == "the query took longer than 0.5 s and was cancelled")
        try holder.execute("ROLLBACK")
        #expect(try store.timeline(TimelineQuery()).records.map(\.event.id) == ["first"], "the connection is still good")
    }

    @Test func readsUseAtMostPoolSizeConnections() throws {
        let database = try TestDatabase()
        var options = TestDatabase.options
        options.poolSize = 3
        let store = try database.store(options)
        defer { store.close() }
        _ = try store.append([.event(Sample.event("first", "2019-01-28"))])
        // Eight readers at once, on threads of their own (blocking calls).
        let finished = Atomic<Int>(0)
        for _ in 0..<8 {
            Thread {
                for _ in 0..<25 { _ = try? store.timeline(TimelineQuery()) }
                finished.add(1, ordering: .relaxed)
            }.start()
        }
        #expect(eventually(seconds: 60) { finished.load(ordering: .relaxed) == 8 })
        // The pool's connections, the writer's, the listener's and the search index merger's.
        let sessions = try database.sessions()
        #expect(sessions >= 3 && sessions <= Int64(options.poolSize) + 3, "\(sessions) sessions")
    }

    @Test func aMissingDatabaseIsOneClearLine() throws {
        let url = try TestPostgresServer.replacingDatabase(in: TestPostgresServer.uri(), with: "annals_no_such_database")
        let error = #expect(throws: StoreError.self) {
            _ = try PostgresEventStore(connectionString: url, options: TestDatabase.options)
        }
        let message = error?.message ?? ""
        #expect(message.hasPrefix("database 'annals_no_such_database' on "))
        #expect(message.hasSuffix("does not exist: create it (createdb annals_no_such_database) or fix the URL"))
    }

    @Test func aServerThatIsDownIsUnavailable() throws {
        // A port nothing listens on, on the same host as the test server.
        var url = try TestPostgresServer.replacingDatabase(in: TestPostgresServer.uri(), with: "annals")
        url += url.contains("?") ? "&port=1" : "?port=1"
        let error = #expect(throws: StoreError.self) {
            _ = try PostgresEventStore(connectionString: url, options: TestDatabase.options)
        }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("cannot be reached") == true)
    }

    @Test func aDatabaseOfAnotherApplicationIsRefused() throws {
        let database = try TestDatabase()
        try TestDatabase.run(database.url, "CREATE TABLE events(x int); CREATE TABLE revisions(y int)")
        let error = #expect(throws: StoreError.self) {
            _ = try database.store()
        }
        #expect(error?.code == .corrupt)
        #expect(error?.message.contains("not an Annals store") == true)
    }
}
