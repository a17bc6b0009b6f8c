import AnnalsCore

/// RFC 4180 CSV for spreadsheets: a header row, then one row per record.
///
/// Columns: `id,date,lower,upper,kind,title,summary,actors,places,tags,sources,references,revision,recorded,retracted`.
/// - `date` is the EDTF text; `lower` and `upper` are its bounds as `YYYY-MM-DD` (`-YYYY-MM-DD` before
///   year 0), empty for an open end.
/// - List fields are joined with "; ": actors as "Name (CODE, role)" (only the parts present, so
///   "Name (role)" or "Name"), sources as "URL (publisher, published)", references as "id (relation)".
/// - `revision` and `recorded` are empty when unknown; `retracted` is `true` or `false`.
///
/// Rows end with CRLF, the last one included. A field is quoted when it holds a comma, a double quote,
/// CR or LF, and quotes inside it are doubled. Text is UTF-8 without a byte order mark.
public struct CSVRenderer: EventListRenderer {
    /// The header row's fields.
    public static let header = [
        "id", "date", "lower", "upper", "kind", "title", "summary", "actors", "places", "tags", "sources",
        "references", "revision", "recorded", "retracted",
    ]

    public init() {}

    /// The header and one row per record, each ending with CRLF.
    public func render(_ records: [EventRecord]) -> String {
        var out = Self.row(Self.header)
        for record in records {
            out += Self.row(Self.fields(of: record))
        }
        return out
    }

    /// The fields of one record, in header order.
    public static func fields(of record: EventRecord) -> [String] {
        let event = record.event
        return [
            event.id,
            event.date.canonical,
            event.date.lower?.description ?? "",
            event.date.upper?.description ?? "",
            event.kind.rawValue,
            event.title,
            event.summary ?? "",
            event.actors.map(actor).joined(separator: "; "),
            event.places.joined(separator: "; "),
            event.tags.joined(separator: "; "),
            event.sources.map(source).joined(separator: "; "),
            event.references.map { "\($0.id) (\($0.relation.rawValue))" }.joined(separator: "; "),
            event.revision.map(String.init) ?? "",
            event.recorded?.description ?? "",
            record.retraction == nil ? "false" : "true",
        ]
    }

    /// One CSV row with its CRLF.
    public static func row(_ fields: [String]) -> String {
        fields.map(quoted).joined(separator: ",") + "\r\n"
    }

    /// The field as RFC 4180 wants it: quoted, with quotes doubled, when it holds `,` `"` CR or LF.
    public static func quoted(_ field: String) -> String {
        let needsQuotes = field.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
        guard needsQuotes else { return field }
        var out = String.UnicodeScalarView()
        out.append("\"")
        for scalar in field.unicodeScalars {
            // Scalars, not Characters: a quote followed by a combining mark is one Character.
            if scalar == "\"" { out.append("\"") }
            out.append(scalar)
        }
        out.append("\"")
        return String(out)
    }

    private static func actor(_ actor: Actor) -> String {
        let details = [actor.code, actor.role].compactMap { $0 }
        return details.isEmpty ? actor.name : "\(actor.name) (\(details.joined(separator: ", ")))"
    }

    private static func source(_ source: Source) -> String {
        let details = [source.publisher, source.published].compactMap { $0 }
        return details.isEmpty ? source.url : "\(source.url) (\(details.joined(separator: ", ")))"
    }
}
