import Foundation

/// The PostgreSQL server the tests use: the one `ANNALS_TEST_POSTGRESQL` names, a libpq URI whose user may create
/// databases (`Scripts/test` starts a temporary cluster and sets it). Tests that need it fail without it, saying
/// how to run them: they are never skipped.
public enum TestPostgresServer {
    /// The environment variable that names the server.
    public static let variable = "ANNALS_TEST_POSTGRESQL"

    /// The server's URI.
    /// - Throws: `FixtureError` saying how to run the tests, when the variable is unset.
    public static func uri() throws(FixtureError) -> String {
        let server = ProcessInfo.processInfo.environment[variable] ?? ""
        guard !server.isEmpty else {
            throw FixtureError("""
                \(variable) is not set, so the PostgreSQL engine cannot be tested: set \(variable) to a server's \
                libpq URI (e.g. postgresql:///postgres?host=/run/postgresql&user=postgres, a user that may create \
                databases) or run Scripts/test, which starts a temporary cluster
                """)
        }
        return server
    }

    /// The environment variable that names a streaming replica of that server (Scripts/test starts one).
    public static let replicaVariable = "ANNALS_TEST_POSTGRESQL_REPLICA"

    /// The replica's URI.
    /// - Throws: `FixtureError` saying how to run the tests, when the variable is unset.
    public static func replicaURI() throws(FixtureError) -> String {
        let replica = ProcessInfo.processInfo.environment[replicaVariable] ?? ""
        guard !replica.isEmpty else {
            throw FixtureError("""
                \(replicaVariable) is not set, so reads from a replica cannot be tested: set it to the libpq URI of a \
                streaming replica of the \(variable) server (Scripts/postgres-cluster replica makes one) or run \
                Scripts/test, which starts both
                """)
        }
        return replica
    }

    /// `uri` with the database `name` in place of its own; user, host, port and parameters are kept.
    /// - Throws: `FixtureError` when `uri` is not a `postgresql://` or `postgres://` URI, or names its database
    ///   in a `dbname` parameter (which would win over the path).
    public static func replacingDatabase(in uri: String, with name: String) throws(FixtureError) -> String {
        guard let scheme = ["postgresql://", "postgres://"].first(where: uri.hasPrefix) else {
            throw FixtureError("\(variable) is not a libpq URI (postgresql://…)")
        }
        let rest = uri.dropFirst(scheme.count)
        let queryStart = rest.firstIndex(of: "?") ?? rest.endIndex
        let query = rest[queryStart...]
        if query.dropFirst().split(separator: "&").contains(where: { $0.hasPrefix("dbname=") }) {
            throw FixtureError("\(variable) names its database in a dbname parameter: give it in the path instead")
        }
        let beforeQuery = rest[..<queryStart]
        let authority = beforeQuery.firstIndex(of: "/").map { beforeQuery[..<$0] } ?? beforeQuery
        return scheme + authority + "/" + name + query
    }
}

/// Why a fixture could not give a test what it needs (as opposed to the code under test failing the test).
public struct FixtureError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
