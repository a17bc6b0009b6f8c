@testable import AnnalsPostgres
import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
import Foundation
import Synchronization
import Testing

/// Details kept between commits: what empties them, what is never kept, and that every get still reads the
/// database's state (own writes at once, another instance's once its notification arrives).
@Suite("PostgreSQL: kept details")
struct DetailCacheTests {
    private static let key = DetailCache.Key(id: "e1", revision: nil)

    /// A clock the test moves.
    private final class Clock: Sendable {
        let nanoseconds = Atomic<UInt64>(5_000)
        func set(_ value: UInt64) { nanoseconds.store(value, ordering: .relaxed) }
    }

    private static func cache(capacity: Int = 1 << 20, clock: Clock? = nil) -> DetailCache {
        guard let clock else { return DetailCache(capacityBytes: capacity, committedThrough: 10) }
        return DetailCache(capacityBytes: capacity, committedThrough: 10, leaseNanoseconds: 1_000) { clock.nanoseconds.load(ordering: .relaxed) }
    }

    @Test func aKeptDetailIsServedUntilACommitAfterTheOneItWasReadAt() {
        let cache = Self.cache()
        #expect(cache.lookup(Self.key) == nil)
        cache.keep([1, 2, 3], for: Self.key, ticket: cache.ticket())
        #expect(cache.lookup(Self.key) == .some([1, 2, 3]))
        let missing = DetailCache.Key(id: "nowhere", revision: nil)
        cache.keep(nil, for: missing, ticket: cache.ticket())
        #expect(cache.lookup(missing) == .some([UInt8]?.none), "a missing event is kept as missing")
        #expect(cache.lookup(DetailCache.Key(id: "e1", revision: 1)) == nil, "a revision is a key of its own")
        cache.committed(through: 10)
        #expect(cache.count == 2, "the commit the cache started at empties nothing")
        cache.committed(through: 11)
        #expect(cache.count == 0 && cache.lookup(Self.key) == nil && cache.lookup(missing) == nil)
    }

    @Test func aReadThatBeganBeforeACommitIsNotKept() {
        let cache = Self.cache()
        let early = cache.ticket()
        cache.committed(through: 11)
        cache.keep([1], for: Self.key, ticket: early)
        #expect(cache.lookup(Self.key) == nil)
        cache.keep([2], for: Self.key, ticket: cache.ticket())
        #expect(cache.lookup(Self.key) == .some([2]))
        cache.committed(through: 11)
        #expect(cache.lookup(Self.key) == .some([2]), "hearing of a commit a second time (notified after applied) changes nothing")
        cache.committed(through: 9)
        #expect(cache.lookup(Self.key) == .some([2]), "nor hearing of an earlier one after a later one emptied it")
    }

    @Test func nothingIsKeptOrServedWhileCommitsMayGoUnheard() {
        let cache = Self.cache()
        cache.keep([1], for: Self.key, ticket: cache.ticket())
        cache.suspend()
        #expect(cache.lookup(Self.key) == nil)
        cache.keep([1], for: Self.key, ticket: cache.ticket())
        #expect(cache.count == 0)
        cache.resume()
        let ticket = cache.ticket()
        cache.keep([1], for: Self.key, ticket: ticket)
        #expect(cache.lookup(Self.key) == .some([1]))
    }

    @Test func nothingIsServedOnceTheListenerHasNotConfirmedForTheLease() {
        let clock = Clock()
        let cache = Self.cache(clock: clock)
        cache.keep([1], for: Self.key, ticket: cache.ticket())
        clock.set(6_000)
        #expect(cache.lookup(Self.key) == .some([1]))
        clock.set(6_001)
        #expect(cache.lookup(Self.key) == nil, "1,001 ns since the cache began and no confirmation")
        cache.confirm(at: 5_500)
        #expect(cache.lookup(Self.key) == .some([1]), "served again once the listener confirms")
        cache.confirm(at: 5_000)
        clock.set(6_501)
        #expect(cache.lookup(Self.key) == nil, "an earlier confirmation does not extend the lease")
    }

    @Test func theLeastRecentlyUsedGoFirstAndTheSizeStaysBounded() {
        // Entries of 100 + 2 + 64 bytes; half the capacity holds three.
        let cache = Self.cache(capacity: 1_000)
        let keys = (0..<20).map { DetailCache.Key(id: "k\($0 % 10)", revision: $0 < 10 ? nil : 1) }
        for key in keys.prefix(3) { cache.keep(Array(repeating: 0, count: 100), for: key, ticket: cache.ticket()) }
        #expect(cache.count == 3)
        cache.keep(Array(repeating: 0, count: 100), for: keys[3], ticket: cache.ticket())
        #expect(cache.count == 4 && cache.lookup(keys[0]) != nil, "the first three moved to the older half")
        for key in keys.dropFirst(4) { cache.keep(Array(repeating: 0, count: 100), for: key, ticket: cache.ticket()) }
        #expect(cache.count <= 6, "two halves of at most three entries")
        #expect(cache.lookup(keys[1]) == nil && cache.lookup(keys[19]) != nil)
        cache.keep(Array(repeating: 0, count: 600), for: Self.key, ticket: cache.ticket())
        #expect(cache.lookup(Self.key) == nil, "a detail larger than half the capacity is not kept")
        let none = Self.cache(capacity: 0)
        none.keep([1], for: Self.key, ticket: none.ticket())
        #expect(none.lookup(Self.key) == nil && none.count == 0)
    }

