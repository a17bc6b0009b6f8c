@testable import AnnalsPostgres
import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
import Testing

/// A database written by an older Annals is migrated forward when a store opens it, and reads as before.
@Suite("PostgreSQL: schema migrations", .serialized)
struct MigrationTests {
    /// Turns a version-2 database back into the version-1 layout (log positions in `events.head`/`content`,
    /// `facets.content` and `bodies.seq`; event numbers in `log_head.next_event`), as version 1 wrote it.
    static let backToVersion1 = """
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

    @Test func aVersion1DatabaseIsMigratedAndReadsAsBefore() throws {
        let database = try TestDatabase()
        let ids = Sample.diplomacy.map(\.id)
        let log: [SequencedEntry], page: EncodedPage, details: [EventDetail?]
        do {
            let store = try database.store()
            defer { store.close() }
            _ = try store.append(Sample.diplomacy.map(LogEntry.event))
            var amended = Sample.diplomacy[2]
            amended.summary = "Signed in Moscow; ratified in December 1956."
            _ = try store.amend(amended)
            _ = try store.retract(id: Sample.diplomacy[0].id, reason: "duplicate of another entry")
            log = try store.entries(after: 0, limit: 1_000)
            page = try store.encodedTimeline(TimelineQuery(includeRetracted: true))
            details = try ids.map { try store.get(id: $0, revision: nil) }
        }
        try TestDatabase.run(database.url, Self.backToVersion1)
        #expect(try TestDatabase.scalar(database.url, "SELECT version FROM annals_schema") == 1)

        let store = try database.store()
        defer { store.close() }
        #expect(try TestDatabase.scalar(database.url, "SELECT version FROM annals_schema") == Int64(PostgresSchema.version))
        #expect(try store.entries(after: 0, limit: 1_000) == log)
        #expect(try store.encodedTimeline(TimelineQuery(includeRetracted: true)) == page)
        #expect(try ids.map { try store.get(id: $0, revision: nil) } == details)
        // New events are numbered after the migrated ones.
        let next = Sample.event("2018-11-14-singapore-summit", "2018-11-14", kind: .summit, body: "The leaders agree to speed up talks on the basis of the 1956 declaration.")
        let outcome = try store.append([.event(next)])
        #expect(outcome.first?.seq == Int64(log.count + 1), "\(outcome)")
        #expect(try TestDatabase.scalar(database.url, "SELECT count(DISTINCT event) FROM events") == Int64(ids.count + 1))
        #expect(try store.get(id: next.id, revision: nil)?.current.event.body == next.body)
    }
}
