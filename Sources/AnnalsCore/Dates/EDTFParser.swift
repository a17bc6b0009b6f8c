/// The byte-level EDTF (levels 0 and 1) parser behind `HistoricalDate.init(parsing:)`.
///
/// It reads the UTF-8 bytes once, left to right, without regular expressions or Foundation.
/// Errors are built only on the failure path, where the whole input is examined to name
/// level 2 and pre-2019 draft syntax.
struct EDTFParser {
    /// The text as given, for error messages and as the canonical text when nothing is trimmed.
    let input: String
    /// The UTF-8 bytes of `input`.
    let bytes: UnsafeBufferPointer<UInt8>
    /// The bytes without leading and trailing whitespace.
    let lo: Int
    let hi: Int

    /// Parses `text`; never throws, so it can run inside `withUTF8`-style closures.
    static func parse(_ text: String) -> Result<HistoricalDate, DateError> {
        if let result = text.utf8.withContiguousStorageIfAvailable({ EDTFParser(text, $0).run() }) {
            return result
        }
        var copy = text
        return copy.withUTF8 { EDTFParser(text, $0).run() }
    }

    private init(_ input: String, _ bytes: UnsafeBufferPointer<UInt8>) {
        self.input = input
        self.bytes = bytes
        var lo = 0
        var hi = bytes.count
        while lo < hi, Self.isSpace(bytes[lo]) { lo += 1 }
        while hi > lo, Self.isSpace(bytes[hi - 1]) { hi -= 1 }
        self.lo = lo
        self.hi = hi
    }

    private func run() -> Result<HistoricalDate, DateError> {
        do throws(DateError) {
            return .success(try parseExpression())
        } catch {
            return .failure(error)
        }
    }

    // MARK: - Bytes

