import Dispatch
import Synchronization

/// A bounded pool of read-only connections. In WAL mode readers never block the writer or each other, so
/// each concurrent read gets its own connection; a caller waits when all `capacity` are busy.
final class ReaderPool: Sendable {
    private let free: Mutex<[UncheckedBox<SQLiteDatabase>]>
    private let slots: DispatchSemaphore
    private let open: @Sendable () throws(StoreError) -> SQLiteDatabase
    private let closed = Atomic<Bool>(false)

    private let capacity: Int

    init(capacity: Int, open: @escaping @Sendable () throws(StoreError) -> SQLiteDatabase) {
        self.capacity = capacity
        self.free = Mutex([])
        self.slots = DispatchSemaphore(value: capacity)
        self.open = open
    }

    /// Opens every connection now, so the store's descriptors are fixed from the start (rather than growing
    /// with the first busy moment) and a file that cannot be opened for reading fails at startup.
    func openAll() throws(StoreError) {
        var opened: [UncheckedBox<SQLiteDatabase>] = []
        for _ in 0..<capacity { opened.append(UncheckedBox(try open())) }
        free.withLock { $0 += opened }
    }

    /// Runs `body` with a reader connection that no other thread uses meanwhile, inside one read
    /// transaction: every statement of `body` sees the same snapshot, and the WAL read lock is taken once
    /// instead of once per statement.
    func withReader<T>(_ body: (SQLiteDatabase) throws(StoreError) -> T) throws(StoreError) -> T {
        guard !closed.load(ordering: .acquiring) else { throw StoreError(.closed, "the store is closed") }
        slots.wait()
        defer { slots.signal() }
        let pooled = free.withLock { $0.popLast() }?.value
        let db: SQLiteDatabase
        if let pooled { db = pooled } else { db = try open() }
        defer {
            db.resetStatements()
            if !db.isAutocommit { try? db.run("COMMIT") }
            free.withLock { $0.append(UncheckedBox(db)) }
        }
        do { try db.run("BEGIN") } catch { throw StoreError.from(error) }
        return try body(db)
    }

    /// Closes every idle connection; later reads fail with `.closed`.
    func close() {
        closed.store(true, ordering: .releasing)
        free.withLock { connections in
            for box in connections { box.value.close() }
            connections.removeAll()
        }
    }
}

/// Carries a non-Sendable value across threads where the code guarantees exclusive use.
package struct UncheckedBox<T>: @unchecked Sendable {
    package let value: T
    package init(_ value: T) { self.value = value }
}
