import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
import Testing

@Suite("Store: a 100k-event store built in a test")
struct LargeStoreTests {
    static let countries = ["JPN", "RUS", "USA", "CHN", "KOR", "PRK", "GBR", "FRA", "DEU", "IND"]
    static let kinds: [EventKind] = [.speech, .statement, .treaty, .meeting, .visit, .summit]

    /// A deterministic event: spread over 1850–2025, two actors, a tag, a reference to an earlier event.
    static func event(_ i: Int) -> Event {
        let year = 1850 + (i * 7919) % 176
        let month = 1 + (i * 31) % 12
        let day = 1 + (i * 17) % 28
        let date = i % 10 == 0 ? "\(year)" : i % 10 == 1 ? "\(year)-\(pad(month))" : "\(year)-\(pad(month))-\(pad(day))"
        let a = countries[i % countries.count], b = countries[(i / countries.count + 1 + i) % countries.count]
        var actors = [Actor(name: a, code: a)]
        if a != b { actors.append(Actor(name: b, code: b)) }
        return Event(
            id: "e\(i)", date: try! HistoricalDate(parsing: date), kind: kinds[i % kinds.count], title: "Event number \(i)",
            body: "Delegations of \(a) and \(b) discussed item \(i % 997) of the agenda in round \(i % 31).",
            actors: actors, tags: ["topic-\(i % 50)"], references: i > 0 ? [Reference(id: "e\(i / 2)", relation: .follows)] : []
        )
    }

    static func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    @Test func buildAndQuery() throws {
        let f = try StoreFixture()
        let total = 100_000
        for start in stride(from: 0, to: total, by: 2000) {
            let outcomes = try f.store.append((start..<start + 2000).map { .event(Self.event($0)) })
            #expect(outcomes.allSatisfy { if case .accepted = $0 { true } else { false } })
        }
        let stats = try f.store.stats()
        #expect(stats.events == total)
        #expect(stats.lastSeq == Int64(total))

        // The Japan–Russia thread since 1945, page by page, strictly ordered and without repeats.
        var cursor: String?
        var seen = Set<String>()
        var previous: (Int64, Int64, String)?
        var pages = 0
        repeat {
            let page = try f.store.timeline(TimelineQuery(from: try HistoricalDate(parsing: "1945"), actors: ["JPN", "RUS"],
                                                          allActors: true, limit: 50, cursor: cursor))
            for record in page.records {
                #expect(seen.insert(record.event.id).inserted)
                let key = (record.event.date.lower!.dayNumber, record.event.date.upper!.dayNumber, record.event.id)
                if let previous { #expect(previous < key) }
                previous = key
                #expect(record.event.date.upper!.year >= 1945)
                #expect(Set(record.event.actors.compactMap(\.code)) == ["JPN", "RUS"])
            }
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil && pages < 1000
        let expected = (0..<total).map(Self.event).filter { e in
            Set(e.actors.compactMap(\.code)) == ["JPN", "RUS"] && e.date.upper!.year >= 1945
        }.count
        #expect(seen.count == expected)
        #expect(expected > 100)

        // A deep cursor page, full text, a reference filter and a get with incoming references.
        f.store.waitUntilSearchable()
        let hits = try f.store.timeline(TimelineQuery(text: "agenda item 996", limit: 500))
        #expect(hits.records.count == (0..<total).filter { $0 % 997 == 996 }.count)
        let referrers = try f.store.timeline(TimelineQuery(references: "e123", limit: 10))
        #expect(Set(referrers.records.map(\.event.id)) == ["e246", "e247"])
        let detail = try #require(try f.store.get(id: "e123"))
        #expect(detail.incoming.map(\.id).sorted() == ["e246", "e247"])
        #expect(try f.store.integrityCheck() == "ok")
    }
}
