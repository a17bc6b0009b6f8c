import AnnalsCore

/// Maps rows of GDELT event exports (`*.export.CSV`: tab-separated, no header) to events.
///
/// The columns are those of the GDELT 2.0 Event Codebook (61) and of the GDELT 1.0 data format
/// documentation (57, and 58 in the daily files since April 2013, which add SOURCEURL); 2.0 adds an
/// ADM2Code to each of the three geographies. A row's version is told by its column count. A header
/// row (first field `GLOBALEVENTID`, as BigQuery exports have) is skipped.
///
/// | Annals | GDELT |
/// | --- | --- |
/// | id | `gdelt-` + GLOBALEVENTID |
/// | date | SQLDATE (YYYYMMDD) as a day |
/// | kind | EventCode through `Cameo.kind(of:)` |
/// | title | Actor1Name, the EventCode's verb, Actor2Name (names in capitals are title-cased) |
/// | actors | Actor1 (role `source`), Actor2 (`target`): name, code Actor1CountryCode (else Actor1Code) |
/// | places | ActionGeo_FullName, Actor1Geo_FullName, Actor2Geo_FullName |
/// | tags | `gdelt`, `cameo:<EventCode>`, `quad:<QuadClass name>` |
/// | summary | the CAMEO name, Goldstein scale, quad class, average tone, mentions, sources, articles, the actors' full CAMEO codes, the action's coordinates |
/// | sources | SOURCEURL when it is an http(s) URL; otherwise (e.g. "BBC Monitoring") it is named in the summary |
public struct GDELTMapper: RowMapper {
    /// GDELT 2.0's columns, in file order.
    public static let columns2: [String] = head + geography("Actor1", adm2: true) + geography("Actor2", adm2: true)
        + geography("Action", adm2: true) + ["DATEADDED", "SOURCEURL"]
    /// GDELT 1.0's columns, in file order; files before April 2013 stop before SOURCEURL (57 columns).
    public static let columns1: [String] = head + geography("Actor1", adm2: false) + geography("Actor2", adm2: false)
        + geography("Action", adm2: false) + ["DATEADDED", "SOURCEURL"]

    private static let actorFields = [
        "Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code", "Religion2Code",
        "Type1Code", "Type2Code", "Type3Code",
    ]
    private static let head: [String] = ["GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate"]
        + actorFields.map { "Actor1" + $0 } + actorFields.map { "Actor2" + $0 }
        + ["IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
           "NumMentions", "NumSources", "NumArticles", "AvgTone"]

    private static func geography(_ prefix: String, adm2: Bool) -> [String] {
        ["Type", "FullName", "CountryCode", "ADM1Code"].map { "\(prefix)Geo_\($0)" }
            + (adm2 ? ["\(prefix)Geo_ADM2Code"] : [])
            + ["Lat", "Long", "FeatureID"].map { "\(prefix)Geo_\($0)" }
    }

    /// Where each column this mapper reads is, for one version.
    private struct Layout {
        let columns: [String]
        init(_ columns: [String]) { self.columns = columns }
        subscript(name: String) -> Int { columns.firstIndex(of: name) ?? -1 }
    }

    private static let layout2 = Layout(columns2)
    private static let layout1 = Layout(columns1)

    /// The quad classes' names (QuadClass 1–4).
    static let quadClasses = ["verbal cooperation", "material cooperation", "verbal conflict", "material conflict"]

    public init() {}

    public mutating func map(_ record: DelimitedRecord) throws -> ImportedRow? {
        if record[0].uppercased() == "GLOBALEVENTID" { return nil }
        let layout: Layout
        switch record.count {
        case 61: layout = Self.layout2
        case 57, 58: layout = Self.layout1
        default:
            throw EventError(.malformedLine, "\(record.count) columns; GDELT event rows have 57 or 58 (GDELT 1.0) or 61 (GDELT 2.0)")
        }
        guard record.isValidUTF8 else { throw EventError(.invalidUTF8, "the row is not valid UTF-8") }
        func field(_ name: String) -> String? { FieldText.present(record[layout[name]]) }

        let globalID = record[0]
        guard !globalID.isEmpty, globalID.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw EventError(.invalidID, field: "GLOBALEVENTID", "'\(globalID.prefix(40))' is not a GDELT event id (digits)")
        }
        let sqlDate = record[layout["SQLDATE"]]
        guard let day = FieldText.day(compact: sqlDate) else {
            throw EventError(.malformedDate, field: "SQLDATE", "'\(sqlDate.prefix(40))' is not a day (YYYYMMDD)")
        }
        let code = record[layout["EventCode"]]
        guard Cameo.isEventCode(code) else {
            throw EventError(.malformedLine, field: "EventCode", "'\(code.prefix(40))' is not a CAMEO event code (2 to 4 digits, root 01–20)")
        }

