import AnnalsCore

/// How Annals reads an EDTF date, in words, for the picture's hover cards: "approximate year, 1 Jan
/// 1956 to 31 Dec 1956"; and which ends of it are fuzzy or open, for drawing.
public enum DateReading {
    /// The reading of `date`: its precision, qualifiers and bounds, e.g. "decade (unspecified digits),
    /// 1 Jan 1950 to 31 Dec 1959" or "interval, open end, from 1 Jan 1945".
    public static func text(_ date: HistoricalDate) -> String {
        var facts = [date.precision.rawValue]
        if !date.qualifiers.isEmpty { facts[0] = date.qualifiers.joined(separator: " and ") + " " + facts[0] }
        if date.hasUnspecifiedDigits { facts.append("unspecified digits") }
        let ends = Ends(date)
        if ends.startOpen { facts.append("open start") }
        if ends.endOpen { facts.append("open end") }
        if date.hasUnknownStart { facts.append("unknown start, taken as 10 years before the end") }
        if date.hasUnknownEnd { facts.append("unknown end, taken as 10 years after the start") }
        let bounds: String
        switch (date.lower, date.upper) {
        case (let l?, let u?): bounds = l == u ? "on \(day(l))" : "\(day(l)) to \(day(u))"
        case (let l?, nil): bounds = "from \(day(l))"
        case (nil, let u?): bounds = "until \(day(u))"
        case (nil, nil): bounds = "no bounds"
        }
        return facts.joined(separator: ", ") + "; " + bounds
    }

    /// A calendar day as a person reads it: "19 Oct 1956", "1 Jan 661 BC".
    public static func day(_ day: CalendarDay) -> String {
        guard (1...12).contains(day.month) else { return day.description }
        return "\(day.day) \(DateDisplay.monthAbbreviations[day.month - 1]) \(DateDisplay.year(day.year))"
    }

    /// Which ends of a date are fuzzy (uncertain, approximate or unknown) and which are open.
    public struct Ends: Sendable, Hashable {
        public var startFuzzy = false
        public var endFuzzy = false
        public var startOpen = false
        public var endOpen = false

        public init(_ date: HistoricalDate) {
            guard date.isInterval else {
                startFuzzy = !date.qualifiers.isEmpty
                endFuzzy = startFuzzy
                return
            }
            let sides = date.canonical.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard sides.count == 2 else { return }
            (startFuzzy, startOpen) = Self.side(sides[0])
            (endFuzzy, endOpen) = Self.side(sides[1])
        }

        /// (fuzzy, open) of one side of an interval: "" is unknown, ".." open.
        private static func side(_ text: Substring) -> (Bool, Bool) {
            if text.isEmpty { return (true, false) }
            if text == ".." { return (false, true) }
            return (text.contains { $0 == "?" || $0 == "~" || $0 == "%" }, false)
        }
    }
}
