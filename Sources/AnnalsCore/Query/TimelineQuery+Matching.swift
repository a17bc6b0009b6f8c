extension TimelineQuery {
    /// Checks what every store refuses, so that clients can refuse it first: a date range that ends before it
    /// starts, and a search that cannot be read.
    /// - Throws: `QueryError` saying what is wrong, in the user's terms.
    public func validate() throws(QueryError) {
        if let from, let to, let start = from.lower, let end = to.upper, end < start {
            throw QueryError("the date range ends before it starts: '\(to.canonical)' ends on \(end), before '\(from.canonical)' begins on \(start)")
        }
        _ = try search()
    }

    /// The full-text filter, read; nil when there is none.
    /// - Throws: `QueryError` when the search cannot be read.
    public func search() throws(QueryError) -> SearchQuery? {
        guard let text else { return nil }
        do {
            return try SearchQuery(parsing: text)
        } catch {
            throw QueryError(error.description)
        }
    }

    /// The filter of this query, evaluated in memory (for live subscriptions and log reads).
    /// - Throws: `QueryError` when the search cannot be read.
    public func matcher() throws(QueryError) -> EventMatcher {
        EventMatcher(query: self, search: try search())
    }
}

/// A query's filters evaluated on one event in memory, with the same meaning as a store's timeline:
/// actors by folded name or code (any, or all with `allActors`), any of `kinds`, any of `tags` (folded),
/// date bounds overlapping [from, to], `references`, and the search over title, summary and body.
/// `referencedBy` cannot be judged from the event alone and is ignored here.
public struct EventMatcher: Sendable {
    public let query: TimelineQuery
    private let searchQuery: SearchQuery?

    init(query: TimelineQuery, search: SearchQuery?) {
        self.query = query
        self.searchQuery = search
    }

    /// Whether `event` passes the filters.
    public func matches(_ event: Event) -> Bool {
        if !query.kinds.isEmpty && !query.kinds.contains(event.kind) { return false }
        if !query.tags.isEmpty {
            let eventTags = Set(event.tags.map(Text.foldedKey))
            if !query.tags.contains(where: { eventTags.contains(Text.foldedKey($0)) }) { return false }
        }
        if !query.actors.isEmpty {
            let keys = Set(event.actors.flatMap(\.matchKeys))
            let found = query.actors.map { keys.contains(Text.foldedKey($0)) }
            if query.allActors ? found.contains(false) : !found.contains(true) { return false }
        }
        if let references = query.references, !event.references.contains(where: { $0.id == references }) { return false }
        if let from = query.from, let fromLower = from.lower, let upper = event.date.upper, upper < fromLower { return false }
        if let to = query.to, let toUpper = to.upper, let lower = event.date.lower, lower > toUpper { return false }
        if let searchQuery, !searchQuery.matches(fields: [event.title, event.summary ?? "", event.body ?? ""]) { return false }
        return true
    }
}

/// Why a query cannot be answered as asked (a reversed date range, a search that cannot be read).
public struct QueryError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
