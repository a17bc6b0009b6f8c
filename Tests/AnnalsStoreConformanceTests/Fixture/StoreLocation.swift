import AnnalsStore
import AnnalsStoreTesting
import Foundation

/// Where a test store keeps its data. Released, it removes the data.
protocol StoreLocation: AnyObject {
    /// Opens a store on this location's data (empty the first time) with the pinned clock; the caller closes it.
    /// Every store opened here shares one clock, which goes on ticking across reopens.
    func open() throws -> any EventStore
}

/// A SQLite store's files in a temporary directory of their own.
final class TemporarySQLiteDirectory: StoreLocation {
    let directory: URL
    let path: String
    private let options = SQLiteEventStore.Options.pinned

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("annals-conformance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("annals.sqlite").path
    }

    func open() throws -> any EventStore {
        try SQLiteEventStore(path: path, options: options)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }
}
