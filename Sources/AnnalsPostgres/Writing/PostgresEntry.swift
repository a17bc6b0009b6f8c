import AnnalsCore
import AnnalsStore

/// A log entry made ready on the caller's thread: validated, hashed, compressed and encoded as the SQLite
/// engine does it (`PreparedEntry`), plus the search vector of its text.
struct PostgresEntry: Sendable {
    let prepared: PreparedEntry
    /// The binary `tsvector` of a content entry's title, summary and body (`SearchDocument`).
    let search: [UInt8]?

    init(_ prepared: PreparedEntry) {
        self.prepared = prepared
        if prepared.rejection == nil, case .event(let event) = prepared.entry {
            search = SearchDocument.tsvector(title: event.title, summary: event.summary, body: event.body)
        } else {
            search = nil
        }
    }
}
