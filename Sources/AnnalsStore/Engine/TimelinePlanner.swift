import AnnalsCore

/// Turns a `TimelineQuery` into SQL over the indexes, choosing the access path that reads the fewest rows:
/// a facet's chronological index when actors, tags or references are asked for; the full-text index (in
/// `FullTextKey` order) when only a search is; otherwise the events' chronological index, one scan per span
/// class. Every path ends in one lookup per row, of the revision whose stored bytes the page sends. Values are
/// always bound, never spliced.
struct TimelinePlanner {
    /// The SQL and its bindings. Each row is (lower, upper, retracted, id, content, record, event rowid, and for
    /// the full-text path the FTS key), in timeline order unless `fullTextOrdered`.
    var sql = ""
    var bindings: [SQLiteValue] = []
    /// Rows come in `FullTextKey` order (column 7), not timeline order: the reader reads past the page to the
    /// end of its last day and sorts.
    var fullTextOrdered = false

    /// The sort key of an event in the timeline (`TimelinePosition`).
    typealias Position = TimelinePosition

    /// Plans `query`.
    /// - Parameters:
    ///   - actorFacets, tagFacets, referenceFacet: the facet ids of the query's keys, resolved by the caller
    ///     (nil or empty for a key not in the store).
    ///   - referencedIDs: for `referencedBy`, the ids that event refers to.
    ///   - maxSpan: the longest span stored, when no event has an open start or end; lets a date range start
    ///     its scan near `from` instead of at the beginning.
    ///   - fullText: the search as an FTS5 expression (`SearchQuery.fts5Expression`), nil for none.
    init(query: TimelineQuery, actorFacets: [[Int64]], tagFacets: [Int64], referenceFacet: Int64?,
         referencedIDs: [String]?, maxSpan: Int64?, fullText: String?) throws(StoreError) {
        var facetGroups: [[Int64]] = []
        if !query.actors.isEmpty {
            if query.allActors { facetGroups.append(contentsOf: actorFacets) } else { facetGroups.append(actorFacets.flatMap { $0 }) }
        }
        if !query.tags.isEmpty { facetGroups.append(tagFacets) }
        if query.references != nil { facetGroups.append(referenceFacet.map { [$0] } ?? []) }
        let filter = try Filter(query: query, otherFacets: Array(facetGroups.dropFirst()), fullText: facetGroups.isEmpty ? nil : fullText,
                                referencedIDs: referencedIDs)
        let order = query.reverse ? "DESC" : "ASC"

        if let driver = facetGroups.first {
            // A facet's chronological index: one range scan, one revision lookup per row.
            var conditions = [Self.inList("f.facet", driver, &bindings)]
            filter.add(to: &conditions, &bindings, alias: "f", event: "f.event")
            if let lowest = filter.lowestLower(maxSpan: maxSpan) {
                conditions.append("f.lower >= ?")
                bindings.append(.int(lowest))
            }
            sql = """
                SELECT f.lower, f.upper, f.retracted, f.id, f.content, r.record, f.event
                FROM facets f JOIN revisions r ON r.seq = f.content
                WHERE \(conditions.joined(separator: " AND ")) ORDER BY f.lower \(order), f.upper \(order), f.id \(order)
                """
        } else if let text = fullText {
            // Matches in key order (by first day), bounded by the days the range and the cursor allow; the reader
            // stops after the page's last day.
            var conditions = ["fts MATCH ?"]
            bindings.append(.text(text))
            filter.add(to: &conditions, &bindings, alias: "e", event: "e.rowid")
            var lowest = filter.lowestLower(maxSpan: maxSpan)
            var highest = filter.toUpper
            if let cursor = filter.cursor {
                if query.reverse { highest = min(highest ?? cursor.lower, cursor.lower) } else { lowest = max(lowest ?? cursor.lower, cursor.lower) }
            }
            if let lowest {
                conditions.append("fts.rowid >= ?")
                bindings.append(.int(FullTextKey.first(onDayOf: lowest)))
            }
            if let highest {
                conditions.append("fts.rowid < ?")
                bindings.append(.int(FullTextKey.first(afterDayOf: highest)))
            }
            sql = """
                SELECT e.lower, e.upper, e.retracted, e.id, e.content, r.record, e.rowid, fts.rowid
                FROM search.fts AS fts CROSS JOIN events e ON e.rowid = (fts.rowid & \(FullTextKey.rowidMask))
                JOIN revisions r ON r.seq = e.content
                WHERE \(conditions.joined(separator: " AND ")) ORDER BY fts.rowid \(order)
                """
            fullTextOrdered = true
        } else if referencedIDs != nil {
            var conditions: [String] = []
            filter.add(to: &conditions, &bindings, alias: "e", event: "e.rowid")
            sql = """
                SELECT e.lower, e.upper, e.retracted, e.id, e.content, r.record, e.rowid
                FROM events e JOIN revisions r ON r.seq = e.content
                WHERE \(conditions.joined(separator: " AND ")) ORDER BY e.lower \(order), e.upper \(order), e.id \(order)
                """
        } else {
            planBySpanClass(filter: filter, maxSpan: maxSpan, limit: query.limit, order: order)
        }
    }

