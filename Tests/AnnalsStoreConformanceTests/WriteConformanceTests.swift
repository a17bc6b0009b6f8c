import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
import Foundation
import Synchronization
import Testing

/// Appends: log positions, idempotency by id and content, conflicts, atomic batches, concurrent writers.
@Suite("Conformance: appends")
struct WriteConformanceTests {
    @Test(arguments: StoreEngine.allCases)
    func appendAssignsSequenceRecordedAndRevision(engine: StoreEngine) throws {
        let f = try ConformanceFixture(engine)
        let outcomes = try f.store.append(Sample.diplomacy.map(LogEntry.event))
        #expect(outcomes.map(\.seq) == (1...Int64(Sample.diplomacy.count)).map { Optional($0) })
        let detail = try #require(try f.store.get(id: "1956-10-19-soviet-japanese-joint-declaration"))
        #expect(detail.current.event.revision == 1)
        #expect(detail.current.event.recorded != nil)
        #expect(detail.current.seq == 3)
        #expect(detail.current.event.body?.contains("Shikotan") == true)
        #expect(detail.current.event.hasSameContent(as: Sample.diplomacy[2]))
        #expect(try f.store.lastSeq() == Int64(Sample.diplomacy.count))
    }

    @Test(arguments: StoreEngine.allCases)
    func sameIDSameContentIsADuplicate(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        let again = try f.store.append(Sample.diplomacy.map(LogEntry.event))
        #expect(again.allSatisfy { $0.isDuplicate })
        #expect(again.map(\.seq) == (1...Int64(Sample.diplomacy.count)).map { Optional($0) })
        #expect(try f.store.lastSeq() == Int64(Sample.diplomacy.count))
    }

    /// Content is what the event says: the stamps the store assigns (`recorded`, `revision`) do not make an
    /// entry new, every other field does.
    @Test(arguments: StoreEngine.allCases)
    func sameContentIsJudgedOnWhatTheEventSays(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        let original = Sample.diplomacy[2]
        var stamped = original
        stamped.recorded = Timestamp(milliseconds: 0)
        stamped.revision = 1
        #expect(try f.store.append([.event(stamped)]) == [.duplicate(seq: 3)])

        let changes: [(String, (inout Event) -> Void)] = [
            ("title", { $0.title += "." }), ("date", { $0.date = Sample.date("1956-10-20") }), ("kind", { $0.kind = .treaty }),
            ("summary", { $0.summary = "A summary." }), ("body", { $0.body = nil }), ("actor role", { $0.actors[2].role = "witness" }),
            ("actor order", { $0.actors.reverse() }), ("place", { $0.places = ["Moscow"] }), ("tag", { $0.tags.removeLast() }),
            ("source", { $0.sources = [Source(url: "https://example.org/declaration")] }),
            ("reference", { $0.references = [Reference(id: "1855-treaty-of-shimoda", relation: .mentions)] }),
        ]
        for (field, change) in changes {
            var changed = original
            change(&changed)
            #expect(try f.store.append([.event(changed)])[0].errorCode == .conflict, "a changed \(field) is a conflict")
        }
        #expect(try f.store.lastSeq() == Int64(Sample.diplomacy.count), "conflicts write nothing")
    }

    /// After an amend, the log line of either revision (without its stamps) is a duplicate of that revision:
    /// replaying the same log twice changes nothing.
    @Test(arguments: StoreEngine.allCases)
    func anyStoredRevisionsContentIsADuplicate(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        var amended = Sample.diplomacy[0]
        amended.summary = "The first treaty between Japan and Russia."
        let revision2 = try f.store.amend(amended)
        #expect(try f.store.append([.event(Sample.diplomacy[0])]) == [.duplicate(seq: 1)])
        #expect(try f.store.append([.event(amended)]) == [.duplicate(seq: revision2.seq)])
        var third = amended
        third.summary = "Something else again."
        #expect(try f.store.append([.event(third)])[0].errorCode == .conflict, "new content goes through amend")
    }

