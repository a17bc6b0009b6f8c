import AnnalsProtocol
import AnnalsStore
import Foundation

/// Turns libpq's and the server's failures into `StoreError`s in the user's terms: by SQLSTATE, never with
/// SQL or a password in the message.
enum PGErrorMapping {
    /// What a failed write left behind, for its message.
    enum Write {
        /// Not a write.
        case none
        /// The transaction was rolled back (or never began).
        case nothingWritten
        /// The connection broke while the commit was under way: the batch may or may not be stored.
        case outcomeUnknown
    }

    /// The store error for a failed statement.
    /// - Parameters:
    ///   - statementTimeout: the store's statement timeout in seconds, to name it when a statement ran past it.
    ///   - write: for a write, what it left behind (the message says it).
    static func storeError(_ error: PGError, statementTimeout: Double, write: Write = .none) -> StoreError {
        let written = switch write {
        case .none: ""
        case .nothingWritten: "; nothing was written"
        case .outcomeUnknown: "; the batch may or may not have been written: send it again (entries already stored come back as duplicates)"
        }
        if error.connectionLost {
            return StoreError(.unavailable, "the database server cannot be reached (\(error.message))\(written)\(write == .outcomeUnknown ? "" : "; try again later")")
        }
        switch error.sqlState ?? "" {
        case "57014":
            return StoreError(.io, "the query took longer than \(seconds(statementTimeout)) s and was cancelled\(write == .outcomeUnknown ? "" : written)")
        case "55P03":
            return StoreError(.io, "the query waited longer than \(seconds(statementTimeout)) s for another session's lock and was cancelled\(write == .outcomeUnknown ? "" : written)")
        case "53100":
            return StoreError(.full, "the database server's disk is full; nothing was written, reads still work")
        case "53300":
            return StoreError(.unavailable, "the database server has no free connection slot (max_connections); try again later")
        case "53200":
            return StoreError(.unavailable, "the database server is out of memory; try again later")
        case "25006":
            return StoreError(.io, "the database is read-only (a standby server?): point the store at the primary")
        case "42501":
            return StoreError(.io, "the database role may not do what the store needs: \(error.message)")
        case "XX001", "XX002":
            return StoreError(.corrupt, "the database reports damaged data: \(error.message)")
        case let state where state.hasPrefix("40"):
            return StoreError(.io, "the database aborted the transaction (\(error.message)); nothing was written, try again")
        default:
            return StoreError(.io, "the database failed: \(error.description)")
        }
    }

    /// The store error for anything a read or write threw: a store error as it is, damaged stored bytes as
    /// `.corrupt`.
    static func storeError(any error: any Error, statementTimeout: Double) -> StoreError {
        switch error {
        case let error as StoreError: error
        case let error as PGError: storeError(error, statementTimeout: statementTimeout)
        case let error as ProtocolError: StoreError(.corrupt, "a stored record does not decode: \(error.message)")
        case let error as CompressionError: StoreError(.corrupt, "a stored body does not decompress: \(error.message)")
        default: StoreError(.io, "\(error)")
        }
    }

    /// The store error for a connection that could not be made at startup, one line naming where it was going
    /// (never the password) and what to do.
    static func connectError(_ error: PGError, to target: ConnectionString) -> StoreError {
        let reason = ConnectionString.redacted(error.message, secretOf: target.text)
        let lower = reason.lowercased()
        if lower.contains("password authentication failed") || lower.contains("no password supplied")
            || lower.contains("authentication failed") {
            return StoreError(.io, "the database server refused the login to \(target.place): wrong or missing password (give it in the URL, PGPASSWORD or ~/.pgpass)")
        }
        if lower.contains("database \""), lower.contains("does not exist") {
            return StoreError(.io, "\(target.place) does not exist: create it (createdb \(target.database ?? "NAME")) or fix the URL")
        }
        if lower.contains("role \""), lower.contains("does not exist") {
            return StoreError(.io, "the database server has no role \(target.user.map { "'\($0)'" } ?? "of that name") (\(target.place)): create it or fix the URL")
        }
        if lower.contains("no pg_hba.conf entry") {
            return StoreError(.io, "the database server does not accept this connection to \(target.place) (pg_hba.conf)")
        }
        let unreachable = ["connection refused", "no such file or directory", "could not translate host name", "timeout expired",
                           "network is unreachable", "no route to host", "the database system is starting up",
                           "the database system is shutting down", "the database system is in recovery mode", "could not connect"]
        if unreachable.contains(where: lower.contains) {
            return StoreError(.unavailable, "the database server for \(target.place) cannot be reached: \(shortReason(reason))")
        }
        return StoreError(.io, "cannot connect to \(target.place): \(shortReason(reason))")
    }

    /// libpq's reason without the "connection to server … failed:" preamble.
    private static func shortReason(_ reason: String) -> String {
        guard let range = reason.range(of: "failed: ") else { return reason }
        return String(reason[range.upperBound...])
    }

    /// Seconds as a person writes them: 30, 0.5, 0.05.
    static func seconds(_ value: Double) -> String {
        if value == value.rounded() { return String(Int(value)) }
        var text = String(format: "%.3f", value)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}
