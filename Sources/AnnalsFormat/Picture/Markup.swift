import AnnalsCore

/// Text made safe for the picture's markup, so that whatever an event says is shown as text.
enum Markup {
    /// `text` for XML or HTML content and attribute values: `&`, `<`, `>`, `"` and `'` as entities;
    /// characters XML 1.0 forbids (controls other than tab and line breaks, U+FFFE, U+FFFF, lone
    /// surrogates cannot occur in a Swift string) left out.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// JSON text made safe inside an HTML `<script>` element: `<` written as `\u003c` (so neither
    /// `</script>` nor `<!--` can end or change the element), U+2028 and U+2029 escaped as JSON
    /// strings already are (see `JSONString`).
    static func scriptJSON(_ json: String) -> String {
        var out = ""
        out.reserveCapacity(json.utf8.count)
        for scalar in json.unicodeScalars {
            switch scalar {
            case "<": out += "\\u003c"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A coordinate with at most one decimal: "12", "12.5", "-3.2".
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let tenths = Int((value * 10).rounded())
        let whole = tenths / 10, rest = abs(tenths % 10)
        let sign = tenths < 0 && whole == 0 ? "-" : ""
        return rest == 0 ? sign + String(whole) : sign + String(whole) + "." + String(rest)
    }
}
