import CAnnalsPQ
import AnnalsStoreTesting
import Foundation

/// A libpq connection for the fixture's own statements (CREATE and DROP DATABASE, a look at the catalog), closed
/// when released. Not the engine's code: the fixture must work before the engine does.
final class PostgresAdmin {
    private let connection: OpaquePointer

    /// Connects to the database `uri` names.
    /// - Throws: `FixtureError` with libpq's message when the server cannot be reached or refuses.
    init(uri: String) throws {
        guard let connection = PQconnectdb(uri) else { throw FixtureError("libpq could not allocate a connection") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.message(of: connection)
            PQfinish(connection)
            throw FixtureError("cannot connect to the PostgreSQL server \(TestPostgresServer.variable) names: \(message)")
        }
        self.connection = connection
    }

    deinit { PQfinish(connection) }

    /// Runs a statement that returns no rows.
    func execute(_ sql: String) throws {
        try withResult(sql, expecting: PGRES_COMMAND_OK) { _ in }
    }

    /// The first column of the first row of a query; nil when it returns no row.
    func scalar(_ sql: String) throws -> String? {
        try withResult(sql, expecting: PGRES_TUPLES_OK) { result in
            PQntuples(result) > 0 ? String(cString: PQgetvalue(result, 0, 0)) : nil
        }
    }

    private func withResult<T>(_ sql: String, expecting status: ExecStatusType, _ body: (OpaquePointer) -> T) throws -> T {
        guard let result = PQexec(connection, sql) else { throw FixtureError("\(sql): \(Self.message(of: connection))") }
        defer { PQclear(result) }
        guard PQresultStatus(result) == status else {
            throw FixtureError("\(sql): \(String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return body(result)
    }

    private static func message(of connection: OpaquePointer) -> String {
        String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
