import AnnalsCore

/// Maps rows of ACLED exports (comma-separated, quoted fields, a header row) to events. Columns are
/// found by their header names, so older exports (with `data_id`, `iso3`) and newer ones (with
/// `disorder_type`, `civilian_targeting`, `tags`) read alike; only `event_id_cnty` and `event_date`
/// are required.
///
/// | Annals | ACLED |
/// | --- | --- |
/// | id | `acled-` + event_id_cnty |
/// | date | event_date, by time_precision: 1 the day, 2 the day marked uncertain (`2023-02-16?`), 3 its month |
/// | kind | Battles and Explosions/Remote violence → war; Strategic developments/Agreement → agreement; the rest other |
/// | title | sub_event_type with actor1, actor2 and the location: "Armed clash between A and B in Khartoum" |
/// | actors | actor1 (role `source`), assoc_actor_1 (`associated with source`), actor2 (`target`), assoc_actor_2 (`associated with target`), coded with the ISO alpha-3 code of the country their name gives |
/// | places | location, admin3, admin2, admin1, country, as one place |
/// | tags | `acled`, `disorder-type:…`, `event-type:…`, `sub-event-type:…`, `civilian-targeting` |
/// | summary | notes, fatalities, source and source_scale, interaction codes, ACLED's tags, coordinates |
///
/// ACLED names its sources but gives no URL: they are named in the summary.
public struct ACLEDMapper: RowMapper {
    /// The columns of an ACLED export since March 2023, in file order (older exports differ; columns are
    /// read by name).
    public static let columns = [
        "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
        "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
        "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
        "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
    ]

    /// Column positions by name, from the header; nil until it has been read.
    private var index: [String: Int]?
    private var width = 0

    public init() {}

    public mutating func map(_ record: DelimitedRecord) throws -> ImportedRow? {
        guard let index else {
            let header = record.fields.map { $0.trimmingByteOrderMark.trimmingSpaces.lowercased() }
            guard header.contains("event_id_cnty"), header.contains("event_date") else {
                throw ImportError("line \(record.line) is not an ACLED header (it needs event_id_cnty and event_date columns): not an ACLED export")
            }
            index = Dictionary(header.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            width = header.count
            return nil
        }
        guard record.count == width else {
            throw EventError(.malformedLine, "\(record.count) fields; the header has \(width)")
        }
        guard record.isValidUTF8 else { throw EventError(.invalidUTF8, "the row is not valid UTF-8") }
        func field(_ name: String) -> String? { index[name].flatMap { FieldText.present(record[$0]) } }

        guard let eventID = field("event_id_cnty"), EventID.isValid("acled-" + eventID) else {
            throw EventError(.invalidID, field: "event_id_cnty", "'\(record[index["event_id_cnty"] ?? 0].prefix(40))' is not an ACLED event id (letters and digits, e.g. SDN12345)")
        }
        let dateText = field("event_date") ?? ""
        guard let day = FieldText.day(iso: dateText) ?? FieldText.day(dayFirst: dateText) else {
            throw EventError(.malformedDate, field: "event_date", "'\(dateText.prefix(40))' is not a day (YYYY-MM-DD or 16 May 2025)")
        }
        let edtf: String
        switch field("time_precision") {
        case nil, "1": edtf = day
        case "2": edtf = day + "?"
        case "3": edtf = String(day.prefix(7))
        case let other?:
            throw EventError(.malformedDate, field: "time_precision", "'\(other.prefix(40))' is not a time precision (1, 2 or 3)")
        }

        var codes = Set<String>()
        var actors: [Actor] = []
        func add(_ name: String, _ role: String) {
            guard !actors.contains(where: { Text.foldedKey($0.name) == Text.foldedKey(name) }) else { return }
            let code = CountryCodes.code(inActorName: name)
            if let code { codes.insert(code) }
            actors.append(Actor(name: name, code: code, role: role))
        }
        let actor1 = field("actor1"), actor2 = field("actor2")
        if let actor1 { add(actor1, "source") }
        if let actor2 { add(actor2, "target") }
        for (column, role) in [("assoc_actor_1", "associated with source"), ("assoc_actor_2", "associated with target")] {
            for name in (field(column) ?? "").split(separator: ";") {
                if let name = FieldText.present(String(name)) { add(name, role) }
            }
        }

        let eventType = field("event_type"), subEventType = field("sub_event_type")
        let location = field("location")
        var tags = ["acled"]
        for (prefix, value) in [("disorder-type", field("disorder_type")), ("event-type", eventType), ("sub-event-type", subEventType)] {
            if let value { tags.append(FieldText.tag(prefix, value)) }
        }
        if field("civilian_targeting") != nil { tags.append("civilian-targeting") }

        var summary = SummaryText()
        summary.add(field("notes"))
        if let text = field("fatalities") {
            guard let n = Int(text), n >= 0 else {
                throw EventError(.wrongType, field: "fatalities", "'\(text.prefix(40))' is not a number of fatalities")
            }
            summary.add("Fatalities: \(n).")
        }
        if let source = field("source") {
            summary.add("Source: \(source)\(field("source_scale").map { " (\($0.lowercased()) scale)" } ?? "").")
        }
        if let interaction = field("interaction") {
            summary.add("ACLED interaction: \(interaction).")
        }
        summary.add(field("tags").map { "ACLED tags: \($0)." })
        if let lat = field("latitude"), let long = field("longitude"), FieldText.number(lat) != nil, FieldText.number(long) != nil {
            summary.add("At (\(lat), \(long))\(field("geo_precision").map { ", geo precision \($0)" } ?? "").")
        }

        let event = Event(
            id: "acled-" + eventID, date: try FieldText.date(edtf, field: "event_date"),
            kind: Self.kind(eventType: eventType, subEventType: subEventType),
            title: Self.title(eventType: eventType, subEventType: subEventType, actor1: actor1, actor2: actor2, location: location),
            summary: summary.text, actors: actors,
            places: FieldText.place([location, field("admin3"), field("admin2"), field("admin1"), field("country")]).map { [$0] } ?? [],
            tags: tags
        )
        return ImportedRow(event: event, actorCodes: codes)
    }

    /// The Annals kind of an ACLED event type: battles and remote violence are war, agreements
    /// agreement, the rest other (Annals has no kind for protests, riots or violence against civilians).
    static func kind(eventType: String?, subEventType: String?) -> EventKind {
        switch (eventType?.lowercased(), subEventType?.lowercased()) {
        case ("battles", _), ("explosions/remote violence", _): .war
        case ("strategic developments", "agreement"): .agreement
        default: .other
        }
    }

    /// "Armed clash between A and B in Khartoum", "Peaceful protest by A in Khartoum", "Attack by A against B
    /// in Khartoum": the sub-event type (else the event type), the actors and the location.
    static func title(eventType: String?, subEventType: String?, actor1: String?, actor2: String?, location: String?) -> String {
        var title = subEventType ?? eventType ?? "Event"
        let between = eventType?.lowercased() == "battles" || subEventType?.lowercased() == "agreement"
        switch (actor1, actor2) {
        case let (a?, b?): title += between ? " between \(a) and \(b)" : " by \(a) against \(b)"
        case let (a?, nil): title += between ? " involving \(a)" : " by \(a)"
        case let (nil, b?): title += " involving \(b)"
        case (nil, nil): break
        }
        if let location { title += " in \(location)" }
        return title.capitalizedFirst
    }
}
