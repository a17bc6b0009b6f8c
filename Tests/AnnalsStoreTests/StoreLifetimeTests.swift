import AnnalsCore
import AnnalsStore
import CAnnalsSQLite
import Dispatch
import Foundation
import Synchronization
import Testing

/// Releasing a store is safe from any thread, including its own writer's: the last reference may go away in
/// an append's completion, which runs on the writer's queue (it used to end the process there:
/// deinit → close → a sync onto the queue it was already on).
@Suite struct StoreLifetimeTests {
    @Test("the last reference dropped in an append's completion, with more writes queued behind it")
    func releasedOnItsWriterQueue() throws {
        let fixture = try StoreFixture()
        let path = fixture.path
        fixture.store.close()
        let holder = Mutex<SQLiteEventStore?>(try SQLiteEventStore(path: path, options: StoreFixture.defaultOptions))
        let done = DispatchSemaphore(value: 0)
        let queued = DispatchSemaphore(value: 0)
        let outcomes = Mutex<[Result<[AppendOutcome], StoreError>]>([])
        // No local reference: the holder's is the only one besides what the store's own queue keeps. The first
        // completion waits until two more batches are queued, then drops that reference on the writer's queue;
        // the other two batches are written before the file closes.
        holder.withLock { $0 }?.append([.event(Sample.event("first", "1956"))]) { result in
            queued.wait()
            outcomes.withLock { $0.append(result) }
            holder.withLock { $0 = nil }
            done.signal()
        }
        for id in ["second", "third"] {
            holder.withLock { $0 }?.append([.event(Sample.event(id, "1957"))]) { result in
                outcomes.withLock { $0.append(result) }
                done.signal()
            }
        }
        queued.signal()
        for _ in 0..<3 { #expect(done.wait(timeout: .now() + 30) == .success) }
        #expect(outcomes.withLock { $0.count } == 3)
        // The store closed itself on its writer's queue; what it acknowledged is in the file.
        let reopened = try SQLiteEventStore(path: path, options: StoreFixture.defaultOptions)
        defer { reopened.close() }
        #expect(try reopened.get(id: "first") != nil)
        #expect(try reopened.lastSeq() == Int64(outcomes.withLock { $0 }.filter { (try? $0.get()) != nil }.count))
    }

    @Test("closing from inside a completion, then again from another thread")
    func closedFromItsWriterQueue() throws {
        let fixture = try StoreFixture()
        let done = DispatchSemaphore(value: 0)
        let store = fixture.store
        store.append([.event(Sample.event("only", "1956"))]) { _ in
            store.close()
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 30) == .success)
        store.close()
        #expect(throws: StoreError.self) { try store.append([.event(Sample.event("late", "1957"))]) }
    }
}

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
