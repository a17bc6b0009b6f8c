import AnnalsCore
import AnnalsStore

/// One statement for a timeline page: the events that pass every filter of a `TimelineQuery`, in (lower, upper,
/// id) order from the cursor on, at most one past the page, each with the stored record of the revision it
/// shows and, for a retracted event, its retraction. Values are always bound, never spliced.
///
/// Filters mean what they mean in the SQLite engine: actors (any, or all with `allActors`) by folded name or
/// code, any of the tags, the references facet, kinds, the date range overlapping the event's bounds, the
/// search, `referencedBy` as the ids that event refers to. PostgreSQL's planner picks the access path (the
/// chronological index, a facet's index or the search's GIN index) from its statistics.
struct TimelineSQL {
    private(set) var sql = ""
    private(set) var parameters: [PGValue] = []

    /// Columns of each row: lower, upper, id, content seq, record, retracted, head seq, retraction reason,
    /// retraction recorded, retraction revision.
    /// - Parameters:
    ///   - search: the query's search, read (`TimelineQuery.checked`).
    ///   - referencedIDs: for `referencedBy`, the ids that event refers to (empty when it is unknown).
    init(query: TimelineQuery, search: SearchQuery?, referencedIDs: [String]?) throws(StoreError) {
        var conditions: [String] = []
        var facetGroups: [[String]] = []
        if !query.actors.isEmpty {
            let perActor = query.actors.map { [Facets.actorName($0), Facets.actorCode($0)] }
            if query.allActors { facetGroups += perActor } else { facetGroups.append(perActor.flatMap { $0 }) }
        }
        if !query.tags.isEmpty { facetGroups.append(query.tags.map(Facets.tag)) }
        if let references = query.references { facetGroups.append([Facets.reference(references)]) }
        for group in facetGroups {
            conditions.append("EXISTS (SELECT 1 FROM facets f WHERE f.event = e.event AND f.name = ANY(\(bind(.textArray(group)))::text[]))")
        }
        if let search { conditions.append("e.search @@ \(bind(.text(search.tsquery)))::tsquery") }
        if let referencedIDs { conditions.append("e.id = ANY(\(bind(.textArray(referencedIDs)))::text[])") }
        if !query.kinds.isEmpty { conditions.append("e.kind = ANY(\(bind(.int64Array(query.kinds.map { Int64($0.code) })))::int8[])") }
        if !query.includeRetracted { conditions.append("NOT e.retracted") }
        if let from = query.from, case let lower = DayBounds.of(from).lower, lower != DayBounds.openLower {
            let fromLower = bind(.int64(lower))
            conditions.append("e.upper_day >= \(fromLower)")
            // While every stored event has two finite bounds, none that overlaps `from` starts before
            // `from - max_span` (the longest span stored): the chronological index is read from there.
            // (Day numbers stay within ±10¹², so the subtraction cannot overflow.)
            conditions.append("e.lower_day >= COALESCE((SELECT \(fromLower)::int8 - max_span FROM log_head WHERE open_ended = 0), \(bind(.int64(Int64.min)))::int8)")
        }
        if let to = query.to, case let upper = DayBounds.of(to).upper, upper != DayBounds.openUpper {
            conditions.append("e.lower_day <= \(bind(.int64(upper)))")
        }
        if let cursor = try query.cursor.map({ (text) throws(StoreError) in try TimelinePosition(cursor: text) }) {
            conditions.append("(e.lower_day, e.upper_day, e.id) \(query.reverse ? "<" : ">") (\(bind(.int64(cursor.lower))), \(bind(.int64(cursor.upper))), \(bind(.text(cursor.id))))")
        }
        let order = query.reverse ? "DESC" : "ASC"
        let limit = bind(.int64(Int64(query.limit) + 1))
        sql = """
            SELECT k.lower_day, k.upper_day, k.id, k.content, c.record, k.retracted, h.seq, h.retraction, h.recorded, h.revision
            FROM (SELECT e.lower_day, e.upper_day, e.id, e.content, e.head, e.retracted FROM events e
                  WHERE \(conditions.isEmpty ? "true" : conditions.joined(separator: " AND "))
                  ORDER BY e.lower_day \(order), e.upper_day \(order), e.id \(order) LIMIT \(limit)) k
            JOIN revisions c ON c.seq = k.content
            LEFT JOIN revisions h ON k.retracted AND h.seq = k.head
            ORDER BY k.lower_day \(order), k.upper_day \(order), k.id \(order)
            """
    }

    /// Adds a parameter and returns its placeholder.
    private mutating func bind(_ value: PGValue) -> String {
        parameters.append(value)
        return "$\(parameters.count)"
    }
}
