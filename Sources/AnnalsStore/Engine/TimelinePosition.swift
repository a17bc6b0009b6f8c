import AnnalsCore

/// The sort key of an event in the timeline, (lower, upper, id), and its cursor form: every engine pages by it.
package struct TimelinePosition: Equatable, Comparable {
    package var lower: Int64
    package var upper: Int64
    package var id: String

    package var cursor: String { "1:\(lower):\(upper):\(id)" }

    /// Timeline order. Ids compare by their UTF-8 bytes, as SQLite's BINARY collation does.
    package static func < (a: TimelinePosition, b: TimelinePosition) -> Bool {
        if a.lower != b.lower { return a.lower < b.lower }
        if a.upper != b.upper { return a.upper < b.upper }
        return a.id.utf8.lexicographicallyPrecedes(b.id.utf8)
    }

    package init(lower: Int64, upper: Int64, id: String) {
        self.lower = lower
        self.upper = upper
        self.id = id
    }

    package init(cursor: String) throws(StoreError) {
        let parts = cursor.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "1", let lower = Int64(parts[1]), let upper = Int64(parts[2]), !parts[3].isEmpty
        else { throw StoreError(.invalidQuery, "'\(cursor.prefix(80))' is not a timeline cursor: pass next_cursor from a previous page unchanged") }
        self.init(lower: lower, upper: upper, id: String(parts[3]))
    }
}
