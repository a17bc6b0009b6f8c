import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
import Testing

/// The counts of `stats()`, against counts made from the events themselves (sizes depend on the engine and are
/// tested with it).
@Suite("Conformance: stats")
struct StatsConformanceTests {
    @Test(arguments: StoreEngine.allCases)
    func counts(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        _ = try f.store.retract(id: "1956-approx-visit", reason: "unsourced")
        let extra = [
            Sample.event("open-start", "../1905", kind: .war, actors: [Actor(name: "Japan")]),
            Sample.event("unknown-start", "/1905", kind: .war, actors: [Actor(name: "Russian Empire", code: "RUS")]),
            Sample.event("bce", "-0660-02-11", kind: .other, actors: [Actor(name: "Jimmu")]),
        ]
        _ = try f.store.append(extra.map(LogEntry.event))
        var amended = Sample.diplomacy[5]
        amended.kind = .agreement
        amended.date = Sample.date("1979")
        _ = try f.store.amend(amended)
        try f.waitUntilSearchable()

        var visible = Sample.diplomacy.filter { $0.id != "1956-approx-visit" } + extra
        visible[visible.firstIndex { $0.id == amended.id }!] = amended
        let s = try f.store.stats()
        #expect(s.events == 13)
        #expect(s.visible == 12)
        #expect(s.retracted == 1)
        #expect(s.revisions == 15)
        #expect(s.lastSeq == 15)
        #expect(s.indexedSeq == s.lastSeq)
        #expect(s.byKind == Dictionary(grouping: visible, by: \.kind).mapValues(\.count))
        // An open start (`../1905`) is in no decade; an unknown one (`/1905`) in its estimated lower bound's.
        let openStart = visible.filter { $0.date.lower == nil }
        #expect(s.openStart == openStart.count)
        let decades = Dictionary(grouping: visible.filter { e in !openStart.contains { $0.id == e.id } }) { e in
            Int64(e.date.lower!.year) - ((Int64(e.date.lower!.year) % 10) + 10) % 10
        }.mapValues(\.count)
        #expect(s.byDecade == decades)
        // The parts add up.
        #expect(s.byKind.values.reduce(0, +) == s.visible)
        #expect(s.byDecade.values.reduce(0, +) + s.openStart == s.visible)
        // Actors by name, most frequent first, ties by name, at most ten.
        let actorCounts = Dictionary(grouping: visible.flatMap { e in Set(e.actors.map(\.name)) }, by: { $0 }).mapValues(\.count)
        let top = actorCounts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(10).map { StoreStats.ActorCount(name: $0.key, count: $0.value) }
        #expect(s.topActors == Array(top))
    }
}
