import AnnalsStore

/// The PostgreSQL schema of an Annals store, its version (`annals_schema`) and forward migrations, applied by
/// the store when it opens (under an advisory lock, so annalsd processes starting together migrate once).
///
/// Tables mirror the SQLite engine's (README "Running on PostgreSQL" documents them):
/// - `log_head`: one row, the last log position and running totals. A write transaction locks it only at its
///   very end, to number its revisions and commit: positions are given out in commit order across all
///   processes, while the rest of each group's work runs in parallel.
/// - `event_numbers`: the sequence that numbers new events.
/// - `revisions`: the change log, one row per revision or retraction, `seq` = log position; a content revision
///   keeps its event as `record`, the wire encoding without the body (`StoredEvent`), so a page is these bytes.
/// - `bodies`: each body by (event, revision), deflated with the store's dictionaries (`body_z`, `STORAGE
///   EXTERNAL`: already compressed, so TOAST moves it out of line without compressing it again).
/// - `events`: one row per id: its head and shown revision numbers (`head_revision`, `content_revision`), day
///   bounds and their span class (`SpanClass`, as in the SQLite engine: a date-range page reads each class's
///   chronological index from where an event of that class could first overlap the range), kind, decade,
///   retraction flag, and `search`, the tsvector of its current title, summary and body
///   (NULL once retracted). A writer locks the rows of the ids its group names, so two processes never decide
///   on the same event at once.
/// - `facets`: the filter keys of each event's shown content (`a:` actor names, `c:` codes, `t:` tags, `r:`
///   reference targets, folded as in the SQLite engine), in timeline order per key, each entry carrying its
///   event's number, shown revision, kind and retraction flag (as the SQLite engine's facets do), so a page
///   filtered by a key is one range scan of its index; `facet_names`: each key's first label (for stats).
/// - `dictionaries`: the zlib preset dictionaries, by version; `dictionary_claims`: the log lengths a process has
///   claimed to train a dictionary at (every process reaches them at once; one trains).
enum PostgresSchema {
    /// The version this build writes.
    static let version = 6

    /// The advisory lock key under which migrations run ("annals" in ASCII).
    static let migrationLock: Int64 = 0x616e_6e61_6c73

    /// `migrations[i]` takes the schema from version i to i+1.
    static let migrations: [String] = [createTables, numberOutsideTheLogLock, spanClasses, coveringLookups, searchVectorsInLZ4, searchIndexMergedApart]

    private static let createTables = """
        CREATE TABLE log_head(
            only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
            seq bigint NOT NULL,
            next_event bigint NOT NULL,
            text_bytes bigint NOT NULL,
            compressed_bytes bigint NOT NULL,
            open_ended bigint NOT NULL,
            max_span bigint NOT NULL
        );
        INSERT INTO log_head VALUES (true, 0, 1, 0, 0, 0, 0);
        CREATE TABLE dictionaries(
            id bigint PRIMARY KEY,
            created bigint NOT NULL,
            sample_count bigint NOT NULL,
            bytes bytea NOT NULL
        );
        ALTER TABLE dictionaries ALTER COLUMN bytes SET STORAGE EXTERNAL;
        CREATE TABLE events(
            event bigint PRIMARY KEY,
            id text COLLATE "C" NOT NULL UNIQUE,
            head bigint NOT NULL,
            content bigint NOT NULL,
            lower_day bigint NOT NULL,
            upper_day bigint NOT NULL,
            kind smallint NOT NULL,
            decade bigint,
            retracted boolean NOT NULL,
            search tsvector
        );
        CREATE INDEX events_chronology ON events(lower_day, upper_day, id) INCLUDE (retracted, kind, content);
        CREATE INDEX events_search ON events USING gin(search);
        CREATE TABLE revisions(
            seq bigint PRIMARY KEY,
            event bigint NOT NULL,
            revision integer NOT NULL,
            recorded bigint NOT NULL,
            hash bigint NOT NULL,
            retraction text,
            record bytea,
            body_length integer,
            dict bigint,
            UNIQUE (event, revision)
        );
        ALTER TABLE revisions ALTER COLUMN record SET STORAGE MAIN;
        CREATE TABLE bodies(
            seq bigint PRIMARY KEY,
            body_z bytea NOT NULL
        );
        ALTER TABLE bodies ALTER COLUMN body_z SET STORAGE EXTERNAL;
        CREATE TABLE facets(
            name text COLLATE "C" NOT NULL,
            lower_day bigint NOT NULL,
            upper_day bigint NOT NULL,
            id text COLLATE "C" NOT NULL,
            event bigint NOT NULL,
            content bigint NOT NULL,
            kind smallint NOT NULL,
            retracted boolean NOT NULL,
            PRIMARY KEY (name, lower_day, upper_day, id) INCLUDE (event, content, kind, retracted)
        );
        CREATE INDEX facets_by_event ON facets(event);
        CREATE TABLE facet_names(
            name text COLLATE "C" PRIMARY KEY,
            label text COLLATE "C" NOT NULL
        );
        """

