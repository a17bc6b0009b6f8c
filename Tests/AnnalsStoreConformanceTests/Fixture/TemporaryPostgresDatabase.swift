import AnnalsPostgres
import AnnalsStore
import AnnalsStoreTesting
import Foundation
import Testing

/// A database of its own on the PostgreSQL server that `ANNALS_TEST_POSTGRESQL` names (a libpq URI whose user may
/// create databases): created empty from template0, dropped (with any connection left to it) when released.
final class TemporaryPostgresDatabase: StoreLocation {
    /// The database's name: `annals_test_` and 32 hex digits.
    let name: String
    /// The URI of this database: the server's, with the database replaced.
    let uri: String
    private let serverURI: String
    private let options: PostgresEventStore.Options

    /// - Throws: `FixtureError` when the variable is unset, is not a URI, or the server refuses.
    init() throws {
        let server = try TestPostgresServer.uri()
        serverURI = server
        name = "annals_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        uri = try TestPostgresServer.replacingDatabase(in: server, with: name)
        var options = PostgresEventStore.Options()
        options.clock = PinnedClock.make()
        options.poolSize = 2
        options.dictionaryTrainingThreshold = 0  // as the SQLite fixture: no training behind the test's back
        self.options = options
        try PostgresAdmin(uri: server).execute("CREATE DATABASE \(name) TEMPLATE template0 ENCODING 'UTF8'")
    }

    func open() throws -> any EventStore {
        try PostgresEventStore(connectionString: uri, options: options)
    }

    /// Whether a database by this name exists on the server (the fixture's own tests).
    static func exists(_ name: String) throws -> Bool {
        try PostgresAdmin(uri: TestPostgresServer.uri()).scalar("SELECT count(*) FROM pg_database WHERE datname = '\(name)'") == "1"
    }

    deinit {
        do {
            try PostgresAdmin(uri: serverURI).execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        } catch {
            Issue.record("the test database \(name) was not dropped: \(error)")
        }
    }
}
