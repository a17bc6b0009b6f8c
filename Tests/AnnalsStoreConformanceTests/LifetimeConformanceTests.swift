import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
import Dispatch
import Synchronization
import Testing

/// Releasing a store is safe from any thread, including the one that runs its completions: the last reference
/// may go away in an append's completion (on the SQLite engine that is its writer's queue, where it used to end
/// the process: deinit → close → a sync onto the queue it was already on).
@Suite("Conformance: a store's lifetime")
struct LifetimeConformanceTests {
    @Test("the last reference dropped in an append's completion, with more writes queued behind it",
          arguments: StoreEngine.allCases)
    func releasedInACompletion(engine: StoreEngine) throws {
        let f = try ConformanceFixture(engine)
        f.store.close()
        let holder = Mutex<(any EventStore)?>(try f.openAnother())
        let done = DispatchSemaphore(value: 0)
        let queued = DispatchSemaphore(value: 0)
        let outcomes = Mutex<[Result<[AppendOutcome], StoreError>]>([])
        // No local reference: the holder's is the only one besides what the store keeps itself. The first
        // completion waits until two more batches are queued, then drops that reference where it runs.
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
        // What the store acknowledged is stored.
        let reopened = try f.openAnother()
        defer { reopened.close() }
        #expect(try reopened.get(id: "first") != nil)
        #expect(try reopened.lastSeq() == Int64(outcomes.withLock { $0 }.filter { (try? $0.get()) != nil }.count))
    }

    @Test("closing from inside a completion, then again from another thread", arguments: StoreEngine.allCases)
    func closedInACompletion(engine: StoreEngine) throws {
        let f = try ConformanceFixture(engine)
        let done = DispatchSemaphore(value: 0)
        let store = f.store
        store.append([.event(Sample.event("only", "1956"))]) { _ in
            store.close()
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 30) == .success)
        store.close()
        let error = #expect(throws: StoreError.self) { try store.append([.event(Sample.event("late", "1957"))]) }
        #expect(error?.code == .closed)
        let read = #expect(throws: StoreError.self) { try store.lastSeq() }
        #expect(read?.code == .closed)
    }
}
