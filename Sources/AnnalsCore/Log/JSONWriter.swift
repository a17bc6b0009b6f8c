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
    public static func append(_ value: String, to output: inout String) {
        output.append("\"")
        var plainStart = value.unicodeScalars.startIndex
        var index = plainStart
        let scalars = value.unicodeScalars
        while index != scalars.endIndex {
            let scalar = scalars[index]
            let escape: String?
            switch scalar {
            case "\"": escape = "\\\""
            case "\\": escape = "\\\\"
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            case "\t": escape = "\\t"
            case "\u{08}": escape = "\\b"
            case "\u{0C}": escape = "\\f"
            case "\u{2028}": escape = "\\u2028"
            case "\u{2029}": escape = "\\u2029"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    escape = nil
                }
            }
            if let escape {
                output += String(scalars[plainStart..<index])
                output.append(escape)
                plainStart = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        output += String(scalars[plainStart..<scalars.endIndex])
        output.append("\"")
    }
}
