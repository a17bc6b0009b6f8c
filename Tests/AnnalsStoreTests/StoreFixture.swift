import AnnalsStore
import AnnalsStoreTesting
import Foundation

/// A fresh SQLite store in a temporary directory, removed when the fixture goes away, for the tests of what only
/// the SQLite engine has (its files, compression, migrations). Behaviour every engine shares is tested in
/// AnnalsStoreConformanceTests.
final class StoreFixture {
    let directory: URL
    let path: String
    var options: SQLiteEventStore.Options
    private(set) var store: SQLiteEventStore

    init(options: SQLiteEventStore.Options = .pinned) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("annals-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("annals.sqlite").path
        self.options = options
        store = try SQLiteEventStore(path: path, options: options)
    }

    /// Closes and opens the store again, as a restart would.
    func reopen() throws {
        store.close()
        store = try SQLiteEventStore(path: path, options: options)
    }

    deinit {
        store.close()
        try? FileManager.default.removeItem(at: directory)
    }
}
