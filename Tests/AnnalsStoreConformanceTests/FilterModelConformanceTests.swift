import AnnalsCore
import AnnalsFuzzing
import AnnalsStore
import AnnalsStoreTesting
import Testing

/// Every filter combined with every other, at random, against a model of their meaning over the events
/// themselves: a date range overlaps an event's bounds; actors match a name or a code, folded (case and
/// diacritics), any of them or all of them; kinds and tags (folded) any of them; `references` the events whose
/// shown revision refers to an id (stored or not), `referencedBy` the stored events an event refers to; text
/// as `SearchQuery` reads it, never in a retracted event; retracted events only with `includeRetracted`; the
/// order (lower, upper, id), either way; every page of any size. Amends and retractions are part of the
/// history, so the filters must follow the shown revision.
@Suite("Conformance: filter combinations against a model")
struct FilterModelConformanceTests {
    static let actorPool: [Actor] = [
        Actor(name: "Japan", code: "JPN"), Actor(name: "Russia", code: "RUS"), Actor(name: "Ōno Banboku"),
        Actor(name: "Café Müller", code: "CMU"), Actor(name: "United States", code: "USA"), Actor(name: "Kim Jong-il"),
        Actor(name: "Soviet Union", code: "SUN"),
    ]
    /// How a person may type each actor: any case, with or without diacritics, or the code.
    static let actorSpellings: [String] = [
        "japan", "JAPAN", "jpn", "Russia", "rus", "ono banboku", "ŌNO BANBOKU", "cafe muller", "Café Müller", "cmu",
        "united states", "USA", "kim jong-il", "KIM JONG-IL", "soviet union", "sun", "nobody",
    ]
    static let tagPool = ["border", "peace-treaty", "kuril-islands", "fisheries", "Fishing-Rights"]
    static let tagSpellings = ["border", "BORDER", "peace-treaty", "Kuril-Islands", "fisheries", "fishing-rights", "absent-tag"]
    static let kinds: [EventKind] = [.statement, .speech, .treaty, .meeting, .declaration]
    static let words = ["treaty", "border", "island", "fish", "talks", "naïve", "café"]
    static let dates = ["1905", "1905-09-05", "1945-08/..", "../1900", "/1956", "1956/", "195X", "1956-10-19", "1956~",
                        "1960/1970", "1993-10", "2001-21", "2018-11-14", "2019", "19XX", "1941-12-07/1945-09-02"]
    static let ranges: [(String?, String?)] = [(nil, nil), ("1956", "1956"), ("1900", nil), (nil, "1905"), ("1950", "1960"),
                                                 ("195X", nil), ("2000", "2030"), ("1945-08-15", "1945-08-15"), ("1700", "1800")]

    /// Random events, some referring to others (or to ids never stored); then amends and retractions.
    struct History {
        var events: [String: Event] = [:]
        var retracted: Set<String> = []
        var order: [String] = []
    }

