import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
import Testing

/// Every timeline filter alone and combined, over `Sample.diplomacy` (date ranges over many spans have
/// `DateRangeConformanceTests`; the search syntax has `SearchConformanceTests`).
@Suite("Conformance: timeline filters")
struct FilterConformanceTests {
    @Test(arguments: StoreEngine.allCases)
    func dateRangesOverlapPartialAndUncertainDates(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        // 1956 overlaps the 1950s, the approximate 1956 visit and the October declaration.
        #expect(try f.ids(TimelineQuery(from: Sample.date("1956"), to: Sample.date("1956")))
            == ["1950s-fisheries", "1956-approx-visit", "1956-10-19-soviet-japanese-joint-declaration"])
        #expect(try f.ids(TimelineQuery(from: Sample.date("1956-10-20"), to: Sample.date("1956-12")))
            == ["1950s-fisheries", "1956-approx-visit"])
        #expect(try f.ids(TimelineQuery(from: Sample.date("2000"))) == ["2002-pyongyang-declaration", "2018-11-14-singapore", "2019-01-28-policy-speech"])
        #expect(try f.ids(TimelineQuery(to: Sample.date("1900"))) == ["1855-treaty-of-shimoda"])
        #expect(try f.ids(TimelineQuery(from: Sample.date("2018-11/.."))) == ["2018-11-14-singapore", "2019-01-28-policy-speech"])
        #expect(try f.ids(TimelineQuery(from: Sample.date("1959"), to: Sample.date("1959"))) == ["1950s-fisheries"])
        #expect(try f.ids(TimelineQuery(from: Sample.date("2019-01-29"))).isEmpty)
    }

    @Test(arguments: StoreEngine.allCases)
    func openEndedEventsOverlapEveryLaterOrEarlierRange(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        _ = try f.store.append([
            .event(Sample.event("occupation-since-1945", "1945-08/..")),
            .event(Sample.event("claims-until-1905", "../1905")),
        ])
        #expect(try f.ids(TimelineQuery(from: Sample.date("1956"), to: Sample.date("1960-01"))).contains("occupation-since-1945"))
        #expect(try f.ids(TimelineQuery(from: Sample.date("2015"))).contains("occupation-since-1945"))
        #expect(!(try f.ids(TimelineQuery(to: Sample.date("1944"))).contains("occupation-since-1945")))
        #expect(try f.ids(TimelineQuery(to: Sample.date("1800"))).contains("claims-until-1905"))
        #expect(!(try f.ids(TimelineQuery(from: Sample.date("1906"))).contains("claims-until-1905")))
    }

    @Test(arguments: StoreEngine.allCases)
    func actorsMatchNameOrCodeIgnoringCaseAndDiacritics(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        #expect(try f.ids(TimelineQuery(actors: ["ichiro hatoyama"])) == ["1956-10-19-soviet-japanese-joint-declaration"])
        #expect(try f.ids(TimelineQuery(actors: ["ICHIRŌ HATOYAMA"])) == ["1956-10-19-soviet-japanese-joint-declaration"])
        #expect(try f.ids(TimelineQuery(actors: ["sun"])) == ["1950s-fisheries", "1956-10-19-soviet-japanese-joint-declaration"])
        #expect(try f.ids(TimelineQuery(actors: ["Soviet Union"])) == ["1950s-fisheries", "1956-10-19-soviet-japanese-joint-declaration"])
        #expect(try f.ids(TimelineQuery(actors: ["PRK", "Vladimir Putin"])) == ["2002-pyongyang-declaration", "2018-11-14-singapore"])
        #expect(try f.ids(TimelineQuery(actors: ["JPN", "USA"], allActors: true)) == ["1951-san-francisco", "1960-security-treaty"])
        #expect(try f.ids(TimelineQuery(actors: ["nobody at all"])).isEmpty)
        #expect(try f.ids(TimelineQuery(actors: ["Soviet"])).isEmpty, "a name matches whole, not in part")
        // Japan with anyone: no duplicates although Japan matches by name and code.
        #expect(try f.ids(TimelineQuery(actors: ["Japan", "JPN"])).count == 9)
    }

    /// "shinzo abe" finds "Shinzō Abe", and the other way round.
    @Test(arguments: StoreEngine.allCases)
    func actorsWithAndWithoutDiacriticsAreOne(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        _ = try f.store.append([.event(Sample.event("2016-12-15-nagato", "2016-12-15", kind: .summit, title: "Summit in Nagato",
                                                    actors: [Actor(name: "Shinzō Abe"), Actor(name: "Vladimir Putin")]))])
        let abe = ["2016-12-15-nagato", "2018-11-14-singapore", "2019-01-28-policy-speech"]
        for spelling in ["shinzo abe", "Shinzō Abe", "SHINZŌ ABE", "Shinzo Abe", "shinzō abe"] {
            #expect(try f.ids(TimelineQuery(actors: [spelling])) == abe, "\(spelling)")
        }
        #expect(try f.ids(TimelineQuery(actors: ["shinzo abe", "vladimir putin"], allActors: true)) == ["2016-12-15-nagato", "2018-11-14-singapore"])
    }

    @Test(arguments: StoreEngine.allCases)
    func kindsAndTags(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        #expect(try f.ids(TimelineQuery(kinds: [.treaty])) == ["1855-treaty-of-shimoda", "1951-san-francisco", "1960-security-treaty"])
        #expect(try f.ids(TimelineQuery(kinds: [.speech, .meeting])) == ["2018-11-14-singapore", "2019-01-28-policy-speech"])
        #expect(try f.ids(TimelineQuery(kinds: [.war])).isEmpty)
        #expect(try f.ids(TimelineQuery(tags: ["Kuril-Islands"])) == ["1956-10-19-soviet-japanese-joint-declaration", "1993-tokyo-declaration"])
        #expect(try f.ids(TimelineQuery(tags: ["border", "fisheries"])) == ["1855-treaty-of-shimoda", "1950s-fisheries"])
    }

    @Test(arguments: StoreEngine.allCases)
    func text(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        try f.waitUntilSearchable()
        #expect(try f.ids(TimelineQuery(text: "Shikotan")) == ["1956-10-19-soviet-japanese-joint-declaration"])
        #expect(try f.ids(TimelineQuery(text: "kim jong")) == ["2002-pyongyang-declaration", "2019-01-28-policy-speech"])
        #expect(try f.ids(TimelineQuery(text: "\"kim jong un\"")) == ["2019-01-28-policy-speech"])
        #expect(try f.ids(TimelineQuery(text: "\"peace treaty\"", reverse: true)) == [
            "2019-01-28-policy-speech", "2018-11-14-singapore", "1956-10-19-soviet-japanese-joint-declaration", "1951-san-francisco",
        ])
    }

    @Test(arguments: StoreEngine.allCases)
    func combinedFilters(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        try f.waitUntilSearchable()
        let declaration = "1956-10-19-soviet-japanese-joint-declaration"
        let queries: [(TimelineQuery, [String])] = [
            (TimelineQuery(from: Sample.date("1950"), to: Sample.date("2000"), actors: ["Japan"], kinds: [.declaration], tags: ["peace-treaty"]),
             [declaration, "1993-tokyo-declaration"]),
            (TimelineQuery(actors: ["Japan"], text: "islands", references: declaration), ["1993-tokyo-declaration"]),
            (TimelineQuery(from: Sample.date("2000"), tags: ["peace-treaty"], text: "declaration", reverse: true), ["2018-11-14-singapore"]),
            (TimelineQuery(from: Sample.date("195X"), actors: ["SUN"], kinds: [.negotiation, .declaration]), ["1950s-fisheries", declaration]),
            (TimelineQuery(to: Sample.date("1960"), actors: ["JPN", "USA"], allActors: true, kinds: [.treaty], reverse: true),
             ["1960-security-treaty", "1951-san-francisco"]),
            (TimelineQuery(from: Sample.date("2010"), kinds: [.speech], references: declaration), ["2019-01-28-policy-speech"]),
            (TimelineQuery(actors: ["shinzo abe"], referencedBy: "2019-01-28-policy-speech"), ["2018-11-14-singapore"]),
            (TimelineQuery(tags: ["peace-treaty"], text: "treaty NOT talks"), ["1951-san-francisco", declaration]),
            (TimelineQuery(from: Sample.date("1956~"), to: Sample.date("1956~"), actors: ["Japan"], kinds: [.visit]), ["1956-approx-visit"]),
            (TimelineQuery(actors: ["Japan"], kinds: [.treaty], tags: ["peace-treaty"], text: "Kuril", references: "nothing"), []),
        ]
        for (query, expected) in queries {
            #expect(try f.ids(query) == expected, "\(query)")
        }
    }

    /// A retracted event leaves every filter; `includeRetracted` brings it back (text excepted: its words left
    /// the search).
    @Test(arguments: StoreEngine.allCases)
    func retractedEventsLeaveEveryFilter(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        let id = "1993-tokyo-declaration"
        _ = try f.store.retract(id: id, reason: "test")
        try f.waitUntilSearchable()
        let queries = [
            TimelineQuery(actors: ["Russia"]), TimelineQuery(kinds: [.declaration]), TimelineQuery(tags: ["kuril-islands"]),
            TimelineQuery(from: Sample.date("1993"), to: Sample.date("1993")),
            TimelineQuery(references: "1956-10-19-soviet-japanese-joint-declaration"),
        ]
        for var query in queries {
            #expect(!(try f.ids(query)).contains(id), "\(query)")
            query.includeRetracted = true
            #expect(try f.ids(query).contains(id), "\(query)")
        }
        #expect(try f.ids(TimelineQuery(text: "Hosokawa", includeRetracted: true)).isEmpty)
    }

    /// Filters follow an amend: the new actors, kind, tags and date find the event, the old ones no longer do.
    @Test(arguments: StoreEngine.allCases)
    func filtersFollowAmends(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        var amended = Sample.diplomacy[5]
        amended.actors = [Actor(name: "Japan", code: "JPN"), Actor(name: "Kim Jong-il", role: "signatory")]
        amended.kind = .agreement
        amended.tags = ["normalization"]
        amended.date = Sample.date("2002-09")
        amended.body = "Koizumi and Kim sign in Pyongyang."
        _ = try f.store.amend(amended)
        try f.waitUntilSearchable()
        #expect(try f.ids(TimelineQuery(actors: ["PRK"])).isEmpty)
        #expect(try f.ids(TimelineQuery(actors: ["kim jong-il"])) == [amended.id])
        #expect(try f.ids(TimelineQuery(kinds: [.declaration])).contains(amended.id) == false)
        #expect(try f.ids(TimelineQuery(kinds: [.agreement])) == [amended.id])
        #expect(try f.ids(TimelineQuery(tags: ["abductions"])).isEmpty)
        #expect(try f.ids(TimelineQuery(from: Sample.date("2002-09-01"), to: Sample.date("2002-09-01"))) == [amended.id])
        #expect(try f.ids(TimelineQuery(text: "abductions")).isEmpty)
        #expect(try f.ids(TimelineQuery(text: "sign pyongyang")) == [amended.id])
    }

    @Test(arguments: StoreEngine.allCases)
    func badQueriesAreRejected(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        // A bad cursor or page size, a range that ends before it starts, and searches that cannot be read:
        // invalid-query, in words (not the engine's query language).
        for query in [
            TimelineQuery(cursor: "garbage"), TimelineQuery(limit: 0), TimelineQuery(limit: TimelineQuery.maxLimit + 1),
            TimelineQuery(from: Sample.date("2020"), to: Sample.date("2019")),
            TimelineQuery(text: "\"unterminated"), TimelineQuery(text: "\""), TimelineQuery(text: "*"),
            TimelineQuery(text: "NOT korea"), TimelineQuery(actors: ["Japan"], text: "peace OR"),
        ] {
            let error = #expect(throws: StoreError.self, "\(query)") { try f.store.timeline(query) }
            #expect(error?.code == .invalidQuery, "\(query)")
            for engineWord in ["fts", "SELECT", "tsquery", "syntax error"] {
                #expect(error?.message.contains(engineWord) == false, "\(query): \(error?.message ?? "")")
            }
        }
    }
}
