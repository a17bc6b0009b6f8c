import Foundation

/// Reads and writes the Annals event log: JSON Lines, one `LogEntry` a line, field names in snake_case.
///
/// An event line: `{"id":…,"date":…,"kind":…,"title":…,"summary":…,"body":…,"actors":[…],"places":[…],
/// "tags":[…],"sources":[…],"references":[…],"recorded":…,"revision":…}`. Only `date`, `kind` and `title` are
/// required; `id` is derived from date and title when absent. An actor may be a bare string (its name).
/// A retraction line: `{"op":"retract","id":…,"reason":…,"recorded":…,"revision":…}`.
/// Writing always uses that key order and omits absent and empty optional fields, so equal entries give
/// equal bytes.
public enum EventLogCodec {
    /// The keys an event line may carry.
    public static let eventKeys: Set<String> = [
        "op", "id", "date", "kind", "title", "summary", "body", "actors", "places", "tags", "sources",
        "references", "recorded", "revision",
    ]
    /// The keys a retraction line may carry.
    public static let retractionKeys: Set<String> = ["op", "id", "reason", "recorded", "revision"]

    // MARK: Writing

    /// One log line for `entry`, without the trailing newline.
    public static func encode(_ entry: LogEntry) -> String {
        switch entry {
        case .event(let event): encode(event)
        case .retraction(let retraction): encode(retraction)
        }
    }

