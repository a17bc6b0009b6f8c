import AnnalsPostgres
import AnnalsStore
import ArgumentParser
import Foundation
import Logging

/// `--db` and the flags of each engine: which engine a value selects, which flags go with it, and opening it.
extension Annalsd {
    /// Whether `--db` names a PostgreSQL database (`postgresql://…`, `postgres://…`) rather than a SQLite file.
    var usesPostgres: Bool { db.map(DatabaseURL.names) ?? false }

    /// The flags that only one engine reads, given with the other engine's `--db`, and values that look like a
    /// PostgreSQL database but would be taken for a file name. Never quotes the value (it may hold a password).
    func validateDatabase() throws {
        if usesPostgres {
            let sqliteOnly: [(String, Bool, String)] = [
                ("--sync", sync != nil, "PostgreSQL's durability is the server's (synchronous_commit, fsync)"),
                ("--cache-size", cacheSize != nil, "size PostgreSQL's cache on the server (shared_buffers)"),
                ("--wal-autocheckpoint", walAutocheckpoint != nil, "PostgreSQL checkpoints by its own settings (max_wal_size)"),
                ("--max-db-pages", maxDBPages != nil, "limit a PostgreSQL database's size on the server (a tablespace, a disk quota)"),
            ]
            if let (flag, _, instead) = sqliteOnly.first(where: { $0.1 }) {
                throw ValidationError("\(flag) is a setting of the SQLite engine, and --db names a PostgreSQL database: leave it out; \(instead)")
            }
            if let dbReplica, !DatabaseURL.names(dbReplica) {
                throw ValidationError("--db-replica takes a PostgreSQL database as a URL (postgresql://USER@HOST/DB?…), like --db")
            }
            if let dbPool, !(1...256).contains(dbPool) { throw ValidationError("--db-pool must be between 1 and 256 connections, not \(dbPool)") }
            if let dbDetailCache, !(0...65_536).contains(dbDetailCache) {
                throw ValidationError("--db-detail-cache must be between 0 (none) and 65536 MiB, not \(dbDetailCache)")
            }
            if let dbStatementTimeout, !(dbStatementTimeout == 0 || (0.001...86_400).contains(dbStatementTimeout)) {
                throw ValidationError("--db-statement-timeout must be 0 (no limit) or between 0.001 and 86400 seconds, not \(dbStatementTimeout)")
            }
            return
        }
        for (flag, given) in [("--db-pool", dbPool != nil), ("--db-replica", dbReplica != nil), ("--db-detail-cache", dbDetailCache != nil),
                              ("--db-statement-timeout", dbStatementTimeout != nil)] where given {
            throw ValidationError("\(flag) is a setting of the PostgreSQL engine, and --db names a SQLite file (or is not given): leave it out, or give --db postgresql://USER@HOST/DB")
        }
        guard let db else { return }
        let lower = db.lowercased()
        if lower.hasPrefix("postgres") && lower.contains(":") {
            throw ValidationError("--db looks like a PostgreSQL URL but is not one: it must begin postgresql:// or postgres:// in lower case")
        }
        let keywords = ["host", "hostaddr", "port", "dbname", "user", "password", "passfile", "service", "sslmode"]
        let firstWord = lower.drop { $0 == " " }.prefix { $0.isLetter }
        if keywords.contains(String(firstWord)), lower.drop(while: { $0 == " " }).dropFirst(firstWord.count).drop(while: { $0 == " " }).hasPrefix("=") {
            throw ValidationError("--db takes a PostgreSQL database as a URL (postgresql://USER@HOST/DB?host=/run/postgresql&…), not key=value settings")
        }
    }

    /// Opens the store `--db` names. For PostgreSQL, first hides the URL's password from `ps`.
    /// - Throws: `Failure`, one line.
    func openStore(logger: Logger) throws -> OpenedStore {
        if let db, usesPostgres {
            let url = DatabaseURL(db)
            let replica = dbReplica.map(DatabaseURL.init)
            for (flag, url) in [("--db", url), ("--db-replica", replica)] {
                if let url, !ArgumentMemory.hidePasswords(of: url) {
                    logger.warning("the password in \(flag) could not be hidden from ps on this system: give it in PGPASSWORD or ~/.pgpass instead")
                }
            }
            var options = PostgresEventStore.Options()
            options.poolSize = dbPool ?? concurrentReads + 1
            options.busyPollNanoseconds = UInt64(busyPoll) * 1000
            options.replicaConnectionString = replica?.text
            if let dbStatementTimeout { options.statementTimeoutSeconds = dbStatementTimeout }
            if let dbDetailCache { options.detailCacheBytes = dbDetailCache << 20 }
            return try OpenedStore.postgres(url, replica: replica, options: options)
        }
        let path = try db ?? Self.defaultDatabasePath()
        var options = SQLiteEventStore.Options()
        options.synchronous = sync == "full" ? .full : .normal
        options.maxPageCount = maxDBPages
        if let cacheSize { options.cacheKiB = cacheSize * 1024 }
        if let walAutocheckpoint { options.walAutocheckpoint = walAutocheckpoint }
        // One reader connection per event loop (a loop runs one query at a time), and one for amends and retractions.
        options.readers = concurrentReads + 1
        return try OpenedStore.sqlite(path: path, options: options)
    }
}
