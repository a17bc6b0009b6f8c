/// A minimal JSON writer that emits keys in the order they are written, so the same value always gives
/// the same bytes (which the byte-identical export needs). Non-ASCII text is written as UTF-8, not escaped.
struct JSONWriter {
    private(set) var output = ""
    private var needsComma = [false]

    init() {}

    mutating func beginObject() { comma(); output.append("{"); needsComma.append(false) }
    mutating func endObject() { output.append("}"); needsComma.removeLast() }
    mutating func beginArray() { comma(); output.append("["); needsComma.append(false) }
    mutating func endArray() { output.append("]"); needsComma.removeLast() }

    mutating func key(_ key: String) {
        comma()
        Self.appendString(key, to: &output)
        output.append(":")
        needsComma[needsComma.count - 1] = false
    }

    mutating func string(_ value: String) { comma(); Self.appendString(value, to: &output) }
    mutating func int(_ value: Int) { comma(); output.append(String(value)) }
    mutating func int64(_ value: Int64) { comma(); output.append(String(value)) }
    mutating func bool(_ value: Bool) { comma(); output.append(value ? "true" : "false") }
    mutating func null() { comma(); output.append("null") }

    mutating func field(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    mutating func stringArray(_ name: String, _ values: [String]) {
        key(name)
        beginArray()
        for v in values { string(v) }
        endArray()
    }

    private mutating func comma() {
        if needsComma[needsComma.count - 1] { output.append(",") }
        needsComma[needsComma.count - 1] = true
    }

    /// Appends `value` as a JSON string literal (see `JSONString`).
    static func appendString(_ value: String, to output: inout String) {
        JSONString.append(value, to: &output)
    }
}

/// JSON string literals as Annals writes them everywhere (the event log, the CLI's JSON formats).
public enum JSONString {
    /// Appends `value` as a JSON string literal: quotes, backslashes and control characters escaped, and
    /// U+2028 and U+2029 too (so the text is also valid JavaScript); everything else as UTF-8.
    ///
    /// Scans UTF-8 bytes, not scalars: every character it escapes is ASCII except U+2028/U+2029 (E2 80 A8/A9),
    /// and no byte of another character's encoding equals one of theirs, so the text between escapes is
    /// appended in one piece (an event's log line is hashed on every append: scalar by scalar this cost
    /// 21 µs an event).
    public static func append(_ value: String, to output: inout String) {
        output.append("\"")
        var text = value
        text.withUTF8 { bytes in
            var plainStart = 0
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte >= 0x20 && byte != 0x22 && byte != 0x5C && byte != 0x7F && byte != 0xE2 {
                    index += 1
                    continue
                }
                var next = index + 1
                let escape: String?
                switch byte {
                case 0x22: escape = "\\\""
                case 0x5C: escape = "\\\\"
                case 0x0A: escape = "\\n"
                case 0x0D: escape = "\\r"
                case 0x09: escape = "\\t"
                case 0x08: escape = "\\b"
                case 0x0C: escape = "\\f"
                case 0x00..<0x20, 0x7F:
                    let hex = String(byte, radix: 16)
                    escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80
                    && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
                    // U+2028 is E2 80 A8, U+2029 E2 80 A9.
                    escape = bytes[index + 2] == 0xA8 ? "\\u2028" : "\\u2029"
                    next = index + 3
                default: escape = nil
                }
                if let escape {
                    appendPlain(bytes, plainStart..<index, of: value, to: &output)
                    output.append(escape)
                    plainStart = next
                }
                index = next
            }
            appendPlain(bytes, plainStart..<bytes.count, of: value, to: &output)
        }
        output.append("\"")
    }

    /// Appends the UTF-8 bytes `range` of `text` (whose bytes are `bytes`), which begin and end on scalars.
    private static func appendPlain(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, of text: String,
                                    to output: inout String) {
        if range.isEmpty { return }
        if range.count == bytes.count { output.append(text); return }
        let utf8 = text.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
        output.append(contentsOf: text[start..<utf8.index(start, offsetBy: range.count)])
    }
}
