/// A calendar day in the proleptic Gregorian calendar, with astronomical year numbering (year 0 exists).
///
/// Year 0 is 1 BC and year -660 is 661 BC. All arithmetic uses `Int64`, so days hundreds of
/// millions of years away (such as `Y170000002`) work without overflow.
public struct CalendarDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The astronomical year: 0 is 1 BC, -1 is 2 BC.
    public var year: Int64
    /// The month, 1 (January) to 12 (December).
    public var month: Int
    /// The day of the month, starting at 1.
    public var day: Int

    /// A day from its parts, taken as given (see `isValid`).
    public init(year: Int64, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Days since 1970-01-01 (negative before).
    ///
    /// Exact for years up to about ±2.5 × 10¹⁶ (parsed dates stay well inside); beyond that the
    /// count does not fit in `Int64` and wraps around instead of trapping.
    public var dayNumber: Int64 {
        // Howard Hinnant's days_from_civil, on years that start on March 1.
        let y = month <= 2 ? year &- 1 : year
        let era = (y >= 0 ? y : y &- 399) / 400
        let yearOfEra = y &- era &* 400
        let m = Int64(month)
        let dayOfYear = (153 &* (m > 2 ? m &- 3 : m &+ 9) &+ 2) / 5 &+ Int64(day) &- 1
        let dayOfEra = yearOfEra &* 365 &+ yearOfEra / 4 &- yearOfEra / 100 &+ dayOfYear
        return era &* 146_097 &+ dayOfEra &- 719_468
    }

    /// The day that is `dayNumber` days after 1970-01-01 (before it when negative); defined for every `Int64`.
    public init(dayNumber: Int64) {
        // Howard Hinnant's civil_from_days. Split into 400-year eras first (truncating, so the
        // product cannot overflow), then move the epoch to 0000-03-01 on the small remainder.
        var era = dayNumber / 146_097
        let shifted = dayNumber % 146_097 + 719_468  // positive: 573_372 ... 865_564
        era += shifted / 146_097
        let dayOfEra = shifted % 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let d = dayOfYear - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yearOfEra + era * 400 + (m <= 2 ? 1 : 0)
        self.month = Int(m)
        self.day = Int(d)
    }

    /// Whether the month exists and the day exists in that month.
    public var isValid: Bool {
        (1...12).contains(month) && day >= 1 && day <= CalendarDay.daysInMonth(month, year: year)
    }

    /// Whether `year` is a Gregorian leap year; astronomical numbering, so 0 and -4 are leap years.
    public static func isLeapYear(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// The number of days in `month` (1–12) of `year`; 0 for a month that does not exist.
    public static func daysInMonth(_ month: Int, year: Int64) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: return 31
        case 4, 6, 9, 11: return 30
        case 2: return isLeapYear(year) ? 29 : 28
        default: return 0
        }
    }

    /// The same day `years` years later (earlier when negative); February 29 becomes February 28
    /// in a common year, like python-dateutil's `relativedelta(years=)`.
    public func addingYears(_ years: Int64) -> CalendarDay {
        let y = year + years
        return CalendarDay(year: y, month: month, day: min(day, CalendarDay.daysInMonth(month, year: y)))
    }

    /// Chronological order (by year, month, day).
    public static func < (a: CalendarDay, b: CalendarDay) -> Bool {
        if a.year != b.year { return a.year < b.year }
        if a.month != b.month { return a.month < b.month }
        return a.day < b.day
    }

    /// `YYYY-MM-DD`, or `-YYYY-MM-DD` before year 0; years beyond 9999 print all their digits.
    public var description: String {
        var text = CalendarDay.yearText(year)
        text += month < 10 ? "-0" : "-"
        text += String(month)
        text += day < 10 ? "-0" : "-"
        text += String(day)
        return text
    }

    /// A year padded to at least four digits, with a leading `-` when negative.
    static func yearText(_ year: Int64) -> String {
        let digits = String(year.magnitude)
        let padding = digits.utf8.count < 4 ? String(repeating: "0", count: 4 - digits.utf8.count) : ""
        return (year < 0 ? "-" : "") + padding + digits
    }
}
