import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
import Dispatch
import Synchronization
import Testing

/// The change log: read by position, its last position, commit notices, and what survives a reopen.
@Suite("Conformance: the log")
struct LogConformanceTests {
    @Test(arguments: StoreEngine.allCases)
    func anEmptyStore(engine: StoreEngine) throws {
        let f = try ConformanceFixture(engine)
        #expect(try f.store.lastSeq() == 0)
        #expect(try f.store.entries(after: 0, limit: 10).isEmpty)
        #expect(try f.store.get(id: Sample.diplomacy[0].id) == nil)
        let page = try f.store.timeline(TimelineQuery(includeRetracted: true))
        #expect(page.records.isEmpty && page.nextCursor == nil)
        let stats = try f.store.stats()
        #expect(stats.events == 0 && stats.revisions == 0 && stats.lastSeq == 0 && stats.byKind.isEmpty && stats.topActors.isEmpty)
    }

    /// `entries(after:limit:)` reads the log in order from any position, every revision and retraction with its
    /// stamps, and pages through it without a gap or a repeat.
    @Test(arguments: StoreEngine.allCases)
    func entriesAfterAPosition(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        var amended = Sample.diplomacy[3]
        amended.summary = "Signed in Washington."
        _ = try f.store.amend(amended)
        _ = try f.store.retract(id: Sample.diplomacy[9].id, reason: "unsourced")
        let log = try f.store.entries(after: 0, limit: 1000)
        #expect(log.map(\.seq) == Array(1...12))
        #expect(log.map(\.entry.id) == Sample.diplomacy.map(\.id) + [amended.id, Sample.diplomacy[9].id])
        #expect(log.allSatisfy { $0.entry.revision != nil })
        for (entry, event) in zip(log, Sample.diplomacy) {
            guard case .event(let stored) = entry.entry else { Issue.record("entry \(entry.seq) is not an event"); continue }
            #expect(stored.hasSameContent(as: event) && stored.revision == 1 && stored.recorded != nil)
        }
        guard case .event(let revision2) = log[10].entry, case .retraction(let retraction) = log[11].entry else {
            Issue.record("the amend and the retraction are not the log's last entries")
            return
        }
        #expect(revision2.hasSameContent(as: amended) && revision2.revision == 2)
        #expect(retraction.reason == "unsourced" && retraction.revision == 2 && retraction.recorded != nil)

        #expect(try f.store.entries(after: 7, limit: 2) == Array(log[7..<9]))
        #expect(try f.store.entries(after: 11, limit: 5) == [log[11]])
        #expect(try f.store.entries(after: 12, limit: 5).isEmpty)
        #expect(try f.store.entries(after: 500, limit: 5).isEmpty)
        for size in [1, 5, 12] {
            #expect(try f.log(pageSize: size) == log, "pages of \(size)")
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func lastSeqFollowsEveryWrite(engine: StoreEngine) throws {
        let f = try ConformanceFixture(engine)
        _ = try f.store.append([.event(Sample.diplomacy[0])])
        #expect(try f.store.lastSeq() == 1)
        _ = try f.store.append([.event(Sample.diplomacy[0])])
        #expect(try f.store.lastSeq() == 1, "a duplicate writes nothing")
        var amended = Sample.diplomacy[0]
        amended.tags = ["amended"]
        _ = try f.store.amend(amended)
        #expect(try f.store.lastSeq() == 2)
        _ = try f.store.retract(id: amended.id, reason: "test")
        #expect(try f.store.lastSeq() == 3)
        #expect(try f.store.stats().lastSeq == 3)
    }

    /// The commit handler hears of every write, in order, up to the last position.
    @Test(arguments: StoreEngine.allCases)
    func commitsAreAnnounced(engine: StoreEngine) throws {
        let f = try ConformanceFixture(engine)
        let heard = Mutex<[Int64]>([])
        let reachedEnd = DispatchSemaphore(value: 0)
        f.store.onCommit { seq in
            heard.withLock { $0.append(seq) }
            if seq == 12 { reachedEnd.signal() }
        }
        _ = try f.store.append(Array(Sample.diplomacy[0..<5]).map(LogEntry.event))
        _ = try f.store.append(Array(Sample.diplomacy[5...]).map(LogEntry.event))
        var amended = Sample.diplomacy[0]
        amended.tags = ["amended"]
        _ = try f.store.amend(amended)
        _ = try f.store.retract(id: amended.id, reason: "test")
        #expect(reachedEnd.wait(timeout: .now() + 60) == .success, "heard \(heard.withLock { $0 })")
        let positions = heard.withLock { $0 }
        #expect(positions == positions.sorted() && Set(positions).count == positions.count, "\(positions)")
        #expect(positions.last == 12)
    }

    @Test(arguments: StoreEngine.allCases)
    func everythingSurvivesAReopen(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        _ = try f.store.retract(id: "1956-approx-visit", reason: "unsourced")
        let before = try f.log()
        let detail = try f.store.get(id: "1956-10-19-soviet-japanese-joint-declaration")
        try f.reopen()
        #expect(try f.log() == before)
        #expect(try f.store.lastSeq() == 11)
        #expect(try f.store.get(id: "1956-10-19-soviet-japanese-joint-declaration") == detail)
        #expect(try f.ids(TimelineQuery(actors: ["ichiro hatoyama"])) == ["1956-10-19-soviet-japanese-joint-declaration"])
        try f.waitUntilSearchable()
        #expect(try f.ids(TimelineQuery(text: "Shikotan")) == ["1956-10-19-soviet-japanese-joint-declaration"])
        // Duplicates and conflicts are judged against what was stored before the reopen.
        #expect(try f.store.append(Sample.diplomacy.map(LogEntry.event)).allSatisfy(\.isDuplicate))
        var changed = Sample.diplomacy[0]
        changed.title = "Changed"
        #expect(try f.store.append([.event(changed)])[0].errorCode == .conflict)
        #expect(try f.store.append([.event(Sample.event("after-reopen", "2020"))]) == [.accepted(seq: 12)])
    }
}
