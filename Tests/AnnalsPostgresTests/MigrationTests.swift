@testable import AnnalsPostgres
import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
import Dispatch
import Testing

/// A database written by an older Annals is migrated forward when a store opens it, and reads as before.
@Suite("PostgreSQL: schema migrations", .serialized)
struct MigrationTests {
    /// Turns a database of the current version back into the version-1 layout (no span classes; log positions in
    /// `events.head`/`content`, `facets.content` and `bodies.seq`; event numbers in `log_head.next_event`; ids
    /// unique by a constraint, facets indexed by event alone), as version 1 wrote it.
    static let backToVersion1 = """
        ALTER TABLE events ALTER COLUMN search SET COMPRESSION default;
        DROP INDEX events_by_id;
        ALTER TABLE events ADD CONSTRAINT events_id_key UNIQUE (id);
        DROP INDEX facets_by_event;
        CREATE INDEX facets_by_event ON facets(event);
        ALTER TABLE events DROP COLUMN span_class;
        ALTER TABLE log_head ADD COLUMN next_event bigint;
        UPDATE log_head SET next_event = (SELECT coalesce(max(event), 0) + 1 FROM events);
        ALTER TABLE log_head ALTER COLUMN next_event SET NOT NULL;
        DROP SEQUENCE event_numbers;
        DROP TABLE dictionary_claims;
        UPDATE events e SET head_revision = h.seq, content_revision = c.seq FROM revisions h, revisions c
            WHERE h.event = e.event AND h.revision = e.head_revision AND c.event = e.event AND c.revision = e.content_revision;
        ALTER TABLE events RENAME COLUMN head_revision TO head;
        ALTER TABLE events RENAME COLUMN content_revision TO content;
        UPDATE facets f SET content_revision = c.seq FROM revisions c WHERE c.event = f.event AND c.revision = f.content_revision;
        ALTER TABLE facets RENAME COLUMN content_revision TO content;
        ALTER TABLE bodies ADD COLUMN seq bigint;
        UPDATE bodies b SET seq = r.seq FROM revisions r WHERE r.event = b.event AND r.revision = b.revision;
        ALTER TABLE bodies DROP CONSTRAINT bodies_pkey, DROP COLUMN event, DROP COLUMN revision, ADD PRIMARY KEY (seq);
        UPDATE annals_schema SET version = 1;
        """

    /// Date ranges whose pages depend on span classes: the samples span days to years.
    static let ranges = [("1956", "1956"), ("1945", nil), ("2018-11", "2019-02"), ("1960", "2010")].map { from, to in
        TimelineQuery(from: Sample.date(from), to: to.map(Sample.date))
    }

