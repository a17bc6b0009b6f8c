@testable import AnnalsPostgres
import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
import Foundation
import Synchronization

/// A database of its own for one test, created on the server `ANNALS_TEST_POSTGRESQL` names (a libpq URI to a
/// database where the role may `CREATE DATABASE`) and dropped when the value goes away.
final class TestDatabase {
    /// The connection string of the test's database.
    let url: String
    let name: String
    /// The server's connection string (a database other than the test's).
    let admin: String

    init() throws {
        admin = try TestPostgresServer.uri()
        name = "annals_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        url = try TestPostgresServer.replacingDatabase(in: admin, with: name)
        try Self.run(admin, "CREATE DATABASE \(name)")
    }

    deinit {
        try? Self.run(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Runs SQL on the database `url` names, on a connection of its own.
    static func run(_ url: String, _ sql: String) throws {
        let connection = try PGConnection(try ConnectionString(url), statementTimeout: 0)
        defer { connection.close() }
        try connection.execute(sql)
    }

    /// Ends every session on the test's database and waits until they are gone (`pg_terminate_backend` only
    /// signals them).
    func endSessions() throws {
        try Self.run(admin, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)'")
        let gone = try eventually { try Self.scalar(admin, "SELECT count(*) FROM pg_stat_activity WHERE datname = '\(name)'") == 0 }
        if !gone { throw Stuck() }
    }

    /// The sessions open on the test's database, counted from another one.
    func sessions() throws -> Int64 {
        try Self.scalar(admin, "SELECT count(*) FROM pg_stat_activity WHERE datname = '\(name)'")
    }

    struct Stuck: Error, CustomStringConvertible {
        var description: String { "the sessions on the test database did not end within 20 s" }
    }

    /// One integer from a query on a connection of its own.
    static func scalar(_ url: String, _ sql: String) throws -> Int64 {
        let connection = try PGConnection(try ConnectionString(url), statementTimeout: 0)
        defer { connection.close() }
        return try connection.query(sql).int64(0, 0)
    }

    /// Options for tests: no dictionary training, a clock that ticks a second a write.
    static var options: PostgresEventStore.Options {
        var options = PostgresEventStore.Options()
        options.dictionaryTrainingThreshold = 0
        options.poolSize = 2
        let tick = Mutex<Int64>(1_548_633_600_000)
        options.clock = {
            tick.withLock { value in
                value += 1000
                return Timestamp(milliseconds: value)
            }
        }
        return options
    }

    func store(_ options: PostgresEventStore.Options = TestDatabase.options) throws -> PostgresEventStore {
        try PostgresEventStore(connectionString: url, options: options)
    }

    /// A store with the tests' options as `adjust` changes them.
    func store(_ adjust: (inout PostgresEventStore.Options) throws -> Void) throws -> PostgresEventStore {
        var options = TestDatabase.options
        try adjust(&options)
        return try store(options)
    }
}

/// Waits for `condition` with a generous deadline, polling.
func eventually(seconds: Double = 20, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return try condition()
}
