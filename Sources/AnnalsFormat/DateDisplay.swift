import AnnalsCore

/// How a person reads a `HistoricalDate`: "19 Oct 1956", "Spring 1956", "c. 1950s?", "1904 – 1905".
///
/// The rules, in order:
/// - **Precision.** A day reads "28 Jan 2019" (no leading zero), a month "Jan 2019", a year "2019",
///   a season "Spring 1956" (21 spring, 22 summer, 23 autumn, 24 winter; winter begins in December of
///   the year given), a decade `195X` "1950s", a century `19XX` "1900 – 1999" (not "1900s", which reads as a decade).
///   A date-time reads "12 Apr 1985, 23:20:30 UTC" (or "UTC+04:30" for a shifted time, nothing for a
///   local one); in a date column the time goes on a line of its own.
/// - **Unspecified digits.** They lower the precision: `1956-XX` reads "1956", `1956-10-XX` "Oct 1956".
/// - **Years.** Astronomical years are shown in the BC/AD style: `0000` is "1 BC", `-0660` is
///   "661 BC". Years 1 to 999 get "AD" in front ("AD 33") so they do not read as plain numbers.
///   A decade or century before year 1 reads as the range of its years: `-019X` is "200 – 191 BC".
/// - **Qualifiers.** Approximate (`~`) puts "c. " in front, uncertain (`?`) puts "?" after, both (`%`)
///   do both: "c. 1956?". In an interval each end carries its own qualifiers.
/// - **Intervals.** The two ends are joined by a spaced en dash: "1904 – 1905". When both ends are
///   plain days, months or seasons of the same year, the first end drops the year ("19 Oct – 12 Dec
///   1956", "Feb – Nov 1860", "Spring – Autumn 1956"), and two days of the same month share it
///   ("16 – 19 Apr 1991"); two plain BC years share the era ("101 – 51 BC"). An open end reads
///   "since 1945" (`1945/..`) or "until 1945" (`../1945`); an unknown end is "?":
///   "19 Oct 1956 – ?", "? – 1945". An interval whose ends read the same reads as one date.
/// - **ASCII.** With `ascii`, the en dash between the ends of a range becomes "-"; nothing else changes.
public enum DateDisplay {
    /// Abbreviated month names, January first: "Jan" … "Dec".
    public static let monthAbbreviations = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]

    /// Full month names, January first, as used in month headings.
    public static let monthNames = [
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ]

    /// Season names for EDTF seasons 21 to 24, in that order.
    public static let seasonNames = ["Spring", "Summer", "Autumn", "Winter"]

    /// The date as a person reads it.
    /// - Parameters:
    ///   - date: any parsed date or interval.
    ///   - ascii: use "-" instead of "–" between the ends of a range.
    public static func text(_ date: HistoricalDate, ascii: Bool = false) -> String {
        parts(date, ascii: ascii).joined(separator: " ")
    }

    /// An astronomical year as a person reads it: "1956", "AD 33", "1 BC" (for 0), "661 BC" (for -660).
    public static func year(_ year: Int64) -> String {
        if year <= 0 { return "\(1 - year) BC" }
        if year < 1000 { return "AD \(year)" }
        return String(year)
    }

    /// The text of `date` in pieces that may go on separate lines: for a range with two ends the
    /// first piece ends with the dash ("19 Oct –", "12 Dec 1956"); otherwise one piece.
    static func parts(_ date: HistoricalDate, ascii: Bool) -> [String] {
        let dash = ascii ? "-" : "\u{2013}"
        guard date.isInterval else {
            if date.precision == .datetime, let lower = date.lower {
                return [qualified(element(day: lower) + ",", date), timeOfDay(date.canonical)]
            }
            return [element(date, ascii: ascii)]
        }
        let sides = date.canonical.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard sides.count == 2 else { return [date.canonical] }
        let start = End(String(sides[0]))
        let end = End(String(sides[1]))
        switch (start, end) {
        case (.date(let s), .date(let e)):
            let startText = element(s, ascii: ascii)
            let endText = element(e, ascii: ascii)
            if startText == endText { return [startText] }
            return [shortened(s, before: e, ascii: ascii) ?? startText, dash, endText].joinedDash()
        case (.date(let s), .open):
            return ["since " + element(s, ascii: ascii)]
        case (.open, .date(let e)):
            return ["until " + element(e, ascii: ascii)]
        case (.date(let s), _):
            return [element(s, ascii: ascii) + " " + dash, "?"]
        case (_, .date(let e)):
            return ["? " + dash, element(e, ascii: ascii)]
        default:
            return [date.canonical]
        }
    }

    /// One end of an interval, as written in the canonical text.
    private enum End {
        case unknown
        case open
        case date(HistoricalDate)
        case invalid

        init(_ text: String) {
            if text.isEmpty { self = .unknown; return }
            if text == ".." { self = .open; return }
            if let date = try? HistoricalDate(parsing: text) { self = .date(date) } else { self = .invalid }
        }
    }

    /// The text of a single date (not an interval), with its qualifiers.
    static func element(_ date: HistoricalDate, ascii: Bool) -> String {
        let plain = plainElement(date, ascii: ascii)
        return qualified(plain, date)
    }

    private static func qualified(_ text: String, _ date: HistoricalDate) -> String {
        (date.isApproximate ? "c. " : "") + text + (date.isUncertain ? "?" : "")
    }

    /// The text of a single date without qualifiers.
    private static func plainElement(_ date: HistoricalDate, ascii: Bool) -> String {
        guard let lower = date.lower, let upper = date.upper else { return date.canonical }
        switch date.precision {
        case .day:
            return element(day: lower)
        case .datetime:
            return element(day: lower) + ", " + timeOfDay(date.canonical)
        case .month:
            return "\(monthAbbreviations[lower.month - 1]) \(year(lower.year))"
        case .season:
            let index = (lower.month - 3) / 3  // 3 → 0 (spring) … 12 → 3 (winter)
            return "\(seasonNames[max(0, min(3, index))]) \(year(lower.year))"
        case .year:
            return year(lower.year)
        case .decade, .century:
            let dash = ascii ? "-" : "\u{2013}"
            if lower.year >= 1 && date.precision == .decade {
                return (lower.year < 1000 ? "AD " : "") + "\(lower.year)s"
            }
            if lower.year >= 1 {
                return "\(year(lower.year)) \(dash) \(upper.year)"
            }
            if upper.year <= 0 {
                return "\(1 - lower.year) \(dash) \(year(upper.year))"
            }
            return "\(year(lower.year)) \(dash) \(year(upper.year))"
        case .interval:
            return date.canonical
        }
    }

    /// "19 Oct 1956".
    private static func element(day: CalendarDay) -> String {
        "\(day.day) \(monthAbbreviations[day.month - 1]) \(year(day.year))"
    }

    /// "23:20:30 UTC", "23:20:30 UTC+04:30" or "23:20:30" from a canonical date-time.
    private static func timeOfDay(_ canonical: String) -> String {
        guard let t = canonical.firstIndex(of: "T") else { return "" }
        let rest = canonical[canonical.index(after: t)...]
        let clock = String(rest.prefix(8))
        let zone = rest.dropFirst(8)
        if zone.isEmpty { return clock }
        if zone == "Z" { return clock + " UTC" }
        return clock + " UTC" + zone
    }

    /// The first end of a range without what it shares with the second end, or nil when nothing is
    /// shared: "19 Oct" before "12 Dec 1956", "16" before "19 Apr 1991", "Feb" before "Nov 1860",
    /// "101" before "51 BC".
    private static func shortened(_ start: HistoricalDate, before end: HistoricalDate, ascii: Bool) -> String? {
        if start.precision == .year, end.precision == .year, start.qualifiers.isEmpty, end.qualifiers.isEmpty,
           let s = start.lower, let e = end.lower, s.year <= 0, e.year <= 0 {
            return String(1 - s.year)  // "101 – 51 BC"
        }
        let elidable: Set<HistoricalDate.Precision> = [.day, .month, .season]
        guard elidable.contains(start.precision), elidable.contains(end.precision),
              start.qualifiers.isEmpty, end.qualifiers.isEmpty,
              let s = start.lower, let e = end.lower, s.year == e.year
        else { return nil }
        if start.precision == .season { return plainElement(start, ascii: ascii).split(separator: " ").first.map(String.init) }
        let month = monthAbbreviations[s.month - 1]
        if start.precision == .month { return month }
        if end.precision == .day, s.month == e.month { return String(s.day) }
        return "\(s.day) \(month)"
    }
}

extension Array where Element == String {
    /// `[first, dash, last]` as the two pieces of a range: `["first dash", "last"]`.
    fileprivate func joinedDash() -> [String] {
        [self[0] + " " + self[1], self[2]]
    }
}
