import AnnalsPostgres
import AnnalsStore
import Foundation

/// The store annalsd serves, opened from `--db`, and what the rest of annalsd needs to know of its engine.
struct OpenedStore {
    let store: any EventStore
    /// What the log says is served: the SQLite file, or the PostgreSQL URL without its password.
    let description: String
    /// Lets the store give back caches once writes have stopped (the SQLite engine's write caches).
    let releaseMemory: @Sendable () -> Void

    /// Opens (and creates) a SQLite store.
    /// - Throws: `Failure`, one line saying why.
    static func sqlite(path: String, options: SQLiteEventStore.Options) throws -> OpenedStore {
        let store: SQLiteEventStore
        do {
            store = try SQLiteEventStore(path: path, options: options)
        } catch {
            throw Failure("cannot open the database: \(error.message)")
        }
        return OpenedStore(store: store, description: path, releaseMemory: { [store] in store.releaseMemory() })
    }

    /// Connects to a PostgreSQL database, creating or migrating its schema.
    /// - Throws: `Failure`, one line saying why (the URL cannot be read, the server cannot be reached, the login
    ///   or the database is refused or missing), never with the password.
    static func postgres(_ url: DatabaseURL, replica: DatabaseURL?, options: PostgresEventStore.Options) throws -> OpenedStore {
        let store: PostgresEventStore
        do {
            store = try PostgresEventStore(connectionString: url.text, options: options)
        } catch {
            var line = Self.oneLine(error.message, hiding: url)
            if let replica { line = Self.oneLine(line, hiding: replica) }
            throw Failure("cannot open the PostgreSQL database: \(line)")
        }
        let description = url.redacted + (replica.map { ", reading from the replica \($0.redacted)" } ?? "")
        return OpenedStore(store: store, description: description, releaseMemory: {})
    }

    /// `message` on one line, with anything of the URL's passwords masked (the engine masks them already; this
    /// holds even if a message quotes the URL in a way it did not foresee).
    static func oneLine(_ message: String, hiding url: DatabaseURL) -> String {
        var line = message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
        let bytes = Array(url.text.utf8)
        for range in url.passwordRanges {
            let secret = String(decoding: bytes[range], as: UTF8.self)
            if !secret.isEmpty { line = line.replacingOccurrences(of: secret, with: "***") }
        }
        return line
    }
}
