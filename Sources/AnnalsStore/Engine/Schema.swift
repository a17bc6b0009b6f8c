/// The SQLite schema of an Annals store, its version (`PRAGMA user_version`) and forward migrations.
///
/// Layout (documented in the README):
/// - `revisions`: the change log, one row per revision or retraction, `seq` = log position. A content revision
///   keeps its event as `record`: the wire encoding of `Event` without the body (`StoredEvent`), so a page
///   record is these bytes followed by the log position, with nothing decoded or encoded again.
/// - `bodies`: each revision's body, zlib-compressed (`body_z`, keyed by `seq`), with the dictionary that
///   compressed it in `revisions.dict`.
/// - `events`: one row per event id: its latest revision (`head`), the revision whose content it shows
///   (`content`: the head, or the one before a retraction), date bounds as day numbers, kind, retraction flag
///   and span class (`SpanClass`), indexed chronologically within each span class, covering what a date-range
///   page filters on and the `content` it reads.
/// - `facets` and `facet_names`: the filter keys of current revisions (actor names `a:`, actor codes `c:`, tags
///   `t:`, reference targets `r:`), kept in chronological order per key, each entry with its event's rowid,
///   `content`, kind and retraction flag, so a facet page is one index range scan and one lookup per row.
/// - `dictionaries`: zlib preset dictionaries, by version; `counters`: running totals for stats and the planner.
///
/// The full-text index lives in a file of its own (`SearchIndex`), written behind the log.
enum Schema {
    /// The schema version this build writes.
    static let version: Int64 = 3

    /// Per-connection settings (Debian's SQLite defaults differ: synchronous=FULL, secure_delete on). The busy
    /// timeout comes first: switching to WAL takes a lock, which another connection closing the same file (its
    /// last checkpoint) may hold for a moment.
    static func connectionPragmas(synchronous: String, cacheKiB: Int) -> String {
        """
        PRAGMA busy_timeout=10000;
        PRAGMA journal_mode=WAL;
        PRAGMA synchronous=\(synchronous);
        PRAGMA secure_delete=OFF;
        PRAGMA foreign_keys=OFF;
        PRAGMA temp_store=MEMORY;
        PRAGMA cache_size=-\(cacheKiB);
        """
    }

    /// One step from version i to i+1: SQL, then work SQL cannot do (re-encoding rows), then more SQL.
    struct Migration {
        var before: String
        var transform: ((SQLiteDatabase) throws -> Void)?
        var after: String = ""
    }

    /// Migrations: `migrations(i)` takes a database from version i to i+1.
    static func migrations(codec: TextCodec) -> [Migration] {
        [Migration(before: createTables), Migration(before: spanClassesAndBodies),
         Migration(before: recordsBefore, transform: { try LegacyRevision.reencodeAll($0, codec: codec) }, after: recordsAfter)]
    }

    /// Version 1: the tables.
    private static let createTables =
        """
        CREATE TABLE dictionaries(
            id INTEGER PRIMARY KEY,
            created INTEGER NOT NULL,
            sample_count INTEGER NOT NULL,
            bytes BLOB NOT NULL
        );
        CREATE TABLE events(
            rowid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            head INTEGER NOT NULL,
            lower INTEGER NOT NULL,
            upper INTEGER NOT NULL,
            kind INTEGER NOT NULL,
            decade INTEGER,
            retracted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX events_chronology ON events(lower, upper, id);
        CREATE TABLE revisions(
            seq INTEGER PRIMARY KEY,
            event INTEGER NOT NULL,
            revision INTEGER NOT NULL,
            recorded INTEGER NOT NULL,
            retraction TEXT,
            hash INTEGER NOT NULL,
            date TEXT,
            kind INTEGER,
            title TEXT,
            meta BLOB,
            summary TEXT,
            summary_z BLOB,
            summary_length INTEGER,
            body_z BLOB,
            body_length INTEGER,
            dict INTEGER
        );
        CREATE UNIQUE INDEX revisions_by_event ON revisions(event, revision);
        CREATE TABLE facet_names(
            facet INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            label TEXT NOT NULL,
            uses INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE facets(
            facet INTEGER NOT NULL,
            lower INTEGER NOT NULL,
            upper INTEGER NOT NULL,
            id TEXT NOT NULL,
            PRIMARY KEY(facet, lower, upper, id)
        ) WITHOUT ROWID;
        CREATE VIRTUAL TABLE fts USING fts5(
            title, summary, body,
            content='', tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO counters VALUES ('text_bytes', 0), ('compressed_bytes', 0);
        """

