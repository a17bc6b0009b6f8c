@testable import AnnalsPostgres
import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
import Foundation
import Testing

/// The same log written to both engines reads back the same: pages, details (byte for byte), the log and
/// stats. (The conformance suite covers every behaviour; this is the engine's own check while it is built.)
@Suite("PostgreSQL: answers the SQLite engine's answers", .serialized)
struct SameAsSQLiteTests {
    static let log: [LogEntry] = {
        var entries: [LogEntry] = [
            .event(Sample.event("1855-shimoda", "1855-02-07", kind: .treaty, title: "Treaty of Shimoda",
                                body: "Japan and Russia establish relations and draw a border between Etorofu and Urup.",
                                actors: [Actor(name: "Japan", code: "JPN"), Actor(name: "Russian Empire", code: "RUS")], tags: ["border"])),
            .event(Sample.event("1956-joint", "1956-10-19", kind: .declaration, title: "Soviet–Japanese Joint Declaration",
                                body: "The state of war ends. Shikotan and the Habomai islands are to be handed over after a peace treaty.",
                                actors: [Actor(name: "Japan", code: "JPN"), Actor(name: "Soviet Union", code: "SUN"), Actor(name: "Ichirō Hatoyama", role: "signatory")],
                                tags: ["peace-treaty", "kuril-islands"])),
            .event(Sample.event("1993-tokyo", "1993-10-13", kind: .declaration, title: "Tokyo Declaration",
                                summary: "Yeltsin and Hosokawa agree to negotiate.", actors: [Actor(name: "Japan", code: "JPN"), Actor(name: "Russia", code: "RUS")],
                                tags: ["peace-treaty"], references: [Reference(id: "1956-joint", relation: .invokes), Reference(id: "unrecorded", relation: .mentions)])),
            .event(Sample.event("2019-speech", "2019-01-28", kind: .speech, title: "Policy speech to the Diet",
                                summary: "Abe offers to meet Kim Jong-un.", body: "The U.S. alliance is the foundation; Abe's speech.",
                                actors: [Actor(name: "Shinzo Abe", role: "speaker"), Actor(name: "japan")], tags: ["Peace-Treaty", "nuclear"],
                                references: [Reference(id: "1956-joint", relation: .invokes)])),
            .event(Sample.event("1950s-fisheries", "195X", kind: .negotiation, title: "Fisheries talks", actors: [Actor(name: "Soviet Union", code: "SUN")])),
            .event(Sample.event("1956-approx", "1956~", kind: .visit, title: "A delegation visits Moscow", actors: [Actor(name: "Japan")])),
            .event(Sample.event("1945-open", "1945/..", kind: .war, title: "An open-ended occupation")),
            .event(Sample.event("unknown-start", "/1904-02-08", kind: .other, title: "Before the war")),
            .event(Sample.event("1904-interval", "1904-02-08/1905-09-05", kind: .war, title: "Russo-Japanese War", tags: ["war"])),
        ]
        var amended = Sample.event("1993-tokyo", "1993-10-13", kind: .declaration, title: "Tokyo Declaration on Japan–Russia relations",
                                   actors: [Actor(name: "Russia", code: "RUS")], tags: ["kuril-islands"])
        amended.revision = 2
        entries.append(.event(amended))
        entries.append(.retraction(Retraction(id: "1956-approx", reason: "a duplicate")))
        return entries
    }()