        var codes = Set<String>()
        var actors: [Actor] = []
        var names: [String?] = []
        var fullCodes: [String] = []
        for (prefix, role) in [("Actor1", "source"), ("Actor2", "target")] {
            let parts = Self.actorFields.filter { $0 != "Name" }.compactMap { field(prefix + $0) }
            codes.formUnion(parts)
            let fullCode = field(prefix + "Code"), country = field(prefix + "CountryCode")
            guard let name = field(prefix + "Name").map(FieldText.titleCased) ?? fullCode else {
                names.append(nil)
                continue
            }
            names.append(name)
            // The country code, so `--actor JPN` finds Japan's government as well as Japan; the full
            // CAMEO code (JPNGOV) when there is no country (UNO, an IGO).
            let actorCode = [country, fullCode].compactMap { $0 }.first(where: Self.isActorCode)
            if let fullCode { fullCodes.append(fullCode) }
            if let index = actors.firstIndex(where: { Text.foldedKey($0.name) == Text.foldedKey(name) }) {
                actors[index].role = "source and target"
            } else {
                actors.append(Actor(name: name, code: actorCode, role: role))
            }
        }

        var summary = SummaryText()
        summary.add(Cameo.name(of: code).map { "CAMEO \(code): \($0)." })
        var figures: [String] = []
        if let text = field("GoldsteinScale") {
            guard let value = FieldText.number(text) else {
                throw EventError(.wrongType, field: "GoldsteinScale", "'\(text.prefix(40))' is not a number")
            }
            figures.append("Goldstein scale \(FieldText.rounded(value, places: 1))")
        }
        var tags = ["gdelt", "cameo:\(code)"]
        if let text = field("QuadClass") {
            guard let quad = Int(text), (1...4).contains(quad) else {
                throw EventError(.wrongType, field: "QuadClass", "'\(text.prefix(40))' is not a quad class (1 to 4)")
            }
            figures.append("quad class \(quad) (\(Self.quadClasses[quad - 1]))")
            tags.append(FieldText.tag("quad", Self.quadClasses[quad - 1]))
        }
        if let text = field("AvgTone") {
            guard let value = FieldText.number(text) else {
                throw EventError(.wrongType, field: "AvgTone", "'\(text.prefix(40))' is not a number")
            }
            figures.append("average tone \(FieldText.rounded(value, places: 2))")
        }
        if !figures.isEmpty { summary.add(figures.joined(separator: ", ").capitalizedFirst + ".") }
        let counts = [("NumMentions", "mention"), ("NumSources", "source"), ("NumArticles", "article")].compactMap { name, noun -> String? in
            guard let text = field(name), let n = Int(text) else { return nil }
            return "\(n) \(noun)\(n == 1 ? "" : "s")"
        }
        if !counts.isEmpty { summary.add("Seen in " + counts.joined(separator: ", ") + ".") }
        if !fullCodes.isEmpty { summary.add("CAMEO actor codes: " + fullCodes.joined(separator: ", ") + ".") }
        let place = field("ActionGeo_FullName")
        if let lat = field("ActionGeo_Lat"), let long = field("ActionGeo_Long"),
           FieldText.number(lat) != nil, FieldText.number(long) != nil {
            summary.add("Action at \(place.map { $0 + " " } ?? "")(\(lat), \(long)).")
        }
        var sources: [Source] = []
        if let url = record.count > layout["SOURCEURL"] ? field("SOURCEURL") : nil {
            let lower = url.lowercased()
            if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
                sources.append(Source(url: url))
            } else {
                summary.add("Source: \(url).")
            }
        }

        var places: [String] = []
        for case let name? in [place, field("Actor1Geo_FullName"), field("Actor2Geo_FullName")]
        where !places.contains(where: { Text.foldedKey($0) == Text.foldedKey(name) }) {
            places.append(name)
        }

        let event = Event(
            id: "gdelt-" + globalID, date: try FieldText.date(day, field: "SQLDATE"), kind: Cameo.kind(of: code),
            title: Cameo.title(code: code, source: names[0], target: names[1]).capitalizedFirst,
            summary: summary.text, actors: actors, places: places, tags: tags, sources: sources
        )
        return ImportedRow(event: event, actorCodes: codes, cameoCode: code)
    }

    /// Whether `code` is a valid Annals actor code (1–16 of A–Z, 0–9, -).
    static func isActorCode(_ code: String) -> Bool {
        (1...16).contains(code.utf8.count) && code.utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }
}

extension String {
    /// The text with its first letter in upper case.
    var capitalizedFirst: String {
        guard let first else { return self }
        return first.uppercased() + dropFirst()
    }
}
