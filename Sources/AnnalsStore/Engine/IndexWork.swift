import AnnalsCore

/// What the full-text index does for one log entry: take out the text of the content the entry replaces, and
/// add the entry's own text, each under its `FullTextKey`. Made by the writer for entries it has just
/// committed, or read back from the log (`SearchIndex` catching up after a restart).
struct IndexWork: Sendable {
    /// Text to take out: that of the content revision at log position `content`, indexed under `key`.
    struct Removal: Sendable, Equatable {
        var content: Int64
        var key: Int64
    }

    /// Text to add under `key`.
    struct Addition: Sendable {
        var key: Int64
        var title: String
        var summary: String?
        var body: String?

        init(key: Int64, title: String, summary: String?, body: String?) {
            self.key = key
            self.title = title
            self.summary = summary
            self.body = body
        }

        init(key: Int64, event: Event) {
            self.init(key: key, title: event.title, summary: event.summary, body: event.body)
        }
    }

    /// The entry's log position.
    var seq: Int64
    var removal: Removal?
    var addition: Addition?
}
