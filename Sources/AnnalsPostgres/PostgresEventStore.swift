import AnnalsCore
import AnnalsProtocol
import AnnalsStore

/// The PostgreSQL storage engine: the `EventStore` protocol over one database that many annalsd processes
/// may share. (Skeleton: issue 13 in progress.)
public final class PostgresEventStore: EventStore {
    /// Tuning and limits.
    public struct Options: Sendable {
        /// Connections to the database this process keeps (`annalsd --db-pool`).
        public var poolSize = 4
        /// A statement running longer than this is cancelled and answered with an error.
        public var statementTimeoutSeconds: Double = 30
        /// The clock that stamps revisions (tests pin it).
        public var clock: @Sendable () -> Timestamp = { Timestamp.now() }
        public init() {}
    }

    /// Whether `text` names a PostgreSQL database (`postgresql://…` or `postgres://…`) rather than a file.
    public static func isConnectionString(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    /// Connects to the database `connectionString` names (libpq's URI form), creating or migrating the schema.
    public init(connectionString: String, options: Options = Options()) throws(StoreError) {
        throw StoreError(.io, "the PostgreSQL engine is not built yet")
    }

    public func append(_ entries: [LogEntry]) throws(StoreError) -> [AppendOutcome] { throw Self.unbuilt }
    public func append(_ entries: [LogEntry], completion: @escaping @Sendable (Result<[AppendOutcome], StoreError>) -> Void) {
        completion(.failure(Self.unbuilt))
    }
    public func amend(_ event: Event) throws(StoreError) -> EventRecord { throw Self.unbuilt }
    public func retract(id: String, reason: String) throws(StoreError) -> EventRecord { throw Self.unbuilt }
    public func get(id: String, revision: Int?) throws(StoreError) -> EventDetail? { throw Self.unbuilt }
    public func encodedDetail(id: String, revision: Int?) throws(StoreError) -> [UInt8]? { throw Self.unbuilt }
    public func encodedTimeline(_ query: TimelineQuery) throws(StoreError) -> EncodedPage { throw Self.unbuilt }
    public func entries(after seq: Int64, limit: Int) throws(StoreError) -> [SequencedEntry] { throw Self.unbuilt }
    public func lastSeq() throws(StoreError) -> Int64 { throw Self.unbuilt }
    public func stats() throws(StoreError) -> StoreStats { throw Self.unbuilt }
    public func onCommit(_ handler: @escaping @Sendable (Int64) -> Void) {}
    public var searchableSeq: Int64 { 0 }
    public func whenSearchable(through seq: Int64, timeout: Double, _ done: @escaping @Sendable (Bool) -> Void) { done(false) }
    public func close() {}

    private static let unbuilt = StoreError(.io, "the PostgreSQL engine is not built yet")
}
