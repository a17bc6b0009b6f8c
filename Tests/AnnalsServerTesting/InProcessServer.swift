import AnnalsServer
import AnnalsStore
import Dispatch
import Foundation
import InMemoryLogging
import Logging

/// An `AnnalsServer` on a loopback port picked by the kernel, inside the test process, serving a fresh store
/// in a folder of its own; what it logs is kept in memory, so tests read the log instead of scraping a
/// process's standard error. Modelled on hummingbird's `LiveTestFramework`: start, hand the test a server
/// to connect to, stop (draining connections as annalsd does on SIGTERM) and remove the store.
public final class InProcessServer: TestServer, @unchecked Sendable {
    public let server: AnnalsServer
    public let store: SQLiteEventStore
    public let configuration: ServerConfiguration
    /// The folder holding the store; removed when the server is released.
    public let directory: URL
    private let logHandler: InMemoryLogHandler
    private var stopped = false

    public var port: UInt16 { server.port }

    /// Starts a server.
    /// - Parameters:
    ///   - logLevel: the lowest level kept (debug by default, as the end-to-end tests run annalsd).
    ///   - configure: changes to the default configuration; the host and port are set here (loopback, 0).
    ///   - wrapStore: the store the server is given, made from the SQLite store (a `FaultInjectingStore`, say).
    public init(logLevel: Logger.Level = .debug, wrapStore: (SQLiteEventStore) -> any EventStore = { $0 },
                configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("annals-in-process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = ServerConfiguration()
        configure(&configuration)
        configuration.host = "127.0.0.1"
        configuration.port = 0
        self.configuration = configuration
        var options = SQLiteEventStore.Options()
        options.readers = configuration.concurrentReads + 1  // as annalsd: one per loop, one for updates
        store = try SQLiteEventStore(path: directory.appendingPathComponent("annals.sqlite").path, options: options)
        var handler = InMemoryLogHandler()
        handler.logLevel = logLevel
        logHandler = handler
        do {
            server = try AnnalsServer(store: wrapStore(store), configuration: configuration, logger: Logger(label: "annalsd") { _ in handler })
            try server.start()
        } catch {
            store.close()
            throw error
        }
    }

    /// Runs `body` with a started server, then stops it.
    public static func run<T>(logLevel: Logger.Level = .debug, configure: (inout ServerConfiguration) -> Void = { _ in },
                              _ body: (InProcessServer) throws -> T) throws -> T {
        let server = try InProcessServer(logLevel: logLevel, configure: configure)
        defer { server.stop() }
        return try body(server)
    }

    /// Everything logged so far, in order.
    public var logEntries: [InMemoryLogHandler.Entry] { logHandler.entries }

    /// The messages logged so far, each with its metadata (`message key=value …`), for `contains` checks.
    public var log: [String] {
        logEntries.map { entry in
            ([entry.message.description] + entry.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
        }
    }

    /// Stops as annalsd does on SIGTERM: answers what is in flight, tells each connection why it ends and
    /// closes them (within `deadline` seconds), then closes the store. Later calls do nothing.
    /// - Returns: whether every connection closed before the deadline.
    @discardableResult
    public func stop(deadline: Double = 10) -> Bool {
        guard !stopped else { return true }
        stopped = true
        let done = DispatchSemaphore(value: 0)
        server.stop(deadline: deadline) { done.signal() }
        let inTime = done.wait(timeout: .now() + deadline + 5) == .success
        store.close()
        return inTime && server.connectionCount == 0
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
