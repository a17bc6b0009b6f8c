import AnnalsCore

/// Turns a `TimelineQuery` into SQL over the indexes, choosing the access path that reads the fewest rows:
/// a facet's chronological index when actors, tags or references are asked for; the full-text index (in
/// `FullTextKey` order) when only text is; otherwise the events' chronological index, one scan per span
/// class. Values are always bound, never spliced.
struct TimelinePlanner {
    /// The SQL and its bindings; rows start with (lower, upper, retracted) and carry
    /// `StoredRevision.columnsWithoutBody` from `recordOffset` on, in timeline order unless `fullTextOrdered`.
    var sql = ""
    var bindings: [SQLiteValue] = []
    /// The column where the revision columns start (`record(from:offset:)`).
    var recordOffset: Int32 = 3
    /// Rows come in `FullTextKey` order (column 3), not timeline order: the reader reads past the page to the
    /// end of its last day and sorts.
    var fullTextOrdered = false

    /// The sort key of an event in the timeline, and its cursor form.
    struct Position: Equatable, Comparable {
        var lower: Int64
        var upper: Int64
        var id: String

        var cursor: String { "1:\(lower):\(upper):\(id)" }

        /// Timeline order. Ids compare by their UTF-8 bytes, as SQLite's BINARY collation does.
        static func < (a: Position, b: Position) -> Bool {
            if a.lower != b.lower { return a.lower < b.lower }
            if a.upper != b.upper { return a.upper < b.upper }
            return a.id.utf8.lexicographicallyPrecedes(b.id.utf8)
        }

        init(lower: Int64, upper: Int64, id: String) {
            self.lower = lower
            self.upper = upper
            self.id = id
        }

        init(cursor: String) throws(StoreError) {
            let parts = cursor.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
            guard parts.count == 4, parts[0] == "1", let lower = Int64(parts[1]), let upper = Int64(parts[2]), !parts[3].isEmpty
            else { throw StoreError(.invalidQuery, "'\(cursor.prefix(80))' is not a timeline cursor: pass next_cursor from a previous page unchanged") }
            self.init(lower: lower, upper: upper, id: String(parts[3]))
        }
    }

