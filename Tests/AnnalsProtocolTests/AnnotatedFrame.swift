import AnnalsCore
@testable import AnnalsProtocol

/// Builds a frame field by field from the layouts in `PROTOCOL.md`, keeping a comment for each field, to write
/// the golden vector files. It is written independently of `ByteWriter+AnnalsCore.swift`, so the vector test also
/// checks the library's encoder against the specification.
struct AnnotatedFrame {
    struct Field {
        var comment: String
        /// Each segment starts a new hex line.
        var segments: [[UInt8]]
    }

    var type: MessageType
    var flags: FrameFlags = []
    var requestID: UInt32
    var fields: [Field] = []
    private var depth = 0

    init(_ type: MessageType, flags: FrameFlags = [], requestID: UInt32) {
        self.type = type
        self.flags = flags
        self.requestID = requestID
    }

    var payload: [UInt8] { fields.flatMap { $0.segments.flatMap { $0 } } }

    /// The whole frame.
    var bytes: [UInt8] {
        be(UInt32(Frame.headerSize + payload.count)) + [type.rawValue, flags.rawValue] + be(requestID) + payload
    }

    // MARK: Primitives

    private func be<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    private var indent: String { String(repeating: "  ", count: depth) }

    mutating func add(_ comment: String, _ segments: [[UInt8]]) {
        fields.append(Field(comment: indent + comment, segments: segments))
    }

    mutating func note(_ comment: String) { add(comment, []) }

    mutating func nested(_ comment: String, _ body: (inout AnnotatedFrame) -> Void) {
        note(comment)
        depth += 1
        body(&self)
        depth -= 1
    }

    mutating func u8(_ label: String, _ value: UInt8, _ meaning: String? = nil) {
        add("\(label) (u8) = \(value)\(meaning.map { " (\($0))" } ?? "")", [[value]])
    }

    mutating func u16(_ label: String, _ value: UInt16, _ meaning: String? = nil) {
        add("\(label) (u16) = \(value)\(meaning.map { " (\($0))" } ?? "")", [be(value)])
    }

    mutating func u32(_ label: String, _ value: UInt32) {
        add("\(label) (u32) = \(value)", [be(value)])
    }

    mutating func u64(_ label: String, _ value: UInt64) {
        add("\(label) (u64) = \(value) (0x\(String(value, radix: 16)))", [be(value)])
    }

    mutating func i64(_ label: String, _ value: Int64, _ meaning: String? = nil) {
        add("\(label) (i64) = \(value)\(meaning.map { " (\($0))" } ?? "")", [be(value)])
    }

