import AnnalsCore

/// The JSON that TimelineJS3 reads (https://timeline.knightlab.com/docs/json-format.html).
///
/// ```
/// {"title":{"text":{"headline":"…"}},"events":[{"start_date":{"year":1956,"month":10,"day":19},
///  "text":{"headline":"Soviet–Japanese Joint Declaration","text":"…"},"group":"declaration",
///  "unique_id":"1956-10-19-soviet-japanese-joint-declaration"}]}
/// ```
///
/// - `start_date` and `end_date` carry only the components the date has, as numbers (the format the
///   TimelineJS docs give; years before 1 are negative, astronomically: 1 BC is 0). A day has year,
///   month and day; a month year and month; a year only the year; a date-time also hour, minute and
///   second (in its own time zone). A decade `195X` starts in 1950 and ends in 1959, a century `19XX`
///   starts in 1900 and ends in 1999, a season starts and ends with its months (winter runs from
///   December into February of the next year). An interval runs from its first end to its last; an
///   open or unknown end is left out, and when the start is the missing end the known end is used as
///   the start.
/// - `display_date` is the `DateDisplay` text when TimelineJS could not show the date faithfully: the
///   date is uncertain or approximate, has unspecified digits, is a season, or is an interval with an
///   open or unknown end.
/// - `text.headline` is the title and `text.text` the summary, HTML-escaped because TimelineJS reads
///   them as HTML; line breaks in the summary become `<br>`. A retracted event's headline starts
///   with "[retracted]".
/// - `group` is the kind, `unique_id` the event id.
/// - `scale` is set to `cosmological` when a year lies beyond what JavaScript dates hold.
public struct TimelineJSRenderer: EventListRenderer {
    /// The headline of the title slide; no title slide when nil.
    public var title: String?
    /// The text of the title slide.
    public var subtitle: String?
    /// Indent the JSON by two spaces a level instead of writing it on one line.
    public var pretty: Bool

    public init(title: String? = nil, subtitle: String? = nil, pretty: Bool = false) {
        self.title = title
        self.subtitle = subtitle
        self.pretty = pretty
    }

    /// The TimelineJS document, newline-terminated.
    public func render(_ records: [EventRecord]) -> String {
        var members: [(String, JSONValue)] = []
        if title != nil || subtitle != nil {
            var text: [(String, JSONValue)] = []
            if let title { text.append(("headline", .string(Self.html(title)))) }
            if let subtitle { text.append(("text", .string(Self.html(subtitle)))) }
            members.append(("title", .object([("text", .object(text))])))
        }
        var cosmological = false
        var events: [JSONValue] = []
        for record in records {
            let (slide, years) = Self.slide(record)
            events.append(slide)
            if years.contains(where: { $0 < -271_820 || $0 > 275_759 }) { cosmological = true }
        }
        members.append(("events", .array(events)))
        if cosmological { members.append(("scale", .string("cosmological"))) }
        return JSONValue.object(members).text(indent: pretty ? 2 : 0) + "\n"
    }

    /// The slide of one record and the years it uses.
    static func slide(_ record: EventRecord) -> (JSONValue, [Int64]) {
        let event = record.event
        let (start, end) = dateObjects(event.date)
        var members: [(String, JSONValue)] = []
        var years: [Int64] = []
        if let start {
            members.append(("start_date", start.json))
            years.append(start.year)
        }
        if let end {
            members.append(("end_date", end.json))
            years.append(end.year)
        }
        if needsDisplayDate(event.date) {
            members.append(("display_date", .string(DateDisplay.text(event.date))))
        }
        var text: [(String, JSONValue)] = [
            ("headline", .string((record.retraction == nil ? "" : "[retracted] ") + html(event.title))),
        ]
        if let summary = event.summary { text.append(("text", .string(html(summary)))) }
        members.append(("text", .object(text)))
        members.append(("group", .string(event.kind.rawValue)))
        members.append(("unique_id", .string(event.id)))
        return (.object(members), years)
    }