    static let queries: [TimelineQuery] = [
        TimelineQuery(),
        TimelineQuery(limit: 2),
        TimelineQuery(reverse: true, limit: 3),
        TimelineQuery(includeRetracted: true),
        TimelineQuery(from: try! HistoricalDate(parsing: "1900"), to: try! HistoricalDate(parsing: "1960")),
        TimelineQuery(from: try! HistoricalDate(parsing: "1956-10")),
        TimelineQuery(actors: ["JAPAN"]),
        TimelineQuery(actors: ["ichiro hatoyama"]),
        TimelineQuery(actors: ["Japan", "Soviet Union"], allActors: true),
        TimelineQuery(actors: ["Japan", "RUS"], limit: 1),
        TimelineQuery(kinds: [.declaration, .war]),
        TimelineQuery(tags: ["peace-treaty"]),
        TimelineQuery(text: "treaty"),
        TimelineQuery(text: "Kim Jong-un"),
        TimelineQuery(text: "\"joint declaration\" OR shimoda"),
        TimelineQuery(text: "declar* -tokyo"),
        TimelineQuery(text: "U.S."),
        TimelineQuery(references: "1956-joint"),
        TimelineQuery(referencedBy: "2019-speech"),
        TimelineQuery(actors: ["Japan"], tags: ["peace-treaty"], text: "peace", reverse: true, limit: 1),
        TimelineQuery(actors: ["Japan"], limit: 2, includeRetracted: true),
        TimelineQuery(actors: ["Japan", "Soviet Union", "JPN"], reverse: true, limit: 2),
        TimelineQuery(from: try! HistoricalDate(parsing: "1950"), to: try! HistoricalDate(parsing: "2000"), actors: ["Japan"], kinds: [.declaration, .visit]),
        TimelineQuery(tags: ["peace-treaty", "border", "war"], text: "treaty OR war", limit: 1),
        TimelineQuery(references: "unrecorded", limit: 1, includeRetracted: true),
    ]

    @Test func theSameLogReadsTheSameInBothEngines() throws {
        let database = try TestDatabase()
        let postgres = try database.store()
        defer { postgres.close() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("annals-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var sqliteOptions = SQLiteEventStore.Options()
        sqliteOptions.dictionaryTrainingThreshold = 0
        sqliteOptions.clock = TestDatabase.options.clock
        let sqlite = try SQLiteEventStore(path: directory.appendingPathComponent("a.sqlite").path, options: sqliteOptions)
        defer { sqlite.close() }

        for entry in Self.log {
            #expect(try postgres.append([entry]) == sqlite.append([entry]))
        }
        #expect(try postgres.append(Self.log) == sqlite.append(Self.log), "a replay: duplicates")
        var amend = Sample.event("2019-speech", "2019-01-28", kind: .speech, title: "Policy speech, amended")
        amend.tags = ["nuclear"]
        #expect(try postgres.amend(amend) == sqlite.amend(amend))
        #expect(throws: StoreError.self) { try postgres.retract(id: "1956-approx", reason: "again") }
        sqlite.waitUntilSearchable()

        for query in Self.queries {
            var cursor: String?
            var pages = 0
            repeat {
                var paged = query
                paged.cursor = cursor
                let a = try postgres.timeline(paged), b = try sqlite.timeline(paged)
                #expect(a.records == b.records, "\(paged)")
                #expect((a.nextCursor == nil) == (b.nextCursor == nil), "\(paged)")
                cursor = a.nextCursor
                pages += 1
            } while cursor != nil && pages < 20
        }
        for id in ["1855-shimoda", "1956-joint", "1993-tokyo", "2019-speech", "1956-approx", "nothing"] {
            #expect(try postgres.encodedDetail(id: id, revision: nil) == sqlite.encodedDetail(id: id, revision: nil), "\(id)")
            #expect(try postgres.encodedDetail(id: id, revision: 1) == sqlite.encodedDetail(id: id, revision: 1), "\(id)")
        }
        #expect(throws: StoreError.self) { try postgres.encodedDetail(id: "1855-shimoda", revision: 5) }
        #expect(try postgres.entries(after: 0, limit: 1000) == sqlite.entries(after: 0, limit: 1000))
        #expect(try postgres.entries(after: 3, limit: 2) == sqlite.entries(after: 3, limit: 2))
        #expect(try postgres.lastSeq() == sqlite.lastSeq())
        var a = try postgres.stats(), b = try sqlite.stats()
        #expect(a.fileBytes > 0)
        (a.fileBytes, b.fileBytes, a.indexLagMilliseconds, b.indexLagMilliseconds) = (0, 0, 0, 0)
        #expect(a == b)
        #expect(throws: StoreError.self) { try postgres.timeline(TimelineQuery(cursor: "nonsense")) }
        #expect(throws: StoreError.self) { try postgres.timeline(TimelineQuery(text: "\"unclosed")) }
    }
}
