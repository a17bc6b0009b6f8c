import AnnalsCore
import Testing

/// `JSONString.append` writes the bytes every log line's content hash is taken over, so its output may never
/// change: exact literals, and agreement with a scalar-by-scalar reference on text full of what it escapes.
@Suite("JSON string literals")
struct JSONStringTests {
    static func literal(_ value: String) -> String {
        var output = ""
        JSONString.append(value, to: &output)
        return output
    }

    /// The escaping as a reader of RFC 8259 would spell it, one scalar at a time.
    static func reference(_ value: String) -> String {
        var output = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case "\u{2028}": output += "\\u2028"
            case "\u{2029}": output += "\\u2029"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }

    @Test func escapesExactlyWhatJSONAndJavaScriptNeed() {
        #expect(Self.literal("") == #""""#)
        #expect(Self.literal("Kim Jong-un") == #""Kim Jong-un""#)
        #expect(Self.literal("say \"no\"\\") == #""say \"no\"\\""#)
        #expect(Self.literal("a\nb\rc\td\u{08}e\u{0C}f") == #""a\nb\rc\td\be\ff""#)
        #expect(Self.literal("\u{0}\u{1}\u{1F}\u{7F}") == #""\u0000\u0001\u001f\u007f""#)
        #expect(Self.literal("line\u{2028}para\u{2029}end") == #""line\u2028para\u2029end""#)
        // Other characters whose UTF-8 starts with E2, or holds 80 / A8, stay as they are.
        #expect(Self.literal("€ — ‧ \u{2027}\u{202A} ¨") == "\"€ — ‧ \u{2027}\u{202A} ¨\"")
        #expect(Self.literal("日本 ünïcödé \u{0301}\"") == "\"日本 ünïcödé \u{0301}\\\"\"")
        #expect(Self.literal("\u{E2}") == "\"\u{E2}\"")
    }

    @Test func agreesWithTheScalarByScalarReference() {
        let pieces = ["\"", "\\", "\n", "\r", "\t", "\u{08}", "\u{0C}", "\u{0}", "\u{1B}", "\u{7F}", "\u{2028}",
                      "\u{2029}", "\u{2027}", "\u{20AC}", "\u{E2}", "\u{80}", "\u{A8}", "e\u{0301}", "日", "🇯🇵", "a", " "]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let count = Int.random(in: 0...12, using: &generator)
            let text = (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined()
            #expect(Self.literal(text) == Self.reference(text), "\(Array(text.unicodeScalars))")
        }
    }

    @Test func appendsAfterWhatIsThere() {
        var output = "{\"k\":"
        JSONString.append("v\u{2029}", to: &output)
        #expect(output == #"{"k":"v\u2029""#)
    }
}
