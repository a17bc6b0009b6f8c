import AnnalsCore
import AnnalsStore

/// One statement for a timeline page: the events that pass every filter of a `TimelineQuery`, in (lower, upper,
/// id) order from the cursor on, at most one past the page, each with the stored record of the revision it
/// shows and, for a retracted event, its retraction. Values are always bound, never spliced.
///
/// Filters mean what they mean in the SQLite engine: actors (any, or all with `allActors`) by folded name or
/// code, any of the tags, the references facet, kinds, the date range overlapping the event's bounds, the
/// search, `referencedBy` as the ids that event refers to. The access path is the SQLite engine's: with a
/// facet filter (actors, tags, references), the first group of keys drives: each key's range of the facets
/// index is read in timeline order (one ordered index scan per key, merged, an event found under two keys kept
/// once), the other filters checked on the way; without one, each span class's chronological index is read
/// from where an event of that class could first overlap the range, and the scans merged (`SpanClass`); a
/// search reads the events' chronological index, or the GIN index for a rare word, as the planner prefers.
struct TimelineSQL {
    private(set) var sql = ""
    private(set) var parameters: [PGValue] = []

    /// Columns of each row: lower, upper, id, content seq, record, retracted, head seq, retraction reason,
    /// retraction recorded, retraction revision.
    /// - Parameters:
    ///   - search: the query's search, read (`TimelineQuery.checked`).
    ///   - referencedIDs: for `referencedBy`, the ids that event refers to (empty when it is unknown).
    init(query: TimelineQuery, search: SearchQuery?, referencedIDs: [String]?) throws(StoreError) {
        var facetGroups: [[String]] = []
        if !query.actors.isEmpty {
            let perActor = query.actors.map { [Facets.actorName($0), Facets.actorCode($0)] }
            if query.allActors { facetGroups += perActor } else { facetGroups.append(perActor.flatMap { $0 }) }
        }
        if !query.tags.isEmpty { facetGroups.append(query.tags.map(Facets.tag)) }
        if let references = query.references { facetGroups.append([Facets.reference(references)]) }
        var seen = Set<String>()
        let driver = facetGroups.first.map { $0.filter { seen.insert($0).inserted } }
        // `d`: a facets row (its event's bounds, id, number, shown revision, kind, retraction flag); `e`: an events row.
        let t = driver == nil ? "e" : "d"

        var conditions: [String] = []
        for group in facetGroups.dropFirst() {
            conditions.append("""
                EXISTS (SELECT 1 FROM facets o WHERE o.name = ANY(\(bind(.textArray(group)))::text[])
                    AND o.lower_day = d.lower_day AND o.upper_day = d.upper_day AND o.id = d.id)
                """)
        }
        if let search {
            let tsquery = bind(.text(search.tsquery))
            conditions.append(driver == nil ? "e.search @@ \(tsquery)::tsquery"
                                            : "EXISTS (SELECT 1 FROM events s WHERE s.event = d.event AND s.search @@ \(tsquery)::tsquery)")
        }
        if let referencedIDs { conditions.append("\(t).id = ANY(\(bind(.textArray(referencedIDs)))::text[])") }
        if !query.kinds.isEmpty { conditions.append("\(t).kind = ANY(\(bind(.int64Array(query.kinds.map { Int64($0.code) })))::int8[])") }
        if !query.includeRetracted { conditions.append("NOT \(t).retracted") }
        var fromLower: Int64?
        if let from = query.from, case let lower = DayBounds.of(from).lower, lower != DayBounds.openLower {
            fromLower = lower
            conditions.append("\(t).upper_day >= \(bind(.int64(lower)))")
        }
        if let to = query.to, case let upper = DayBounds.of(to).upper, upper != DayBounds.openUpper {
            conditions.append("\(t).lower_day <= \(bind(.int64(upper)))")
        }
        if let cursor = try query.cursor.map({ (text) throws(StoreError) in try TimelinePosition(cursor: text) }) {
            conditions.append("(\(t).lower_day, \(t).upper_day, \(t).id) \(query.reverse ? "<" : ">") (\(bind(.int64(cursor.lower))), \(bind(.int64(cursor.upper))), \(bind(.text(cursor.id))))")
        }
        let order = query.reverse ? "DESC" : "ASC"
        let limit = bind(.int64(Int64(query.limit) + 1))
        let filter = conditions.isEmpty ? "" : " AND " + conditions.joined(separator: " AND ")
        let columns = "lower_day, upper_day, id, content_revision, retracted, event"
        let timelineOrder = { (alias: String) in "\(alias).lower_day \(order), \(alias).upper_day \(order), \(alias).id \(order)" }
        let inner: String
        if let driver {
            // One ordered scan per key, each cut at the page's length: an event in the first `limit` overall is
            // within the first `limit` of every key it is found under.
            let start = scanStart("d", from: fromLower)
            let scans = driver.map { key in
                "(SELECT \(columns) FROM facets d WHERE d.name = \(bind(.text(key)))\(filter)\(start) ORDER BY \(timelineOrder("d")) LIMIT \(limit))"
            }
            inner = Self.merged(scans, distinct: scans.count > 1, order: timelineOrder("u"), limit: limit)
        } else if search == nil && referencedIDs == nil {
            // One ordered scan per span class, each from where an event of its class could first overlap `from`.
            let scans = (0..<Int64(SpanClass.count)).map { spanClass in
                let start: String
                if spanClass < SpanClass.limits.count, let fromLower {
                    start = " AND e.lower_day >= \(bind(.int64(fromLower - SpanClass.limits[Int(spanClass)])))"
                } else {
                    start = scanStart("e", from: fromLower)
                }
                return "(SELECT \(columns) FROM events e WHERE e.span_class = \(spanClass)\(filter)\(start) ORDER BY \(timelineOrder("e")) LIMIT \(limit))"
            }
            inner = Self.merged(scans, distinct: false, order: timelineOrder("u"), limit: limit)
        } else {
            inner = "(SELECT \(columns) FROM events e WHERE true\(filter)\(scanStart("e", from: fromLower)) ORDER BY \(timelineOrder("e")) LIMIT \(limit))"
        }
        // A retracted event's retraction (its head revision) is looked up for that row only: a join would probe
        // `events` for every row of the page and drop the answer.
        let head = { (column: String) in
            "CASE WHEN k.retracted THEN (SELECT h.\(column) FROM events he JOIN revisions h ON h.event = he.event AND h.revision = he.head_revision WHERE he.event = k.event) END"
        }
        sql = """
            SELECT k.lower_day, k.upper_day, k.id, c.seq, c.record, k.retracted,
                \(head("seq")), \(head("retraction")), \(head("recorded")), \(head("revision"))
            FROM \(inner) k
            JOIN revisions c ON c.event = k.event AND c.revision = k.content_revision
            ORDER BY k.lower_day \(order), k.upper_day \(order), k.id \(order)
            """
    }

