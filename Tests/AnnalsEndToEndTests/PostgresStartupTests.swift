import AnnalsServer
import AnnalsStoreTesting
import Foundation
import Testing

/// annalsd's start on PostgreSQL (issue 13 §1, §6): each way it cannot start is one clear line and a non-zero
/// exit; a password is used but shown nowhere: not in the log, not in `ps` (`/proc/PID/cmdline`).
@Suite("annalsd on PostgreSQL: starting")
struct PostgresStartupTests {
    /// Runs annalsd expecting it not to start; returns its single line of standard error.
    private func failedStart(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let annalsd = ServerProcess.binDirectory.appendingPathComponent("annalsd").path
        let result = try Command.run(annalsd, arguments + ["--port", "0"], timeout: 90)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(!result.timedOut && result.status != 0, "annalsd \(arguments): status \(result.status), stderr \(result.stderr)",
                sourceLocation: sourceLocation)
        #expect(!result.stdout.contains("listening"), "\(result.stdout)", sourceLocation: sourceLocation)
        #expect(lines.count == 1, "one line: \(result.stderr)", sourceLocation: sourceLocation)
        return lines.first.map(String.init) ?? ""
    }

    @Test func aURLLibpqCannotReadIsOneLine() throws {
        _ = try TestPostgresServer.uri()
        // "%zz" is no percent-encoding: libpq refuses the URI. The password must not show.
        let line = try failedStart(["--db", "postgresql://annals:Pw-%zz-Hidden@localhost/annals"])
        #expect(line.contains("cannot be read"), "\(line)")
        #expect(!line.contains("Pw-"), "\(line)")
    }

    @Test func aServerThatIsDownIsOneLine() throws {
        _ = try TestPostgresServer.uri()
        // A socket folder with no server in it.
        let directory = try CLITemporaryDirectory()
        let line = try failedStart(["--db", "postgresql://annals:Down-Secret@/annals?host=\(directory.url.path)&port=5999"])
        #expect(line.contains("cannot be reached"), "\(line)")
        #expect(!line.contains("Down-Secret"), "\(line)")
    }

    @Test func aMissingDatabaseIsOneLine() throws {
        let url = try TestPostgresServer.replacingDatabase(in: TestPostgresServer.uri(), with: "annals_e2e_no_such_database")
        let line = try failedStart(["--db", url])
        #expect(line.contains("annals_e2e_no_such_database") && line.contains("does not exist"), "\(line)")
    }

    /// A loop waits while PostgreSQL answers, so annalsd runs twice as many on PostgreSQL as on SQLite, unless told.
    @Test func postgresqlGetsTwiceTheEventLoopsOfSQLite() throws {
        let cores = ServerConfiguration.cores
        let database = try PostgresTestDatabase()
        for (arguments, path, loops) in [([String](), database.url, 2 * cores), (["--concurrent-reads", "3"], database.url, 3),
                                         ([], nil, cores)] {
            let server = try ServerProcess(arguments: arguments, databasePath: path)
            try server.stop()
            #expect(server.log.contains("event-loops=\(loops)"), "\(arguments) \(path ?? "sqlite"): \(server.log)")
        }
    }

    /// On a cluster of the test's own whose server asks one role for a password: the right one is used and hidden
    /// from ps and the log; a wrong one is one line that does not show it either.
    @Test func aPasswordIsUsedButShownNowhere() throws {
        let cluster = try PrivateCluster()
        let secret = "Corr3ct-Horse-\(UUID().uuidString.prefix(6))"
        try cluster.requirePassword(role: "annals_pw", password: secret)
        try PostgresTestServer.psql(cluster.url, "CREATE DATABASE annals_pw OWNER annals_pw")
        let base = try TestPostgresServer.replacingDatabase(in: cluster.url, with: "annals_pw")

        let wrong = try failedStart(["--db", PostgresTestServer.url(base, user: "annals_pw", password: "Wr0ng-Guess")])
        #expect(wrong.contains("password"), "\(wrong)")
        #expect(!wrong.contains("Wr0ng-Guess"), "\(wrong)")

        // The right password in the user information, then as a query parameter (after a decoy).
        let inUserInfo = PostgresTestServer.url(base, user: "annals_pw", password: secret)
        let inQuery = PostgresTestServer.url(base, user: "annals_pw", password: "Not-This-One") + "&password=\(secret)"
        // libpq decodes a parameter's name too: pass%77ord is password.
        let encodedName = PostgresTestServer.url(base, user: "annals_pw", password: "Not-This-One") + "&pass%77ord=\(secret)"
        for (index, url) in [inUserInfo, inQuery, encodedName].enumerated() {
            let server = try ServerProcess(arguments: index == 1 ? ["--log-level", "trace"] : [], databasePath: url)
            let cmdline = try String(contentsOfFile: "/proc/\(server.pid)/cmdline", encoding: .utf8)
            #expect(!cmdline.contains(secret) && !cmdline.contains("Not-This-One"), "\(cmdline.replacingOccurrences(of: "\0", with: " "))")
            #expect(cmdline.contains("annals_pw:"), "the rest of the URL stays readable")
            // It did log in with it: an event goes in and comes back.
            let cli = CLIRunner(server: server)
            try cli.ok(["add", "--id", "with-password-\(index)", "--date", "2001", "--title", "Written with a password"])
            #expect(try cli.ok(["show", "with-password-\(index)"]).stdout.contains("Written with a password"))
            try server.stop()
            #expect(!server.log.contains(secret) && !server.log.contains("Not-This-One"), "\(server.log)")
            #expect(server.log.contains("serving postgresql://annals_pw:***@"), "\(server.log)")
        }
    }

    @Test func settingsOfTheOtherEngineAreRefusedSayingWhy() throws {
        let url = try TestPostgresServer.replacingDatabase(in: TestPostgresServer.uri(), with: "annals_e2e_never_opened")
        let annalsd = ServerProcess.binDirectory.appendingPathComponent("annalsd").path
        for (arguments, expected) in [
            (["--db", url, "--cache-size", "64"], "--cache-size is a setting of the SQLite engine"),
            (["--db", url, "--sync", "full"], "--sync is a setting of the SQLite engine"),
            (["--db", url, "--db-pool", "0"], "--db-pool must be between 1 and 256"),
            (["--db", url, "--db-statement-timeout", "100000"], "--db-statement-timeout must be 0"),
            (["--db", url, "--db-detail-cache", "65537"], "--db-detail-cache must be between 0 (none) and 65536 MiB"),
            (["--db", "/tmp/annals-e2e-never.sqlite", "--db-detail-cache", "64"], "--db-detail-cache is a setting of the PostgreSQL engine"),
            (["--db", "/tmp/annals-e2e-never.sqlite", "--db-pool", "4"], "--db-pool is a setting of the PostgreSQL engine"),
            (["--db", "/tmp/annals-e2e-never.sqlite", "--db-replica", url], "--db-replica is a setting of the PostgreSQL engine"),
            (["--db", url, "--db-replica", "/tmp/annals-e2e-never-replica.sqlite"], "--db-replica takes a PostgreSQL database"),
            (["--db", "host=/run/postgresql dbname=annals"], "not key=value settings"),
            (["--db", "postgresql:/annals"], "must begin postgresql://"),
        ] {
            let result = try Command.run(annalsd, arguments + ["--port", "0"], timeout: 30)
            #expect(result.status == 64, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/annals-e2e-never.sqlite"))
    }
}
