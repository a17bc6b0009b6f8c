import AnnalsCore
import AnnalsStore
import Synchronization

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
///
/// The text depends only on the query's `Shape` (which filters it has, how many keys drive it), so it is built
/// once per shape and kept (building it was 8% of annalsd's CPU for an actor page); the values are read from
/// each query into the `Parameter`s that text names.
struct TimelineSQL {
    let sql: String
    let parameters: [PGValue]

    /// Columns of each row: lower, upper, id, content seq, record; with `includeRetracted` also retracted, head
    /// seq, retraction reason, retraction recorded, retraction revision (without it, no row is retracted).
    /// - Parameters:
    ///   - search: the query's search, read (`TimelineQuery.checked`).
    ///   - referencedIDs: for `referencedBy`, the ids that event refers to (empty when it is unknown).
    init(query: TimelineQuery, search: SearchQuery?, referencedIDs: [String]?) throws(StoreError) {
        let values = try Values(query: query, search: search, referencedIDs: referencedIDs)
        let text = Self.texts.withLock { $0[values.shape] } ?? {
            let built = Text(values.shape)
            Self.texts.withLock { texts in
                if texts.count >= Self.maxTexts { texts.removeAll() }
                texts[values.shape] = built
            }
            return built
        }()
        sql = text.sql
        parameters = text.parameters.map(values.value)
    }

    private static let texts = Mutex<[Shape: Text]>([:])
    /// Shapes kept at most (a query with many actors is a shape of its own).
    private static let maxTexts = 256

    /// What the statement's text depends on.
    struct Shape: Hashable {
        /// The number of keys of the driving facet group, nil without a facet filter.
        var driverKeys: Int?
        /// The number of facet groups checked beside the driving one (actors with `allActors`, tags, references).
        var checkedGroups: Int
        var search: Bool
        var referencedIDs: Bool
        var kinds: Bool
        var includeRetracted: Bool
        /// A finite `from` and `to` bound.
        var from: Bool
        var to: Bool
        var cursor: Bool
        var reverse: Bool
    }

    /// A value the text binds, by what it is.
    enum Parameter: Hashable {
        case limit
        case driverKey(Int)
        case checkedGroup(Int)
        case tsquery
        case referencedIDs
        case kinds
        case fromLower
        /// Where span class `k`'s scan starts: `fromLower` less the class's longest span.
        case spanStart(Int)
        case toUpper
        case cursorLower, cursorUpper, cursorID
        case smallestDay
    }

    /// The query's values, read once.
    private struct Values {
        var shape: Shape
        var driver: [String] = []
        var checkedGroups: [[String]] = []
        var tsquery = ""
        var referencedIDs: [String] = []
        var kinds: [Int64] = []
        var fromLower: Int64 = 0
        var toUpper: Int64 = 0
        var cursor = TimelinePosition(lower: 0, upper: 0, id: "")
        var limit: Int64

        init(query: TimelineQuery, search: SearchQuery?, referencedIDs: [String]?) throws(StoreError) {
            var facetGroups: [[String]] = []
            if !query.actors.isEmpty {
                let perActor = query.actors.map(Facets.actorKeys)
                if query.allActors { facetGroups += perActor } else { facetGroups.append(perActor.flatMap { $0 }) }
            }
            if !query.tags.isEmpty { facetGroups.append(query.tags.map(Facets.tag)) }
            if let references = query.references { facetGroups.append([Facets.reference(references)]) }
            if let first = facetGroups.first {
                var seen = Set<String>()
                driver = first.filter { seen.insert($0).inserted }
                checkedGroups = Array(facetGroups.dropFirst())
            }
            tsquery = search?.tsquery ?? ""
            self.referencedIDs = referencedIDs ?? []
            kinds = query.kinds.map { Int64($0.code) }
            var from: Int64?
            if let date = query.from, case let lower = DayBounds.of(date).lower, lower != DayBounds.openLower { from = lower }
            var to: Int64?
            if let date = query.to, case let upper = DayBounds.of(date).upper, upper != DayBounds.openUpper { to = upper }
            let cursor = try query.cursor.map { (text) throws(StoreError) in try TimelinePosition(cursor: text) }
            fromLower = from ?? 0
            toUpper = to ?? 0
            if let cursor { self.cursor = cursor }
            limit = Int64(query.limit) + 1
            shape = Shape(driverKeys: facetGroups.isEmpty ? nil : driver.count, checkedGroups: checkedGroups.count,
                          search: search != nil, referencedIDs: referencedIDs != nil, kinds: !kinds.isEmpty,
                          includeRetracted: query.includeRetracted, from: from != nil, to: to != nil,
                          cursor: cursor != nil, reverse: query.reverse)
        }

        func value(_ parameter: Parameter) -> PGValue {
            switch parameter {
            case .limit: .int64(limit)
            case .driverKey(let index): .text(driver[index])
            case .checkedGroup(let index): .textArray(checkedGroups[index])
            case .tsquery: .text(tsquery)
            case .referencedIDs: .textArray(referencedIDs)
            case .kinds: .int64Array(kinds)
            case .fromLower: .int64(fromLower)
            case .spanStart(let spanClass): .int64(fromLower - SpanClass.limits[spanClass])
            case .toUpper: .int64(toUpper)
            case .cursorLower: .int64(cursor.lower)
            case .cursorUpper: .int64(cursor.upper)
            case .cursorID: .text(cursor.id)
            case .smallestDay: .int64(Int64.min)
            }
        }
    }

