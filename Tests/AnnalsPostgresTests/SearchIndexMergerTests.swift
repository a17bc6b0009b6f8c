@testable import AnnalsPostgres
import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
import Foundation
import Synchronization
import Testing

/// The search index's pending list is merged beside the writer, not by the appends (`SearchIndexMerger`).
@Suite("PostgreSQL: search index merges", .serialized)
struct SearchIndexMergerTests {
    /// Appends `count` events with words of their own, in batches of 25.
    private func appendEvents(_ store: PostgresEventStore, prefix: String, count: Int) throws {
        for start in stride(from: 0, to: count, by: 25) {
            let batch = (start..<min(count, start + 25)).map { index in
                LogEntry.event(Sample.event("\(prefix)-\(index)", "2019-01-28", title: "Statement \(prefix) \(index)",
                                            body: "The ministers of \(prefix)land met on day \(index) and spoke of word\(prefix)\(index) and treaty\(index % 7)."))
            }
            _ = try store.append(batch)
        }
    }

    /// Entries still in the pending list: merging them now, on a connection of the test's own, counts their pages.
    private func pagesLeftInList(_ database: TestDatabase) throws -> Int64 {
        try TestDatabase.scalar(database.url, "SELECT gin_clean_pending_list('events_search'::regclass)")
    }

    @Test func theListIsMergedAfterCommitsAndNoneIsLeftForTheAppends() throws {
        let database = try TestDatabase()
        let store = try database.store()
        try appendEvents(store, prefix: "a", count: 300)
        let merger = try #require(store.searchMerger)
        store.close()  // waits for the merges the last commits queued
        #expect(merger.pagesMerged.load(ordering: .relaxed) > 0)
        #expect(try pagesLeftInList(database) == 0)
        // The index's own limit is raised: an insert merges only if the list outgrows 64 MB.
        #expect(try TestDatabase.scalar(database.url, """
            SELECT count(*) FROM pg_class WHERE relname = 'events_search' AND reloptions @> ARRAY['gin_pending_list_limit=65536']
            """) == 1)
    }

    @Test func withoutTheMergerTheEntriesStayInTheList() throws {
        let database = try TestDatabase()
        let store = try database.store { $0.mergesSearchIndex = false }
        try appendEvents(store, prefix: "b", count: 300)
        store.close()
        #expect(try pagesLeftInList(database) > 0)
    }

    @Test func searchesFindWhatWasMergedAndWhatWasNotYet() throws {
        let database = try TestDatabase()
        let store = try database.store()
        defer { store.close() }
        try appendEvents(store, prefix: "c", count: 100)
        let merger = try #require(store.searchMerger)
        #expect(eventually { merger.pagesMerged.load(ordering: .relaxed) > 0 })
        try appendEvents(store, prefix: "d", count: 10)
        // One word from a merged batch, one from the last appends (in the list or merged by now: either way).
        #expect(try store.timeline(TimelineQuery(text: "wordc7")).records.map(\.event.id) == ["c-7"])
        #expect(try store.timeline(TimelineQuery(text: "wordd7")).records.map(\.event.id) == ["d-7"])
        #expect(try store.timeline(TimelineQuery(text: "treaty3", limit: 1000)).records.count == 14 + 1)
    }

    @Test func theMergerConnectsAgainAfterTheServerEndsItsSession() throws {
        let database = try TestDatabase()
        let store = try database.store()
        defer { store.close() }
        let merger = try #require(store.searchMerger)
        try appendEvents(store, prefix: "e", count: 100)
        #expect(eventually { merger.pagesMerged.load(ordering: .relaxed) > 0 })
        merger.waitForMerges()
        let before = merger.pagesMerged.load(ordering: .relaxed)
        // Every session ended, the store's included, while the database takes no new one; then it takes them again.
        try TestDatabase.run(database.admin, "ALTER DATABASE \(database.name) ALLOW_CONNECTIONS false")
        try database.endSessions()
        try TestDatabase.run(database.admin, "ALTER DATABASE \(database.name) ALLOW_CONNECTIONS true")
        // The first append after the sessions ended may fail while the writer reconnects; the next ones go on.
        #expect(eventually(seconds: 30) { (try? appendEvents(store, prefix: "f\(UUID().uuidString.prefix(4))", count: 50)) != nil })
        #expect(eventually(seconds: 30) { merger.pagesMerged.load(ordering: .relaxed) > before })
    }

    /// What stops a long merge when the store closes: a statement cancelled from another thread fails.
    @Test func aRunningStatementIsCancelledFromAnotherThread() throws {
        let database = try TestDatabase()
        let connection = try PGConnection(try ConnectionString(database.url), statementTimeout: 0)
        defer { connection.close() }
        let canceller = try #require(connection.canceller())
        let outcome = Mutex<Result<Void, PGError>?>(nil)
        let box = UncheckedBox(connection)
        Thread {
            let result = Result { () throws(PGError) in _ = try box.value.query("SELECT pg_sleep(600)") }
            outcome.withLock { $0 = result }
        }.start()
        #expect(try eventually { try TestDatabase.scalar(database.admin, "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(600)' AND state = 'active' AND datname = '\(database.name)'") == 1 })
        canceller.cancelRunningStatement()
        #expect(eventually(seconds: 60) { outcome.withLock { $0 } != nil })
        guard case .failure(let error) = outcome.withLock({ $0 }) else {
            Issue.record("the statement was not cancelled")
            return
        }
        #expect(error.sqlState == "57014", "\(error.message)")
    }
}
