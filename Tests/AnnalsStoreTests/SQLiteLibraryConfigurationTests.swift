import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
import CAnnalsSQLite
import Testing

/// SQLite's process-wide allocation statistics stay off once a store has opened: with them on, every
/// connection's allocations take one global mutex (the writer, the indexer and the readers serialized on it).
@Suite struct SQLiteLibraryConfigurationTests {
    @Test("a store's connections leave SQLite's global memory statistics off")
    func memoryStatisticsOff() throws {
        let fixture = try StoreFixture()
        _ = try fixture.store.append([.event(Sample.event("memstatus", "1956"))])
        // With statistics on, the connections just opened would have allocated memory that this counts.
        #expect(sqlite3_memory_used() == 0)
    }
}