    static func makeHistory(_ f: ConformanceFixture, count: Int, random: inout SeededRandom) throws -> History {
        func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }
        func some<T>(_ values: [T], upTo n: Int) -> [T] {
            var chosen: [Int] = []
            for _ in 0..<Int(random.next() % UInt64(n + 1)) {
                let i = Int(random.next() % UInt64(values.count))
                if !chosen.contains(i) { chosen.append(i) }
            }
            return chosen.map { values[$0] }
        }
        func event(_ id: String, ids: [String]) -> Event {
            let references = some(ids.filter { $0 != id } + ["never-stored-1", "never-stored-2"], upTo: 2)
                .map { Reference(id: $0, relation: pick([.mentions, .follows, .invokes])) }
            return Sample.event(id, pick(dates), kind: pick(kinds), title: "Event \(id) " + pick(words),
                                summary: random.next() % 3 == 0 ? pick(words) + " " + pick(words) : nil,
                                body: random.next() % 2 == 0 ? (0..<5).map { _ in pick(words) }.joined(separator: " ") : nil,
                                actors: some(actorPool, upTo: 3), tags: some(tagPool, upTo: 2), references: references)
        }
        var history = History()
        let ids = (0..<count).map { "ev-\($0)" }
        for start in stride(from: 0, to: count, by: 50) {
            let batch = ids[start..<min(start + 50, count)].map { event($0, ids: ids) }
            let outcomes = try f.store.append(batch.map(LogEntry.event))
            try #require(outcomes.allSatisfy { $0.isAccepted }, "\(outcomes)")
            for e in batch { history.events[e.id] = e }
        }
        history.order = ids
        for _ in 0..<(count / 8) {
            let id = pick(ids)
            var amended = event(id, ids: ids)
            amended.revision = nil
            _ = try f.store.amend(amended)
            history.events[id] = amended
            history.retracted.remove(id)  // an amend restores a retracted event
        }
        for _ in 0..<(count / 10) {
            let id = pick(ids)
            guard !history.retracted.contains(id) else { continue }
            _ = try f.store.retract(id: id, reason: "test")
            history.retracted.insert(id)
        }
        return history
    }

    /// What `query` must list, in order, by the model.
    static func expected(_ h: History, _ query: TimelineQuery) throws -> [String] {
        func bounds(_ d: HistoricalDate) -> (Int64, Int64) { (d.lower?.dayNumber ?? .min, d.upper?.dayNumber ?? .max) }
        let fromLower = query.from.map { bounds($0).0 } ?? .min
        let toUpper = query.to.map { bounds($0).1 } ?? .max
        let search = try query.text.map { try SearchQuery(parsing: $0) }
        func matches(_ actor: Actor, _ typed: String) -> Bool {
            let key = Text.foldedKey(typed)
            return Text.foldedKey(actor.name) == key || actor.code.map(Text.foldedKey) == key
        }
        let referencedBy = query.referencedBy.map { source in Set(h.events[source]?.references.map(\.id) ?? []) }
        let hits = h.order.compactMap { h.events[$0] }.filter { e in
            let retracted = h.retracted.contains(e.id)
            if retracted && !query.includeRetracted { return false }
            let (lower, upper) = bounds(e.date)
            guard upper >= fromLower && lower <= toUpper else { return false }
            if !query.actors.isEmpty {
                let found = query.actors.map { typed in e.actors.contains { matches($0, typed) } }
                guard query.allActors ? found.allSatisfy({ $0 }) : found.contains(true) else { return false }
            }
            if !query.kinds.isEmpty && !query.kinds.contains(e.kind) { return false }
            if !query.tags.isEmpty && !query.tags.contains(where: { typed in e.tags.contains { Text.foldedKey($0) == Text.foldedKey(typed) } }) {
                return false
            }
            if let target = query.references, !e.references.contains(where: { $0.id == target }) { return false }
            if let referencedBy, !referencedBy.contains(e.id) { return false }
            if let search {
                guard !retracted, search.matches(fields: [e.title, e.summary ?? "", e.body ?? ""]) else { return false }
            }
            return true
        }
        let sorted = hits.sorted { a, b in
            let (al, au) = bounds(a.date), (bl, bu) = bounds(b.date)
            return (al, au) != (bl, bu) ? (al, au) < (bl, bu) : Array(a.id.utf8).lexicographicallyPrecedes(b.id.utf8)
        }
        return (query.reverse ? sorted.reversed() : sorted).map(\.id)
    }

    static func randomQuery(_ h: History, random: inout SeededRandom) -> TimelineQuery {
        func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }
        func chance(_ n: UInt64) -> Bool { random.next() % n == 0 }
        var query = TimelineQuery()
        if chance(2) {
            let (from, to) = pick(ranges)
            query.from = from.map(Sample.date)
            query.to = to.map(Sample.date)
        }
        if chance(2) {
            query.actors = (0..<(1 + Int(random.next() % 2))).map { _ in pick(actorSpellings) }
            query.allActors = chance(2)
        }
        if chance(3) { query.kinds = (0..<(1 + Int(random.next() % 2))).map { _ in pick(kinds) } }
        if chance(3) { query.tags = (0..<(1 + Int(random.next() % 2))).map { _ in pick(tagSpellings) } }
        if chance(4) { query.references = pick(h.order + ["never-stored-1"]) }
        if chance(5) { query.referencedBy = pick(h.order.filter { !h.retracted.contains($0) }) }
        if chance(4) { query.text = pick(words + ["treaty OR fish", "\"event ev-1\"", "isl*", "border -talks"]) }
        query.includeRetracted = chance(3)
        query.reverse = chance(2)
        query.limit = pick([1, 2, 7, 50, 1000])
        return query
    }

    @Test(arguments: StoreEngine.allCases, [11, 12] as [UInt64])
    func randomCombinationsAgreeWithTheModel(engine: StoreEngine, seed: UInt64) throws {
        let f = try ConformanceFixture(engine)
        var random = SeededRandom(seed: seed)
        let history = try Self.makeHistory(f, count: 240, random: &random)
        try f.waitUntilSearchable()
        var nonEmpty = 0
        for _ in 0..<250 {
            let query = Self.randomQuery(history, random: &random)
            let want = try Self.expected(history, query)
            if !want.isEmpty { nonEmpty += 1 }
            #expect(try f.allPages(query) == want, "\(query)")
        }
        // The model is only a test if many queries find something.
        #expect(nonEmpty > 100)
    }
}
