import CAnnalsSQLite

/// An error reported by SQLite: its result code and message, and the statement that failed.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// The extended result code (e.g. SQLITE_FULL = 13, SQLITE_BUSY = 5).
    public var code: Int32
    public var message: String
    public var sql: String?

    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// The primary result code (the low 8 bits of the extended code).
    public var primaryCode: Int32 { code & 0xFF }
    /// The disk or the database's size limit is full.
    public var isFull: Bool { primaryCode == SQLiteResultCode.full }
    /// Another connection holds a lock.
    public var isBusy: Bool { primaryCode == SQLiteResultCode.busy || primaryCode == SQLiteResultCode.locked }
    /// The file is damaged, or not a database.
    public var isCorrupt: Bool { primaryCode == SQLiteResultCode.corrupt || primaryCode == SQLiteResultCode.notADatabase }

    public var description: String {
        var text = "SQLite error \(code): \(message)"
        if let sql { text += " (in: \(sql.prefix(120)))" }
        return text
    }
}

/// SQLite's primary result codes that the store acts on, by name (the C constants are macros).
enum SQLiteResultCode {
    static let busy: Int32 = SQLITE_BUSY
    static let locked: Int32 = SQLITE_LOCKED
    static let corrupt: Int32 = SQLITE_CORRUPT
    static let full: Int32 = SQLITE_FULL
    static let notADatabase: Int32 = SQLITE_NOTADB
}
