import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
import Testing

/// The size limit of a SQLite file (`maxPageCount`) stands in for a full disk.
@Suite("Store: a full database")
struct FullDatabaseTests {
    @Test func aFullDatabaseRefusesWritesKeepsReadsAndRecovers() throws {
        var options = SQLiteEventStore.Options.pinned
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
