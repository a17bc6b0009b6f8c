import AnnalsPostgres
import AnnalsProtocol
import AnnalsServer
import AnnalsStore
import ArgumentParser
import Dispatch
import Foundation
import Logging

/// annalsd: serves an Annals store over TCP.
@main
struct Annalsd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "annalsd",
        abstract: "Serve an Annals event store over TCP (the length-prefixed protocol of Protocol/PROTOCOL.md).",
        version: AnnalsServer.version
    )

    @Option(help: ArgumentHelp(
        "Where events are kept: a SQLite file, created on first start (default: $XDG_DATA_HOME/annals/annals.sqlite), or a PostgreSQL database as a URL, postgresql://USER@HOST/DB?… (also postgres://), read by libpq's rules (host=/run/postgresql, sslmode, the PG* variables, ~/.pgpass). A password in the URL is hidden from ps; PGPASSWORD or ~/.pgpass keep it off the command line altogether.",
        valueName: "path|url"))
    var db: String?

    @Option(name: .customLong("db-pool"), help: ArgumentHelp(
        "PostgreSQL: connections this annalsd keeps for reads; the writer and the listener take one more each (default: --concurrent-reads + 1).",
        valueName: "n"))
    var dbPool: Int?

    @Option(name: .customLong("db-replica"), help: ArgumentHelp(
        "PostgreSQL: a streaming replica (hot standby) of --db, as a URL like --db's: timeline pages, gets and stats are read there once it has replayed this annalsd's own commits, and on --db while it lags or fails; the change log (tail, subscriptions) is always read on --db. Its pool has --db-pool connections.",
        valueName: "url"))
    var dbReplica: String?

    @Option(name: .customLong("db-detail-cache"), help: ArgumentHelp(
        "PostgreSQL: memory for the events this annalsd has read (get), kept until anything is committed: its own commits empty it before they are acknowledged, another annalsd's as soon as their notification arrives (nothing is served while the listening connection is lost or unconfirmed for 2 s); 0: none (default: 64).",
        valueName: "MiB"))
    var dbDetailCache: Int?

    @Option(name: .customLong("db-statement-timeout"), help: ArgumentHelp(
        "PostgreSQL: a statement running longer than this is cancelled and its request answered with an error; 0: no limit (default: 30).",
        valueName: "seconds"))
    var dbStatementTimeout: Double?

    @Option(help: "Address to listen on. Keep the loopback default unless a TLS proxy and a token protect it.")
    var host = "127.0.0.1"

    @Option(help: "TCP port; 0 picks a free port (printed on the ready line).")
    var port: UInt16 = 7355

    @Option(help: ArgumentHelp("Also listen on a Unix-domain socket at this path, for clients on this machine (ANNALS_ADDR=unix:PATH).", valueName: "path"))
    var socket: String?

    @Option(name: .customLong("token-file"), help: ArgumentHelp("A file holding a shared secret that clients must present.", valueName: "path"))
    var tokenFile: String?

    @Option(name: .customLong("max-connections"), help: "Connections beyond this get 'server busy' and are closed.")
    var maxConnections = 1024

    @Option(name: .customLong("idle-timeout"), help: ArgumentHelp("Close connections silent for this many seconds.", valueName: "seconds"))
    var idleTimeout = 300

    @Option(name: .customLong("read-timeout"), help: ArgumentHelp("Close connections whose frame takes longer than this to arrive.", valueName: "seconds"))
    var readTimeout = 30

    @Option(name: .customLong("write-timeout"), help: ArgumentHelp("Close connections that read none of their pending responses or pushes for this long.", valueName: "seconds"))
    var writeTimeout = 30

    @Option(name: .customLong("max-frame-size"), help: ArgumentHelp("Largest frame accepted, in bytes.", valueName: "bytes"))
    var maxFrameSize = 16 << 20

    @Option(name: .customLong("max-batch"), help: "Largest number of events in one append.")
    var maxBatch = 1000

    @Option(name: .customLong("max-db-pages"), help: ArgumentHelp(
        "SQLite: cap the database at this many pages (SQLite's max_page_count; 4096-byte pages): appends past it fail with storage-full while reads go on. For tests and quotas; default: no cap.",
        valueName: "pages"))
    var maxDBPages: Int64?

    @Option(help: ArgumentHelp(
        "SQLite: normal: committed data survives a crash of annalsd; full: also a power cut (slower). Default: normal. (On PostgreSQL, the server's synchronous_commit decides.)",
        valueName: "normal|full"))
    var sync: String?

    @Option(name: .customLong("cache-size"), help: ArgumentHelp(
        "SQLite: page cache of each database connection (the writer and each reader), in MiB (default: \(SQLiteEventStore.Options().cacheKiB / 1024)).",
        valueName: "MiB"))
    var cacheSize: Int?

    @Option(name: .customLong("wal-autocheckpoint"), help: ArgumentHelp(
        "SQLite: copy the write-ahead log into the database once it holds this many 4 KiB pages (wal_autocheckpoint; default: \(SQLiteEventStore.Options().walAutocheckpoint)).",
        valueName: "pages"))
    var walAutocheckpoint: Int?

    @Option(name: .customLong("max-queued-appends"), help: ArgumentHelp(
        "Events appended and not yet committed, for all connections together; a client whose next batch does not fit waits.",
        valueName: "events"))
    var maxQueuedAppends = ServerConfiguration().maxQueuedAppends

    @Option(name: .customLong("concurrent-reads"), help: ArgumentHelp(
        "Event loops, i.e. queries run at once for all connections together; each connection is served by one loop, first come first served; default: the cores online, twice as many on PostgreSQL (a loop waits for the database server's answers).",
        valueName: "n"))
    var concurrentReadsGiven: Int?

    /// `--concurrent-reads`, or its default for the engine `--db` selects: SQLite's reads keep a core busy, a
    /// PostgreSQL read waits for the database server's answer while another loop's query could run.
    var concurrentReads: Int { concurrentReadsGiven ?? ServerConfiguration.cores * (usesPostgres ? 2 : 1) }

    @Option(name: .customLong("busy-poll-us"), help: ArgumentHelp(
        "While a single client alone sends requests, how long a thread waits for its next request, or for the next packet of a PostgreSQL answer, by polling instead of sleeping (a wake-up costs tens of microseconds); never with several clients; 0: never.",
        valueName: "microseconds"))
    var busyPoll = ServerConfiguration().busyPollMicroseconds

    @Option(name: .customLong("log-level"), help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "level"))
    var logLevel = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("unknown log level '\(logLevel)': use trace, debug, info, notice, warning, error or critical")
        }
        try validateDatabase()
        if let sync, !["normal", "full"].contains(sync) { throw ValidationError("--sync must be normal or full, not '\(sync)'") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        guard idleTimeout >= 1, readTimeout >= 1, writeTimeout >= 1 else { throw ValidationError("timeouts must be at least 1 second") }
        guard maxFrameSize >= ServerLimits.minimumMaxFrameSize, maxFrameSize <= Int(UInt32.max) else {
            throw ValidationError("--max-frame-size must be between \(ServerLimits.minimumMaxFrameSize) (4 MiB, so any valid event fits) and 4294967295")
        }
        if let maxDBPages, maxDBPages < 16 { throw ValidationError("--max-db-pages must be at least 16") }
        guard (1...100_000).contains(maxBatch) else { throw ValidationError("--max-batch must be between 1 and 100000") }
        if let cacheSize, !(1...65_536).contains(cacheSize) {
            throw ValidationError("--cache-size must be between 1 and 65536 MiB, not \(cacheSize)")
        }
        if let walAutocheckpoint, !(100...10_000_000).contains(walAutocheckpoint) {
            throw ValidationError("--wal-autocheckpoint must be between 100 and 10000000 pages, not \(walAutocheckpoint)")
        }
        guard (1...10_000_000).contains(maxQueuedAppends) else {
            throw ValidationError("--max-queued-appends must be between 1 and 10000000 events, not \(maxQueuedAppends)")
        }
        guard (0...10_000).contains(busyPoll) else { throw ValidationError("--busy-poll-us must be between 0 and 10000 microseconds, not \(busyPoll)") }
        guard (1...256).contains(concurrentReads) else { throw ValidationError("--concurrent-reads must be between 1 and 256, not \(concurrentReads)") }
    }

    func run() throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "annalsd")

        let opened = try openStore(logger: logger)
        let store = opened.store
        let trimmer = MemoryTrimmer(whenIdle: opened.releaseMemory)
        store.onCommit { _ in trimmer.noteCommit() }
        trimmer.start()

        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.socketPath = socket
        configuration.token = try tokenFile.map(Self.readToken)
        configuration.maxConnections = maxConnections
        configuration.concurrentReads = concurrentReads
        configuration.busyPollMicroseconds = busyPoll
        configuration.maxQueuedAppends = maxQueuedAppends
        configuration.idleTimeoutSeconds = idleTimeout
        configuration.readTimeoutSeconds = readTimeout
        configuration.writeTimeoutSeconds = writeTimeout
        configuration.limits.maxFrameSize = maxFrameSize
        configuration.limits.maxEventsPerBatch = maxBatch
        configuration.limits.idleTimeoutSeconds = idleTimeout

        Self.raiseOpenFileLimit(maxConnections: maxConnections, logger: logger)
        let server: AnnalsServer
        do {
            server = try AnnalsServer(store: store, configuration: configuration, logger: logger)
        } catch {
            store.close()
            throw Failure("cannot start: \(error)")
        }
        do {
            try server.start()
        } catch {
            store.close()
            throw Failure("cannot listen on \(host):\(port): \(error)")
        }
        Self.handleSignals(server: server, store: store, logger: logger)
        logger.info("serving \(opened.description)", metadata: [
            "token": "\(configuration.token == nil ? "none" : "required")", "event-loops": "\(concurrentReads)",
        ])
        FileHandle.standardOutput.write(Data("annalsd \(AnnalsServer.version) listening on \(host):\(server.port)\(socket.map { " and unix:" + $0 } ?? "")\n".utf8))
        dispatchMain()
    }

    /// SIGINT and SIGTERM: stop accepting, finish in-flight requests, flush, close the database, exit 0.
    /// Returns once the handlers are registered, so a signal sent right after the ready line is handled.
    static func handleSignals(server: AnnalsServer, store: any EventStore, logger: Logger) {
        let queue = DispatchQueue(label: "annalsd.signals")
        let registered = DispatchGroup()
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            registered.enter()
            source.setRegistrationHandler { registered.leave() }
            source.setEventHandler {
                logger.info("signal \(signalNumber): shutting down")
                server.stop {
                    store.close()
                    logger.info("database closed; bye")
                    Foundation.exit(0)
                }
            }
            source.resume()
            SignalSources.keep(source)
        }
        if registered.wait(timeout: .now() + 5) == .timedOut {
            logger.warning("signal handlers not registered after 5 s; SIGTERM may be ignored")
        }
    }

    /// Raises the soft open-file limit to the hard one (each connection takes a descriptor), and warns when
    /// `--max-connections` is more than the limit allows: connections past it are refused with 'server busy'.
    static func raiseOpenFileLimit(maxConnections: Int, logger: Logger) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        // The database, its WAL and shared memory, the reader connections and the standard streams need some.
        let available = Int(clamping: limit.rlim_cur) - 32
        if maxConnections > available {
            logger.warning("--max-connections \(maxConnections) is more than the open-file limit (\(limit.rlim_cur)) allows; connections past about \(max(0, available)) get 'server busy'")
        }
    }

    /// `$XDG_DATA_HOME/annals/annals.sqlite`, or `~/.local/share/annals/annals.sqlite`; the directory is created.
    static func defaultDatabasePath() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        let directory = base + "/annals"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw Failure("cannot create \(directory): \(error.localizedDescription)")
        }
        return directory + "/annals.sqlite"
    }

    static func readToken(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure("cannot read the token file \(path)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.utf8.count >= 16 else {
            throw Failure("the token in \(path) is too short: use at least 16 characters (e.g. `openssl rand -hex 32`)")
        }
        return token
    }
}

/// Keeps signal sources alive for the life of the process.
enum SignalSources {
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
    static func keep(_ source: any DispatchSourceSignal) { sources.append(source) }
}

/// A startup failure: printed as one line, exit status 1.
struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
