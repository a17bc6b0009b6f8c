import AnnalsCore

/// Why a store operation failed.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in a few named cases callers branch on.
    public enum Code: String, Sendable, Hashable {
        /// The event is invalid, or conflicts with what is stored (`eventError` says which).
        case invalidEvent = "invalid-event"
        /// Same id, different content.
        case conflict
        case notFound = "not-found"
        /// A bad cursor or full-text query.
        case invalidQuery = "invalid-query"
        /// The disk (or the configured size limit) is full; reads still work.
        case full = "storage-full"
        /// The store is closed.
        case closed
        /// The database file is damaged, from a newer version, or not an Annals database.
        case corrupt
        /// Any other I/O or engine failure.
        case io
        /// The database server cannot be reached (a networked engine): nothing was written; retry later.
        case unavailable = "store-unavailable"
    }

    public var code: Code
    public var message: String
    /// The validation error behind `.invalidEvent`, `.conflict` and `.notFound` from a write.
    public var eventError: EventError?

    public init(_ code: Code, _ message: String, eventError: EventError? = nil) {
        self.code = code
        self.message = message
        self.eventError = eventError
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// Maps an event error to the store error a single-entry operation reports.
    package static func from(_ error: EventError) -> StoreError {
        switch error.code {
        case .conflict: StoreError(.conflict, error.message, eventError: error)
        case .notFound: StoreError(.notFound, error.message, eventError: error)
        default: StoreError(.invalidEvent, error.description, eventError: error)
        }
    }

    /// Maps an engine error.
    static func from(_ error: SQLiteError) -> StoreError {
        if error.isFull { return StoreError(.full, "the database is full (disk or size limit): \(error.message)") }
        if error.isCorrupt { return StoreError(.corrupt, error.description) }
        return StoreError(.io, error.description)
    }

    /// Maps any error thrown inside the engine.
    static func from(any error: any Error) -> StoreError {
        switch error {
        case let error as StoreError: error
        case let error as SQLiteError: from(error)
        case let error as EventError: from(error)
        default: StoreError(.io, "\(error)")
        }
    }
}
