import AnnalsCore

extension TimelineQuery {
    /// The checks every engine makes before planning a page: the page size, the date range and the search.
    /// - Returns: the search, read; nil when there is none.
    /// - Throws: `StoreError.invalidQuery` saying what is wrong.
    package func checked() throws(StoreError) -> SearchQuery? {
        guard (1...TimelineQuery.maxLimit).contains(limit) else {
            throw StoreError(.invalidQuery, "limit must be between 1 and \(TimelineQuery.maxLimit), not \(limit)")
        }
        do {
            try validate()
            return try search()
        } catch {
            throw StoreError(.invalidQuery, error.message)
        }
    }
}
