import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
import Testing

/// Amend and retract: new revisions, every one of them readable, and logs that carry revisions.
@Suite("Conformance: amend, retract and revisions")
struct RevisionConformanceTests {
    @Test(arguments: StoreEngine.allCases)
    func amendKeepsEveryRevisionReadable(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        var amended = Sample.diplomacy[2]
        amended.summary = "The declaration ends the state of war."
        amended.tags.append("diplomatic-relations")
        let record = try f.store.amend(amended)
        #expect(record.event.revision == 2)
        #expect(record.seq == 11)
        #expect(record.event.summary == amended.summary)
        let detail = try #require(try f.store.get(id: amended.id))
        #expect(detail.revisions.map(\.revision) == [1, 2])
        let first = try #require(try f.store.get(id: amended.id, revision: 1))
        #expect(first.current.event.summary == nil)
        #expect(first.current.event.hasSameContent(as: Sample.diplomacy[2]))
        #expect(first.current.seq == 3)
        // Amending to the same content again is a no-op.
        #expect(try f.store.amend(amended).event.revision == 2)
        #expect(try f.store.lastSeq() == 11)
        // Filters follow the new revision.
        #expect(try f.ids(TimelineQuery(tags: ["diplomatic-relations"])) == [amended.id])
    }

    /// Five revisions (two amends, a retraction, a restoring amend): `get` with each revision shows that
    /// revision, the list of revisions is the event's entries in the log, and a revision it does not have is
    /// not found.
    @Test(arguments: StoreEngine.allCases)
    func everyRevisionIsReadable(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        let id = "1993-tokyo-declaration"
        var contents = [Sample.diplomacy[4]]
        for (summary, date) in [("Yeltsin visits Tokyo.", "1993-10-11/1993-10-13"), ("The Tokyo Declaration is signed.", "1993-10-13")] {
            var next = contents.last!
            next.summary = summary
            next.date = Sample.date(date)
            _ = try f.store.amend(next)
            contents.append(next)
        }
        _ = try f.store.retract(id: id, reason: "under review")
        var restored = contents.last!
        restored.tags = ["peace-treaty"]
        _ = try f.store.amend(restored)

        let log = try f.log().filter { $0.entry.id == id }
        #expect(log.map(\.entry.revision) == [1, 2, 3, 4, 5])
        let latest = try #require(try f.store.get(id: id))
        #expect(latest.revisions == log.map(\.entry), "the revisions are the event's log entries")
        #expect(latest.current.event.hasSameContent(as: restored) && latest.current.retraction == nil)

        let shownContent = [contents[0], contents[1], contents[2], contents[2], restored]
        for revision in 1...5 {
            let detail = try #require(try f.store.get(id: id, revision: revision))
            #expect(detail.current.seq == log[revision - 1].seq, "revision \(revision)")
            #expect(detail.current.event.hasSameContent(as: shownContent[revision - 1]), "revision \(revision)")
            #expect((detail.current.retraction != nil) == (revision == 4), "revision \(revision)")
            #expect(detail.revisions == latest.revisions)
        }
        #expect(try f.store.get(id: id, revision: 4)?.current.retraction?.reason == "under review")
        for missing in [0, 6] {
            let error = #expect(throws: StoreError.self, "revision \(missing)") { try f.store.get(id: id, revision: missing) }
            #expect(error?.code == .notFound)
            let encodedError = #expect(throws: StoreError.self) { try f.store.encodedDetail(id: id, revision: missing) }
            #expect(encodedError?.code == .notFound)
        }
        #expect(try f.store.get(id: "no-such-event") == nil)
        #expect(try f.store.encodedDetail(id: "no-such-event", revision: nil) == nil)
        #expect(try f.store.encodedDetail(id: id, revision: nil) != nil)
    }

