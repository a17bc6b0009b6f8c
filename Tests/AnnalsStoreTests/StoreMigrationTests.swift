import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
import Foundation
import Testing

/// A store written by the previous release (schema version 2: text columns, the full-text index inside the
/// file) opens, is migrated forward, and answers as before: `Fixtures/store-v2.sqlite` was written by annalsd
/// at git 2423bc5 (30 events of the sample log, an amend, a retraction, a long summary), and
/// `Fixtures/export-v2.jsonl` is what `annals export` printed from it then.
@Suite struct StoreMigrationTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// A copy of the version-2 fixture in a fresh directory.
    static func copy() throws -> StoreFixture {
        let fixture = try StoreFixture()
        fixture.store.close()
        for suffix in ["", "-wal", "-shm", ".search", ".search-wal", ".search-shm"] {
            try? FileManager.default.removeItem(atPath: fixture.path + suffix)
        }
        try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent("store-v2.sqlite").path, toPath: fixture.path)
        try fixture.reopen()
        return fixture
    }

    @Test("the log reads back byte for byte, with every revision and body")
    func exportUnchanged() throws {
        let f = try Self.copy()
        #expect(try sqliteScalar(f.path, "PRAGMA user_version") == "3")
        let entries = try f.store.entries(after: 0, limit: 1000)
        let exported = entries.map { EventLogCodec.encode($0.entry) + "\n" }.joined()
        let expected = try String(contentsOf: Self.fixtures.appendingPathComponent("export-v2.jsonl"), encoding: .utf8)
        #expect(exported == expected)
        #expect(try f.store.integrityCheck() == "ok")
    }

    @Test("timelines, search and stats answer from the migrated file; new writes go on")
    func answers() throws {
        let f = try Self.copy()
        let stats = try f.store.stats()
        #expect(stats.visible == 30 && stats.retracted == 1 && stats.revisions == 33)
        f.store.waitUntilSearchable()
        #expect(try f.store.stats().indexedSeq == 33)
        let treaties = try f.store.timeline(TimelineQuery(text: "treaty", limit: 100)).records
        #expect(treaties.count == 12)
        let amended = try #require(try f.store.get(id: "1876-japan-korea-treaty-of-ganghwa"))
        #expect(amended.current.event.revision == 2 && amended.current.event.tags.contains("amended-in-v2"))
        #expect(amended.revisions.count == 2)
        let long = try #require(try f.store.get(id: "long-summary"))
        #expect(long.current.event.summary?.utf8.count ?? 0 > 512, "a summary stored compressed reads back whole")
        let retracted = try f.store.timeline(TimelineQuery(limit: 100, includeRetracted: true)).records.filter { $0.retraction != nil }
        #expect(retracted.map(\.event.id) == ["1860-japanese-embassy-to-the-united-states"])
        // Writes after the migration: a new event, an amend and a retraction, searchable once indexed.
        _ = try f.store.append([.event(Sample.event("after-migration", "2020", title: "Written after the migration",
                                                    body: "A quokka treaty"))])
        var again = amended.current.event
        again.summary = "Amended again, after the migration."
        _ = try f.store.amend(again)
        _ = try f.store.retract(id: "long-summary", reason: "after the migration")
        f.store.waitUntilSearchable()
        #expect(try f.store.timeline(TimelineQuery(text: "quokka")).records.map(\.event.id) == ["after-migration"])
        #expect(try f.store.timeline(TimelineQuery(text: "treaty", limit: 100)).records.count == 13)
        #expect(try f.store.integrityCheck() == "ok")
    }
}
