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
/// once), the other filters checked on the way; without one, the events' chronological index is read, and the
/// planner may prefer the search's GIN index for a rare word.
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
        if let from = query.from, case let lower = DayBounds.of(from).lower, lower != DayBounds.openLower {
            let fromLower = bind(.int64(lower))
            conditions.append("\(t).upper_day >= \(fromLower)")
            // While every stored event has two finite bounds, none that overlaps `from` starts before
            // `from - max_span` (the longest span stored): the index is read from there.
            // (Day numbers stay within ±10¹², so the subtraction cannot overflow.)
            conditions.append("\(t).lower_day >= COALESCE((SELECT \(fromLower)::int8 - max_span FROM log_head WHERE open_ended = 0), \(bind(.int64(Int64.min)))::int8)")
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
        let inner: String
        if let driver {
            // One ordered scan per key, each cut at the page's length: an event in the first `limit` overall is
            // within the first `limit` of every key it is found under.
            let scans = driver.map { key in
                "(SELECT \(columns) FROM facets d WHERE d.name = \(bind(.text(key)))\(filter) ORDER BY d.lower_day \(order), d.upper_day \(order), d.id \(order) LIMIT \(limit))"
            }
            inner = scans.count == 1 ? scans[0] : """
                (SELECT DISTINCT ON (u.lower_day, u.upper_day, u.id) u.* FROM (\(scans.joined(separator: " UNION ALL "))) u
                 ORDER BY u.lower_day \(order), u.upper_day \(order), u.id \(order) LIMIT \(limit))
                """
        } else {
            inner = "(SELECT \(columns) FROM events e WHERE true\(filter) ORDER BY e.lower_day \(order), e.upper_day \(order), e.id \(order) LIMIT \(limit))"
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

    /// Adds a parameter and returns its placeholder.
    private mutating func bind(_ value: PGValue) -> String {
        parameters.append(value)
        return "$\(parameters.count)"
    }
}
