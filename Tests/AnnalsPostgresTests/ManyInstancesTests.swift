@testable import AnnalsPostgres
import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
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

    /// Groups decide their entries before they take the log lock, so groups of two instances may both find an id
    /// new, or want the same events at once: the one that loses the race decides again from what is stored.
    @Test func instancesRacingOnTheSameIdsWriteEachOnceAndNumberEveryRevisionOnce() throws {
        let database = try TestDatabase()
        let stores = try (0..<3).map { _ in try database.store() }
        defer { stores.forEach { $0.close() } }
        let ids = (0..<240).map { "r\($0)" }
        let outcomes = Mutex<[AppendOutcome]>([])
        let failures = Atomic<Int>(0)
        // Six writers over three instances send the same 240 new events in batches of 12, each writer in its
        // own order, so new ids collide across instances all the time.
        DispatchQueue.concurrentPerform(iterations: 6) { writer in
            let rotated = Array(ids[(writer * 40)...] + ids[..<(writer * 40)])
            let order = writer % 2 == 0 ? rotated : rotated.reversed()
            for start in stride(from: 0, to: order.count, by: 12) {
                let batch = order[start..<start + 12].map { LogEntry.event(Sample.event($0, "1945-08-0\($0.count % 9 + 1)", body: "event \($0)")) }
                do {
                    let result = try stores[writer % 3].append(batch)
                    outcomes.withLock { $0 += result }
                } catch {
                    failures.add(1, ordering: .relaxed)
                }
            }
        }
        let all = outcomes.withLock { $0 }
        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(all.count == 6 * 240)
        #expect(all.filter(\.isAccepted).count == 240, "each event written once")
        #expect(all.allSatisfy { $0.isAccepted || $0.isDuplicate })
        #expect(Set(all.compactMap(\.seq)) == Set(1...240), "duplicates answer the position the event was written at")
        // Then all of them amend the same events at once: every amendment is a revision of its own.
        DispatchQueue.concurrentPerform(iterations: 6) { writer in
            for id in ids.prefix(40) {
                var event = Sample.event(id, "1945-08-01", body: "event \(id)")
                event.summary = "amended by writer \(writer)"
                do { _ = try stores[writer % 3].amend(event) } catch { failures.add(1, ordering: .relaxed) }
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
        let log = try stores[0].entries(after: 0, limit: 10_000)
        #expect(log.map(\.seq) == Array(1...Int64(240 + 6 * 40)), "one gapless order")
        for id in ids.prefix(40) {
            let detail = try #require(try stores[1].get(id: id))
            #expect(detail.revisions.count == 7 && detail.current.event.revision == 7)
        }
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

    @Test func instancesThatReachTheSameDuePointTrainOneDictionaryBetweenThem() throws {
        let database = try TestDatabase()
        var options = TestDatabase.options
        options.dictionaryTrainingThreshold = 300
        let stores = try (0..<3).map { _ in try database.store(options) }
        defer { stores.forEach { $0.close() } }
        // All three commit past 300 entries at about the same time.
        DispatchQueue.concurrentPerform(iterations: 3) { i in
            for chunk in 0..<20 {
                let batch = (0..<10).map { n in
                    LogEntry.event(Sample.event("t\(i)-\(chunk)-\(n)", "1991-04-18",
                                                body: "Joint statement \(i) \(chunk) \(n) on the peace treaty and the four islands, signed in Tokyo."))
                }
                _ = try? stores[i].append(batch)
            }
        }
        #expect(eventually { (try? TestDatabase.scalar(database.url, "SELECT count(*) FROM dictionaries")) == 1 })
        stores.forEach { $0.waitForTraining() }
        #expect(stores.map { $0.trainingsStarted.load(ordering: .relaxed) }.reduce(0, +) == 1, "one training for the due point")
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
