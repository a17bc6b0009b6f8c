/// An EDTF (ISO 8601-2 / Library of Congress EDTF, levels 0 and 1) date, interval or date-time.
///
/// Parse with `init(parsing:)`. The value keeps its canonical text and its strict bounds as
/// calendar days, which match `lower_strict()` / `upper_strict()` of the python `edtf` package
/// except where that package is clearly wrong:
///
/// - Seasons: 21 spring = March–May, 22 summer = June–August, 23 autumn = September–November,
///   24 winter = December of that year through the end of February of the next year
///   (python `edtf` takes winter as December alone).
/// - Negative years with an unspecified month or day (`-1985-XX`, `-1985-04-XX`) cover the whole
///   year or month (python `edtf` returns reversed bounds for them).
/// - An unknown interval end (`1985/`, `/1985`) is taken, as in python `edtf`, to lie ten years
///   from the known end: the upper bound of `X/` is the lower bound of `X` plus ten years, the
///   lower bound of `/X` is the upper bound of `X` minus ten years (February 29 becomes
///   February 28 when the year it lands in is common).
/// - An open end (`..`) is unbounded: its bound is `nil`.
public struct HistoricalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// How precisely a date is known.
    public enum Precision: String, Sendable, Hashable, CaseIterable {
        /// A single day: `1985-04-12`.
        case day
        /// A month: `1985-04`, or a day in it left unspecified: `1985-04-XX`.
        case month
        /// A season (21–24): `2001-21`.
        case season
        /// A year: `1985`, `Y170000002`, or a year with unspecified month: `1985-XX`.
        case year
        /// A decade, the last year digit unspecified: `198X`.
        case decade
        /// A century, the last two year digits unspecified: `19XX`.
        case century
        /// An interval: `1964/2008`.
        case interval
        /// A date with a time of day: `1985-04-12T23:20:30Z`.
        case datetime
    }

    /// Facts about a parsed date, packed in one byte.
    struct Flags: OptionSet, Sendable, Hashable {
        let rawValue: UInt8
        static let uncertain = Flags(rawValue: 1 << 0)
        static let approximate = Flags(rawValue: 1 << 1)
        static let unspecified = Flags(rawValue: 1 << 2)
        static let interval = Flags(rawValue: 1 << 3)
        static let unknownStart = Flags(rawValue: 1 << 4)
        static let unknownEnd = Flags(rawValue: 1 << 5)
    }

    /// The normalized EDTF text, without surrounding whitespace; parsing it again gives an equal value.
    public let canonical: String
    /// How precisely the date is known; `.interval` for every interval.
    public let precision: Precision
    /// Strict lower bound; nil for an open (unbounded) start.
    public let lower: CalendarDay?
    /// Strict upper bound; nil for an open (unbounded) end.
    public let upper: CalendarDay?
    let flags: Flags

    init(canonical: String, precision: Precision, lower: CalendarDay?, upper: CalendarDay?, flags: Flags) {
        self.canonical = canonical
        self.precision = precision
        self.lower = lower
        self.upper = upper
        self.flags = flags
    }

    /// Parses an EDTF level 0 or level 1 string; leading and trailing whitespace is ignored.
    ///
    /// Throws a `DateError` saying what is wrong for impossible dates, intervals that end before
    /// they start, pre-2019 draft syntax, level 2 syntax and anything else that is not EDTF.
    public init(parsing text: String) throws(DateError) {
        self = try EDTFParser.parse(text).get()
    }

    /// "uncertain", "approximate" (both for %), in this order; empty when the date is plain.
    /// For an interval, the qualifiers of either end.
    public var qualifiers: [String] {
        switch (flags.contains(.uncertain), flags.contains(.approximate)) {
        case (true, true): return ["uncertain", "approximate"]
        case (true, false): return ["uncertain"]
        case (false, true): return ["approximate"]
        case (false, false): return []
        }
    }

    /// Whether the date (or an interval end) is marked uncertain (`?` or `%`).
    public var isUncertain: Bool { flags.contains(.uncertain) }

    /// Whether the date (or an interval end) is marked approximate (`~` or `%`).
    public var isApproximate: Bool { flags.contains(.approximate) }

    /// Whether some digits are unspecified (X).
    public var hasUnspecifiedDigits: Bool { flags.contains(.unspecified) }

    /// Whether this is an interval (`start/end`).
    public var isInterval: Bool { flags.contains(.interval) }

    /// Whether the interval's start is unknown (`/1985`); its `lower` is then an estimate.
    public var hasUnknownStart: Bool { flags.contains(.unknownStart) }

    /// Whether the interval's end is unknown (`1985/`); its `upper` is then an estimate.
    public var hasUnknownEnd: Bool { flags.contains(.unknownEnd) }

    /// Two dates are equal when their canonical texts are equal.
    public static func == (a: HistoricalDate, b: HistoricalDate) -> Bool {
        a.canonical == b.canonical
    }

    /// Hashes the canonical text.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(canonical)
    }

    /// Orders by lower bound (open = -∞), then upper bound (open = +∞), then canonical text,
    /// so `1956 < 1956-10 < 1956-10-19`.
    public static func < (a: HistoricalDate, b: HistoricalDate) -> Bool {
        if a.lower != b.lower {
            guard let al = a.lower else { return true }
            guard let bl = b.lower else { return false }
            return al < bl
        }
        if a.upper != b.upper {
            guard let au = a.upper else { return false }
            guard let bu = b.upper else { return true }
            return au < bu
        }
        return a.canonical < b.canonical
    }

    /// The canonical EDTF text.
    public var description: String { canonical }
}