    /// The components of a TimelineJS date object.
    struct DateObject: Equatable {
        var year: Int64
        var month: Int?
        var day: Int?
        var time: (hour: Int, minute: Int, second: Int)?

        static func == (a: DateObject, b: DateObject) -> Bool {
            a.year == b.year && a.month == b.month && a.day == b.day
                && a.time?.hour == b.time?.hour && a.time?.minute == b.time?.minute && a.time?.second == b.time?.second
        }

        var json: JSONValue {
            var members: [(String, JSONValue)] = [("year", .int(year))]
            if let month { members.append(("month", .int(Int64(month)))) }
            if let day { members.append(("day", .int(Int64(day)))) }
            if let time {
                members.append(("hour", .int(Int64(time.hour))))
                members.append(("minute", .int(Int64(time.minute))))
                members.append(("second", .int(Int64(time.second))))
            }
            return .object(members)
        }
    }

    /// Start and end date objects of a date; the end only when the date spans more than its start shows.
    static func dateObjects(_ date: HistoricalDate) -> (start: DateObject?, end: DateObject?) {
        guard date.isInterval else {
            let start = first(of: date)
            let end = last(of: date)
            return (start, end == start ? nil : end)
        }
        let sides = date.canonical.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard sides.count == 2 else { return (nil, nil) }
        let startDate = try? HistoricalDate(parsing: String(sides[0]))
        let endDate = try? HistoricalDate(parsing: String(sides[1]))
        switch (startDate, endDate) {
        case (let s?, let e?):
            let start = first(of: s)
            let end = last(of: e)
            return (start, end == start ? nil : end)
        case (let s?, nil):
            return (first(of: s), nil)
        case (nil, let e?):
            return (first(of: e), nil)
        case (nil, nil):
            return (nil, nil)
        }
    }

    /// Where a single date begins, at its own precision.
    private static func first(of date: HistoricalDate) -> DateObject? {
        guard let lower = date.lower else { return nil }
        switch date.precision {
        case .day: return DateObject(year: lower.year, month: lower.month, day: lower.day)
        case .datetime: return DateObject(year: lower.year, month: lower.month, day: lower.day, time: clock(date.canonical))
        case .month, .season: return DateObject(year: lower.year, month: lower.month)
        case .year, .decade, .century, .interval: return DateObject(year: lower.year)
        }
    }

    /// Where a single date ends, at its own precision.
    private static func last(of date: HistoricalDate) -> DateObject? {
        guard let upper = date.upper else { return nil }
        switch date.precision {
        case .season: return DateObject(year: upper.year, month: upper.month)
        case .decade, .century: return DateObject(year: upper.year)
        default: return first(of: date)
        }
    }

    /// Hour, minute and second of a canonical date-time.
    private static func clock(_ canonical: String) -> (hour: Int, minute: Int, second: Int)? {
        guard let t = canonical.firstIndex(of: "T") else { return nil }
        let digits = canonical[canonical.index(after: t)...].prefix(8).split(separator: ":").compactMap { Int($0) }
        guard digits.count == 3 else { return nil }
        return (digits[0], digits[1], digits[2])
    }

    /// Whether TimelineJS needs the `DateDisplay` text to show the date faithfully.
    static func needsDisplayDate(_ date: HistoricalDate) -> Bool {
        if !date.qualifiers.isEmpty || date.hasUnspecifiedDigits || date.precision == .season { return true }
        guard date.isInterval else { return false }
        if date.lower == nil || date.upper == nil || date.hasUnknownStart || date.hasUnknownEnd { return true }
        return date.canonical.split(separator: "/").contains { (try? HistoricalDate(parsing: String($0)))?.precision == .season }
    }

    /// Text made safe for HTML: `&`, `<`, `>`, `"` and `'` as entities, line breaks as `<br>`.
    static func html(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\n": out += "<br>"
            case "\r": break
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
