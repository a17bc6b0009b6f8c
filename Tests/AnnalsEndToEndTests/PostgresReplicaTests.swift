import AnnalsStoreTesting
import Foundation
import Testing

/// annalsd with `--db-replica`, on the streaming replica Scripts/test starts beside the test server
/// (`ANNALS_TEST_POSTGRESQL_REPLICA`): it serves, a client reads what it just wrote, and a replica that is not
/// one is a one-line refusal to start.
@Suite("annalsd on PostgreSQL: reading from a replica")
struct PostgresReplicaTests {
    /// The replica's URI of `database`, once the replica has it.
    static func replicaURL(of database: PostgresTestDatabase) throws -> String {
        let replica = try TestPostgresServer.replicaURI()
        // Generous: replay stands still while another suite's test has it paused, and the whole suite shares two cores.
        let seconds = 120.0
        let replicated = Hardening.waitUntil(timeout: seconds) {
            (try? PostgresTestServer.psql(replica, "SELECT count(*) FROM pg_database WHERE datname = '\(database.name)'")) == "1"
        }
        guard replicated else { throw TestFailure("the replica did not replay CREATE DATABASE \(database.name) within \(Int(seconds)) s") }
        return try TestPostgresServer.replacingDatabase(in: replica, with: database.name)
    }

    @Test func aClientReadsItsOwnWritesThroughAnAnnalsdThatReadsFromTheReplica() throws {
        let database = try PostgresTestDatabase()
        let replica = try Self.replicaURL(of: database)
        let server = try ServerProcess(arguments: ["--db-replica", replica], databasePath: database.url)
        #expect(server.log.contains("reading from the replica postgresql:///\(database.name)"), "\(server.log)")
        let cli = CLIRunner(server: server)
        for i in 0..<5 {
            try cli.ok(["add", "--id", "replica-read-\(i)", "--date", "195\(i)", "--title", "Read back at once \(i)"])
            #expect(try cli.ok(["show", "replica-read-\(i)"]).stdout.contains("Read back at once \(i)"))
        }
        #expect(try cli.ok(["timeline", "--from", "1950"]).stdout.contains("Read back at once 4"))
        #expect(try server.stop() == 0)
    }

    @Test func aReplicaThatIsThePrimaryIsRefusedInOneLine() throws {
        let database = try PostgresTestDatabase()
        let annalsd = ServerProcess.binDirectory.appendingPathComponent("annalsd").path
        let result = try Command.run(annalsd, ["--db", database.url, "--db-replica", database.url, "--port", "0"], timeout: 90)
        #expect(result.status != 0 && !result.timedOut, "\(result.status) \(result.stderr)")
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.count == 1 && result.stderr.contains("is not in recovery"), "\(result.stderr)")
    }
}
