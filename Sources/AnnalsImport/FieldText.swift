import AnnalsCore

/// Small text helpers the mappers share.
enum FieldText {
    /// `text` without surrounding spaces and tabs; nil when empty or one of `missing` (ICEWS writes "NA").
    static func present(_ text: String, missing: Set<String> = []) -> String? {
        let trimmed = text.trimmingSpaces
        return trimmed.isEmpty || missing.contains(trimmed) ? nil : trimmed
    }

    /// "UNITED STATES" → "United States", "GEORGE W BUSH" → "George W Bush", "MINISTRY OF DEFENSE" →
    /// "Ministry of Defense": for names written in capitals only; others are returned as they are.
    static func titleCased(_ name: String) -> String {
        guard !name.contains(where: \.isLowercase) else { return name }
        let small: Set<String> = ["of", "and", "the", "for", "in", "on", "at", "to", "de", "del", "la", "al"]
        var words: [String] = []
        for (index, word) in name.lowercased().split(separator: " ").enumerated() {
            if index > 0 && small.contains(String(word)) {
                words.append(String(word))
                continue
            }
            // Capitalise after a hyphen too: "Guinea-Bissau".
            var out = ""
            var capitalise = true
            for c in word {
                out += capitalise ? c.uppercased() : String(c)
                capitalise = c == "-" || c == "("
            }
            words.append(out)
        }
        return words.joined(separator: " ")
    }

    /// Place parts joined most specific first, a part equal to the one before it dropped:
    /// ["Khartoum", "Khartoum", "Sudan"] → "Khartoum, Sudan".
    static func place(_ parts: [String?]) -> String? {
        var kept: [String] = []
        for case let part? in parts where Text.foldedKey(part) != kept.last.map(Text.foldedKey) {
            kept.append(part)
        }
        return kept.isEmpty ? nil : kept.joined(separator: ", ")
    }

    /// A tag from a prefix and a label: "event-type" + "Explosions/Remote violence" →
    /// "event-type:explosions-remote-violence".
    static func tag(_ prefix: String, _ label: String) -> String {
        prefix + ":" + Text.slug(label, limit: 60 - prefix.utf8.count)
    }

    /// A finite decimal number as written (`-2.5`, `3`, `-4.2e-05`), else nil (also for `inf`, `nan`).
    static func number(_ text: String) -> Double? {
        guard let value = Double(text), value.isFinite,
              text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D || $0 == 0x2B || $0 | 0x20 == 0x65 })
        else { return nil }
        return value
    }

    /// A decimal number rounded to `places` places, without trailing zeros: 2.56410256 → "2.56".
    static func rounded(_ value: Double, places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (value * scale).rounded()
        guard abs(scaled) < 9e15 else { return String(value) }
        let negative = scaled < 0
        let magnitude = Int64(abs(scaled))
        let whole = magnitude / Int64(scale), fraction = magnitude % Int64(scale)
        var text = String(whole)
        if fraction != 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: places - digits.count) + digits
            while digits.last == "0" { digits.removeLast() }
            text += "." + digits
        }
        return negative && magnitude != 0 ? "-" + text : text
    }

    /// "YYYYMMDD" (GDELT's SQLDATE) as an EDTF day.
    static func day(compact text: String) -> String? {
        let utf8 = Array(text.utf8)
        guard utf8.count == 8, utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let day = String(text.prefix(4)) + "-" + String(text.dropFirst(4).prefix(2)) + "-" + String(text.suffix(2))
        return isRealDay(day) ? day : nil
    }

    /// "YYYY-MM-DD" as an EDTF day, or nil when it is not a real day.
    static func day(iso text: String) -> String? {
        isRealDay(text) ? text : nil
    }

    /// The date of an EDTF text the mapper built, a parse failure reported against `field`.
    static func date(_ edtf: String, field: String) throws(EventError) -> HistoricalDate {
        do {
            return try HistoricalDate(parsing: edtf)
        } catch {
            throw EventError(.malformedDate, field: field, error.message)
        }
    }

    private static func isRealDay(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        guard utf8.count == 10, utf8[4] == 0x2D, utf8[7] == 0x2D,
              let year = Int64(text.prefix(4)), let month = Int(text.dropFirst(5).prefix(2)), let day = Int(text.suffix(2))
        else { return false }
        return CalendarDay(year: year, month: month, day: day).isValid
    }

    private static let months = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december",
    ]

    /// ACLED's day-first dates: "16 May 2025", "16-May-2025", "16 Jan 2025", "16/05/2025", "16-05-2025"
    /// (its spreadsheet and older exports), as an EDTF day.
    static func day(dayFirst text: String) -> String? {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "-" || $0 == "/" })
        guard parts.count == 3, parts[2].count == 4, let day = Int(parts[0]), let year = Int(parts[2]) else { return nil }
        let month: Int
        if let number = Int(parts[1]) {
            month = number
        } else {
            let name = parts[1].lowercased()
            guard name.count >= 3, let index = months.firstIndex(where: { $0.hasPrefix(name) }) else { return nil }
            month = index + 1
        }
        let iso = String(year) + (month < 10 ? "-0" : "-") + String(month) + (day < 10 ? "-0" : "-") + String(day)
        return isRealDay(iso) ? iso : nil
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let utf8 = self.utf8
        guard let first = utf8.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }),
              let last = utf8.lastIndex(where: { $0 != 0x20 && $0 != 0x09 })
        else { return "" }
        if first == utf8.startIndex && last == utf8.index(before: utf8.endIndex) { return self }
        return String(self[first...last])
    }
}

/// Collects the sentences of an imported event's summary.
struct SummaryText {
    private(set) var sentences: [String] = []

    mutating func add(_ sentence: String?) {
        if let sentence, !sentence.isEmpty { sentences.append(sentence) }
    }

    var text: String? { sentences.isEmpty ? nil : sentences.joined(separator: " ") }
}
