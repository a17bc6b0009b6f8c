/// Event ids: their syntax, and the deterministic id of an event that comes without one.
public enum EventID {
    /// Longest id accepted, in bytes.
    public static let maxLength = 128

    /// Whether `id` is well formed: 1 to 128 bytes of ASCII letters, digits and `-._:`,
    /// starting with a letter or digit.
    public static func isValid(_ id: String) -> Bool {
        let bytes = id.utf8
        guard let first = bytes.first, bytes.count <= maxLength, isAlphanumeric(first) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == 0x2D || $0 == 0x2E || $0 == 0x5F || $0 == 0x3A }
    }

    /// The id an event gets when the log gives none: the date and a slug of the title,
    /// e.g. `1956-10-19-soviet-japanese-joint-declaration`. Titles without Latin letters get a
    /// stable hash instead of a slug, so the same date and title always give the same id.
    public static func derive(date: HistoricalDate, title: String) -> String {
        var datePart = Text.slug(date.canonical.replacingEDTFMarks(), limit: 40)
        if date.canonical.hasPrefix("-") { datePart = "bce-" + datePart }
        var titlePart = Text.slug(title, limit: 80)
        if titlePart.isEmpty {
            titlePart = "e" + String(Text.stableHash(title), radix: 16)
        }
        return datePart.isEmpty ? titlePart : datePart + "-" + titlePart
    }

    private static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }
}

extension String {
    /// EDTF text with qualifiers and interval marks spelled out so a slug keeps their meaning.
    fileprivate func replacingEDTFMarks() -> String {
        var out = ""
        for ch in self {
            switch ch {
            case "~": out += "-approx"
            case "?": out += "-uncertain"
            case "%": out += "-approx-uncertain"
            case "/": out += "-to-"
            case "X": out += "x"
            default: out.append(ch)
            }
        }
        return out
    }
}
