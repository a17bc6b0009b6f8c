@testable import AnnalsPostgres
import AnnalsCore
import AnnalsStore
import Foundation
import Synchronization
import Testing

/// Several store instances on one database, as several annalsd processes would be: one global order, duplicates
/// and conflicts seen across instances, commits heard by all.
@Suite("PostgreSQL: many instances on one database", .serialized)
struct ManyInstancesTests {
    @Test func concurrentAppendsThroughTwoInstancesGetOneGaplessOrder() throws {
        let database = try TestDatabase()
        let a = try database.store(), b = try database.store()
        defer { a.close(); b.close() }
        let perThread = 150
        let accepted = Mutex<[Int64]>([])
        // Four writers per instance; each batch of 10 shares its instance's group transactions with the others.
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            let store = thread % 2 == 0 ? a : b
            for chunk in stride(from: 0, to: perThread, by: 10) {
                let events = (chunk..<chunk + 10).map { i in
                    LogEntry.event(Sample.event("w\(thread)-e\(i)", "1990-01-\(String(format: "%02d", i % 28 + 1))", body: "writer \(thread) event \(i)"))
                }
                let outcomes = (try? store.append(events)) ?? []
                accepted.withLock { $0 += outcomes.compactMap { $0.isAccepted ? $0.seq : nil } }
            }
        }
        let seqs = accepted.withLock { $0 }.sorted()
        #expect(seqs == Array(1...Int64(8 * perThread)), "every position given once, none skipped")
        #expect(try a.lastSeq() == Int64(8 * perThread))
        // The log read through either instance is the same, in position order.
        let logA = try a.entries(after: 0, limit: 10_000), logB = try b.entries(after: 0, limit: 10_000)
        #expect(logA == logB)
        #expect(logA.map(\.seq) == seqs)
    }

    @Test func aReaderFollowingTheLogNeverMissesAnEntry() throws {
        let database = try TestDatabase()
        let a = try database.store(), b = try database.store(), reader = try database.store()
        defer { a.close(); b.close(); reader.close() }
        let total = 600
        let done = Atomic<Int>(0)
        Thread {
            DispatchQueue.concurrentPerform(iterations: 4) { thread in
                let store = thread % 2 == 0 ? a : b
                for i in 0..<(total / 4) {
                    _ = try? store.append([.event(Sample.event("f\(thread)-\(i)", "2001-02-03"))])
                }
                done.add(1, ordering: .relaxed)
            }
        }.start()
        // Follow by position while the writers run: every position seen exactly once, in order.
        var seen: [Int64] = []
        var after: Int64 = 0
        let deadline = Date().addingTimeInterval(120)
        while seen.count < total && Date() < deadline {
            let page = try reader.entries(after: after, limit: 50)
            seen += page.map(\.seq)
            after = page.last?.seq ?? after
        }
        #expect(seen == Array(1...Int64(total)))
        _ = eventually { done.load(ordering: .relaxed) == 4 }
    }

    @Test func duplicatesAndConflictsAreSeenAcrossInstances() throws {
        let database = try TestDatabase()
        let a = try database.store(), b = try database.store()
        defer { a.close(); b.close() }
        let event = Sample.event("1956-10-19-joint-declaration", "1956-10-19", kind: .declaration, title: "Soviet–Japanese Joint Declaration")
        #expect(try a.append([.event(event)]).first?.isAccepted == true)
        let again = try b.append([.event(event)])
        #expect(again.first?.isDuplicate == true && again.first?.seq == 1)
        var changed = event
        changed.title = "Another title"
        let other = Sample.event("1956-12-18-un-membership", "1956-12-18")
        let conflict = try b.append([.event(other), .event(changed)])
        #expect(conflict.map(\.errorCode) == [.batchAborted, .conflict])
        #expect(try a.get(id: other.id) == nil, "a rejected batch writes nothing")
        // The same new event sent through both at once is written once.
        let racing = Sample.event("1960-01-19-security-treaty", "1960-01-19")
        let outcomes = Mutex<[AppendOutcome]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            let result = (try? (i == 0 ? a : b).append([.event(racing)])) ?? []
            outcomes.withLock { $0 += result }
        }
        let both = outcomes.withLock { $0 }
        #expect(both.filter(\.isAccepted).count == 1 && both.filter(\.isDuplicate).count == 1)
        #expect(Set(both.compactMap(\.seq)).count == 1)
        #expect(try a.lastSeq() == 2)
    }

    @Test func commitsOfOneInstanceAreHeardByTheOther() throws {
        let database = try TestDatabase()
        let a = try database.store(), b = try database.store()
        defer { a.close(); b.close() }
        let heard = Mutex<[Int64]>([])
        b.onCommit { seq in heard.withLock { $0.append(seq) } }
        _ = try a.append([.event(Sample.event("e1", "2019-01-28"))])
        _ = try a.append([.event(Sample.event("e2", "2019-01-29")), .event(Sample.event("e3", "2019-01-30"))])
        #expect(eventually { heard.withLock { $0.last } == 3 })
        #expect(heard.withLock { $0 } == heard.withLock { $0 }.sorted(), "positions are heard in order")
        #expect(b.searchableSeq == 3)
        // The instance's own commits call its handlers too.
        _ = try b.append([.event(Sample.event("e4", "2019-02-01"))])
        #expect(eventually { heard.withLock { $0.last } == 4 })
    }

    @Test func aDictionaryTrainedThroughOneInstanceCompressesAndReadsInTheOthers() throws {
        let database = try TestDatabase()
        let a = try database.store(), b = try database.store()
        defer { a.close(); b.close() }
        func body(_ i: Int) -> String {
            "Statement \(i) of the Ministry of Foreign Affairs on the negotiations over the southern Kuril Islands, "
                + "the Habomai islands and Shikotan, and on the peace treaty the two governments have yet to sign."
        }
        let first = (0..<300).map { LogEntry.event(Sample.event("d\($0)", "1990-01-01", body: body($0))) }
        _ = try a.append(first)
        let dictionary = try #require(try a.trainDictionary())
        // b hears of the dictionary and compresses its next bodies with it.
        var i = 300
        #expect(eventually {
            _ = try? b.append([.event(Sample.event("d\(i)", "1990-01-02", body: body(i)))])
            i += 1
            return (try? TestDatabase.scalar(database.url, "SELECT coalesce(max(dict), 0) FROM revisions")) == dictionary
        })
        // Every instance, and one opened afterwards, reads every body back as written.
        let c = try database.store()
        defer { c.close() }
        let log = try c.entries(after: 0, limit: 10_000)
        #expect(log.count == i)
        #expect(log.allSatisfy { entry in
            guard case .event(let event) = entry.entry, let n = Int(event.id.dropFirst()) else { return false }
            return event.body == body(n)
        })
        #expect(try a.entries(after: 0, limit: 10_000) == log)
        #expect(try b.entries(after: 0, limit: 10_000) == log)
        #expect(try a.get(id: "d\(i - 1)")?.current.event.body == body(i - 1))
    }
}