    /// One log line for `event`, without the trailing newline.
    public static func encode(_ event: Event) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.field("id", event.id)
        w.field("date", event.date.canonical)
        w.field("kind", event.kind.rawValue)
        w.field("title", event.title)
        w.field("summary", event.summary)
        w.field("body", event.body)
        if !event.actors.isEmpty {
            w.key("actors")
            w.beginArray()
            for actor in event.actors {
                w.beginObject()
                w.field("name", actor.name)
                w.field("code", actor.code)
                w.field("role", actor.role)
                w.endObject()
            }
            w.endArray()
        }
        if !event.places.isEmpty { w.stringArray("places", event.places) }
        if !event.tags.isEmpty { w.stringArray("tags", event.tags) }
        if !event.sources.isEmpty {
            w.key("sources")
            w.beginArray()
            for source in event.sources {
                w.beginObject()
                w.field("url", source.url)
                w.field("publisher", source.publisher)
                w.field("published", source.published)
                w.endObject()
            }
            w.endArray()
        }
        if !event.references.isEmpty {
            w.key("references")
            w.beginArray()
            for reference in event.references {
                w.beginObject()
                w.field("id", reference.id)
                w.field("relation", reference.relation.rawValue)
                w.endObject()
            }
            w.endArray()
        }
        w.field("recorded", event.recorded?.description)
        if let revision = event.revision {
            w.key("revision")
            w.int(revision)
        }
        w.endObject()
        return w.output
    }

    /// One log line for `retraction`, without the trailing newline.
    public static func encode(_ retraction: Retraction) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.field("op", "retract")
        w.field("id", retraction.id)
        w.field("reason", retraction.reason)
        w.field("recorded", retraction.recorded?.description)
        if let revision = retraction.revision {
            w.key("revision")
            w.int(revision)
        }
        w.endObject()
        return w.output
    }

    // MARK: Reading

    /// Parses one log line (without its newline; surrounding whitespace is ignored).
    /// - Throws: `EventError` saying which field is wrong and how. The entry is parsed, not validated:
    ///   run `EventValidator` on it before storing.
    public static func decode<Bytes: Collection<UInt8>>(line: Bytes) throws(EventError) -> LogEntry {
        guard let text = String(validating: line, as: UTF8.self) else {
            throw EventError(.invalidUTF8, "the line is not valid UTF-8")
        }
        return try decode(line: text)
    }

    /// Parses one log line given as text.
    public static func decode(line: String) throws(EventError) -> LogEntry {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(line.utf8), options: [])
        } catch {
            throw EventError(.malformedLine, "the line is not a JSON object: \(Self.describe(error))")
        }
        guard let fields = object as? [String: Any] else {
            throw EventError(.malformedLine, "the line is JSON but not an object")
        }
        var reader = FieldReader(fields: fields, path: "")
        let op = try reader.optionalString("op")
        switch op {
        case nil, "record":
            return .event(try decodeEvent(&reader))
        case "retract":
            return .retraction(try decodeRetraction(&reader))
        case let other?:
            throw EventError(.malformedLine, field: "op", "unknown op '\(other.prefix(40))': use \"retract\" or leave op out")
        }
    }

    private static func decodeEvent(_ r: inout FieldReader) throws(EventError) -> Event {
        try r.rejectUnknown(allowed: eventKeys)
        let dateText = try r.requiredString("date")
        let date: HistoricalDate
        do {
            date = try HistoricalDate(parsing: dateText)
        } catch {
            throw EventError(.malformedDate, field: "date", error.message)
        }
        let kindText = try r.requiredString("kind")
        guard let kind = EventKind(rawValue: kindText) else {
            throw EventError(
                .unknownKind, field: "kind",
                "unknown kind '\(kindText.prefix(40))': use one of \(EventKind.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        guard r.has("title") else { throw EventError(.emptyTitle, field: "title", "the title is missing") }
        let title = try r.requiredString("title")
        let id = try r.optionalString("id") ?? EventID.derive(date: date, title: title)
        let actors = try r.objects("actors") { (a: inout FieldReader, bare: String?) throws(EventError) -> Actor in
            if let bare { return Actor(name: bare) }
            try a.rejectUnknown(allowed: ["name", "code", "role"])
            guard a.has("name") else { throw EventError(.emptyActorName, field: a.path + ".name", "the actor has no name") }
            return Actor(name: try a.requiredString("name"), code: try a.optionalString("code"), role: try a.optionalString("role"))
        }
        let sources = try r.objects("sources") { (s: inout FieldReader, bare: String?) throws(EventError) -> Source in
            if let bare { return Source(url: bare) }
            try s.rejectUnknown(allowed: ["url", "publisher", "published"])
            return Source(url: try s.requiredString("url"), publisher: try s.optionalString("publisher"),
                          published: try s.optionalString("published"))
        }
        let references = try r.objects("references") { (x: inout FieldReader, bare: String?) throws(EventError) -> Reference in
            if let bare { return Reference(id: bare) }
            try x.rejectUnknown(allowed: ["id", "relation"])
            let target = try x.requiredString("id")
            guard let relationText = try x.optionalString("relation") else { return Reference(id: target) }
            guard let relation = Relation(rawValue: relationText) else {
                throw EventError(
                    .unknownRelation, field: x.path + ".relation",
                    "unknown relation '\(relationText.prefix(40))': use one of \(Relation.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            return Reference(id: target, relation: relation)
        }
        return Event(
            id: id, date: date, kind: kind, title: title,
            summary: try r.optionalString("summary").nilIfEmpty, body: try r.optionalString("body").nilIfEmpty,
            actors: actors, places: try r.strings("places"), tags: try r.strings("tags"),
            sources: sources, references: references,
            recorded: try r.timestamp("recorded"), revision: try r.revision()
        )
    }

    private static func decodeRetraction(_ r: inout FieldReader) throws(EventError) -> Retraction {
        try r.rejectUnknown(allowed: retractionKeys)
        guard r.has("reason") else { throw EventError(.emptyReason, field: "reason", "a retraction needs a reason") }
        return Retraction(id: try r.requiredString("id"), reason: try r.requiredString("reason"),
                          recorded: try r.timestamp("recorded"), revision: try r.revision())
    }

    private static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        if let range = text.range(of: "NSDebugDescription=") {
            return String(text[range.upperBound...].prefix { $0 != "," && $0 != "}" })
        }
        return "invalid JSON"
    }
}

/// Typed access to the fields of one JSON object, with errors that name the field.
private struct FieldReader {
    let fields: [String: Any]
    let path: String

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func has(_ key: String) -> Bool { fields[key] != nil && !(fields[key] is NSNull) }

    func rejectUnknown(allowed: Set<String>) throws(EventError) {
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw EventError(.unknownField, field: name(unknown), "unknown field '\(unknown.prefix(60))'")
        }
    }

    func optionalString(_ key: String) throws(EventError) -> String? {
        guard let value = fields[key], !(value is NSNull) else { return nil }
        guard let string = value as? String else {
            throw EventError(.wrongType, field: name(key), "\(name(key)) must be a string")
        }
        return string
    }

    func requiredString(_ key: String) throws(EventError) -> String {
        guard let string = try optionalString(key) else {
            throw EventError(.missingField, field: name(key), "\(name(key)) is missing")
        }
        return string
    }

    func array(_ key: String) throws(EventError) -> [Any] {
        guard let value = fields[key], !(value is NSNull) else { return [] }
        guard let array = value as? [Any] else {
            throw EventError(.wrongType, field: name(key), "\(name(key)) must be a list")
        }
        return array
    }

    func strings(_ key: String) throws(EventError) -> [String] {
        var out: [String] = []
        for (i, item) in try array(key).enumerated() {
            guard let s = item as? String else {
                throw EventError(.wrongType, field: "\(name(key))[\(i)]", "\(name(key))[\(i)] must be a string")
            }
            out.append(s)
        }
        return out
    }

    /// Decodes a list whose items are objects, or strings as shorthand (passed as `bare`).
    func objects<T>(_ key: String, _ make: (inout FieldReader, String?) throws(EventError) -> T) throws(EventError) -> [T] {
        var out: [T] = []
        for (i, item) in try array(key).enumerated() {
            let itemPath = "\(name(key))[\(i)]"
            if let s = item as? String {
                var empty = FieldReader(fields: [:], path: itemPath)
                out.append(try make(&empty, s))
            } else if let object = item as? [String: Any] {
                var reader = FieldReader(fields: object, path: itemPath)
                out.append(try make(&reader, nil))
            } else {
                throw EventError(.wrongType, field: itemPath, "\(itemPath) must be an object or a string")
            }
        }
        return out
    }

    func timestamp(_ key: String) throws(EventError) -> Timestamp? {
        guard let text = try optionalString(key) else { return nil }
        guard let t = Timestamp(parsing: text) else {
            throw EventError(.invalidTimestamp, field: name(key),
                             "'\(text.prefix(40))' is not an RFC 3339 UTC time such as 2019-01-28T09:30:00.000Z")
        }
        return t
    }

    func revision() throws(EventError) -> Int? {
        guard let value = fields["revision"], !(value is NSNull) else { return nil }
        // On Linux, 0 and 1 bridge to Bool too: tell a JSON boolean by its Objective-C type code "c".
        guard let number = value as? NSNumber, String(cString: number.objCType) != "c",
              let int = Int(exactly: number.doubleValue)
        else {
            throw EventError(.invalidRevision, field: name("revision"), "revision must be a whole number")
        }
        guard int >= 1 else {
            throw EventError(.invalidRevision, field: name("revision"), "revision must be 1 or more, not \(int)")
        }
        return int
    }
}

extension Optional where Wrapped == String {
    /// nil for an empty string, so `""` and an absent field read the same.
    fileprivate var nilIfEmpty: String? {
        guard let self, !self.isEmpty else { return nil }
        return self
    }
}