    private static let slash = UInt8(ascii: "/")
    private static let dash = UInt8(ascii: "-")
    private static let dot = UInt8(ascii: ".")
    private static let colon = UInt8(ascii: ":")
    private static let plus = UInt8(ascii: "+")
    private static let bigX = UInt8(ascii: "X")
    private static let bigY = UInt8(ascii: "Y")
    private static let bigT = UInt8(ascii: "T")
    private static let bigZ = UInt8(ascii: "Z")
    private static let question = UInt8(ascii: "?")
    private static let tilde = UInt8(ascii: "~")
    private static let percent = UInt8(ascii: "%")

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }
    private static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
    private static func isQualifier(_ b: UInt8) -> Bool { b == question || b == tilde || b == percent }

    /// The bytes `from..<to` as a string.
    private func text(_ from: Int, _ to: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[from..<to]), as: UTF8.self)
    }

    /// Whether the trimmed input contains `word` (ASCII).
    private func contains(_ word: StaticString) -> Bool {
        var i = lo
        while i < hi {
            if has(word, at: i) { return true }
            i += 1
        }
        return false
    }

    /// Whether the trimmed input has `word` (ASCII) at byte `i`.
    private func has(_ word: StaticString, at i: Int) -> Bool {
        let count = word.utf8CodeUnitCount
        guard i >= lo, hi - i >= count else { return false }
        let w = UnsafeBufferPointer(start: word.utf8Start, count: count)
        var k = 0
        while k < count, bytes[i + k] == w[k] { k += 1 }
        return k == count
    }

    private func contains(byte b: UInt8) -> Bool {
        var i = lo
        while i < hi {
            if bytes[i] == b { return true }
            i += 1
        }
        return false
    }

    // MARK: - Errors

    private func fail(_ message: String) -> DateError {
        DateError(input: input, message: message)
    }

    private func level2(_ what: String, _ note: String = "") -> DateError {
        fail("\(what) is EDTF level 2, which Annals does not accept" + (note.isEmpty ? "" : " (\(note))"))
    }

    /// The error for an unexpected byte at `i` (or the end of the text) where `expected` should be.
    private func unexpected(_ i: Int, expected: String) -> DateError {
        if let known = diagnosis(at: i) { return fail(known) }
        if i >= hi {
            return fail("'\(text(lo, hi))' ends too early: expected \(expected)")
        }
        let b = bytes[i]
        let found = b >= 0x21 && b < 0x7F ? "'\(Character(Unicode.Scalar(b)))'" : (Self.isSpace(b) ? "space" : "non-ASCII character")
        return fail("unexpected \(found) at position \(i + 1): expected \(expected)")
    }

    /// Names level 2 and pre-2019 draft syntax anywhere in the input, or what is at `i`.
    private func diagnosis(at i: Int) -> String? {
        let draft = "is pre-2019 draft EDTF syntax"
        if contains(byte: UInt8(ascii: "{")) || contains(byte: UInt8(ascii: "}")) {
            return "a set of dates in braces ({...}) is EDTF level 2, which Annals does not accept"
        }
        if contains(byte: UInt8(ascii: "[")) || contains(byte: UInt8(ascii: "]")) {
            return "a choice of dates in brackets ([...]) is EDTF level 2, which Annals does not accept"
        }
        if contains(byte: UInt8(ascii: "(")) || contains(byte: UInt8(ascii: ")")) {
            return "group qualification in parentheses is EDTF level 2, which Annals does not accept"
        }
        if contains(byte: UInt8(ascii: "^")) {
            return "a qualified season (with '^') is EDTF level 2, which Annals does not accept"
        }
        if has("unknown", at: i) {
            return "'unknown' as an interval end \(draft); leave that end empty for an unknown end, as in '1985/'"
        }
        if has("open", at: i) {
            return "'open' as an interval end \(draft); use '..' for an open end, as in '1985/..'"
        }
        if has("u", at: i) {
            return "'u' for an unspecified digit \(draft); use 'X', as in '19XX'"
        }
        if has("x", at: i) {
            return "unspecified digits are written with an uppercase 'X', not 'x'"
        }
        if contains("?~") || contains("~?") {
            return "'?~' \(draft); use '%' for uncertain and approximate"
        }
        if contains("..") {
            return "a range with '..' between dates (as in 1960..1970) is EDTF level 2, which Annals does not accept"
        }
        guard i < hi else { return nil }
        let b = bytes[i]
        if Self.isQualifier(b) {
            return "qualifying a single component (as in '?2004' or '2004-?06') is EDTF level 2, which Annals does not accept (level 1 puts the qualifier at the end: '2004-06?')"
        }
        if b == UInt8(ascii: "S"), i > lo, Self.isDigit(bytes[i - 1]) {
            return "a significant-digits suffix (as in '1950S2') is EDTF level 2, which Annals does not accept"
        }
        if b == UInt8(ascii: "t") { return "the date-time separator is an uppercase 'T'" }
        if b == UInt8(ascii: "z") { return "UTC is written with an uppercase 'Z'" }
        if b == UInt8(ascii: "y") { return "long years are written with an uppercase 'Y', as in 'Y170000002'" }
        return nil
    }

    // MARK: - Expressions

    /// One parsed date (not an interval): its bounds, precision and flags.
    private struct Element {
        var lower: CalendarDay
        var upper: CalendarDay
        var precision: HistoricalDate.Precision
        var flags: HistoricalDate.Flags
    }

    /// One end of an interval.
    private enum End {
        case unknown
        case open
        case date(Element)
    }

    private func parseExpression() throws(DateError) -> HistoricalDate {
        guard lo < hi else { throw fail("the date is empty") }
        let canonical = lo == 0 && hi == bytes.count ? input : text(lo, hi)
        var slashAt = -1
        var i = lo
        while i < hi {
            if bytes[i] == Self.slash {
                if slashAt >= 0 { throw fail("more than one '/': an interval has exactly one") }
                slashAt = i
            }
            i += 1
        }
        if slashAt < 0 {
            if isOpenMarker(lo, hi) {
                throw fail("'..' alone is not a date: it marks an open interval end, as in '1985/..'")
            }
            let e = try element(lo, hi, inInterval: false)
            return HistoricalDate(canonical: canonical, precision: e.precision, lower: e.lower, upper: e.upper, flags: e.flags)
        }

        let start = try end(lo, slashAt)
        let finish = try end(slashAt + 1, hi)
        var flags: HistoricalDate.Flags = .interval
        let lower: CalendarDay?
        let upper: CalendarDay?
        switch (start, finish) {
        case (.date(let s), .date(let f)):
            if f.upper < s.lower {
                throw fail("the interval ends before it starts: '\(text(slashAt + 1, hi))' ends on \(f.upper), before '\(text(lo, slashAt))' begins on \(s.lower)")
            }
            lower = s.lower
            upper = f.upper
            flags.formUnion(s.flags.intersection([.uncertain, .approximate]))
            flags.formUnion(f.flags.intersection([.uncertain, .approximate]))
        case (.date(let s), _):
            lower = s.lower
            flags.formUnion(s.flags.intersection([.uncertain, .approximate]))
            if case .open = finish {
                upper = nil
            } else {
                upper = s.lower.addingYears(10)
                flags.insert(.unknownEnd)
            }
        case (_, .date(let f)):
            upper = f.upper
            flags.formUnion(f.flags.intersection([.uncertain, .approximate]))
            if case .open = start {
                lower = nil
            } else {
                lower = f.upper.addingYears(-10)
                flags.insert(.unknownStart)
            }
        default:
            throw fail("an interval needs a date at one end at least")
        }
        return HistoricalDate(canonical: canonical, precision: .interval, lower: lower, upper: upper, flags: flags)
    }

    private func isOpenMarker(_ from: Int, _ to: Int) -> Bool {
        to - from == 2 && bytes[from] == Self.dot && bytes[from + 1] == Self.dot
    }

    private func end(_ from: Int, _ to: Int) throws(DateError) -> End {
        if from == to { return .unknown }
        if isOpenMarker(from, to) { return .open }
        let e = try element(from, to, inInterval: true)
        if e.flags.contains(.unspecified) {
            throw level2("an interval end with unspecified digits (as in '2004-06-XX/2004-07-03')")
        }
        return .date(e)
    }

    // MARK: - Dates

    /// Reads exactly two characters, each a digit or 'X': the value (X read as 0) and how many were X.
    private func twoDigits(_ i: inout Int, _ to: Int, _ expected: String) throws(DateError) -> (value: Int, unspecified: Int) {
        var value = 0
        var xs = 0
        for _ in 0..<2 {
            guard i < to else { throw unexpected(i, expected: expected) }
            let b = bytes[i]
            if Self.isDigit(b) {
                value = value * 10 + Int(b &- 0x30)
            } else if b == Self.bigX {
                value *= 10
                xs += 1
            } else {
                throw unexpected(i, expected: expected)
            }
            i += 1
        }
        return (value, xs)
    }

    /// Reads exactly two decimal digits.
    private func number(_ i: inout Int, _ to: Int, _ expected: String) throws(DateError) -> Int {
        let (value, xs) = try twoDigits(&i, to, expected)
        if xs > 0 { throw fail("a time of day cannot have unspecified digits (X)") }
        return value
    }

    private static let monthNames = [
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ]

    private func element(_ from: Int, _ to: Int, inInterval: Bool) throws(DateError) -> Element {
        var i = from
        if bytes[i] == Self.bigY { return try longYear(from, to) }
        let negative = bytes[i] == Self.dash
        if negative { i += 1 }

        // Year: four characters, digits with optionally the last ones 'X'.
        var magnitude: Int64 = 0
        var yearXs = 0
        for _ in 0..<4 {
            guard i < to else {
                if i > from, Self.isDigit(bytes[i - 1]) {
                    throw fail("a year has 4 digits: write 0985 for the year 985")
                }
                throw unexpected(i, expected: "a 4-digit year")
            }
            let b = bytes[i]
            if Self.isDigit(b) {
                if yearXs > 0 {
                    throw level2("a specified digit after an unspecified one (as in '19X5')")
                }
                magnitude = magnitude * 10 + Int64(b &- 0x30)
            } else if b == Self.bigX {
                magnitude *= 10
                yearXs += 1
            } else {
                throw unexpected(i, expected: "a year digit")
            }
            i += 1
        }
        if i < to, Self.isDigit(bytes[i]) || bytes[i] == Self.bigX {
            throw fail("a year has 4 digits; write longer years with a 'Y' prefix, as in 'Y12345'")
        }
        if yearXs > 2 {
            throw level2("more than two unspecified year digits (as in '1XXX')", "level 1 allows 'X' for the last one or two")
        }
        if negative, magnitude == 0, yearXs == 0 {
            throw fail("'-0000' is not a year: year zero is written 0000")
        }
        let yearText = text(from, i)

        // Month or season, then day.
        var month = 0
        var monthX = false
        var season = 0
        var day = 0
        var dayX = false
        if i < to, bytes[i] == Self.dash {
            if yearXs > 0 {
                throw level2("a month after unspecified year digits (as in '201X-05')")
            }
            i += 1
            let m = try twoDigits(&i, to, "a 2-digit month")
            switch (m.unspecified, m.value) {
            case (2, _): monthX = true
            case (1, _): throw level2("a partly unspecified month (as in '2004-1X')")
            case (_, 1...12): month = m.value
            case (_, 21...24): season = m.value
            case (_, 25...41): throw level2("season \(m.value)", "level 1 seasons are 21 to 24")
            default: throw fail("month \(text(i - 2, i)) does not exist")
            }
            if i < to, bytes[i] == Self.dash {
                if season != 0 { throw fail("a season (\(season)) cannot be followed by a day") }
                i += 1
                let d = try twoDigits(&i, to, "a 2-digit day")
                switch d.unspecified {
                case 2: dayX = true
                case 1: throw level2("a partly unspecified day (as in '2004-06-1X')")
                default:
                    if monthX {
                        throw level2("a specified day in an unspecified month (as in '2004-XX-05')")
                    }
                    let year = negative ? -magnitude : magnitude
                    let days = CalendarDay.daysInMonth(month, year: year)
                    if d.value == 0 { throw fail("day 00 does not exist") }
                    if d.value > days {
                        if month == 2, d.value == 29 {
                            throw fail("February 29 does not exist in \(yearText): \(yearText) is not a leap year")
                        }
                        let name = Self.monthNames[month - 1] + (month == 2 ? " \(yearText)" : "")
                        throw fail("day \(d.value) does not exist: \(name) has \(days) days")
                    }
                    day = d.value
                }
            }
        }

        // Time of day.
        var hasTime = false
        if i < to, bytes[i] == Self.bigT {
            if inInterval {
                throw fail("a date-time cannot be an interval end: EDTF intervals join dates")
            }
            if day == 0 {
                throw fail("a date-time needs a complete date (YYYY-MM-DD) before the 'T'")
            }
            i += 1
            try time(&i, to)
            hasTime = true
        }

        // Qualifier.
        var flags: HistoricalDate.Flags = []
        if i < to, Self.isQualifier(bytes[i]) {
            let q = bytes[i]
            if hasTime { throw fail("a date-time cannot carry a qualifier ('?', '~' or '%')") }
            switch q {
            case Self.question: flags = .uncertain
            case Self.tilde: flags = .approximate
            default: flags = [.uncertain, .approximate]
            }
            i += 1
            if i < to {
                let next = bytes[i]
                if (q == Self.question && next == Self.tilde) || (q == Self.tilde && next == Self.question) {
                    throw fail("'?~' is pre-2019 draft EDTF syntax; use '%' for uncertain and approximate")
                }
                if Self.isQualifier(next) { throw fail("a date carries one qualifier at most") }
                if next == Self.dash {
                    throw level2("qualifying a single component (as in '2004?-06')", "level 1 puts the qualifier at the end: '2004-06?'")
                }
            }
        }
        if i < to { throw unexpected(i, expected: "the end of the date") }

        // Bounds.
        let span: Int64 = yearXs == 0 ? 0 : (yearXs == 1 ? 9 : 99)
        let lowYear = negative ? -(magnitude + span) : magnitude
        let highYear = negative ? -magnitude : magnitude + span
        if yearXs > 0 || monthX || dayX { flags.insert(.unspecified) }
        let lower: CalendarDay
        let upper: CalendarDay
        let precision: HistoricalDate.Precision
        if season != 0 {
            precision = .season
            switch season {
            case 21:
                lower = CalendarDay(year: lowYear, month: 3, day: 1)
                upper = CalendarDay(year: lowYear, month: 5, day: 31)
            case 22:
                lower = CalendarDay(year: lowYear, month: 6, day: 1)
                upper = CalendarDay(year: lowYear, month: 8, day: 31)
            case 23:
                lower = CalendarDay(year: lowYear, month: 9, day: 1)
                upper = CalendarDay(year: lowYear, month: 11, day: 30)
            default:
                lower = CalendarDay(year: lowYear, month: 12, day: 1)
                upper = CalendarDay(year: lowYear + 1, month: 2, day: CalendarDay.daysInMonth(2, year: lowYear + 1))
            }
        } else if month != 0 {
            if day != 0 {
                precision = hasTime ? .datetime : .day
                lower = CalendarDay(year: lowYear, month: month, day: day)
                upper = lower
            } else {
                precision = .month
                lower = CalendarDay(year: lowYear, month: month, day: 1)
                upper = CalendarDay(year: lowYear, month: month, day: CalendarDay.daysInMonth(month, year: lowYear))
            }
        } else {
            precision = monthX || yearXs == 0 ? .year : (yearXs == 1 ? .decade : .century)
            lower = CalendarDay(year: lowYear, month: 1, day: 1)
            upper = CalendarDay(year: highYear, month: 12, day: 31)
        }
        return Element(lower: lower, upper: upper, precision: precision, flags: flags)
    }

    /// `HH:MM:SS` (or `24:00:00`), then optionally `Z`, `±HH` or `±HH:MM`; `i` is just after the 'T'.
    private func time(_ i: inout Int, _ to: Int) throws(DateError) {
        let hour = try number(&i, to, "a 2-digit hour")
        guard i < to, bytes[i] == Self.colon else { throw unexpected(i, expected: "':' after the hour") }
        i += 1
        let minute = try number(&i, to, "2-digit minutes")
        guard i < to, bytes[i] == Self.colon else { throw unexpected(i, expected: "':' after the minutes") }
        i += 1
        let second = try number(&i, to, "2-digit seconds")
        if hour == 24 {
            if minute != 0 || second != 0 { throw fail("hour 24 exists only as 24:00:00") }
        } else if hour > 23 {
            throw fail("hour \(hour) does not exist")
        }
        if minute > 59 { throw fail("minute \(minute) does not exist") }
        if second > 59 { throw fail("second \(second) does not exist") }
        guard i < to else { return }
        let b = bytes[i]
        if b == Self.dot || b == UInt8(ascii: ",") {
            throw fail("fractional seconds are not part of EDTF")
        }
        if b == Self.bigZ {
            i += 1
        } else if b == Self.plus || b == Self.dash {
            let shiftStart = i
            i += 1
            let hours = try number(&i, to, "a 2-digit hour shift")
            var minutes = 0
            if i < to, bytes[i] == Self.colon {
                i += 1
                minutes = try number(&i, to, "2-digit minutes of the time shift")
            }
            if minutes > 59 || hours > 14 || (hours == 14 && minutes > 0) {
                throw fail("time shift \(text(shiftStart, i)) does not exist (shifts run from -14:00 to +14:00)")
            }
        }
    }

    /// `Y` and a year of more than four digits, optionally negative: `Y170000002`, `Y-170000002`.
    private func longYear(_ from: Int, _ to: Int) throws(DateError) -> Element {
        var i = from + 1
        let negative = i < to && bytes[i] == Self.dash
        if negative { i += 1 }
        guard i < to, Self.isDigit(bytes[i]) else { throw unexpected(i, expected: "the digits of the year after 'Y'") }
        if bytes[i] == UInt8(ascii: "0") { throw fail("a 'Y' year cannot start with 0") }
        var magnitude: Int64 = 0
        var count = 0
        while i < to, Self.isDigit(bytes[i]) {
            count += 1
            if count > 16 { throw fail("a 'Y' year has at most 16 digits in Annals") }
            magnitude = magnitude * 10 + Int64(bytes[i] &- 0x30)
            i += 1
        }
        if i < to {
            switch bytes[i] {
            case UInt8(ascii: "E"): throw level2("an exponent year (as in 'Y17E7')")
            case UInt8(ascii: "S"): throw level2("a significant-digits suffix (as in 'Y171010000S3')")
            case Self.bigX: throw fail("a 'Y' year cannot have unspecified digits (X)")
            default: break
            }
        }
        if count <= 4 {
            throw fail("a 'Y' year needs more than 4 digits; write years up to 9999 without the 'Y', as in '1985'")
        }
        if i < to {
            switch bytes[i] {
            case Self.dash: throw fail("a 'Y' year cannot have a month or day")
            case Self.question, Self.tilde, Self.percent:
                throw fail("a 'Y' year cannot carry a qualifier ('?', '~' or '%')")
            default: throw unexpected(i, expected: "the end of the year")
            }
        }
        let year = negative ? -magnitude : magnitude
        return Element(
            lower: CalendarDay(year: year, month: 1, day: 1),
            upper: CalendarDay(year: year, month: 12, day: 31),
            precision: .year,
            flags: []
        )
    }
}
