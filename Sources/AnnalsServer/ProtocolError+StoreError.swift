import AnnalsCore
import AnnalsProtocol
import AnnalsStore

extension ProtocolError {
    /// The wire error for a store failure (PROTOCOL.md §10): the store's own message, and the event error
    /// where the code has one.
    init(storeError: StoreError) {
        switch storeError.code {
        case .invalidEvent: self.init(.invalidEvent, storeError.message, eventError: storeError.eventError)
        case .conflict: self.init(.conflict, storeError.message, eventError: storeError.eventError)
        case .notFound: self.init(.notFound, storeError.message, eventError: storeError.eventError)
        case .invalidQuery: self.init(.invalidQuery, storeError.message)
        case .full: self.init(.storageFull, storeError.message)
        case .closed: self.init(.shuttingDown, storeError.message)
        case .corrupt, .io: self.init(.internal, storeError.message)
        case .unavailable: self.init(.storeUnavailable, storeError.message)
        }
    }

    /// The wire error for a query that cannot be evaluated.
    init(queryError: QueryError) {
        self.init(.invalidQuery, queryError.message)
    }

    /// A search that waited for the full-text index longer than the server allows (PROTOCOL.md §9.3).
    static func searchUnavailable(waited seconds: Double) -> ProtocolError {
        ProtocolError(.searchUnavailable,
                      "the full-text index has not reached this search's log position within \(Int(seconds)) s; try again")
    }

    /// A request without the server's token on an unauthorized connection (PROTOCOL.md §6.1).
    static func unauthorized(tokenGiven: Bool) -> ProtocolError {
        ProtocolError(.unauthorized, tokenGiven
            ? "the token given in hello is not this server's token"
            : "this server needs a token, and the hello carried none")
    }

    /// The server stops (PROTOCOL.md §6.3).
    static let shuttingDown = ProtocolError(.shuttingDown, "the server is shutting down")
}