    @Test(arguments: StoreEngine.allCases)
    func retractHidesButKeeps(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        let record = try f.store.retract(id: "1950s-fisheries", reason: "duplicate of a better record")
        #expect(record.retraction?.reason == "duplicate of a better record")
        #expect(record.event.revision == 1, "the content shown is the last content revision")
        #expect(!(try f.ids(TimelineQuery(limit: 100)).contains("1950s-fisheries")))
        let all = try f.store.timeline(TimelineQuery(limit: 100, includeRetracted: true))
        #expect(all.records.contains { $0.event.id == "1950s-fisheries" && $0.retraction != nil })
        try f.waitUntilSearchable()
        #expect(try f.ids(TimelineQuery(text: "Fisheries")).isEmpty, "retracted text leaves the search")
        let detail = try #require(try f.store.get(id: "1950s-fisheries"))
        #expect(detail.revisions.count == 2)
        // Retracting again with the same reason is a duplicate; with another, a conflict.
        let again = try f.store.append([.retraction(Retraction(id: "1950s-fisheries", reason: "duplicate of a better record"))])
        #expect(again == [.duplicate(seq: record.seq)])
        let other = try f.store.append([.retraction(Retraction(id: "1950s-fisheries", reason: "other"))])
        #expect(other[0].errorCode == .conflict)
        let missing = try f.store.append([.retraction(Retraction(id: "nothing-here", reason: "x"))])
        #expect(missing[0].errorCode == .notFound)
        // Amending a retracted event restores it.
        var restored = Sample.diplomacy[8]
        restored.title = "Fisheries talks, 1950s"
        #expect(try f.store.amend(restored).event.revision == 3)
        try f.waitUntilSearchable()
        #expect(try f.ids(TimelineQuery(text: "Fisheries")) == ["1950s-fisheries"])
    }

    @Test(arguments: StoreEngine.allCases)
    func amendAndRetractRefuseWhatTheyCannotDo(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        let amendMissing = #expect(throws: StoreError.self) { try f.store.amend(Sample.event("no-such-event", "2000")) }
        #expect(amendMissing?.code == .notFound)
        let retractMissing = #expect(throws: StoreError.self) { try f.store.retract(id: "no-such-event", reason: "x") }
        #expect(retractMissing?.code == .notFound)
        var invalid = Sample.diplomacy[0]
        invalid.references = [Reference(id: invalid.id, relation: .mentions)]
        let amendInvalid = #expect(throws: StoreError.self) { try f.store.amend(invalid) }
        #expect(amendInvalid?.code == .invalidEvent)
        #expect(try f.store.lastSeq() == 10, "refusals write nothing")
    }

    /// Writers amending one event at once make one history: revisions 1, 2, 3… in log order, without a gap or a
    /// repeat, each one readable with the content its writer gave.
    @Test(arguments: StoreEngine.allCases)
    func concurrentAmendsMakeOneHistory(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        let store = f.store
        let base = Sample.diplomacy[4]
        try withThrowingTaskGroupOnThreads(count: 4) { t in
            for i in 0..<15 {
                var amended = base
                amended.summary = "writer \(t), amend \(i)"
                // (The record returned is the event as it stands after the write, which may already be another
                // writer's next revision.)
                let record = try store.amend(amended)
                guard record.event.revision ?? 0 >= 2 else { throw FixtureError("amend \(t)/\(i) returned revision \(record.event.revision ?? 0)") }
            }
        }
        let history = try f.log().filter { $0.entry.id == base.id }
        #expect(history.map(\.entry.revision) == (1...61).map { Optional($0) })
        #expect(try f.store.lastSeq() == 70)
        var summaries = Set<String>()
        for entry in history.dropFirst() {
            let detail = try #require(try f.store.get(id: base.id, revision: try #require(entry.entry.revision)))
            #expect(detail.current.seq == entry.seq)
            summaries.insert(detail.current.event.summary ?? "")
        }
        #expect(summaries.count == 60, "every writer's every amend is a revision of its own")
    }

    @Test(arguments: StoreEngine.allCases)
    func logEntriesCarryingRevisionsReplayIdempotently(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        var amended = Sample.diplomacy[0]
        amended.summary = "First treaty between Japan and Russia."
        _ = try f.store.amend(amended)
        _ = try f.store.retract(id: Sample.diplomacy[1].id, reason: "test")
        let log = try f.log()
        #expect(log.count == Sample.diplomacy.count + 2)

        let g = try ConformanceFixture(engine)
        let first = try g.store.append(log.map(\.entry))
        #expect(first.allSatisfy { $0.isAccepted })
        let second = try g.store.append(log.map(\.entry))
        #expect(second.allSatisfy { $0.isDuplicate })
        #expect(try g.log() == log)

        // A revision that skips ahead, or a first entry that is not revision 1, is refused.
        var skip = amended
        skip.revision = 5
        #expect(try g.store.append([.event(skip)])[0].errorCode == .invalidRevision)
        var late = Sample.event("new-one", "2001")
        late.revision = 2
        #expect(try g.store.append([.event(late)])[0].errorCode == .invalidRevision)
    }
}