    @Test(arguments: StoreEngine.allCases)
    func sameIDDifferentContentIsAConflictAndWritesNothing(engine: StoreEngine) throws {
        let f = try ConformanceFixture(engine)
        _ = try f.store.append([.event(Sample.diplomacy[0])])
        var changed = Sample.diplomacy[0]
        changed.title = "Treaty of Commerce and Navigation"
        let outcomes = try f.store.append([.event(Sample.diplomacy[1]), .event(changed)])
        #expect(outcomes[0].errorCode == .batchAborted)
        #expect(outcomes[1].errorCode == .conflict)
        #expect(try f.store.get(id: Sample.diplomacy[1].id) == nil, "a rejected batch writes nothing")
        #expect(try f.store.lastSeq() == 1)
        #expect(try f.store.get(id: changed.id)?.current.event.title == "Treaty of Shimoda")
    }

    @Test(arguments: StoreEngine.allCases)
    func anInvalidEntryAbortsItsBatchOnly(engine: StoreEngine) throws {
        let f = try ConformanceFixture(engine)
        var bad = Sample.diplomacy[2]
        bad.references = [Reference(id: bad.id, relation: .mentions)]
        let outcomes = try f.store.append([.event(Sample.diplomacy[0]), .event(bad)])
        #expect(outcomes[0].errorCode == .batchAborted)
        #expect(outcomes[1].errorCode == .selfReference)
        let other = try f.store.append([.event(Sample.diplomacy[1])])
        #expect(other == [.accepted(seq: 1)], "a rejected batch takes no log position")
    }

    /// A large batch with one bad entry at its end, through the completion form of append: nothing of it is
    /// visible anywhere, and the next batch goes on from the same position.
    @Test(arguments: StoreEngine.allCases)
    func aRejectedBatchLeavesNoTrace(engine: StoreEngine) throws {
        let f = try ConformanceFixture.diplomacy(engine)
        var batch = (0..<200).map { LogEntry.event(Sample.event("batch-\($0)", "1970", actors: [Actor(name: "Batch")], tags: ["batch"])) }
        batch.append(.retraction(Retraction(id: "no-such-event", reason: "x")))
        let outcomes = try appendWaiting(f.store, batch)
        #expect(outcomes.dropLast().allSatisfy { $0.errorCode == .batchAborted })
        #expect(outcomes.last?.errorCode == .notFound)
        #expect(try f.store.get(id: "batch-0") == nil)
        #expect(try f.ids(TimelineQuery(actors: ["Batch"])).isEmpty)
        #expect(try f.ids(TimelineQuery(tags: ["batch"], includeRetracted: true)).isEmpty)
        #expect(try f.store.entries(after: 10, limit: 10).isEmpty)
        #expect(try f.store.stats().events == Sample.diplomacy.count)
        let next = try appendWaiting(f.store, Array(batch.dropLast()))
        #expect(next.map(\.seq) == (11...210).map { Optional(Int64($0)) })
    }

    @Test(arguments: StoreEngine.allCases)
    func theSameIDTwiceInOneBatch(engine: StoreEngine) throws {
        let f = try ConformanceFixture(engine)
        let e = Sample.diplomacy[0]
        let same = try f.store.append([.event(e), .event(e)])
        #expect(same == [.accepted(seq: 1), .duplicate(seq: 1)])
        let first = Sample.diplomacy[1]
        var changed = first
        changed.body = "different"
        let different = try f.store.append([.event(first), .event(changed)])
        #expect(different[0].errorCode == .batchAborted)
        #expect(different[1].errorCode == .conflict)
        #expect(try f.store.get(id: first.id) == nil)
    }

    @Test(arguments: StoreEngine.allCases)
    func concurrentAppendsAllLandExactlyOnce(engine: StoreEngine) throws {
        let f = try ConformanceFixture(engine)
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
        let log = try f.log()
        #expect(log.map(\.seq) == (1...Int64(8 * perThread)).map { $0 }, "positions without gaps or repeats")
        #expect(Set(log.map(\.entry.id)).count == 8 * perThread)
    }