    /// Plans `query`.
    /// - Parameters:
    ///   - facetIDs: the facet ids of the query's keys, resolved by the caller (nil for a key not in the store).
    ///   - referencedIDs: for `referencedBy`, the ids that event refers to.
    ///   - fullText: the search as an FTS5 expression (`SearchQuery.fts5Expression`), nil for none.
    ///   - maxSpan: the longest span stored, when no event has an open start or end; lets a date range start
    ///     its scan near `from` instead of at the beginning.
    init(query: TimelineQuery, actorFacets: [[Int64]], tagFacets: [Int64], referenceFacet: Int64?,
         referencedIDs: [String]?, maxSpan: Int64?, fullText: String?) throws(StoreError) {
        let order = query.reverse ? "DESC" : "ASC"
        var conditions: [String] = []
        let source: String
        let key: String  // the table alias whose (lower, upper, id) orders the result

        // Driver: the most selective index we have.
        var facetGroups: [[Int64]] = []
        if !query.actors.isEmpty {
            if query.allActors { facetGroups.append(contentsOf: actorFacets) } else { facetGroups.append(actorFacets.flatMap { $0 }) }
        }
        if !query.tags.isEmpty { facetGroups.append(tagFacets) }
        if query.references != nil { facetGroups.append(referenceFacet.map { [$0] } ?? []) }

        if let driver = facetGroups.first {
            source = "facets f CROSS JOIN events e ON e.rowid = f.event"
            key = "f"
            conditions.append(Self.inList("f.facet", driver, &bindings))
            for group in facetGroups.dropFirst() {
                conditions.append("EXISTS (SELECT 1 FROM facets g WHERE \(Self.inList("g.facet", group, &bindings)) AND g.lower = e.lower AND g.upper = e.upper AND g.id = e.id)")
            }
        } else if let text = fullText {
            source = "fts CROSS JOIN events e ON e.rowid = (fts.rowid & \(FullTextKey.rowidMask))"
            conditions.append("fts MATCH ?")
            bindings.append(.text(text))
            key = "e"
        } else {
            source = "events e"
            key = "e"
        }
        // Without a facet or text, and unless a few ids are asked for, events are read by span class.
        let bySpanClass = facetGroups.isEmpty && fullText == nil && referencedIDs == nil
        if let text = fullText, !facetGroups.isEmpty {
            conditions.append("e.rowid IN (SELECT rowid & \(FullTextKey.rowidMask) FROM fts WHERE fts MATCH ?)")
            bindings.append(.text(text))
        }
        if let referencedIDs {
            conditions.append(Self.inList("e.id", referencedIDs, &bindings))
        }
        if !query.kinds.isEmpty {
            conditions.append(Self.inList("e.kind", query.kinds.map { Int64($0.code) }, &bindings))
        }
        if !query.includeRetracted { conditions.append("e.retracted = 0") }
        var fromLower: Int64?
        var toUpper: Int64?
        var cursorLower: Int64?
        if let from = query.from {
            let lower = DayBounds.of(from).lower
            if lower != DayBounds.openLower {
                fromLower = lower
                conditions.append("\(key).upper >= ?")
                bindings.append(.int(lower))
                if !bySpanClass, let maxSpan, lower > Int64.min + maxSpan {
                    conditions.append("\(key).lower >= ?")
                    bindings.append(.int(lower - maxSpan))
                }
            }
        }
        if let to = query.to {
            let upper = DayBounds.of(to).upper
            if upper != DayBounds.openUpper {
                toUpper = upper
                conditions.append("\(key).lower <= ?")
                bindings.append(.int(upper))
            }
        }
        if let cursor = query.cursor {
            let position = try Position(cursor: cursor)
            cursorLower = position.lower
            conditions.append("(\(key).lower, \(key).upper, \(key).id) \(query.reverse ? "<" : ">") (?, ?, ?)")
            bindings.append(contentsOf: [.int(position.lower), .int(position.upper), .text(position.id)])
        }
        if bySpanClass {
            planBySpanClass(conditions: conditions, fromLower: fromLower, maxSpan: maxSpan, limit: query.limit, order: order)
            return
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        if facetGroups.isEmpty && fullText != nil {
            // Full-text driver: matches in key order (by first day), bounded by the days the range and the
            // cursor allow; the reader stops after the page's last day.
            var keyConditions: [String] = []
            var lowest = fromLower.flatMap { from in maxSpan.flatMap { from > Int64.min + $0 ? from - $0 : nil } }
            var highest = toUpper
            if let cursorLower {
                if query.reverse { highest = min(highest ?? cursorLower, cursorLower) } else { lowest = max(lowest ?? cursorLower, cursorLower) }
            }
            if let lowest {
                keyConditions.append("fts.rowid >= ?")
                bindings.append(.int(FullTextKey.first(onDayOf: lowest)))
            }
            if let highest {
                keyConditions.append("fts.rowid < ?")
                bindings.append(.int(FullTextKey.first(afterDayOf: highest)))
            }
            let allConditions = (conditions + keyConditions).joined(separator: " AND ")
            sql = """
                SELECT e.lower, e.upper, e.retracted, fts.rowid, \(StoredRevision.columnsWithoutBody)
                FROM \(source) JOIN revisions r ON r.seq = e.head
                WHERE \(allConditions)
                ORDER BY fts.rowid \(order)
                """
            recordOffset = 4
            fullTextOrdered = true
            return
        }
        sql = """
            SELECT e.lower, e.upper, e.retracted, \(StoredRevision.columnsWithoutBody)
            FROM \(source) JOIN revisions r ON r.seq = e.head
            \(whereClause)
            ORDER BY \(key).lower \(order), \(key).upper \(order), \(key).id \(order)
            """
    }

    /// The chronological driver: one index scan per span class, each starting where an event of that class
    /// could first overlap `from`, merged in timeline order (SQLite merges the sorted arms of a compound
    /// SELECT and stops at the limit); only the page's rows are joined to their revisions.
    private mutating func planBySpanClass(conditions: [String], fromLower: Int64?, maxSpan: Int64?, limit: Int, order: String) {
        let shared = bindings
        bindings = []
        var arms: [String] = []
        for spanClass in 0..<SpanClass.count {
            var armConditions = ["e.span_class = ?"] + conditions
            bindings.append(.int(Int64(spanClass)))
            bindings.append(contentsOf: shared)
            // The class's longest span, or the longest stored when shorter (it bounds every class then).
            let classLimit = spanClass < SpanClass.limits.count ? SpanClass.limits[spanClass] : nil
            let longest = [classLimit, maxSpan].compactMap { $0 }.min()
            if let fromLower, let longest, fromLower > Int64.min + longest {
                armConditions.append("e.lower >= ?")
                bindings.append(.int(fromLower - longest))
            }
            arms.append("SELECT e.rowid AS page_row, e.lower AS lower, e.upper AS upper, e.id AS id FROM events e WHERE "
                        + armConditions.joined(separator: " AND "))
        }
        bindings.append(.int(Int64(limit) + 1))
        sql = """
            SELECT e.lower, e.upper, e.retracted, \(StoredRevision.columnsWithoutBody)
            FROM (\(arms.joined(separator: " UNION ALL ")) ORDER BY lower \(order), upper \(order), id \(order) LIMIT ?) k
            CROSS JOIN events e ON e.rowid = k.page_row JOIN revisions r ON r.seq = e.head
            ORDER BY e.lower \(order), e.upper \(order), e.id \(order)
            """
    }

    /// `column IN (?, ?, …)` with the values bound; `0` (false) for an empty list.
    private static func inList(_ column: String, _ values: [Int64], _ bindings: inout [SQLiteValue]) -> String {
        guard !values.isEmpty else { return "0" }
        if values.count == 1 {
            bindings.append(.int(values[0]))
            return "\(column) = ?"
        }
        bindings.append(contentsOf: values.map { .int($0) })
        return "\(column) IN (\(Array(repeating: "?", count: values.count).joined(separator: ", ")))"
    }

    private static func inList(_ column: String, _ values: [String], _ bindings: inout [SQLiteValue]) -> String {
        guard !values.isEmpty else { return "0" }
        bindings.append(contentsOf: values.map { .text($0) })
        return "\(column) IN (\(Array(repeating: "?", count: values.count).joined(separator: ", ")))"
    }
}
