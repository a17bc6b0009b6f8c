import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
import Testing

/// Timeline order — (lower bound, upper bound, id), open starts first and open ends last — and cursors that
/// walk it page by page.
@Suite("Conformance: order and cursors")
struct OrderConformanceTests {
    @Test(arguments: StoreEngine.allCases)
    func chronologicalOrderByLowerUpperID(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        let all = try f.ids(TimelineQuery())
        #expect(all == [
            "1855-treaty-of-shimoda", "1950s-fisheries", "1951-san-francisco", "1956-approx-visit",
            "1956-10-19-soviet-japanese-joint-declaration", "1960-security-treaty", "1993-tokyo-declaration",
            "2002-pyongyang-declaration", "2018-11-14-singapore", "2019-01-28-policy-speech",
        ])
        #expect(try f.ids(TimelineQuery(reverse: true)) == all.reversed())
    }

    /// Open (`..`) and unknown (`/1905`, `1905/`) ends, spans sharing a start, and ids that differ only in case
    /// and punctuation (compared byte by byte), against a sort of the events' own bounds.
    @Test(arguments: StoreEngine.allCases, [false, true])
    func orderWithOpenAndUnknownEndsAndTies(engine: StoreEngine, reverse: Bool) throws {
        let f = try ConformanceFixture(engine)
        let dates = ["../1905", "../1905-06", "/1905", "1905/", "1905/..", "1905", "1905-01", "1905-01-01", "1905~", "190X",
                     "1904-12-31/1905-01-01", "1905-01-01/..", "1905-01-01"]
        var events = dates.enumerated().map { i, date in Sample.event("e\(i)", date) }
        for id in ["Same-B", "same-a", "same.c", "same_d", "same:e", "same1", "same-a.2"] {
            events.append(Sample.event(id, "1905-05-05"))
        }
        _ = try f.store.append(events.map(LogEntry.event))
        let expected = events.sorted { a, b in
            let (al, au) = (a.date.lower?.dayNumber ?? .min, a.date.upper?.dayNumber ?? .max)
            let (bl, bu) = (b.date.lower?.dayNumber ?? .min, b.date.upper?.dayNumber ?? .max)
            return (al, au) != (bl, bu) ? (al, au) < (bl, bu) : Array(a.id.utf8).lexicographicallyPrecedes(b.id.utf8)
        }.map(\.id)
        let want = reverse ? expected.reversed() : expected
        #expect(try f.ids(TimelineQuery(reverse: reverse)) == want)
        #expect(try f.allPages(TimelineQuery(reverse: reverse, limit: 2)) == want)
    }

    @Test(arguments: StoreEngine.allCases, [false, true])
    func cursorsWalkEveryEventOnceInOrder(engine: StoreEngine, reverse: Bool) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        let everything = try f.ids(TimelineQuery(reverse: reverse))
        for size in [1, 3, 4, 10, 11] {
            #expect(try f.allPages(TimelineQuery(reverse: reverse, limit: size)) == everything, "pages of \(size)")
        }
        let japan = try f.ids(TimelineQuery(actors: ["JPN"], reverse: reverse))
        #expect(try f.allPages(TimelineQuery(actors: ["JPN"], reverse: reverse, limit: 3)) == japan)
        // A page that ends with the last event may still hand out a cursor, to an empty page.
        if let cursor = try f.store.timeline(TimelineQuery(reverse: reverse, limit: 10)).nextCursor {
            #expect(try f.store.timeline(TimelineQuery(reverse: reverse, cursor: cursor)).records.isEmpty)
        }
    }

    /// A cursor is a place in the order, not an offset: events written between pages before it stay out of the
    /// pages to come, and events after it are in them.
    @Test(arguments: StoreEngine.allCases, [false, true])
    func cursorsStayStableWhenEventsArriveBetweenPages(engine: StoreEngine, reverse: Bool) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        let page = try f.store.timeline(TimelineQuery(reverse: reverse, limit: 3))
        let rest = try f.ids(TimelineQuery(reverse: reverse, limit: 100)).dropFirst(3)
        _ = try f.store.append([.event(Sample.event("1800-early", "1800")), .event(Sample.event("2021-late", "2021")),
                                .event(Sample.event("1956-10-19-same-day", "1956-10-19"))])
        let next = try f.allPages(TimelineQuery(reverse: reverse, limit: 2, cursor: page.nextCursor))
        let (behind, ahead) = reverse ? ("2021-late", "1800-early") : ("1800-early", "2021-late")
        #expect(!next.contains(behind))
        #expect(next.last == ahead)
        #expect(next.filter { $0 != ahead && $0 != "1956-10-19-same-day" } == Array(rest))
        #expect(next.contains("1956-10-19-same-day"))
    }

    @Test(arguments: StoreEngine.allCases)
    func aCursorKeepsItsFilters(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        let first = try f.store.timeline(TimelineQuery(actors: ["JPN"], kinds: [.treaty, .declaration], limit: 2))
        #expect(first.records.map(\.event.id) == ["1855-treaty-of-shimoda", "1951-san-francisco"])
        _ = try f.store.append([.event(Sample.event("1970-treaty", "1970", kind: .treaty, actors: [Actor(name: "Japan", code: "JPN")])),
                                .event(Sample.event("1971-treaty", "1971", kind: .treaty, actors: [Actor(name: "China", code: "CHN")]))])
        let rest = try f.allPages(TimelineQuery(actors: ["JPN"], kinds: [.treaty, .declaration], limit: 2, cursor: first.nextCursor))
        #expect(rest == ["1956-10-19-soviet-japanese-joint-declaration", "1960-security-treaty", "1970-treaty",
                         "1993-tokyo-declaration", "2002-pyongyang-declaration"])
    }
}
