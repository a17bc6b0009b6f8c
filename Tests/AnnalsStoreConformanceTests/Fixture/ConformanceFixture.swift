import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
import Dispatch
import Synchronization

/// A fresh, empty store of one engine, on the pinned clock, for one test: a SQLite file in a temporary
/// directory, or a PostgreSQL database of its own. The store is closed and its data removed when the fixture
/// goes away, so tests share nothing and may run in any order.
final class ConformanceFixture {
    let engine: StoreEngine
    private let location: any StoreLocation
    private(set) var store: any EventStore

    /// - Throws: `FixtureError` when the engine's place cannot be made; the engine's `StoreError` when it does
    ///   not open.
    init(_ engine: StoreEngine) throws {
        self.engine = engine
        location = try engine.makeLocation()
        store = try location.open()
    }

    /// A fixture whose store holds `Sample.diplomacy`, at log positions 1 to 10.
    static func diplomacy(_ engine: StoreEngine) throws -> ConformanceFixture {
        let fixture = try ConformanceFixture(engine)
        _ = try fixture.store.append(Sample.diplomacy.map(LogEntry.event))
        return fixture
    }

    /// Closes the store and opens it again, as a restart would.
    func reopen() throws {
        store.close()
        store = try location.open()
    }

    /// Another store on the same data, for a test that owns its lifetime (the caller closes it).
    func openAnother() throws -> any EventStore {
        try location.open()
    }

    /// Waits until searches see everything written so far (at most a minute).
    /// - Throws: `FixtureError` when they still do not.
    func waitUntilSearchable() throws {
        let seq = try store.lastSeq()
        let done = DispatchSemaphore(value: 0)
        let caughtUp = Mutex(false)
        store.whenSearchable(through: seq, timeout: 60) { result in
            caughtUp.withLock { $0 = result }
            done.signal()
        }
        guard done.wait(timeout: .now() + 120) == .success, caughtUp.withLock({ $0 }) else {
            throw FixtureError("searches did not see log position \(seq) within 60 s")
        }
    }

    /// The ids of one timeline page.
    func ids(_ query: TimelineQuery) throws -> [String] {
        try store.timeline(query).records.map(\.event.id)
    }

    /// The ids of every page of `query`, followed through its cursors; records that a page holds no more than
    /// the query's limit.
    func allPages(_ query: TimelineQuery) throws -> [String] {
        var query = query
        var ids: [String] = []
        while true {
            let page = try store.timeline(query)
            guard page.records.count <= query.limit else {
                throw FixtureError("a page of \(page.records.count) records for a limit of \(query.limit)")
            }
            ids += page.records.map(\.event.id)
            guard let cursor = page.nextCursor else { return ids }
            query.cursor = cursor
        }
    }

    /// The whole log, read `pageSize` entries at a time.
    func log(pageSize: Int = 1000) throws -> [SequencedEntry] {
        var entries: [SequencedEntry] = []
        while true {
            let page = try store.entries(after: entries.last?.seq ?? 0, limit: pageSize)
            entries += page
            if page.count < pageSize { return entries }
        }
    }

    deinit {
        store.close()
    }
}
