import AnnalsStoreTesting
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What the end-to-end tests of the PostgreSQL engine add to `TestPostgresServer` (the server
/// `ANNALS_TEST_POSTGRESQL` names): URIs with a password, and psql.
enum PostgresTestServer {
    /// `url` with `user:password@` as its user information (replacing any it had).
    static func url(_ url: String, user: String, password: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = String(rest[..<authorityEnd])
        if let at = authority.lastIndex(of: "@") { authority = String(authority[authority.index(after: at)...]) }
        let query = rest[authorityEnd...]
        // A user in the query (user=postgres) would override the URI's: take it out.
        let cleaned = query.split(separator: "&", omittingEmptySubsequences: false).map(String.init)
            .filter { !$0.hasPrefix("user=") && !$0.hasPrefix("?user=") }
        var tail = cleaned.joined(separator: "&")
        if query.hasPrefix("?"), !tail.hasPrefix("?") { tail = "?" + tail }
        return String(url[..<scheme.upperBound]) + "\(user):\(password)@" + authority + tail
    }

    /// Runs SQL with psql on the database `url` names; returns what it printed (unaligned, tuples only).
    @discardableResult
    static func psql(_ url: String, _ sql: String) throws -> String {
        let result = try Command.run("/usr/bin/psql", ["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
        guard result.status == 0 else { throw TestFailure("psql failed (\(result.status)) on \(sql): \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A database of its own on a PostgreSQL server for one test, dropped when the value goes away.
final class PostgresTestDatabase: @unchecked Sendable {
    /// The URI of the test's database.
    let url: String
    let name: String
    private let admin: String

    /// - Parameter server: the server's URI (default: `ANNALS_TEST_POSTGRESQL`).
    init(server: String? = nil) throws {
        admin = try server ?? TestPostgresServer.uri()
        name = "annals_e2e_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        url = try TestPostgresServer.replacingDatabase(in: admin, with: name)
        try PostgresTestServer.psql(admin, "CREATE DATABASE \(name)")
    }

    /// One value from a query on the test's database.
    func scalar(_ sql: String) throws -> String { try PostgresTestServer.psql(url, sql) }

    deinit {
        _ = try? PostgresTestServer.psql(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }
}

/// A PostgreSQL cluster of the test's own (`Scripts/postgres-cluster`), for tests that stop and start the server
/// or change how it authenticates, which they must not do to the server other tests share. Removed on deinit.
final class PrivateCluster: @unchecked Sendable {
    let directory: String
    /// The URI of its `postgres` database (trust authentication on a Unix-domain socket).
    let url: String
    private static let script = Fixtures.repository.appendingPathComponent("Scripts/postgres-cluster").path

    /// Starts a cluster. The tests of the PostgreSQL engine need `ANNALS_TEST_POSTGRESQL` set even when they
    /// make a cluster of their own: it says PostgreSQL is there to be tested, and without it they fail.
    /// - Parameter settings: lines for postgresql.conf.
    init(durable: Bool = false, settings: [String] = []) throws {
        _ = try TestPostgresServer.uri()
        guard FileManager.default.isExecutableFile(atPath: Self.script) else {
            throw TestFailure("\(Self.script) is missing: it starts the temporary PostgreSQL clusters of the tests")
        }
        directory = "/tmp/annals-e2e-pg-\(UUID().uuidString.prefix(8).lowercased())"
        var arguments = ["start"]
        if durable { arguments.append("--durable") }
        for line in settings { arguments += ["--set", line] }
        let result = try Command.run(Self.script, arguments + [directory], timeout: 180)
        guard result.status == 0 else { throw TestFailure("postgres-cluster start failed: \(result.stderr)") }
        url = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private var pgCtl: String {
        let bins = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        let newest = bins.sorted { $0.compare($1, options: .numeric) == .orderedAscending }.last ?? "15"
        return "/usr/lib/postgresql/\(newest)/bin/pg_ctl"
    }

    /// Runs pg_ctl on the cluster (as the postgres user when the tests run as root).
    private func pgCtl(_ arguments: [String]) throws {
        let command = [pgCtl, "-D", directory + "/data"] + arguments
        let result = getuid() == 0
            ? try Command.run("/usr/sbin/runuser", ["-u", "postgres", "--"] + command, timeout: 120)
            : try Command.run(command[0], Array(command.dropFirst()), timeout: 120)
        guard result.status == 0 else { throw TestFailure("pg_ctl \(arguments.joined(separator: " ")) failed: \(result.stderr) \(result.stdout)") }
    }

    /// Stops the server: `fast` ends open connections and shuts down cleanly; `immediate` is a crash.
    func stop(mode: String = "fast") throws { try pgCtl(["-m", mode, "-w", "-t", "60", "stop"]) }

    /// Starts the server again, on the same socket and port.
    func start() throws { try pgCtl(["-l", directory + "/server.log", "-w", "-t", "60", "start"]) }

    /// Makes the server ask `role` for its password (scram-sha-256) on the local socket; other roles keep trust.
    func requirePassword(role: String, password: String) throws {
        try PostgresTestServer.psql(url, "CREATE ROLE \(role) LOGIN PASSWORD '\(password)'")
        let hba = directory + "/data/pg_hba.conf"
        let old = try String(contentsOfFile: hba, encoding: .utf8)
        // First match wins: the line goes before the trust lines.
        try ("local all \(role) scram-sha-256\n" + old).write(toFile: hba, atomically: false, encoding: .utf8)
        try PostgresTestServer.psql(url, "SELECT pg_reload_conf()")
    }

    deinit {
        _ = try? Spawn.run(Self.script, ["stop", directory], timeout: 120)
    }
}

/// What a program run to completion gave: exit status (128 + the signal when a signal ended it) and both outputs.
enum Command {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var timedOut: Bool
    }

    static func run(_ executable: String, _ arguments: [String], timeout: Double = 60) throws -> Result {
        try Spawn.run(executable, arguments, timeout: timeout)
    }
}

/// A psql session kept open, for holding a lock while a test does something else. Closed (its transaction
/// rolled back) on `close` or deinit.
final class HeldSession: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()

    init(_ url: String) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url]
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// Sends SQL to the session (it runs when the server gets it; this does not wait).
    func send(_ sql: String) throws {
        try input.fileHandleForWriting.write(contentsOf: Data((sql + "\n").utf8))
    }

    func close() {
        try? input.fileHandleForWriting.close()
        if process.isRunning {
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
    }

    deinit { close() }
}
