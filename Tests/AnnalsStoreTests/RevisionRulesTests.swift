@testable import AnnalsStore
import AnnalsCore
import Testing

/// The revision rules as a pure function: what an entry does, given what is stored (no database).
@Suite struct RevisionRulesTests {
    typealias Head = RevisionRules.Head

    /// A history of stored revisions: (revision, hash, retraction) at log positions.
    struct History {
        var rows: [(seq: Int64, revision: Int, hash: Int64, retraction: Bool)]

        func lookup(_ query: RevisionRules.Lookup) -> Int64? {
            rows.filter { $0.hash == query.hash && $0.retraction == query.retraction && (query.revision == nil || $0.revision == query.revision) }
                .min { $0.revision < $1.revision }?.seq
        }
    }

    let event = LogEntry.event(Event(id: "e", date: try! HistoricalDate(parsing: "1956"), kind: .treaty, title: "T"))

    func decide(_ entry: LogEntry, intent: RevisionRules.Intent = .log, hash: Int64, head: Head?, history: History = History(rows: [])) -> RevisionRules.Decision {
        RevisionRules.decide(entry, intent: intent, hash: hash, head: head, history: history.lookup)
    }

    func withRevision(_ entry: LogEntry, _ revision: Int) -> LogEntry {
        switch entry {
        case .event(var e):
            e.revision = revision
            return .event(e)
        case .retraction(var r):
            r.revision = revision
            return .retraction(r)
        }
    }

    @Test func aNewIDIsCreatedOnlyAsRevisionOne() {
        #expect(decide(event, hash: 1, head: nil) == .create)
        #expect(decide(withRevision(event, 1), hash: 1, head: nil) == .create)
        guard case .reject(let error) = decide(withRevision(event, 2), hash: 1, head: nil) else { Issue.record("accepted"); return }
        #expect(error.code == .invalidRevision)
        guard case .reject(let amend) = decide(event, intent: .amend, hash: 1, head: nil) else { Issue.record("accepted"); return }
        #expect(amend.code == .notFound)
    }

    @Test func sameContentIsADuplicateDifferentContentAConflict() {
        let head = Head(revision: 1, seq: 10, retraction: nil)
        let history = History(rows: [(10, 1, 7, false)])
        #expect(decide(event, hash: 7, head: head, history: history) == .duplicate(seq: 10))
        guard case .reject(let error) = decide(event, hash: 8, head: head, history: history) else { Issue.record("accepted"); return }
        #expect(error.code == .conflict)
    }

    @Test func replayedRevisionsAreCheckedInOrder() {
        let head = Head(revision: 2, seq: 20, retraction: nil)
        let history = History(rows: [(10, 1, 7, false), (20, 2, 8, false)])
        #expect(decide(withRevision(event, 1), hash: 7, head: head, history: history) == .duplicate(seq: 10))
        #expect(decide(withRevision(event, 2), hash: 8, head: head, history: history) == .duplicate(seq: 20))
        #expect(decide(withRevision(event, 3), hash: 9, head: head, history: history) == .revise(revision: 3))
        guard case .reject(let gap) = decide(withRevision(event, 5), hash: 9, head: head, history: history) else { Issue.record("accepted"); return }
        #expect(gap.code == .invalidRevision)
        guard case .reject(let changed) = decide(withRevision(event, 1), hash: 9, head: head, history: history) else { Issue.record("accepted"); return }
        #expect(changed.code == .conflict)
    }

    @Test func amendMakesTheNextRevisionUnlessNothingChanged() {
        let head = Head(revision: 2, seq: 20, retraction: nil)
        let history = History(rows: [(10, 1, 7, false), (20, 2, 8, false)])
        #expect(decide(event, intent: .amend, hash: 8, head: head, history: history) == .duplicate(seq: 20))
        #expect(decide(event, intent: .amend, hash: 7, head: head, history: history) == .revise(revision: 3), "back to revision 1's content is a change")
        // Amending a retracted event restores it, even to the content it had.
        let retracted = Head(revision: 3, seq: 30, retraction: "gone")
        #expect(decide(event, intent: .amend, hash: 8, head: retracted, history: history) == .revise(revision: 4))
    }

    @Test func retractionRules() {
        let retraction = LogEntry.retraction(Retraction(id: "e", reason: "gone"))
        #expect(decide(retraction, hash: 5, head: Head(revision: 1, seq: 10, retraction: nil)) == .retract(revision: 2))
        guard case .reject(let missing) = decide(retraction, hash: 5, head: nil) else { Issue.record("accepted"); return }
        #expect(missing.code == .notFound)
        let retracted = Head(revision: 2, seq: 20, retraction: "gone")
        #expect(decide(retraction, hash: 5, head: retracted) == .duplicate(seq: 20), "the same retraction again")
        guard case .reject(let other) = decide(LogEntry.retraction(Retraction(id: "e", reason: "other")), hash: 6, head: retracted) else {
            Issue.record("accepted")
            return
        }
        #expect(other.code == .conflict)
        let history = History(rows: [(10, 1, 7, false), (20, 2, 5, true)])
        #expect(decide(withRevision(retraction, 2), hash: 5, head: retracted, history: history) == .duplicate(seq: 20))
    }
}
