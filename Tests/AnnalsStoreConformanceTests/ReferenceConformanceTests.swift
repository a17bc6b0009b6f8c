import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
import Testing

/// References seen from both ends, resolved or not yet.
@Suite("Conformance: references")
struct ReferenceConformanceTests {
    static let declaration = "1956-10-19-soviet-japanese-joint-declaration"

    @Test(arguments: StoreEngine.allCases)
    func referencesBothWays(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        #expect(try f.ids(TimelineQuery(references: Self.declaration)) == ["1993-tokyo-declaration", "2018-11-14-singapore", "2019-01-28-policy-speech"])
        #expect(try f.ids(TimelineQuery(referencedBy: "2019-01-28-policy-speech")) == [Self.declaration, "2002-pyongyang-declaration", "2018-11-14-singapore"])
        let detail = try #require(try f.store.get(id: Self.declaration))
        #expect(detail.incoming.map(\.id) == ["1993-tokyo-declaration", "2018-11-14-singapore", "2019-01-28-policy-speech"])
        #expect(detail.incoming.allSatisfy { $0.relation == .invokes && $0.isResolved })
        #expect(detail.incoming.first?.date == Sample.date("1993-10-13"))
        #expect(detail.outgoing.isEmpty)
        let speech = try #require(try f.store.get(id: "2019-01-28-policy-speech"))
        #expect(speech.outgoing.map(\.title) == ["Soviet–Japanese Joint Declaration", "Abe and Putin meet in Singapore", "Japan–DPRK Pyongyang Declaration"])
        #expect(speech.outgoing.map(\.relation) == [.invokes, .follows, .mentions])
        #expect(speech.outgoing.map(\.date) == [Sample.date("1956-10-19"), Sample.date("2018-11-14"), Sample.date("2002-09-17")])
    }

    /// A reference to an event not yet stored is kept as given, found by the references filter, and resolved
    /// once the event arrives: then both ends see it.
    @Test(arguments: StoreEngine.allCases)
    func unresolvedReferencesResolveWhenTheirTargetArrives(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        _ = try f.store.append([.event(Sample.event("2020-later", "2020", references: [Reference(id: "not-yet-recorded", relation: .follows)]))])
        let detail = try #require(try f.store.get(id: "2020-later"))
        #expect(detail.outgoing == [ResolvedReference(id: "not-yet-recorded", relation: .follows)])
        #expect(!detail.outgoing[0].isResolved)
        #expect(try f.ids(TimelineQuery(references: "not-yet-recorded")) == ["2020-later"])
        #expect(try f.ids(TimelineQuery(referencedBy: "2020-later")).isEmpty, "only stored events are listed")

        _ = try f.store.append([.event(Sample.event("not-yet-recorded", "2019", title: "Now recorded"))])
        let resolved = try #require(try f.store.get(id: "2020-later"))
        #expect(resolved.outgoing == [ResolvedReference(id: "not-yet-recorded", relation: .follows, title: "Now recorded", date: Sample.date("2019"))])
        let target = try #require(try f.store.get(id: "not-yet-recorded"))
        #expect(target.incoming == [ResolvedReference(id: "2020-later", relation: .follows, title: "Event 2020-later", date: Sample.date("2020"))])
        #expect(try f.ids(TimelineQuery(referencedBy: "2020-later")) == ["not-yet-recorded"])
    }

    /// References belong to a revision: an amend that drops one takes it out of both ends and of the filters,
    /// and a retracted referrer leaves the references filter.
    @Test(arguments: StoreEngine.allCases)
    func referencesFollowAmendsAndRetractions(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        var speech = Sample.diplomacy[7]
        speech.references.removeFirst()
        speech.references.append(Reference(id: "1855-treaty-of-shimoda", relation: .mentions))
        _ = try f.store.amend(speech)
        #expect(try f.ids(TimelineQuery(references: Self.declaration)) == ["1993-tokyo-declaration", "2018-11-14-singapore"])
        #expect(try f.ids(TimelineQuery(references: "1855-treaty-of-shimoda")) == [speech.id])
        #expect(try f.store.get(id: Self.declaration)?.incoming.map(\.id) == ["1993-tokyo-declaration", "2018-11-14-singapore"])
        #expect(try f.store.get(id: "1855-treaty-of-shimoda")?.incoming.map(\.id) == [speech.id])
        #expect(try f.ids(TimelineQuery(referencedBy: speech.id)) == ["1855-treaty-of-shimoda", "2002-pyongyang-declaration", "2018-11-14-singapore"])
        // Revision 1 still shows the references it had.
        #expect(try f.store.get(id: speech.id, revision: 1)?.outgoing.map(\.id) == Sample.diplomacy[7].references.map(\.id))

        _ = try f.store.retract(id: "1993-tokyo-declaration", reason: "test")
        #expect(try f.ids(TimelineQuery(references: Self.declaration)) == ["2018-11-14-singapore"])
        #expect(try f.ids(TimelineQuery(references: Self.declaration, includeRetracted: true)) == ["1993-tokyo-declaration", "2018-11-14-singapore"])
    }
}
