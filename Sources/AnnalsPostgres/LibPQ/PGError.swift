import CAnnalsPQ
import Foundation

/// A failure reported by libpq or the server: the server's SQLSTATE when it sent one, its primary message, and
/// whether the connection is gone (then any statement on it fails until it is made again).
///
/// Its text may name the server's view of things (a role, a relation) but never holds SQL or a password; the
/// store turns it into a `StoreError` in the user's terms (`PGErrorMapping`).
struct PGError: Error, Sendable, CustomStringConvertible {
    /// The five-character SQLSTATE ("57014"), nil when the failure is the client's (a lost connection).
    var sqlState: String?
    /// The primary message, one line.
    var message: String
    /// The connection can no longer be used.
    var connectionLost: Bool

    init(sqlState: String? = nil, message: String, connectionLost: Bool = false) {
        self.sqlState = sqlState
        self.message = message
        self.connectionLost = connectionLost
    }

    /// The error a failed statement's result carries.
    init(result: OpaquePointer, connection: OpaquePointer?) {
        let field = { (code: UInt8) -> String? in
            PQresultErrorField(result, Int32(code)).map { String(cString: $0) }
        }
        sqlState = field(UInt8(ascii: "C"))
        message = field(UInt8(ascii: "M")) ?? Self.firstLine(String(cString: PQresultErrorMessage(result)))
        connectionLost = connection.map { PQstatus($0) == CONNECTION_BAD } ?? true
        if sqlState.map(Self.closesConnection) == true { connectionLost = true }
    }

    /// The error libpq holds for a connection (a failed connect or a broken socket).
    init(connection: OpaquePointer?) {
        message = connection.map { Self.oneLine(String(cString: PQerrorMessage($0))) } ?? "out of memory"
        connectionLost = connection.map { PQstatus($0) == CONNECTION_BAD } ?? true
    }

    var description: String { sqlState.map { "\(message) (SQLSTATE \($0))" } ?? message }

    /// SQLSTATEs after which the server has closed (or will close) the session: connection exceptions (class 08),
    /// an administrator's or the server's shutdown, `pg_terminate_backend`, a server starting up.
    static func closesConnection(_ sqlState: String) -> Bool {
        sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03", "57P05"].contains(sqlState)
    }

    /// A libpq message on one line: its lines joined as sentences ("Connection refused\n\tIs the server running…"
    /// reads "Connection refused. Is the server running…"), without severity prefixes.
    static func oneLine(_ text: String) -> String {
        let lines = text.split(whereSeparator: \.isNewline).map { firstLine(String($0)) }.filter { !$0.isEmpty }
        return lines.enumerated().map { index, line in
            index < lines.count - 1 && !(line.last.map { ".?!:;,".contains($0) } ?? true) ? line + "." : line
        }.joined(separator: " ")
    }

    /// The first non-empty line of a libpq message, without libpq's severity prefixes.
    static func firstLine(_ text: String) -> String {
        var line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        for prefix in ["FATAL:  ", "ERROR:  "] where line.hasPrefix(prefix) { line.removeFirst(prefix.count) }
        return line.trimmingCharacters(in: .whitespaces)
    }
}