    // MARK: On a database

    @Test func theListenerConfirmsWhileItListens() throws {
        let database = try TestDatabase()
        let store = try database.store()
        defer { store.close() }
        _ = try store.append([.event(Sample.event("e1", "2019-01-28"))])
        #expect(try store.get(id: "e1") != nil)
        // Past the lease of 2 s, kept details are still served: the listener's round trips renew it.
        Thread.sleep(forTimeInterval: 2.5)
        let before = store.detailCacheCounts.hits
        #expect(try store.get(id: "e1") != nil)
        #expect(store.detailCacheCounts.hits == before + 1)
    }

    @Test func aStoreReadsItsOwnWritesAtOnceAndAnothersWhenNotified() throws {
        let database = try TestDatabase()
        let a = try database.store(), b = try database.store()
        defer { a.close(); b.close() }
        let declaration = Sample.event("1956-joint-declaration", "1956-10-19", kind: .declaration, title: "Joint Declaration")
        _ = try a.append([.event(declaration)])
        #expect(try a.get(id: declaration.id)?.incoming.isEmpty == true)
        #expect(try a.get(id: "2018-singapore") == nil)
        let first = a.detailCacheCounts
        #expect(try a.get(id: declaration.id)?.current.event.title == "Joint Declaration")
        #expect(try a.get(id: "2018-singapore") == nil)
        #expect(a.detailCacheCounts.hits == first.hits + 2, "asked again with nothing committed: answered from memory")

        // Its own amendment is read back by the next get, with no wait.
        var amended = declaration
        amended.summary = "Ends the state of war"
        #expect(try a.amend(amended).event.revision == 2)
        #expect(try a.get(id: declaration.id)?.revisions.count == 2)

        // An event added through b refers to it: a's get of the declaration lists the new referrer once b's
        // notification arrives, and a's get of the new id finds it (it was kept as missing).
        let summit = Sample.event("2018-singapore", "2018-11-14", kind: .meeting, title: "Singapore summit",
                                  references: [Reference(id: declaration.id, relation: .invokes)])
        _ = try b.append([.event(summit)])
        #expect(eventually { (try? a.get(id: declaration.id))??.incoming.map(\.id) == [summit.id] })
        #expect(try a.get(id: summit.id)?.outgoing.first?.title == "Joint Declaration")

        // b amends the summit to drop the reference, then retracts it: a sees both.
        var unlinked = summit
        unlinked.references = []
        _ = try b.amend(unlinked)
        #expect(eventually { (try? a.get(id: declaration.id))??.incoming.isEmpty == true })
        _ = try b.retract(id: summit.id, reason: "duplicate")
        #expect(eventually { (try? a.get(id: summit.id))??.current.retraction != nil })
    }

    /// With no notification to empty it (the listener stopped), only the writer's own emptying keeps a store
    /// reading its writes.
    @Test func aStoreEmptiesItsCacheBeforeAcknowledgingItsOwnCommit() throws {
        let database = try TestDatabase()
        let store = try database.store()
        defer { store.close() }
        store.stopListening()
        let event = Sample.event("e1", "2019-01-28", title: "Policy speech")
        _ = try store.append([.event(event)])
        #expect(try store.get(id: "e1")?.current.event.title == "Policy speech")
        #expect(try store.get(id: "e2") == nil)
        var amended = event
        amended.title = "Policy speech to the Diet"
        #expect(try store.amend(amended).event.title == "Policy speech to the Diet")
        #expect(try store.get(id: "e1")?.revisions.count == 2)
        _ = try store.append([.event(Sample.event("e2", "2019-01-29"))])
        #expect(try store.get(id: "e2") != nil)
        #expect(try store.retract(id: "e1", reason: "test").retraction != nil)
    }

    @Test func withoutACacheEveryGetReadsTheDatabase() throws {
        let database = try TestDatabase()
        let store = try database.store { $0.detailCacheBytes = 0 }
        defer { store.close() }
        _ = try store.append([.event(Sample.event("e1", "2019-01-28"))])
        for _ in 0..<3 { #expect(try store.get(id: "e1") != nil) }
        #expect(store.detailCacheCounts.hits == 0)
    }
}