    @Test func aVersion1DatabaseIsMigratedAndReadsAsBefore() throws {
        let database = try TestDatabase()
        // The samples are single days; these span a year, a decade, decades and an open start.
        let spans = [Sample.event("1956-visits", "1956"), Sample.event("1950s-normalisation", "195X"),
                     Sample.event("cold-war", "1947/1991"), Sample.event("border-talks", "../1991")]
        let ids = (Sample.diplomacy + spans).map(\.id)
        let log: [SequencedEntry], page: EncodedPage, ranges: [EncodedPage], details: [EventDetail?]
        do {
            let store = try database.store()
            defer { store.close() }
            _ = try store.append((Sample.diplomacy + spans).map(LogEntry.event))
            var amended = Sample.diplomacy[2]
            amended.summary = "Signed in Moscow; ratified in December 1956."
            _ = try store.amend(amended)
            _ = try store.retract(id: Sample.diplomacy[0].id, reason: "duplicate of another entry")
            log = try store.entries(after: 0, limit: 1_000)
            page = try store.encodedTimeline(TimelineQuery(includeRetracted: true))
            ranges = try Self.ranges.map { try store.encodedTimeline($0) }
            details = try ids.map { try store.get(id: $0, revision: nil) }
        }
        try TestDatabase.run(database.url, Self.backToVersion1)
        #expect(try TestDatabase.scalar(database.url, "SELECT version FROM annals_schema") == 1)

        let store = try database.store()
        defer { store.close() }
        #expect(try TestDatabase.scalar(database.url, "SELECT version FROM annals_schema") == Int64(PostgresSchema.version))
        #expect(try store.entries(after: 0, limit: 1_000) == log)
        #expect(try store.encodedTimeline(TimelineQuery(includeRetracted: true)) == page)
        // Date ranges read the span classes the migration computed.
        #expect(try Self.ranges.map { try store.encodedTimeline($0) } == ranges)
        #expect(try TestDatabase.scalar(database.url, "SELECT count(DISTINCT span_class) FROM events") > 1)
        #expect(try ids.map { try store.get(id: $0, revision: nil) } == details)
        // Version 4's covering lookups replaced the id constraint and the by-event index.
        #expect(try TestDatabase.scalar(database.url, """
            SELECT count(*) FROM pg_indexes WHERE tablename = 'events' AND indexname = 'events_by_id'
                AND indexdef LIKE 'CREATE UNIQUE INDEX%(id) INCLUDE (event, content_revision)'
            """) == 1)
        #expect(try TestDatabase.scalar(database.url, "SELECT count(*) FROM pg_constraint WHERE conname = 'events_id_key'") == 0)
        #expect(try TestDatabase.scalar(database.url, "SELECT count(*) FROM pg_indexes WHERE indexname = 'facets_by_event' AND indexdef LIKE '%(event, name)'") == 1)
        // Version 5 compresses search vectors with lz4 where the server has it (this project's Debian server does).
        let lz4 = try TestDatabase.scalar(database.url, "SELECT count(*) FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)")
        #expect(try TestDatabase.scalar(database.url, """
            SELECT count(*) FROM pg_attribute WHERE attrelid = 'events'::regclass AND attname = 'search' AND attcompression = 'l'
            """) == lz4)
        // New events are numbered after the migrated ones.
        let next = Sample.event("2018-11-14-singapore-summit", "2018-11-14", kind: .summit, body: "The leaders agree to speed up talks on the basis of the 1956 declaration.")
        let outcome = try store.append([.event(next)])
        #expect(outcome.first?.seq == Int64(log.count + 1), "\(outcome)")
        #expect(try TestDatabase.scalar(database.url, "SELECT count(DISTINCT event) FROM events") == Int64(ids.count + 1))
        #expect(try store.get(id: next.id, revision: nil)?.current.event.body == next.body)
    }

    /// A migration can take longer than the statement timeout (it rewrites and indexes whole tables): here it
    /// waits 1.5 s for a reader's lock on `events`, three times the timeout, and still completes.
    @Test func aMigrationIsNotCutShortByTheStatementTimeout() throws {
        let database = try TestDatabase()
        do {
            let store = try database.store()
            defer { store.close() }
            _ = try store.append(Sample.diplomacy.map(LogEntry.event))
        }
        try TestDatabase.run(database.url, Self.backToVersion1)
        let reader = try PGConnection(try ConnectionString(database.url), statementTimeout: 0)
        try reader.execute("BEGIN; LOCK TABLE events IN ACCESS SHARE MODE")
        let release = DispatchWorkItem { try? reader.execute("COMMIT") }
        DispatchQueue.global().asyncAfter(deadline: .now() + 1.5, execute: release)
        defer {
            release.wait()
            reader.close()
        }
        let store = try database.store { $0.statementTimeoutSeconds = 0.5 }
        defer { store.close() }
        #expect(try TestDatabase.scalar(database.url, "SELECT version FROM annals_schema") == Int64(PostgresSchema.version))
        #expect(try Sample.diplomacy.allSatisfy { try store.get(id: $0.id, revision: nil) != nil })
    }
}
