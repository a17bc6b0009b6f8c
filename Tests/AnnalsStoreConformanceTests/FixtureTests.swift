import Testing
import AnnalsStoreTesting

/// The fixture itself, so that a failing PostgreSQL case is the engine's doing: its database is made and
/// dropped on the server `ANNALS_TEST_POSTGRESQL` names, and the URI it opens names that database.
@Suite("Conformance: the fixture")
struct FixtureTests {
    @Test func aPostgresDatabaseIsCreatedEmptyAndDroppedWhenReleased() throws {
        var database: TemporaryPostgresDatabase? = try TemporaryPostgresDatabase()
        let name = try #require(database?.name)
        #expect(try TemporaryPostgresDatabase.exists(name))
        let tables = try PostgresAdmin(uri: try #require(database?.uri))
            .scalar("SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
        #expect(tables == "0")
        // A connection left open (as a store that was never closed would leave it) does not keep it alive.
        let leftOpen = try PostgresAdmin(uri: try #require(database?.uri))
        database = nil
        #expect(!(try TemporaryPostgresDatabase.exists(name)))
        withExtendedLifetime(leftOpen) {}
    }

    @Test func theDatabaseIsReplacedInEveryFormOfURI() throws {
        let cases = [
            ("postgresql:///postgres?host=/tmp/pg&port=5433&user=postgres", "postgresql:///annals_x?host=/tmp/pg&port=5433&user=postgres"),
            ("postgres://alice:secret@db.example:5432/annals?sslmode=require", "postgres://alice:secret@db.example:5432/annals_x?sslmode=require"),
            ("postgresql://localhost", "postgresql://localhost/annals_x"),
            ("postgresql://", "postgresql:///annals_x"),
            ("postgresql://u@h/d", "postgresql://u@h/annals_x"),
        ]
        for (uri, expected) in cases {
            #expect(try TestPostgresServer.replacingDatabase(in: uri, with: "annals_x") == expected)
        }
        #expect(throws: FixtureError.self) { try TestPostgresServer.replacingDatabase(in: "host=/tmp dbname=x", with: "annals_x") }
        #expect(throws: FixtureError.self) { try TestPostgresServer.replacingDatabase(in: "postgresql:///?dbname=x", with: "annals_x") }
    }
}