    /// Where a scan of events of every span must start to find all that overlap `fromLower`: while every stored
    /// event has two finite bounds, none that overlaps it starts before `fromLower - max_span` (the longest span
    /// stored). (Day numbers stay within ±10¹², so the subtraction cannot overflow.)
    private mutating func scanStart(_ alias: String, from fromLower: Int64?) -> String {
        guard let fromLower else { return "" }
        return " AND \(alias).lower_day >= COALESCE((SELECT \(bind(.int64(fromLower)))::int8 - max_span FROM log_head WHERE open_ended = 0), \(bind(.int64(Int64.min)))::int8)"
    }

    /// Ordered scans merged into one, in timeline order, at most `limit` rows; `distinct`: an event found by
    /// two scans is kept once.
    private static func merged(_ scans: [String], distinct: Bool, order: String, limit: String) -> String {
        if scans.count == 1 { return scans[0] }
        return """
            (SELECT \(distinct ? "DISTINCT ON (u.lower_day, u.upper_day, u.id) " : "")u.* FROM (\(scans.joined(separator: " UNION ALL "))) u
             ORDER BY \(order) LIMIT \(limit))
            """
    }

    /// Adds a parameter and returns its placeholder.
    private mutating func bind(_ value: PGValue) -> String {
        parameters.append(value)
        return "$\(parameters.count)"
    }
}