    /// The chronological path: one index scan per span class, each starting where an event of that class could
    /// first overlap `from`, merged in timeline order (SQLite merges the sorted arms of a compound SELECT and stops
    /// at the limit); only the page's rows are joined to their revisions.
    private mutating func planBySpanClass(filter: Filter, maxSpan: Int64?, limit: Int, order: String) {
        var arms: [String] = []
        for spanClass in 0..<SpanClass.count {
            var conditions = ["e.span_class = ?"]
            bindings.append(.int(Int64(spanClass)))
            filter.add(to: &conditions, &bindings, alias: "e", event: "e.rowid")
            // The class's longest span, or the longest stored when shorter (it bounds every class then).
            let classLimit = spanClass < SpanClass.limits.count ? SpanClass.limits[spanClass] : nil
            let longest = [classLimit, maxSpan].compactMap { $0 }.min()
            if let fromLower = filter.fromLower, let longest, fromLower > Int64.min + longest {
                conditions.append("e.lower >= ?")
                bindings.append(.int(fromLower - longest))
            }
            arms.append("""
                SELECT e.lower AS lower, e.upper AS upper, e.retracted AS retracted, e.id AS id, e.content AS content, e.rowid AS event
                FROM events e WHERE \(conditions.joined(separator: " AND "))
                """)
        }
        bindings.append(.int(Int64(limit) + 1))
        sql = """
            SELECT k.lower, k.upper, k.retracted, k.id, k.content, r.record, k.event
            FROM (\(arms.joined(separator: " UNION ALL ")) ORDER BY lower \(order), upper \(order), id \(order) LIMIT ?) k
            JOIN revisions r ON r.seq = k.content
            ORDER BY k.lower \(order), k.upper \(order), k.id \(order)
            """
    }

    /// The filters every path applies, written for a table alias (`facets f` or `events e`, which share the
    /// columns lower, upper, id, kind, retracted).
    private struct Filter {
        var otherFacets: [[Int64]]
        var fullText: String?
        var referencedIDs: [String]?
        var kinds: [Int64]
        var includeRetracted: Bool
        var fromLower: Int64?
        var toUpper: Int64?
        var cursor: Position?
        var reverse: Bool

        init(query: TimelineQuery, otherFacets: [[Int64]], fullText: String?, referencedIDs: [String]?) throws(StoreError) {
            self.otherFacets = otherFacets
            self.fullText = fullText
            self.referencedIDs = referencedIDs
            kinds = query.kinds.map { Int64($0.code) }
            includeRetracted = query.includeRetracted
            if let from = query.from, case let lower = DayBounds.of(from).lower, lower != DayBounds.openLower { fromLower = lower }
            if let to = query.to, case let upper = DayBounds.of(to).upper, upper != DayBounds.openUpper { toUpper = upper }
            cursor = try query.cursor.map { (cursor) throws(StoreError) in try Position(cursor: cursor) }
            reverse = query.reverse
        }

        /// The lowest `lower` an event overlapping `from` can have, when the longest span is known.
        func lowestLower(maxSpan: Int64?) -> Int64? {
            guard let fromLower, let maxSpan, fromLower > Int64.min + maxSpan else { return nil }
            return fromLower - maxSpan
        }

        func add(to conditions: inout [String], _ bindings: inout [SQLiteValue], alias a: String, event: String) {
            for group in otherFacets {
                conditions.append("EXISTS (SELECT 1 FROM facets g WHERE \(TimelinePlanner.inList("g.facet", group, &bindings)) AND g.lower = \(a).lower AND g.upper = \(a).upper AND g.id = \(a).id)")
            }
            if let fullText {
                conditions.append("\(event) IN (SELECT rowid & \(FullTextKey.rowidMask) FROM search.fts WHERE fts MATCH ?)")
                bindings.append(.text(fullText))
            }
            if let referencedIDs { conditions.append(TimelinePlanner.inList("\(a).id", referencedIDs, &bindings)) }
            if !kinds.isEmpty { conditions.append(TimelinePlanner.inList("\(a).kind", kinds, &bindings)) }
            if !includeRetracted { conditions.append("\(a).retracted = 0") }
            if let fromLower {
                conditions.append("\(a).upper >= ?")
                bindings.append(.int(fromLower))
            }
            if let toUpper {
                conditions.append("\(a).lower <= ?")
                bindings.append(.int(toUpper))
            }
            if let cursor {
                conditions.append("(\(a).lower, \(a).upper, \(a).id) \(reverse ? "<" : ">") (?, ?, ?)")
                bindings.append(contentsOf: [.int(cursor.lower), .int(cursor.upper), .text(cursor.id)])
            }
        }
    }

    /// `column IN (?, ?, …)` with the values bound; `0` (false) for an empty list.
    fileprivate static func inList(_ column: String, _ values: [Int64], _ bindings: inout [SQLiteValue]) -> String {
        guard !values.isEmpty else { return "0" }
        if values.count == 1 {
            bindings.append(.int(values[0]))
            return "\(column) = ?"
        }
        bindings.append(contentsOf: values.map { .int($0) })
        return "\(column) IN (\(Array(repeating: "?", count: values.count).joined(separator: ", ")))"
    }

    fileprivate static func inList(_ column: String, _ values: [String], _ bindings: inout [SQLiteValue]) -> String {
        guard !values.isEmpty else { return "0" }
        bindings.append(contentsOf: values.map { .text($0) })
        return "\(column) IN (\(Array(repeating: "?", count: values.count).joined(separator: ", ")))"
    }
}
