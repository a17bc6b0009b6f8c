import AnnalsCore

/// Maps rows of ICEWS coded event data (the Dataverse `events.*.tab` files: tab-separated, a header row
/// naming the 20 columns, "NA" for a missing value) to events. With a header, columns are found by
/// name; without one, the documented order is assumed.
///
/// | Annals | ICEWS |
/// | --- | --- |
/// | id | `icews-` + Event ID |
/// | date | Event Date (YYYY-MM-DD) as a day |
/// | kind | CAMEO Code through `Cameo.kind(of:)` |
/// | title | Source Name, the CAMEO Code's verb, Target Name |
/// | actors | Source Name (role `source`), Target Name (`target`), each coded with the ISO alpha-3 code of its Source/Target Country |
/// | places | City, District, Province, Country, as one place |
/// | tags | `icews`, `cameo:<CAMEO Code>`, `quad:<quad class of the root code>` |
/// | summary | the CAMEO name, Intensity, the sectors, Publisher, Story ID and Sentence Number, Latitude and Longitude |
///
/// ICEWS gives no source URL: the publisher is named in the summary.
public struct ICEWSMapper: RowMapper {
    /// The columns of ICEWS coded event data, in file order.
    public static let columns = [
        "Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country", "Event Text", "CAMEO Code",
        "Intensity", "Target Name", "Target Sectors", "Target Country", "Story ID", "Sentence Number", "Publisher",
        "City", "District", "Province", "Country", "Latitude", "Longitude",
    ]

    /// The columns in this file's order (its header's, else the documented one).
    private var columns = ICEWSMapper.columns
    private var index: [String: Int] = Dictionary(uniqueKeysWithValues: ICEWSMapper.columns.enumerated().map { ($1, $0) })
    private var started = false

    public init() {}

    public mutating func map(_ record: DelimitedRecord) throws -> ImportedRow? {
        guard record.isValidUTF8 else { throw EventError(.invalidUTF8, "the row is not valid UTF-8") }
        // A header: the first line naming an "Event ID" column, or a repeated one (files joined by `cat`).
        let header = started && record[0] != "Event ID" ? [] : record.fields.map { $0.trimmingSpaces.trimmingByteOrderMark }
        started = true
        if header.contains("Event ID") {
            let missing = Self.columns.filter { !header.contains($0) }
            guard missing.isEmpty else {
                throw ImportError("the header has no column \(missing.map { "'\($0)'" }.joined(separator: ", ")): not ICEWS coded event data")
            }
            columns = header
            index = Dictionary(header.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            return nil
        }
        guard record.count == columns.count else {
            throw EventError(.malformedLine, "\(record.count) columns; ICEWS event rows have \(columns.count)")
        }
        func field(_ name: String) -> String? {
            index[name].flatMap { FieldText.present(record[$0], missing: ["NA"]) }
        }

        guard let eventID = field("Event ID"), eventID.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw EventError(.invalidID, field: "Event ID", "'\(record[index["Event ID"] ?? 0].prefix(40))' is not an ICEWS event id (digits)")
        }
        let dateText = field("Event Date") ?? ""
        guard let day = FieldText.day(iso: dateText) ?? FieldText.day(compact: dateText) else {
            throw EventError(.malformedDate, field: "Event Date", "'\(dateText.prefix(40))' is not a day (YYYY-MM-DD)")
        }
        let code = field("CAMEO Code") ?? ""
        guard Cameo.isEventCode(code) else {
            throw EventError(.malformedLine, field: "CAMEO Code", "'\(code.prefix(40))' is not a CAMEO event code (2 to 4 digits, root 01–20)")
        }

        var codes = Set<String>()
        var actors: [Actor] = []
        let source = field("Source Name"), target = field("Target Name")
        for (name, countryColumn, role) in [(source, "Source Country", "source"), (target, "Target Country", "target")] {
            guard let name else { continue }
            let country = field(countryColumn).flatMap(CountryCodes.code(forName:))
            if let country { codes.insert(country) }
            if let index = actors.firstIndex(where: { Text.foldedKey($0.name) == Text.foldedKey(name) }) {
                actors[index].role = "source and target"
            } else {
                actors.append(Actor(name: name, code: country, role: role))
            }
        }

        var summary = SummaryText()
        summary.add(Cameo.name(of: code).map { "CAMEO \(code): \($0)." } ?? field("Event Text").map { "\($0)." })
        if let text = field("Intensity") {
            guard let value = FieldText.number(text) else {
                throw EventError(.wrongType, field: "Intensity", "'\(text.prefix(40))' is not a number")
            }
            summary.add("Intensity \(FieldText.rounded(value, places: 1)).")
        }
        let sectors = [("Source", field("Source Sectors")), ("target", field("Target Sectors"))].compactMap { who, list in
            list.map { "\(who) sectors: " + $0.split(separator: ",").map { String($0).trimmingSpaces }.joined(separator: ", ") }
        }
        if !sectors.isEmpty { summary.add(sectors.joined(separator: "; ").capitalizedFirst + ".") }
        if let publisher = field("Publisher") {
            let story = [field("Story ID").map { "story \($0)" }, field("Sentence Number").map { "sentence \($0)" }].compactMap { $0 }
            summary.add("Published by \(publisher)\(story.isEmpty ? "" : " (" + story.joined(separator: ", ") + ")").")
        }
        if let lat = field("Latitude"), let long = field("Longitude"), FieldText.number(lat) != nil, FieldText.number(long) != nil {
            summary.add("At (\(lat), \(long)).")
        }

        let quad = Cameo.quadClass(of: code)
        let event = Event(
            id: "icews-" + eventID, date: try FieldText.date(day, field: "Event Date"), kind: Cameo.kind(of: code),
            title: Cameo.title(code: code, source: source, target: target).capitalizedFirst,
            summary: summary.text, actors: actors,
            places: FieldText.place([field("City"), field("District"), field("Province"), field("Country")]).map { [$0] } ?? [],
            tags: ["icews", "cameo:\(code)", FieldText.tag("quad", GDELTMapper.quadClasses[quad - 1])]
        )
        return ImportedRow(event: event, actorCodes: codes, cameoCode: code)
    }
}

extension String {
    /// Without a leading UTF-8 byte order mark (spreadsheet exports start with one).
    var trimmingByteOrderMark: String {
        hasPrefix("\u{FEFF}") ? String(dropFirst()) : self
    }
}