    mutating func bool(_ label: String, _ value: Bool) {
        add("\(label) (bool) = \(value)", [[value ? 1 : 0]])
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    mutating func string(_ label: String, _ value: String) {
        let utf8 = Array(value.utf8)
        add("\(label) (string, \(utf8.count) bytes) = \(Self.quoted(value))", [be(UInt32(utf8.count)), utf8])
    }

    mutating func optionalString(_ label: String, _ value: String?) {
        guard let value else { return add("\(label) (optional string) = absent", [[0]]) }
        let utf8 = Array(value.utf8)
        add("\(label) (optional string, present, \(utf8.count) bytes) = \(Self.quoted(value))", [[1], be(UInt32(utf8.count)), utf8])
    }

    mutating func optionalI64(_ label: String, _ value: Int64?, _ meaning: (Int64) -> String) {
        guard let value else { return add("\(label) (optional i64) = absent", [[0]]) }
        add("\(label) (optional i64, present) = \(value) (\(meaning(value)))", [[1], be(value)])
    }

    mutating func optionalU32(_ label: String, _ value: Int?) {
        guard let value else { return add("\(label) (optional u32) = absent", [[0]]) }
        add("\(label) (optional u32, present) = \(value)", [[1], be(UInt32(value))])
    }

    mutating func count(_ label: String, _ count: Int, of what: String) {
        add("\(label) (list count, u32) = \(count) \(what)", [be(UInt32(count))])
    }

    mutating func list<T>(_ label: String, _ items: [T], of what: String, _ item: (inout AnnotatedFrame, String, T) -> Void) {
        count(label, items.count, of: what)
        for (index, value) in items.enumerated() {
            depth += 1
            item(&self, "\(label)[\(index)]", value)
            depth -= 1
        }
    }

    mutating func stringList(_ label: String, _ items: [String]) {
        count(label, items.count, of: "strings")
        depth += 1
        for (index, value) in items.enumerated() { string("\(label)[\(index)]", value) }
        depth -= 1
    }

    // MARK: Model values

    mutating func date(_ label: String, _ date: HistoricalDate) {
        string("\(label) (date: canonical EDTF)", date.canonical)
    }

    mutating func optionalDate(_ label: String, _ date: HistoricalDate?) {
        optionalString("\(label) (date)", date?.canonical)
    }

    mutating func timestamp(_ label: String, _ value: Timestamp?) {
        optionalI64("\(label) (timestamp, ms since epoch)", value?.milliseconds) { Timestamp(milliseconds: $0).description }
    }

    mutating func event(_ label: String, _ event: Event) {
        nested("\(label): event") { f in
            f.string("id", event.id)
            f.date("date", event.date)
            f.u8("kind", event.kind.code, event.kind.rawValue)
            f.string("title", event.title)
            f.optionalString("summary", event.summary)
            f.optionalString("body", event.body)
            f.list("actors", event.actors, of: "actors") { f, path, actor in
                f.nested("\(path): actor") { f in
                    f.string("name", actor.name)
                    f.optionalString("code", actor.code)
                    f.optionalString("role", actor.role)
                }
            }
            f.stringList("places", event.places)
            f.stringList("tags", event.tags)
            f.list("sources", event.sources, of: "sources") { f, path, source in
                f.nested("\(path): source") { f in
                    f.string("url", source.url)
                    f.optionalString("publisher", source.publisher)
                    f.optionalString("published", source.published)
                }
            }
            f.list("references", event.references, of: "references") { f, path, reference in
                f.nested("\(path): reference") { f in
                    f.string("id", reference.id)
                    f.u8("relation", reference.relation.code, reference.relation.rawValue)
                }
            }
            f.timestamp("recorded", event.recorded)
            f.optionalU32("revision", event.revision)
        }
    }

    mutating func retraction(_ label: String, _ retraction: Retraction) {
        nested("\(label): retraction") { f in
            f.string("id", retraction.id)
            f.string("reason", retraction.reason)
            f.timestamp("recorded", retraction.recorded)
            f.optionalU32("revision", retraction.revision)
        }
    }

    mutating func logEntry(_ label: String, _ entry: LogEntry) {
        switch entry {
        case .event(let value):
            u8("\(label) tag", 0, "log entry: event")
            event(label, value)
        case .retraction(let value):
            u8("\(label) tag", 1, "log entry: retraction")
            retraction(label, value)
        }
    }

    mutating func eventError(_ label: String, _ error: EventError) {
        nested("\(label): event error") { f in
            f.u16("code", error.code.number, error.code.name)
            f.optionalString("field", error.field)
            f.string("message", error.message)
        }
    }

    mutating func record(_ label: String, _ record: EventRecord) {
        nested("\(label): event record") { f in
            f.event("event", record.event)
            f.i64("seq", record.seq)
            if let retraction = record.retraction {
                f.u8("retraction present", 1, "optional: present")
                f.retraction("retraction", retraction)
            } else {
                f.u8("retraction", 0, "optional: absent")
            }
        }
    }

    mutating func resolvedReference(_ label: String, _ reference: ResolvedReference) {
        nested("\(label): resolved reference") { f in
            f.string("id", reference.id)
            f.u8("relation", reference.relation.code, reference.relation.rawValue)
            f.optionalString("title", reference.title)
            f.optionalDate("date", reference.date)
        }
    }

    mutating func query(_ label: String, _ query: TimelineQuery) {
        nested("\(label): timeline query") { f in
            f.optionalDate("from", query.from)
            f.optionalDate("to", query.to)
            f.stringList("actors", query.actors)
            f.bool("allActors", query.allActors)
            f.list("kinds", query.kinds, of: "kinds") { f, path, kind in f.u8(path, kind.code, kind.rawValue) }
            f.stringList("tags", query.tags)
            f.optionalString("text", query.text)
            f.optionalString("references", query.references)
            f.optionalString("referencedBy", query.referencedBy)
            f.bool("reverse", query.reverse)
            f.u32("limit", UInt32(query.limit))
            f.optionalString("cursor", query.cursor)
            f.bool("includeRetracted", query.includeRetracted)
        }
    }

    mutating func protocolError(_ error: ProtocolError) {
        u16("code", error.code.number, error.code.name)
        string("message", error.message)
        if let eventError = error.eventError {
            u8("eventError present", 1, "optional: present")
            self.eventError("eventError", eventError)
        } else {
            u8("eventError", 0, "optional: absent")
        }
    }

    // MARK: Output

    private static func hexLines(_ bytes: [UInt8], indent: String) -> [String] {
        guard !bytes.isEmpty else { return [] }
        return stride(from: 0, to: bytes.count, by: 16).map { start in
            indent + bytes[start..<min(bytes.count, start + 16)].map { hex([$0]) }.joined(separator: " ")
        }
    }

    /// The vector file: the description, then every field as a comment and its bytes in hex.
    func text(title: String, description: [String]) -> String {
        var lines = ["# \(title)"]
        lines += description.map { $0.isEmpty ? "#" : "# \($0)" }
        lines.append("#")
        lines.append("# \(bytes.count) bytes on the wire. Lines starting with # are comments; the rest is hex.")
        lines.append("#")
        lines.append("# length (u32) = \(Frame.headerSize + payload.count) (6-byte header + \(payload.count)-byte payload)")
        lines.append(hex(be(UInt32(Frame.headerSize + payload.count))))
        let direction = type.isRequest ? "request" : "response"
        lines.append("# type (u8) = 0x\(hex([type.rawValue])) (\(type) \(direction))")
        lines.append(hex([type.rawValue]))
        lines.append("# flags (u8) = 0x\(hex([flags.rawValue]))\(flags.contains(.more) ? " (more: another frame of this response follows)" : "")")
        lines.append(hex([flags.rawValue]))
        lines.append("# requestID (u32) = \(requestID)")
        lines.append(hex(be(requestID)))
        lines.append(payload.isEmpty ? "# payload: empty" : "# payload:")
        for field in fields {
            lines.append("# " + field.comment)
            let leading = String(field.comment.prefix { $0 == " " })
            for segment in field.segments { lines += Self.hexLines(segment, indent: leading) }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The bytes of a vector file: everything but comments and whitespace, read as hex.
    static func parse(_ text: String) throws -> [UInt8] {
        var digits: [UInt8] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("#") { continue }
            for byte in line.utf8 where !(byte == 0x20 || byte == 0x09 || byte == 0x0D) { digits.append(byte) }
        }
        struct BadHex: Error { var text: String }
        guard digits.count % 2 == 0 else { throw BadHex(text: "odd number of hex digits") }
        func value(_ digit: UInt8) throws -> UInt8 {
            switch digit {
            case 0x30...0x39: return digit - 0x30
            case 0x61...0x66: return digit - 0x61 + 10
            case 0x41...0x46: return digit - 0x41 + 10
            default: throw BadHex(text: "not a hex digit: \(Character(Unicode.Scalar(digit)))")
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            bytes.append(try value(digits[index]) << 4 | value(digits[index + 1]))
        }
        return bytes
    }
}
