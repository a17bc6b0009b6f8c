import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
import Testing

/// Date ranges over events of every span, page by page, against a brute-force overlap filter over the same
/// events. An engine may read a range in pieces (the SQLite engine reads one span class at a time — a day, a
/// year, a decade, open-ended… — and merges them): a piece scanned from the wrong place, a lost or repeated
/// event, or a broken merge order shows up here.
@Suite("Conformance: date ranges over events of every span")
struct DateRangeConformanceTests {
    /// Events with spans from a day to centuries, open starts and ends, some retracted, some amended to
    /// another span (so their class changes).
    static func corpus(count: Int, seed: UInt64) -> [Event] {
        var state = seed
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return (0..<count).map { i in
            let year = 1850 + next(170)
            let date: String
            switch next(12) {
            case 0, 1, 2: date = "\(year)-\(two(1 + next(12)))-\(two(1 + next(28)))"
            case 3, 4: date = "\(year)-\(two(1 + next(12)))"
            case 5, 6: date = "\(year)"
            case 7: date = "\(year)~"
            case 8: date = "\(year / 10)X"
            case 9: date = "\(year)/\(min(year + 1 + next(3 + next(150)), 2025))"
            case 10: date = next(2) == 0 ? "../\(year)" : "\(year)/.."
            default: date = "\(year)-\(two(1 + next(12)))/\(year + 1 + next(3))"
            }
            let kind: EventKind = next(3) == 0 ? .speech : .statement
            let body = next(2) == 0 ? String(repeating: "Body of event \(i), with its words. ", count: 1 + next(300)) : nil
            let actor = Actor(name: Self.actors[next(Self.actors.count)])
            return Sample.event("e\(i)", date, kind: kind, body: body, actors: [actor])
        }
    }

    static let actors = ["Japan", "Russia", "China", "South Korea", "Mongolia"]

    /// The events overlapping [from, to] in timeline order, by brute force over the dates themselves.
    static func expected(_ events: [Event], from: HistoricalDate?, to: HistoricalDate?, kinds: [EventKind], actor: String? = nil,
                         withBody: Bool = false, reverse: Bool) -> [String] {
        func bounds(_ d: HistoricalDate) -> (Int64, Int64) { (d.lower?.dayNumber ?? .min, d.upper?.dayNumber ?? .max) }
        let fromLower = from.map { bounds($0).0 } ?? .min
        let toUpper = to.map { bounds($0).1 } ?? .max
        let hits = events.filter { e in
            let (lower, upper) = bounds(e.date)
            return upper >= fromLower && lower <= toUpper && (kinds.isEmpty || kinds.contains(e.kind))
                && (actor == nil || e.actors.contains { $0.name == actor }) && (!withBody || e.body != nil)
        }
        let sorted = hits.sorted { a, b in
            let (al, au) = bounds(a.date), (bl, bu) = bounds(b.date)
            return (al, au, a.id) < (bl, bu, b.id)
        }
        return (reverse ? sorted.reversed() : sorted).map(\.id)
    }

    static func ranges(seed: UInt64) -> [(HistoricalDate?, HistoricalDate?)] {
        let texts: [(String?, String?)] = [
            (nil, nil), ("1956", "1956"), ("1900", nil), (nil, "1870"), ("1945-08-15", "1945-09-02"), ("195X", nil),
            ("2018-11", "2019-01"), ("1850", "2030"), ("1999-12-31", "2000-01-01"), ("1700", "1800"), ("2100", nil),
        ]
        return texts.map { ($0.0.map(Sample.date), $0.1.map(Sample.date)) }
    }

    func check(_ f: ConformanceFixture, _ events: [Event]) throws {
        try f.waitUntilSearchable()
        for (from, to) in Self.ranges(seed: 1) {
            for kinds in [[], [EventKind.speech]] {
                for reverse in [false, true] {
                    let query = TimelineQuery(from: from, to: to, kinds: kinds, reverse: reverse, limit: 37)
                    let got = try f.allPages(query)
                    let want = Self.expected(events, from: from, to: to, kinds: kinds, reverse: reverse)
                    #expect(got == want, "from \(from?.description ?? "..") to \(to?.description ?? "..") kinds \(kinds) reverse \(reverse)")
                }
            }
            // The same ranges through the full-text index ("words" is in every body and nowhere else), alone
            // and with an actor.
            for reverse in [false, true] {
                let query = TimelineQuery(from: from, to: to, text: "words", reverse: reverse, limit: 37)
                let want = Self.expected(events, from: from, to: to, kinds: [], withBody: true, reverse: reverse)
                #expect(try f.allPages(query) == want, "words from \(from?.description ?? "..") to \(to?.description ?? "..")")
                let withActor = TimelineQuery(from: from, to: to, actors: ["Russia"], text: "words", reverse: reverse, limit: 37)
                let wantWithActor = Self.expected(events, from: from, to: to, kinds: [], actor: "Russia", withBody: true, reverse: reverse)
                #expect(try f.allPages(withActor) == wantWithActor)
            }
            // The same ranges through an actor's facet entries.
            for reverse in [false, true] {
                let query = TimelineQuery(from: from, to: to, actors: ["Russia"], reverse: reverse, limit: 23)
                let want = Self.expected(events, from: from, to: to, kinds: [], actor: "Russia", reverse: reverse)
                #expect(try f.allPages(query) == want, "Russia from \(from?.description ?? "..") to \(to?.description ?? "..")")
            }
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func rangesAgreeWithBruteForce(engine: StoreEngine) throws {
        let f = try ConformanceFixture(engine)
        var events = Self.corpus(count: 1_500, seed: 7)
        _ = try f.store.append(events.map(LogEntry.event))
        try check(f, events)

        // Amending moves events between span classes; retracted events leave every range.
        for i in stride(from: 0, to: 300, by: 3) {
            var amended = events[i]
            amended.date = Sample.date(i % 2 == 0 ? "1960/2010" : "1961-03-04")
            _ = try f.store.amend(amended)
            events[i] = amended
        }
        for i in stride(from: 1, to: 300, by: 7) {
            _ = try f.store.retract(id: events[i].id, reason: "test")
        }
        let retracted = Set(stride(from: 1, to: 300, by: 7).map { events[$0].id })
        try check(f, events.filter { !retracted.contains($0.id) })
    }

    /// Without open-ended events (an engine may then start its scans no earlier than the longest span allows).
    @Test(arguments: StoreEngine.allCases)
    func rangesWithOnlyBoundedSpans(engine: StoreEngine) throws {
        let f = try ConformanceFixture(engine)
        let events = Self.corpus(count: 1_200, seed: 5).filter { $0.date.lower != nil && $0.date.upper != nil }
        _ = try f.store.append(events.map(LogEntry.event))
        try check(f, events)
    }
}
