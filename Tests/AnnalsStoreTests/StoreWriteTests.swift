import Foundation
import Dispatch
import AnnalsCore
import AnnalsStore
import Testing

@Suite("Store: appends, idempotency, amend and retract")
struct StoreWriteTests {
    @Test func appendAssignsSequenceRecordedAndRevision() throws {
        let f = try StoreFixture()
        let outcomes = try f.store.append(Sample.diplomacy.map(LogEntry.event))
        #expect(outcomes.map(\.seq) == (1...Int64(Sample.diplomacy.count)).map { Optional($0) })
        let detail = try #require(try f.store.get(id: "1956-10-19-soviet-japanese-joint-declaration"))
        #expect(detail.current.event.revision == 1)
        #expect(detail.current.event.recorded != nil)
        #expect(detail.current.seq == 3)
        #expect(detail.current.event.body?.contains("Shikotan") == true)
        #expect(try f.store.lastSeq() == Int64(Sample.diplomacy.count))
    }

    @Test func sameIDSameContentIsADuplicate() throws {
        let f = try StoreFixture()
        _ = try f.store.append(Sample.diplomacy.map(LogEntry.event))
        let again = try f.store.append(Sample.diplomacy.map(LogEntry.event))
        #expect(again.allSatisfy { $0.isDuplicate })
        #expect(again.map(\.seq) == (1...Int64(Sample.diplomacy.count)).map { Optional($0) })
        #expect(try f.store.lastSeq() == Int64(Sample.diplomacy.count))
    }

    @Test func sameIDDifferentContentIsAConflictAndWritesNothing() throws {
        let f = try StoreFixture()
        _ = try f.store.append([.event(Sample.diplomacy[0])])
        var changed = Sample.diplomacy[0]
        changed.title = "Treaty of Commerce and Navigation"
        let outcomes = try f.store.append([.event(Sample.diplomacy[1]), .event(changed)])
        #expect(outcomes[0].errorCode == .batchAborted)
        #expect(outcomes[1].errorCode == .conflict)
        #expect(try f.store.get(id: Sample.diplomacy[1].id) == nil, "a rejected batch writes nothing")
        #expect(try f.store.lastSeq() == 1)
    }

    @Test func anInvalidEntryAbortsItsBatchOnly() throws {
        let f = try StoreFixture()
        var bad = Sample.diplomacy[2]
        bad.references = [Reference(id: bad.id, relation: .mentions)]
        let outcomes = try f.store.append([.event(Sample.diplomacy[0]), .event(bad)])
        #expect(outcomes[0].errorCode == .batchAborted)
        #expect(outcomes[1].errorCode == .selfReference)
        let other = try f.store.append([.event(Sample.diplomacy[1])])
        #expect(other[0].isAccepted)
        #expect(try f.store.lastSeq() == 1)
    }

    @Test func theSameIDTwiceInOneBatch() throws {
        let f = try StoreFixture()
        let e = Sample.diplomacy[0]
        let same = try f.store.append([.event(e), .event(e)])
        #expect(same[0].isAccepted && same[1].isDuplicate)
        var changed = Sample.diplomacy[1]
        let first = changed
        changed.body = "different"
        let different = try f.store.append([.event(first), .event(changed)])
        #expect(different[1].errorCode == .conflict)
        #expect(try f.store.get(id: first.id) == nil)
    }

    @Test func concurrentAppendsAllLandExactlyOnce() throws {
        let f = try StoreFixture()
        let store = f.store
        let perThread = 200
        try withThrowingTaskGroupOnThreads(count: 8) { t in
            let events = (0..<perThread).map { i in
                Sample.event("t\(t)-e\(i)", "1990-01-\(String(format: "%02d", i % 28 + 1))", body: "thread \(t) event \(i)")
            }
            for chunk in stride(from: 0, to: events.count, by: 20) {
                let outcomes = try store.append(events[chunk..<chunk + 20].map(LogEntry.event))
                guard outcomes.allSatisfy(\.isAccepted) else { throw StoreError(.io, "not accepted: \(outcomes)") }
            }
        }
        #expect(try store.lastSeq() == Int64(8 * perThread))
        #expect(try store.stats().events == 8 * perThread)
    }

    @Test func amendKeepsEveryRevisionReadable() throws {
        let f = try StoreFixture()
        _ = try f.store.append(Sample.diplomacy.map(LogEntry.event))
        var amended = Sample.diplomacy[2]
        amended.summary = "The declaration ends the state of war."
        amended.tags.append("diplomatic-relations")
        let record = try f.store.amend(amended)
        #expect(record.event.revision == 2)
        #expect(record.event.summary == amended.summary)
        let detail = try #require(try f.store.get(id: amended.id))
        #expect(detail.revisions.count == 2)
        #expect(detail.revisions.map(\.revision) == [1, 2])
        let first = try #require(try f.store.get(id: amended.id, revision: 1))
        #expect(first.current.event.summary == nil)
        #expect(first.current.event.hasSameContent(as: Sample.diplomacy[2]))
        // Amending to the same content again is a no-op.
        #expect(try f.store.amend(amended).event.revision == 2)
        // The new tag is indexed, and the old index entries follow the new revision.
        let tagged = try f.store.timeline(TimelineQuery(tags: ["diplomatic-relations"]))
        #expect(tagged.records.map(\.event.id) == [amended.id])
        #expect(throws: StoreError.self) { try f.store.amend(Sample.event("no-such-event", "2000", title: "x")) }
    }

