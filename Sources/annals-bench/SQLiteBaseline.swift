import AnnalsCore
import CAnnalsSQLite
import Dispatch
import Foundation

/// A bare SQLite connection for the in-process baselines.
final class RawSQLite {
    let db: OpaquePointer
    static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    init(path: String) throws(BenchError) {
        var handle: OpaquePointer?
        guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil) == SQLITE_OK, let handle else {
            throw BenchError("cannot open \(path)")
        }
        db = handle
    }

    deinit { sqlite3_close_v2(db) }

    func exec(_ sql: String) throws(BenchError) {
        var error: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(db, sql, nil, nil, &error) != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? "unknown"
            sqlite3_free(error)
            throw BenchError("sqlite: \(message) in \(sql.prefix(80))")
        }
    }

    func prepare(_ sql: String) throws(BenchError) -> OpaquePointer {
        var s: OpaquePointer?
        guard sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &s, nil) == SQLITE_OK, let s else {
            throw BenchError("sqlite prepare: \(String(cString: sqlite3_errmsg(db)))")
        }
        return s
    }

    func bind(_ s: OpaquePointer, _ i: Int32, _ text: String?) {
        if let text { sqlite3_bind_text(s, i, text, -1, Self.transient) } else { sqlite3_bind_null(s, i) }
    }

    func step(_ s: OpaquePointer) throws(BenchError) {
        let rc = sqlite3_step(s)
        sqlite3_reset(s)
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else { throw BenchError("sqlite step: \(String(cString: sqlite3_errmsg(db)))") }
    }

    static var version: String { String(cString: sqlite3_libversion()) }
}

/// `annals-bench sqlite-floor`: the same rows inserted in-process into plain SQLite.
///
/// - `floor`: one plain table (no compression, no FTS, no secondary index), the SQLite ingest floor.
/// - `fts-copy`: the same data uncompressed with Annals' indexes (chronology, facets) and an FTS5 table that
///   keeps its own copy of the text: what Annals' storage would be without compression and a contentless index.
/// Both: WAL, synchronous=NORMAL, `--batch` rows per transaction, one thread; rows are built before timing.
enum SQLiteBaseline {
    struct Row {
        var id: String, date: String, lower: Int64, upper: Int64, kind: Int64
        var title: String, summary: String?, body: String?, meta: String
        var facets: [String]
    }

    static func rows(_ events: [Event]) -> [Row] {
        events.map { e in
            Row(id: e.id, date: e.date.canonical, lower: e.date.lower?.dayNumber ?? Int64.min, upper: e.date.upper?.dayNumber ?? Int64.max,
                kind: Int64(e.kind.code), title: e.title, summary: e.summary, body: e.body, meta: ExportCommand.meta(e),
                facets: ExportCommand.facets(e))
        }
    }

    static func run(_ args: Args) throws(BenchError) {
        let file = try args.string("file"), path = try args.string("db")
        let batch = try args.int("batch", default: 1000)
        let variant = args.string("variant", default: "floor")
        let events = try CorpusReader.read(file, limit: try args.int("limit", default: .max))
        let rows = rows(events)
        for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
        let db = try RawSQLite(path: path)
        try db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=OFF; PRAGMA cache_size=-16384;")
        let fts = variant == "fts-copy"
        if fts {
            try db.exec("""
                CREATE TABLE events(rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, date TEXT, lower INTEGER, upper INTEGER,
                    kind INTEGER, title TEXT, summary TEXT, body TEXT, meta TEXT);
                CREATE INDEX events_chronology ON events(lower, upper, id);
                CREATE TABLE facets(facet TEXT NOT NULL, lower INTEGER NOT NULL, upper INTEGER NOT NULL, id TEXT NOT NULL,
                    PRIMARY KEY(facet, lower, upper, id)) WITHOUT ROWID;
                CREATE VIRTUAL TABLE fts USING fts5(title, summary, body, tokenize='unicode61 remove_diacritics 2');
                """)
        } else {
            try db.exec("""
                CREATE TABLE events(id TEXT, date TEXT, lower INTEGER, upper INTEGER, kind INTEGER, title TEXT,
                    summary TEXT, body TEXT, meta TEXT);
                """)
        }
        let insert = try db.prepare("INSERT INTO events(id, date, lower, upper, kind, title, summary, body, meta) VALUES (?,?,?,?,?,?,?,?,?)")
        let insertFacet = fts ? try db.prepare("INSERT OR IGNORE INTO facets VALUES (?,?,?,?)") : nil
        let insertText = fts ? try db.prepare("INSERT INTO fts(rowid, title, summary, body) VALUES (?,?,?,?)") : nil
        let start = DispatchTime.now()
        var i = 0
        while i < rows.count {
            try db.exec("BEGIN")
            for row in rows[i..<min(rows.count, i + batch)] {
                db.bind(insert, 1, row.id)
                db.bind(insert, 2, row.date)
                sqlite3_bind_int64(insert, 3, row.lower)
                sqlite3_bind_int64(insert, 4, row.upper)
                sqlite3_bind_int64(insert, 5, row.kind)
                db.bind(insert, 6, row.title)
                db.bind(insert, 7, row.summary)
                db.bind(insert, 8, row.body)
                db.bind(insert, 9, row.meta)
                try db.step(insert)
                if let insertFacet, let insertText {
                    let rowid = sqlite3_last_insert_rowid(db.db)
                    for facet in row.facets {
                        db.bind(insertFacet, 1, facet)
                        sqlite3_bind_int64(insertFacet, 2, row.lower)
                        sqlite3_bind_int64(insertFacet, 3, row.upper)
                        db.bind(insertFacet, 4, row.id)
                        try db.step(insertFacet)
                    }
                    sqlite3_bind_int64(insertText, 1, rowid)
                    db.bind(insertText, 2, row.title)
                    db.bind(insertText, 3, row.summary)
                    db.bind(insertText, 4, row.body)
                    try db.step(insertText)
                }
            }
            try db.exec("COMMIT")
            i += batch
        }
        let seconds = elapsed(since: start)
        try db.exec("PRAGMA wal_checkpoint(TRUNCATE)")
        for s in [insert, insertFacet, insertText].compactMap({ $0 }) { sqlite3_finalize(s) }
        var info = stat()
        let bytes = stat(path, &info) == 0 ? Int64(info.st_size) : 0
        printJSON(["variant": variant, "events": rows.count, "seconds": seconds, "events_per_second": Double(rows.count) / seconds,
                   "file_bytes": bytes, "bytes_per_event": Double(bytes) / Double(max(1, rows.count)),
                   "sqlite_version": RawSQLite.version])
    }
}
