import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
import Testing

/// SQLite's own check passes on a store's files after every kind of write (appends, amends that move index
/// entries, retractions that take text out of the search index) and after a reopen. (What the store answers
/// after the same writes, on every engine, is tested in AnnalsStoreConformanceTests.)
@Suite("Store: the files stay sound")
struct FileIntegrityTests {
    @Test func integrityAfterAmendsRetractionsAndAReopen() throws {
        let f = try StoreFixture()
        _ = try f.store.append(Sample.diplomacy.map(LogEntry.event))
        var amended = Sample.diplomacy[2]
        amended.body = "now about a platypus"
        amended.date = Sample.date("1850")
        amended.tags.append("amended")
        _ = try f.store.amend(amended)
        _ = try f.store.retract(id: amended.id, reason: "test")
        _ = try f.store.retract(id: "1956-approx-visit", reason: "unsourced")
        f.store.waitUntilSearchable()
        #expect(try f.store.integrityCheck() == "ok")
        try f.reopen()
        #expect(try f.store.integrityCheck() == "ok")
        #expect(try f.store.lastSeq() == 13)
    }
}
