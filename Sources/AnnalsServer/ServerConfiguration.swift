import AnnalsProtocol
#if canImport(Glibc)
import Glibc
#endif

/// How an `AnnalsServer` listens, whom it admits, and the limits it enforces.
public struct ServerConfiguration: Sendable {
    /// Address to bind; loopback by default. Use a TLS proxy in front to expose it (see the README).
    public var host = "127.0.0.1"
    /// TCP port; 0 picks a free one (read it back from `AnnalsServer.port`).
    public var port: UInt16 = 7355
    /// A Unix-domain socket to listen on as well, for clients on this machine (no TCP stack, as PostgreSQL's
    /// and Redis's local sockets); nil for none. Its access is the file's permissions.
    public var socketPath: String?
    /// When set, every operation but hello needs this shared secret.
    public var token: String?
    /// Connections beyond this get 'server busy' and are closed.
    public var maxConnections = 1024
    /// A connection that sends no complete frame for this long (and has nothing in flight) is closed.
    public var idleTimeoutSeconds = 300
    /// A frame that has started arriving must be complete within this long (slow senders are closed).
    public var readTimeoutSeconds = 30
    /// A client that reads none of its pending responses for this long is closed.
    public var writeTimeoutSeconds = 30
    /// Frame size, batch size and page size limits announced in the server's hello.
    public var limits = ServerLimits()
    /// Stop reading a connection's requests while this many response bytes wait to be sent…
    public var outputHighWater = 8 << 20
    /// …and resume below this many.
    public var outputLowWater = 1 << 20
    /// Requests one connection may have in flight before its reading pauses.
    public var maxInFlight = 256
    /// Events appended and not yet committed, for all connections together; a connection whose next batch
    /// does not fit stops reading until it does (see `AppendBudget`). Two of the store's largest groups.
    public var maxQueuedAppends = 20_000
    /// A subscriber whose unsent pushes pass this many bytes is disconnected.
    public var subscriberBufferLimit = 16 << 20
    /// Event loops (see `EventLoops`): the queries that run at once, for all connections together (give the
    /// store one reader connection for each, and one for amends and retractions). Each connection runs on
    /// one loop; more loops than cores only add thread switches to CPU-bound reads, while reads that wait for
    /// another server's answers (PostgreSQL) want more, or a core idles while its loop waits.
    public var concurrentReads = ServerConfiguration.cores
    /// While one client alone sends requests, how long a loop polls for its next one instead of sleeping until
    /// Dispatch wakes it (`LoopReadiness`), in microseconds; 0: never. Costs at most this much CPU per request
    /// of a lone client, nothing with several.
    public var busyPollMicroseconds = 100
    /// The version string announced in hello.
    public var serverVersion = AnnalsServer.version

    public init() {}

    /// Cores online (at least 2, so a slow read never holds every slot on a single-core machine).
    public static var cores: Int {
        #if canImport(Glibc)
        max(2, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        2
        #endif
    }
}
