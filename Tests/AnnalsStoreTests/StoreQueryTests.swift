import AnnalsCore
import AnnalsStore
import Testing

@Suite("Store: timelines, filters and cursors")
struct StoreQueryTests {
    let f: StoreFixture

    init() throws {
        f = try StoreFixture()
        _ = try f.store.append(Sample.diplomacy.map(LogEntry.event))
    }

    func ids(_ query: TimelineQuery) throws -> [String] {
        try f.store.timeline(query).records.map(\.event.id)
    }

    @Test func chronologicalOrderByLowerUpperID() throws {
        let all = try ids(TimelineQuery())
        #expect(all == [
            "1855-treaty-of-shimoda", "1950s-fisheries", "1951-san-francisco", "1956-approx-visit",
            "1956-10-19-soviet-japanese-joint-declaration", "1960-security-treaty", "1993-tokyo-declaration",
            "2002-pyongyang-declaration", "2018-11-14-singapore", "2019-01-28-policy-speech",
        ])
        #expect(try ids(TimelineQuery(reverse: true)) == all.reversed())
    }

    @Test func dateRangeOverlapsBounds() throws {
        // 1956 overlaps the 1950s, the approximate 1956 visit and the October declaration.
        let in1956 = try ids(TimelineQuery(from: Sample.date("1956"), to: Sample.date("1956")))
        #expect(in1956 == ["1950s-fisheries", "1956-approx-visit", "1956-10-19-soviet-japanese-joint-declaration"])
        let since2000 = try ids(TimelineQuery(from: Sample.date("2000")))
        #expect(since2000 == ["2002-pyongyang-declaration", "2018-11-14-singapore", "2019-01-28-policy-speech"])
        let until1900 = try ids(TimelineQuery(to: Sample.date("1900")))
        #expect(until1900 == ["1855-treaty-of-shimoda"])
        let openInterval = try ids(TimelineQuery(from: Sample.date("2018-11/..")))
        #expect(openInterval == ["2018-11-14-singapore", "2019-01-28-policy-speech"])
    }

    @Test func openEndedEventsOverlapEveryLaterOrEarlierRange() throws {
        _ = try f.store.append([
            .event(Sample.event("occupation-since-1945", "1945-08/..")),
            .event(Sample.event("claims-until-1905", "../1905")),
        ])
        #expect(try ids(TimelineQuery(from: Sample.date("1956"), to: Sample.date("1960-01"))).contains("occupation-since-1945"))
        #expect(try ids(TimelineQuery(from: Sample.date("2015"))).contains("occupation-since-1945"))
        #expect(!(try ids(TimelineQuery(to: Sample.date("1944"))).contains("occupation-since-1945")))
        #expect(try ids(TimelineQuery(to: Sample.date("1800"))).contains("claims-until-1905"))
        #expect(!(try ids(TimelineQuery(from: Sample.date("1906"))).contains("claims-until-1905")))
    }

    @Test func actorsMatchNameOrCodeIgnoringCaseAndDiacritics() throws {
        #expect(try ids(TimelineQuery(actors: ["ichiro hatoyama"])) == ["1956-10-19-soviet-japanese-joint-declaration"])
        #expect(try ids(TimelineQuery(actors: ["ICHIRŌ HATOYAMA"])) == ["1956-10-19-soviet-japanese-joint-declaration"])
        #expect(try ids(TimelineQuery(actors: ["sun"])) == ["1950s-fisheries", "1956-10-19-soviet-japanese-joint-declaration"])
        #expect(try ids(TimelineQuery(actors: ["Soviet Union"])) == ["1950s-fisheries", "1956-10-19-soviet-japanese-joint-declaration"])
        let anyOf = try ids(TimelineQuery(actors: ["PRK", "Vladimir Putin"]))
        #expect(anyOf == ["2002-pyongyang-declaration", "2018-11-14-singapore"])
        let allOf = try ids(TimelineQuery(actors: ["JPN", "USA"], allActors: true))
        #expect(allOf == ["1951-san-francisco", "1960-security-treaty"])
        #expect(try ids(TimelineQuery(actors: ["nobody at all"])).isEmpty)
        // Japan with anyone: no duplicates although Japan matches by name and code.
        #expect(try ids(TimelineQuery(actors: ["Japan", "JPN"])).count == 9)
    }

    @Test func kindsTagsAndText() throws {
        #expect(try ids(TimelineQuery(kinds: [.treaty])) == ["1855-treaty-of-shimoda", "1951-san-francisco", "1960-security-treaty"])
        #expect(try ids(TimelineQuery(kinds: [.speech, .meeting])) == ["2018-11-14-singapore", "2019-01-28-policy-speech"])
        #expect(try ids(TimelineQuery(tags: ["Kuril-Islands"])) == ["1956-10-19-soviet-japanese-joint-declaration", "1993-tokyo-declaration"])
        f.store.waitUntilSearchable()
        #expect(try ids(TimelineQuery(text: "Shikotan")) == ["1956-10-19-soviet-japanese-joint-declaration"])
        #expect(try ids(TimelineQuery(text: "kim jong")) == ["2002-pyongyang-declaration", "2019-01-28-policy-speech"])
        #expect(try ids(TimelineQuery(text: "\"kim jong un\"")) == ["2019-01-28-policy-speech"])
        #expect(try ids(TimelineQuery(text: "\"peace treaty\"", reverse: true)) == [
            "2019-01-28-policy-speech", "2018-11-14-singapore", "1956-10-19-soviet-japanese-joint-declaration", "1951-san-francisco",
        ])
        #expect(throws: StoreError.self) { try f.store.timeline(TimelineQuery(text: "\"unbalanced")) }
    }

    @Test func references() throws {
        let declaration = "1956-10-19-soviet-japanese-joint-declaration"
        #expect(try ids(TimelineQuery(references: declaration)) == ["1993-tokyo-declaration", "2018-11-14-singapore", "2019-01-28-policy-speech"])
        #expect(try ids(TimelineQuery(referencedBy: "2019-01-28-policy-speech")) == [declaration, "2002-pyongyang-declaration", "2018-11-14-singapore"])
        let detail = try #require(try f.store.get(id: declaration))
        #expect(detail.incoming.map(\.id) == ["1993-tokyo-declaration", "2018-11-14-singapore", "2019-01-28-policy-speech"])
        #expect(detail.incoming.allSatisfy { $0.relation == .invokes && $0.isResolved })
        let speech = try #require(try f.store.get(id: "2019-01-28-policy-speech"))
        #expect(speech.outgoing.map(\.title) == ["Soviet–Japanese Joint Declaration", "Abe and Putin meet in Singapore", "Japan–DPRK Pyongyang Declaration"])
    }

    @Test func unresolvedReferencesAreKept() throws {
        _ = try f.store.append([.event(Sample.event("2020-later", "2020", references: [Reference(id: "not-yet-recorded", relation: .follows)]))])
        let detail = try #require(try f.store.get(id: "2020-later"))
        #expect(detail.outgoing == [ResolvedReference(id: "not-yet-recorded", relation: .follows)])
        #expect(try ids(TimelineQuery(references: "not-yet-recorded")) == ["2020-later"])
        _ = try f.store.append([.event(Sample.event("not-yet-recorded", "2019", title: "Now recorded"))])
        #expect(try f.store.get(id: "2020-later")?.outgoing.first?.title == "Now recorded")
    }

    @Test func combinedFilters() throws {
        let q = TimelineQuery(from: Sample.date("1950"), to: Sample.date("2000"), actors: ["Japan"], kinds: [.declaration], tags: ["peace-treaty"])
        #expect(try ids(q) == ["1956-10-19-soviet-japanese-joint-declaration", "1993-tokyo-declaration"])
        f.store.waitUntilSearchable()
        let q2 = TimelineQuery(actors: ["Japan"], text: "islands", references: "1956-10-19-soviet-japanese-joint-declaration")
        #expect(try ids(q2) == ["1993-tokyo-declaration"])
        let q3 = TimelineQuery(from: Sample.date("2000"), tags: ["peace-treaty"], text: "declaration", reverse: true)
        #expect(try ids(q3) == ["2018-11-14-singapore"])
    }

    @Test(arguments: [false, true])
    func cursorsWalkEveryEventOnceInOrder(reverse: Bool) throws {
        let everything = try ids(TimelineQuery(reverse: reverse))
        for size in [1, 3, 4] {
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try f.store.timeline(TimelineQuery(reverse: reverse, limit: size, cursor: cursor))
                #expect(page.records.count <= size)
                seen += page.records.map(\.event.id)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen == everything)
        }
        let actorPage = try f.store.timeline(TimelineQuery(actors: ["JPN"], reverse: reverse, limit: 3))
        let rest = try f.store.timeline(TimelineQuery(actors: ["JPN"], reverse: reverse, limit: 100, cursor: actorPage.nextCursor))
        #expect((actorPage.records + rest.records).map(\.event.id) == (try ids(TimelineQuery(actors: ["JPN"], reverse: reverse))))
    }

    @Test func cursorsStayStableWhenEventsArriveBetweenPages() throws {
        let page = try f.store.timeline(TimelineQuery(limit: 3))
        _ = try f.store.append([.event(Sample.event("1800-early", "1800")), .event(Sample.event("2021-late", "2021"))])
        let next = try f.store.timeline(TimelineQuery(limit: 100, cursor: page.nextCursor))
        #expect(next.records.first?.event.id == "1956-approx-visit")
        #expect(next.records.last?.event.id == "2021-late")
        #expect(!next.records.contains { $0.event.id == "1800-early" })
    }

    @Test func badQueriesAreRejected() throws {
        #expect(throws: StoreError.self) { try f.store.timeline(TimelineQuery(cursor: "garbage")) }
        #expect(throws: StoreError.self) { try f.store.timeline(TimelineQuery(limit: 0)) }
        #expect(throws: StoreError.self) { try f.store.timeline(TimelineQuery(limit: TimelineQuery.maxLimit + 1)) }
        // A range that ends before it starts, and searches that cannot be read: invalid-query, in words.
        for query in [
            TimelineQuery(from: Sample.date("2020"), to: Sample.date("2019")),
            TimelineQuery(text: "\"unterminated"), TimelineQuery(text: "\""), TimelineQuery(text: "*"),
            TimelineQuery(text: "NOT korea"), TimelineQuery(actors: ["Japan"], text: "peace OR"),
        ] {
            #expect {
                try f.store.timeline(query)
            } throws: { error in
                guard let error = error as? StoreError else { return false }
                return error.code == .invalidQuery && !error.message.contains("fts") && !error.message.contains("SELECT")
            }
        }
    }

    @Test func stats() throws {
        _ = try f.store.retract(id: "1956-approx-visit", reason: "unsourced")
        _ = try f.store.append([.event(Sample.event("open-start", "../1905", kind: .war, actors: [Actor(name: "Japan")]))])
        f.store.waitUntilSearchable()
        let s = try f.store.stats()
        #expect(s.events == 11)
        #expect(s.visible == 10)
        #expect(s.retracted == 1)
        // The parts add up: kinds to the visible events, and so do decades with the open starts.
        #expect(s.byKind.values.reduce(0, +) == s.visible)
        #expect(s.byDecade.values.reduce(0, +) + s.openStart == s.visible)
        #expect(s.openStart == 1)
        #expect(s.indexedSeq == s.lastSeq)
        #expect(s.revisions == 12)
        #expect(s.lastSeq == 12)
        #expect(s.byKind[.treaty] == 3)
        #expect(s.byKind[.visit] == nil)
        #expect(s.byDecade[1950] == 3)
        #expect(s.topActors.first == .init(name: "Japan", count: 9))
        #expect(s.fileBytes > 0)
        #expect(s.compressedBytes > 0 && s.textBytes > 0)
    }
}