    /// Writers racing on the same events: each is written once, and every other append of it is a duplicate
    /// of that position (never an error).
    @Test(arguments: StoreEngine.allCases)
    func concurrentDuplicatesAreWrittenOnce(engine: StoreEngine) throws {
        let f = try ConformanceFixture(engine)
        let store = f.store
        let events = (0..<100).map { Sample.event("shared-\($0)", "1991", body: "shared event \($0)") }
        let results = OutcomeLog()
        try withThrowingTaskGroupOnThreads(count: 4) { _ in
            for chunk in stride(from: 0, to: events.count, by: 10) {
                let batch = Array(events[chunk..<chunk + 10])
                let outcomes = try store.append(batch.map(LogEntry.event))
                results.add(zip(batch.map(\.id), outcomes).map { ($0, $1) })
            }
        }
        let byID = Dictionary(grouping: results.all, by: \.id)
        #expect(byID.count == events.count)
        for (id, outcomes) in byID {
            #expect(outcomes.filter { $0.outcome.isAccepted }.count == 1, "\(id): \(outcomes.map(\.outcome))")
            #expect(outcomes.filter { $0.outcome.isDuplicate }.count == 3, "\(id): \(outcomes.map(\.outcome))")
            #expect(Set(outcomes.map(\.outcome.seq)).count == 1, "\(id): every outcome names the same position")
        }
        #expect(try store.lastSeq() == Int64(events.count))
    }

    /// Writers racing with different content for the same ids: for each id one content is stored, the others are
    /// conflicts, and what is stored is the content its accepted writer sent.
    @Test(arguments: StoreEngine.allCases)
    func concurrentConflictsStoreOneContent(engine: StoreEngine) throws {
        let f = try ConformanceFixture(engine)
        let store = f.store
        let results = OutcomeLog()
        try withThrowingTaskGroupOnThreads(count: 4) { t in
            for i in 0..<50 {
                let event = Sample.event("contested-\(i)", "1992", body: "writer \(t)")
                results.add([(event.id + "/" + String(t), try store.append([.event(event)])[0])])
            }
        }
        let byID = Dictionary(grouping: results.all) { String($0.id.split(separator: "/")[0]) }
        #expect(byID.count == 50)
        for (id, outcomes) in byID {
            let accepted = outcomes.filter { $0.outcome.isAccepted }
            #expect(accepted.count == 1, "\(id): \(outcomes.map(\.outcome))")
            #expect(outcomes.filter { $0.outcome.errorCode == .conflict }.count == 3, "\(id): \(outcomes.map(\.outcome))")
            let winner = accepted.first.map { "writer " + $0.id.split(separator: "/")[1] }
            #expect(try store.get(id: id)?.current.event.body == winner, "\(id)")
        }
        #expect(try store.lastSeq() == 50)
    }

    /// Appends through the completion form and waits (up to a minute) for the outcomes.
    private func appendWaiting(_ store: any EventStore, _ entries: [LogEntry]) throws -> [AppendOutcome] {
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<Result<[AppendOutcome], StoreError>?>(nil)
        store.append(entries) { outcome in
            result.withLock { $0 = outcome }
            done.signal()
        }
        guard done.wait(timeout: .now() + 60) == .success, let outcome = result.withLock({ $0 }) else {
            throw FixtureError("an append's completion did not run within 60 s")
        }
        return try outcome.get()
    }
}

/// Outcomes collected from several threads.
private final class OutcomeLog: @unchecked Sendable {
    private let lock = NSLock()
    private var outcomes: [(id: String, outcome: AppendOutcome)] = []
    func add(_ more: [(String, AppendOutcome)]) { lock.lock(); outcomes += more.map { (id: $0.0, outcome: $0.1) }; lock.unlock() }
    var all: [(id: String, outcome: AppendOutcome)] { lock.lock(); defer { lock.unlock() }; return outcomes }
}
