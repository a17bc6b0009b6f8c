/// The SQLite schema of an Annals store, its version (`PRAGMA user_version`) and forward migrations.
///
/// Layout (documented in the README):
/// - `revisions`: the change log, one row per revision or retraction, `seq` = log position. Title, date,
///   kind and `meta` (actors, places, tags, sources, references in a compact binary form) are stored plain;
///   summaries over `SQLiteEventStore.summaryCompressionThreshold` bytes are stored only zlib-compressed
///   (`summary_z`, with its length and the `dict` that compressed it).
/// - `bodies`: each revision's body, zlib-compressed (`body_z`, keyed by `seq`): apart from the revisions,
///   so the rows a timeline reads stay small and many fit in a page.
/// - `events`: one row per event id: its current revision (`head`), date bounds as day numbers, kind,
///   retraction flag and span class (`SpanClass`), indexed chronologically within each span class.
/// - `facets` and `facet_names`: the indexed filter keys of current revisions (actor names `a:`, actor codes
///   `c:`, tags `t:`, reference targets `r:`), kept in chronological order per key, each entry with its
///   event's rowid.
/// - `fts`: a contentless FTS5 index over title, summary and body of current revisions.
/// - `dictionaries`: zlib preset dictionaries, by version.
/// - `counters`: running totals for stats.
enum Schema {
    /// The schema version this build writes.
    static let version: Int64 = 2

    /// Per-connection settings (Debian's SQLite defaults differ: synchronous=FULL, secure_delete on).
    static func connectionPragmas(synchronous: String, cacheKiB: Int) -> String {
        """
        PRAGMA journal_mode=WAL;
        PRAGMA synchronous=\(synchronous);
        PRAGMA secure_delete=OFF;
        PRAGMA foreign_keys=OFF;
        PRAGMA temp_store=MEMORY;
        PRAGMA cache_size=-\(cacheKiB);
        PRAGMA busy_timeout=10000;
        """
    }

    /// Migrations: `migrations[i]` takes a database from version i to i+1.
    static var migrations: [String] { [createTables, spanClassesAndBodies] }

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

    /// Version 2: events carry their span class, and the chronological index is kept per class, covering the
    /// columns a date range filters on, so a range scans only entries that can overlap it; bodies move to
    /// their own table, so revision rows are a few hundred bytes instead of a few KB; facet entries carry
    /// their event's rowid, so a facet timeline reaches each event without the id index; and full-text
    /// entries are keyed by `FullTextKey` (re-indexed by `FullTextIndex.rebuild` after this SQL)
    /// (Scripts/bench-results/2026-11-29T100708Z/profile.md §3, §4, §6).
    private static var spanClassesAndBodies: String {
        """
        CREATE TABLE bodies(seq INTEGER PRIMARY KEY, body_z BLOB NOT NULL);
        INSERT INTO bodies(seq, body_z) SELECT seq, body_z FROM revisions WHERE body_z IS NOT NULL;
        ALTER TABLE revisions DROP COLUMN body_z;
        ALTER TABLE facets ADD COLUMN event INTEGER NOT NULL DEFAULT 0;
        UPDATE facets SET event = (SELECT rowid FROM events WHERE events.id = facets.id);
        ALTER TABLE events ADD COLUMN span_class INTEGER NOT NULL DEFAULT 0;
        UPDATE events SET span_class = \(SpanClass.sqlExpression);
        DROP INDEX events_chronology;
        CREATE INDEX events_chronology ON events(span_class, lower, upper, id, retracted, kind);
        """
    }

    /// Brings the database at `db` to `version`, in one transaction per step.
    /// - Parameter afterStep: runs inside step i's transaction, after its SQL, with i (data moves SQL
    ///   cannot do, such as re-indexing compressed text).
    /// - Throws: `StoreError.corrupt` when the file is from a newer Annals.
    static func migrate(_ db: SQLiteDatabase, afterStep: (Int) throws -> Void = { _ in }) throws(StoreError) {
        do {
            let current = try db.pragma("user_version")
            if current > version {
                throw StoreError(.corrupt, "the database has schema version \(current); this annalsd reads up to \(version): upgrade annalsd")
            }
            for step in Int(current)..<Int(version) {
                try db.execute("BEGIN IMMEDIATE")
                do {
                    try db.execute(migrations[step])
                    try afterStep(step)
                    try db.execute("PRAGMA user_version=\(step + 1)")
                    try db.execute("COMMIT")
                } catch {
                    try? db.execute("ROLLBACK")
                    throw error
                }
            }
        } catch let error as StoreError {
            throw error
        } catch let error as SQLiteError {
            throw StoreError.from(error)
        } catch {
            throw StoreError(.io, "\(error)")
        }
    }
}