    /// Version 2: rows point at revisions by (event, revision) instead of log position, and events are numbered by
    /// a sequence, so a group writes everything but its `revisions` rows before it takes the log lock;
    /// `dictionary_claims`: the process that claims a due point trains that dictionary, the others do not; the
    /// chronological index covers the event number, so a date-range page reads the index alone (then `revisions`).
    private static let numberOutsideTheLogLock = """
        CREATE SEQUENCE event_numbers AS bigint;
        SELECT setval('event_numbers', next_event, false) FROM log_head;
        ALTER TABLE log_head DROP COLUMN next_event;
        ALTER TABLE events RENAME COLUMN head TO head_revision;
        ALTER TABLE events RENAME COLUMN content TO content_revision;
        UPDATE events e SET head_revision = h.revision, content_revision = c.revision
            FROM revisions h, revisions c WHERE h.seq = e.head_revision AND c.seq = e.content_revision;
        ALTER TABLE facets RENAME COLUMN content TO content_revision;
        UPDATE facets f SET content_revision = c.revision FROM revisions c WHERE c.seq = f.content_revision;
        ALTER TABLE bodies ADD COLUMN event bigint, ADD COLUMN revision bigint;
        UPDATE bodies b SET event = r.event, revision = r.revision FROM revisions r WHERE r.seq = b.seq;
        ALTER TABLE bodies DROP COLUMN seq, ALTER COLUMN event SET NOT NULL, ALTER COLUMN revision SET NOT NULL,
            ADD PRIMARY KEY (event, revision);
        CREATE TABLE dictionary_claims(due bigint PRIMARY KEY, claimed bigint NOT NULL);
        DROP INDEX events_chronology;
        CREATE INDEX events_chronology ON events(lower_day, upper_day, id) INCLUDE (retracted, kind, content_revision, event);
        """

    /// Version 3: events are grouped by the length of their span (`SpanClass`) and indexed chronologically within
    /// each class, so a date-range page scans from `from` minus the class's longest span, not minus the longest
    /// span stored (one decade-long event made every range scan a decade of index). `events_chronology` stays
    /// for searches, whose planner weighs it against the GIN index.
    private static let spanClasses = """
        ALTER TABLE events ADD COLUMN span_class smallint;
        UPDATE events SET span_class = \(SpanClass.sqlExpression(lower: "lower_day", upper: "upper_day"));
        ALTER TABLE events ALTER COLUMN span_class SET NOT NULL;
        CREATE INDEX events_by_span ON events(span_class, lower_day, upper_day, id) INCLUDE (retracted, kind, content_revision, event);
        """

    /// Version 4: the indexes a detail reads answer without the tables' rows. `events_by_id` (unique, replacing
    /// the `events_id_key` constraint) carries the event's number and shown revision, so finding an event by id,
    /// and each reference's target, reads no `events` row (the row is wide: it holds the search vector);
    /// `facets_by_event` is on (event, name), so the reference targets of one event are found in the index
    /// rather than by reading each of its facet rows and dropping the others.
    private static let coveringLookups = """
        CREATE UNIQUE INDEX events_by_id ON events(id) INCLUDE (event, content_revision);
        ALTER TABLE events DROP CONSTRAINT events_id_key;
        DROP INDEX facets_by_event;
        CREATE INDEX facets_by_event ON facets(event, name);
        """

    /// Version 5: search vectors that TOAST compresses (an event row past about 2 KB) are compressed with lz4
    /// rather than pglz where the server has lz4 (Debian's PostgreSQL 15 does): pglz was 4% of PostgreSQL's CPU
    /// on ingest, and a phrase search reads the vectors it checks back. Vectors stored before keep pglz until
    /// their event changes; a server without lz4 keeps pglz.
    private static let searchVectorsInLZ4 = """
        DO $$
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)) THEN
                ALTER TABLE events ALTER COLUMN search SET COMPRESSION lz4;
            END IF;
        END $$;
        """

    /// Version 6: the search index's pending list may grow to 64 MB before an insert merges it, since a
    /// `SearchIndexMerger` merges it after commits on a connection of its own; the limit is a backstop for
    /// when the merges fall behind. What an older annalsd left in the list is merged here.
    private static let searchIndexMergedApart = """
        ALTER INDEX events_search SET (gin_pending_list_limit = 65536);
        SELECT gin_clean_pending_list('events_search'::regclass);
        """

    /// What `migrate` found.
    enum Outcome: Equatable {
        /// The schema is at `version` (created or migrated if it was older).
        case ready
        /// Written by a newer Annals, at this version: left alone.
        case newer(Int)
        /// The database holds tables named like ours without a schema version: not an Annals database.
        case foreign
    }

    /// Brings the database to `version` in one transaction. The statement timeout does not apply to it: a
    /// migration rewrites or indexes whole tables, which takes longer than any read should, and cutting it short
    /// would leave annalsd unable to start on a large database.
    static func migrate(_ connection: PGConnection) throws(PGError) -> Outcome {
        try connection.execute("BEGIN; SET LOCAL statement_timeout = 0")
        do {
            _ = try connection.query("SELECT pg_advisory_xact_lock($1)", [.int64(migrationLock)])
            try connection.execute("CREATE TABLE IF NOT EXISTS annals_schema(version integer NOT NULL)")
            let found = try connection.query("SELECT version FROM annals_schema")
            var current = found.rowCount == 0 ? 0 : found.int(0, 0)
            if found.rowCount == 0 {
                let tables = try connection.query("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename IN ('events', 'revisions')")
                if tables.int64(0, 0) > 0 {
                    try connection.execute("ROLLBACK")
                    return .foreign
                }
                _ = try connection.query("INSERT INTO annals_schema VALUES (0)")
            }
            if current > version {
                try connection.execute("ROLLBACK")
                return .newer(current)
            }
            while current < version {
                try connection.execute(migrations[current])
                current += 1
                _ = try connection.query("UPDATE annals_schema SET version = $1::bigint", [.int64(Int64(current))])
            }
            try connection.execute("COMMIT")
            return .ready
        } catch {
            try? connection.execute("ROLLBACK")
            throw error
        }
    }
}