    /// The statement's text for a shape, and the parameters it binds in placeholder order.
    private struct Text {
        private(set) var sql = ""
        private(set) var parameters: [Parameter] = []

        init(_ shape: Shape) {
            // `d`: a facets row (its event's bounds, id, number, shown revision, kind, retraction flag); `e`: an events row.
            let t = shape.driverKeys == nil ? "e" : "d"
            var conditions: [String] = []
            for group in 0..<shape.checkedGroups {
                conditions.append("""
                    EXISTS (SELECT 1 FROM facets o WHERE o.name = ANY(\(bind(.checkedGroup(group)))::text[])
                        AND o.lower_day = d.lower_day AND o.upper_day = d.upper_day AND o.id = d.id)
                    """)
            }
            if shape.search {
                let tsquery = bind(.tsquery)
                conditions.append(shape.driverKeys == nil ? "e.search @@ \(tsquery)::tsquery"
                                  : "EXISTS (SELECT 1 FROM events s WHERE s.event = d.event AND s.search @@ \(tsquery)::tsquery)")
            }
            if shape.referencedIDs { conditions.append("\(t).id = ANY(\(bind(.referencedIDs))::text[])") }
            if shape.kinds { conditions.append("\(t).kind = ANY(\(bind(.kinds))::int8[])") }
            if !shape.includeRetracted { conditions.append("NOT \(t).retracted") }
            if shape.from { conditions.append("\(t).upper_day >= \(bind(.fromLower))") }
            if shape.to { conditions.append("\(t).lower_day <= \(bind(.toUpper))") }
            if shape.cursor {
                conditions.append("(\(t).lower_day, \(t).upper_day, \(t).id) \(shape.reverse ? "<" : ">") (\(bind(.cursorLower)), \(bind(.cursorUpper)), \(bind(.cursorID)))")
            }
            let order = shape.reverse ? "DESC" : "ASC"
            let limit = bind(.limit)
            let filter = conditions.isEmpty ? "" : " AND " + conditions.joined(separator: " AND ")
            let columns = "lower_day, upper_day, id, content_revision, retracted, event"
            let timelineOrder = { (alias: String) in "\(alias).lower_day \(order), \(alias).upper_day \(order), \(alias).id \(order)" }
            let inner: String
            if let driverKeys = shape.driverKeys {
                // One ordered scan per key, each cut at the page's length: an event in the first `limit` overall is
                // within the first `limit` of every key it is found under.
                let start = scanStart("d", shape)
                let scans = (0..<driverKeys).map { key in
                    "(SELECT \(columns) FROM facets d WHERE d.name = \(bind(.driverKey(key)))\(filter)\(start) ORDER BY \(timelineOrder("d")) LIMIT \(limit))"
                }
                inner = Self.merged(scans, distinct: scans.count > 1, order: timelineOrder("u"), limit: limit)
            } else if !shape.search && !shape.referencedIDs {
                // One ordered scan per span class, each from where an event of its class could first overlap `from`.
                let scans = (0..<SpanClass.count).map { spanClass in
                    let start = spanClass < SpanClass.limits.count && shape.from
                        ? " AND e.lower_day >= \(bind(.spanStart(spanClass)))" : scanStart("e", shape)
                    return "(SELECT \(columns) FROM events e WHERE e.span_class = \(spanClass)\(filter)\(start) ORDER BY \(timelineOrder("e")) LIMIT \(limit))"
                }
                inner = Self.merged(scans, distinct: false, order: timelineOrder("u"), limit: limit)
            } else {
                inner = "(SELECT \(columns) FROM events e WHERE true\(filter)\(scanStart("e", shape)) ORDER BY \(timelineOrder("e")) LIMIT \(limit))"
            }
            // A retracted event's retraction (its head revision) is looked up for that row only: a join would probe
            // `events` for every row of the page and drop the answer.
            let head = { (column: String) in
                "CASE WHEN k.retracted THEN (SELECT h.\(column) FROM events he JOIN revisions h ON h.event = he.event AND h.revision = he.head_revision WHERE he.event = k.event) END"
            }
            let retraction = shape.includeRetracted
                ? ", k.retracted, \(head("seq")), \(head("retraction")), \(head("recorded")), \(head("revision"))" : ""
            sql = """
                SELECT k.lower_day, k.upper_day, k.id, c.seq, c.record\(retraction)
                FROM \(inner) k
                JOIN revisions c ON c.event = k.event AND c.revision = k.content_revision
                ORDER BY k.lower_day \(order), k.upper_day \(order), k.id \(order)
                """
        }

        /// Where a scan of events of every span must start to find all that overlap `from`: while every stored
        /// event has two finite bounds, none that overlaps it starts before `from - max_span` (the longest span
        /// stored). (Day numbers stay within ±10¹², so the subtraction cannot overflow.)
        private mutating func scanStart(_ alias: String, _ shape: Shape) -> String {
            guard shape.from else { return "" }
            return " AND \(alias).lower_day >= COALESCE((SELECT \(bind(.fromLower))::int8 - max_span FROM log_head WHERE open_ended = 0), \(bind(.smallestDay))::int8)"
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

        /// The placeholder of `parameter`, added at its first use.
        private mutating func bind(_ parameter: Parameter) -> String {
            if let index = parameters.firstIndex(of: parameter) { return "$\(index + 1)" }
            parameters.append(parameter)
            return "$\(parameters.count)"
        }
    }
}