    /// Version 2: span classes and a covering chronological index per class; bodies in their own table; facet
    /// entries carry their event's rowid (Scripts/bench-results/2026-11-29T100708Z/profile.md §3, §4).
    private static var spanClassesAndBodies: String {
        """
        CREATE TABLE bodies(seq INTEGER PRIMARY KEY, body_z BLOB NOT NULL);
        INSERT INTO bodies(seq, body_z) SELECT seq, body_z FROM revisions WHERE body_z IS NOT NULL;
        ALTER TABLE revisions DROP COLUMN body_z;
        ALTER TABLE facets ADD COLUMN event INTEGER NOT NULL DEFAULT 0;
        UPDATE facets SET event = (SELECT rowid FROM events WHERE events.id = facets.id);
        ALTER TABLE events ADD COLUMN span_class INTEGER NOT NULL DEFAULT 0;
        UPDATE events SET span_class = \(SpanClass.sqlExpression());
        DROP INDEX events_chronology;
        CREATE INDEX events_chronology ON events(span_class, lower, upper, id, retracted, kind);
        """
    }

    /// Version 3, first part: revision rows keep their event as stored wire bytes (`record`), filled by
    /// `LegacyRevision.reencodeAll` from the columns of version 2.
    private static let recordsBefore =
        """
        CREATE TABLE revisions_v3(
            seq INTEGER PRIMARY KEY,
            event INTEGER NOT NULL,
            revision INTEGER NOT NULL,
            recorded INTEGER NOT NULL,
            hash INTEGER NOT NULL,
            retraction TEXT,
            record BLOB,
            body_length INTEGER,
            dict INTEGER
        );
        """

    /// Version 3, second part: events and facets name the revision they show (`content`), facets carry kind
    /// and retraction so a facet page needs no `events` row, and the full-text index leaves for its own file.
    private static let recordsAfter =
        """
        DROP TABLE revisions;
        ALTER TABLE revisions_v3 RENAME TO revisions;
        CREATE UNIQUE INDEX revisions_by_event ON revisions(event, revision);
        ALTER TABLE events ADD COLUMN content INTEGER NOT NULL DEFAULT 0;
        UPDATE events SET content = (SELECT max(seq) FROM revisions r WHERE r.event = events.rowid AND r.record IS NOT NULL);
        DROP INDEX events_chronology;
        CREATE INDEX events_chronology ON events(span_class, lower, upper, id, retracted, kind, content);
        ALTER TABLE facets ADD COLUMN content INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE facets ADD COLUMN kind INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE facets ADD COLUMN retracted INTEGER NOT NULL DEFAULT 0;
        UPDATE facets SET (content, kind, retracted) = (SELECT content, kind, retracted FROM events WHERE events.rowid = facets.event);
        DROP TABLE fts;
        """

    /// Brings the database at `db` to `version`, in one transaction per step.
    /// - Throws: `StoreError.corrupt` when the file is from a newer Annals.
    static func migrate(_ db: SQLiteDatabase, codec: TextCodec) throws(StoreError) {
        do {
            let current = try db.pragma("user_version")
            if current > version {
                throw StoreError(.corrupt, "the database has schema version \(current); this annalsd reads up to \(version): upgrade annalsd")
            }
            let steps = migrations(codec: codec)
            for step in Int(current)..<Int(version) {
                try db.transaction {
                    try db.execute(steps[step].before)
                    try steps[step].transform?(db)
                    if !steps[step].after.isEmpty { try db.execute(steps[step].after) }
                    try db.execute("PRAGMA user_version=\(step + 1)")
                }
            }
        } catch {
            throw StoreError.from(any: error)
        }
    }
}