    @Test func retractHidesButKeeps() throws {
        let f = try StoreFixture()
        _ = try f.store.append(Sample.diplomacy.map(LogEntry.event))
        let record = try f.store.retract(id: "1950s-fisheries", reason: "duplicate of a better record")
        #expect(record.retraction?.reason == "duplicate of a better record")
        #expect(record.event.revision == 1, "the content shown is the last content revision")
        let visible = try f.store.timeline(TimelineQuery(limit: 100))
        #expect(!visible.records.contains { $0.event.id == "1950s-fisheries" })
        let all = try f.store.timeline(TimelineQuery(limit: 100, includeRetracted: true))
        #expect(all.records.contains { $0.event.id == "1950s-fisheries" && $0.retraction != nil })
        f.store.waitUntilSearchable()
        #expect(try f.store.timeline(TimelineQuery(text: "Fisheries")).records.isEmpty, "retracted text leaves the index")
        let detail = try #require(try f.store.get(id: "1950s-fisheries"))
        #expect(detail.revisions.count == 2)
        // Retracting again with the same reason is a duplicate; with another, a conflict.
        let again = try f.store.append([.retraction(Retraction(id: "1950s-fisheries", reason: "duplicate of a better record"))])
        #expect(again[0].isDuplicate)
        let other = try f.store.append([.retraction(Retraction(id: "1950s-fisheries", reason: "other"))])
        #expect(other[0].errorCode == .conflict)
        let missing = try f.store.append([.retraction(Retraction(id: "nothing-here", reason: "x"))])
        #expect(missing[0].errorCode == .notFound)
        // Amending a retracted event restores it.
        var restored = Sample.diplomacy[8]
        restored.title = "Fisheries talks, 1950s"
        #expect(try f.store.amend(restored).event.revision == 3)
        f.store.waitUntilSearchable()
        #expect(try f.store.timeline(TimelineQuery(text: "Fisheries")).records.count == 1)
    }

    @Test func logEntriesCarryingRevisionsReplayIdempotently() throws {
        let f = try StoreFixture()
        _ = try f.store.append(Sample.diplomacy.map(LogEntry.event))
        var amended = Sample.diplomacy[0]
        amended.summary = "First treaty between Japan and Russia."
        _ = try f.store.amend(amended)
        _ = try f.store.retract(id: Sample.diplomacy[1].id, reason: "test")
        let log = try f.store.entries(after: 0, limit: 1000).map(\.entry)
        #expect(log.count == Sample.diplomacy.count + 2)

        let g = try StoreFixture()
        let first = try g.store.append(log)
        #expect(first.allSatisfy { $0.isAccepted })
        let second = try g.store.append(log)
        #expect(second.allSatisfy { $0.isDuplicate })
        #expect(try g.store.entries(after: 0, limit: 1000) == f.store.entries(after: 0, limit: 1000))

        // A revision that skips ahead, or a first entry that is not revision 1, is refused.
        var skip = amended
        skip.revision = 5
        #expect(try g.store.append([.event(skip)])[0].errorCode == .invalidRevision)
        var late = Sample.event("new-one", "2001")
        late.revision = 2
        #expect(try g.store.append([.event(late)])[0].errorCode == .invalidRevision)
    }

    @Test func persistsAcrossReopen() throws {
        let f = try StoreFixture()
        _ = try f.store.append(Sample.diplomacy.map(LogEntry.event))
        _ = try f.store.retract(id: "1956-approx-visit", reason: "unsourced")
        let before = try f.store.entries(after: 0, limit: 1000)
        try f.reopen()
        #expect(try f.store.entries(after: 0, limit: 1000) == before)
        #expect(try f.store.timeline(TimelineQuery(actors: ["ichiro hatoyama"])).records.count == 1)
        #expect(try f.store.integrityCheck() == "ok")
    }

    @Test func aFullDatabaseRefusesWritesKeepsReadsAndRecovers() throws {
        var options = StoreFixture.defaultOptions
        options.maxPageCount = 120
        let f = try StoreFixture(options: options)
        _ = try f.store.append(Sample.diplomacy.map(LogEntry.event))
        var failure: StoreError?
        var written = 0
        for round in 0..<400 where failure == nil {
            let batch = (0..<10).map { i in
                LogEntry.event(Sample.event("fill-\(round)-\(i)", "2000", body: String(repeating: "\(round) \(i) filler text ", count: 200)))
            }
            do {
                _ = try f.store.append(batch)
                written += 10
            } catch {
                failure = error
            }
        }
        #expect(failure?.code == .full)
        #expect(try f.store.get(id: Sample.diplomacy[0].id) != nil, "reads keep working")
        #expect(try f.store.stats().events == Sample.diplomacy.count + written, "nothing acknowledged is lost")
        #expect(try f.store.integrityCheck() == "ok")
        f.options.maxPageCount = 100_000
        try f.reopen()
        #expect(try f.store.append([.event(Sample.event("after-space-returns", "2020"))])[0].isAccepted)
    }
}

/// Runs `body` on `count` real threads (not the cooperative pool, which blocking calls would starve).
func withThrowingTaskGroupOnThreads(count: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws {
    let group = DispatchGroup()
    let errors = ErrorBox()
    for i in 0..<count {
        group.enter()
        Thread {
            defer { group.leave() }
            do { try body(i) } catch { errors.set(error) }
        }.start()
    }
    group.wait()
    if let error = errors.error { throw error }
}

final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (any Error)?
    func set(_ error: any Error) { lock.lock(); stored = stored ?? error; lock.unlock() }
    var error: (any Error)? { lock.lock(); defer { lock.unlock() }; return stored }
}
