import AnnalsCore

/// The horizontal time scale of a timeline picture: where a day goes, and the ticks and headings that
/// suit the span shown (after vis-timeline's `TimeStep`).
///
/// Days are day numbers (`CalendarDay.dayNumber`, days since 1970-01-01) as `Double`, so a bound is the
/// start of its day and the end of a day is the next day number. The tick step is the finest of days
/// (1, 2, 5, 10), months (1, 3, 6) and years (1, 2, 5 × 10ⁿ) whose labels stay `minimumSpacing` pixels
/// apart; the headings are the next coarser unit: months over days, years over months, decades over
/// years, centuries over decades, and so on. Ticks fall on calendar boundaries (the 1st of a month,
/// 1 January), so they read as dates.
public struct TimeAxis: Sendable {
    /// A tick step: so many days (restarting on the 1st of each month), months or years.
    public enum Step: Sendable, Hashable, Comparable {
        case days(Int)
        case months(Int)
        case years(Int64)

        /// Roughly how many days one step takes, for comparing steps and choosing one.
        public var approximateDays: Double {
            switch self {
            case .days(let n): Double(n)
            case .months(let n): Double(n) * 30.44
            case .years(let n): Double(n) * 365.2425
            }
        }

        public static func < (a: Step, b: Step) -> Bool { a.approximateDays < b.approximateDays }
    }

    /// A labelled tick on the axis.
    public struct Tick: Sendable, Hashable {
        /// The day number the tick marks the start of.
        public var day: Double
        /// Its horizontal position in pixels.
        public var x: Double
        /// "1956", "Oct", "19".
        public var label: String
    }

    /// A heading over the stretch of axis between two coarser boundaries: "1950s", "1956", "Oct 1956".
    public struct Heading: Sendable, Hashable {
        /// Where the stretch starts and ends, in pixels, clipped to the axis.
        public var x1: Double
        public var x2: Double
        public var label: String
    }

    /// First and last day number shown (the end is exclusive: the start of the day after).
    public let start: Double
    public let end: Double
    /// Pixel positions of `start` and `end`.
    public let left: Double
    public let right: Double
    /// The tick step chosen.
    public let step: Step
    /// The heading step (coarser than `step`).
    public let headingStep: Step
    public let ticks: [Tick]
    public let headings: [Heading]

    /// Labels of ticks are kept at least this many pixels apart (start to start).
    public static let minimumSpacing = 52.0

    /// An axis from day `start` to day `end` drawn between `left` and `right` pixels.
    /// - Parameters:
    ///   - start: the first day number shown.
    ///   - end: the day number just after the last shown; at least `start + 1` is used.
    public init(start: Double, end: Double, left: Double, right: Double) {
        self.start = start
        self.end = max(end, start + 1)
        self.left = left
        self.right = max(right, left + 1)
        let pixelsPerDay = (self.right - self.left) / (self.end - self.start)
        let step = Self.steps(upTo: self.end - self.start).first {
            $0.approximateDays * pixelsPerDay >= Self.minimumSpacing * ($0.isDays ? 0.6 : 1)
        } ?? .years(Self.power(above: (self.end - self.start) / 365.2425))
        self.step = step
        self.headingStep = Self.headingStep(over: step)
        var ticks: [Tick] = []
        var headings: [Heading] = []
        let first = CalendarDay(dayNumber: Int64(self.start.rounded(.down)))
        let last = CalendarDay(dayNumber: Int64(self.end.rounded(.up)))
        let (origin, left) = (self.start, self.left)
        let x = { (day: Double) in left + (day - origin) * pixelsPerDay }
        for day in Self.boundaries(step, from: first, to: last) {
            let number = Double(day.dayNumber)
            guard number >= self.start, number <= self.end else { continue }
            ticks.append(Tick(day: number, x: x(number), label: Self.tickLabel(day, step: step)))
        }
        let marks = Self.boundaries(headingStep, from: first, to: last)
        for (i, day) in marks.enumerated() {
            let from = Double(day.dayNumber)
            let to = i + 1 < marks.count ? Double(marks[i + 1].dayNumber) : self.end
            let x1 = max(x(from), left), x2 = min(x(to), self.right)
            guard x2 > x1 else { continue }
            headings.append(Heading(x1: x1, x2: x2, label: Self.headingLabel(day, step: headingStep)))
        }
        self.ticks = ticks
        self.headings = headings
    }

    /// The pixel position of a day number.
    public func x(_ day: Double) -> Double {
        left + (day - start) / (end - start) * (right - left)
    }

    // MARK: - Steps

    /// Candidate steps, finest first, up to one that covers `span` days.
    static func steps(upTo span: Double) -> [Step] {
        var out: [Step] = [.days(1), .days(2), .days(5), .days(10), .months(1), .months(3), .months(6)]
        var unit: Int64 = 1
        while Double(unit) * 365.2425 <= span * 10, unit <= 1_000_000_000_000 {
            out += [.years(unit), .years(unit * 2), .years(unit * 5)]
            unit *= 10
        }
        return out
    }

    /// The smallest power of ten of years at least `years`.
    private static func power(above years: Double) -> Int64 {
        var unit: Int64 = 1
        while Double(unit) < years, unit < 1_000_000_000_000_000 { unit *= 10 }
        return unit
    }

    /// The step of the headings over ticks of `step`.
    static func headingStep(over step: Step) -> Step {
        switch step {
        case .days: return .months(1)
        case .months: return .years(1)
        case .years(let n):
            var unit: Int64 = 10
            while unit <= n { unit *= 10 }
            return .years(unit)
        }
    }

    /// The calendar boundaries of `step` from the one at or before `first` to `last`.
    static func boundaries(_ step: Step, from first: CalendarDay, to last: CalendarDay) -> [CalendarDay] {
        var out: [CalendarDay] = []
        switch step {
        case .years(let n):
            var year = floorDiv(first.year, n) * n
            while year <= last.year, out.count < 10_000 {
                out.append(CalendarDay(year: year, month: 1, day: 1))
                year += n
            }
        case .months(let n):
            var year = first.year
            var month = (first.month - 1) / n * n + 1
            while (year, month) <= (last.year, last.month), out.count < 10_000 {
                out.append(CalendarDay(year: year, month: month, day: 1))
                month += n
                if month > 12 { month -= 12; year += 1 }
            }
        case .days(let n):
            var year = first.year, month = first.month
            while (year, month) <= (last.year, last.month), out.count < 10_000 {
                let length = CalendarDay.daysInMonth(month, year: year)
                var day = 1
                while day + n - 1 <= length || day == 1 {
                    out.append(CalendarDay(year: year, month: month, day: day))
                    day += n
                }
                month += 1
                if month > 12 { month = 1; year += 1 }
            }
        }
        return out
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    // MARK: - Labels

    static func tickLabel(_ day: CalendarDay, step: Step) -> String {
        switch step {
        case .days: return String(day.day)
        case .months: return DateDisplay.monthAbbreviations[day.month - 1]
        case .years: return DateDisplay.year(day.year)
        }
    }

    static func headingLabel(_ day: CalendarDay, step: Step) -> String {
        switch step {
        case .days, .months: return DateDisplay.monthAbbreviations[day.month - 1] + " " + DateDisplay.year(day.year)
        case .years(1): return DateDisplay.year(day.year)
        case .years: return day.year >= 1000 ? "\(day.year)s" : DateDisplay.year(day.year)
        }
    }
}

extension TimeAxis.Step {
    fileprivate var isDays: Bool {
        if case .days = self { return true }
        return false
    }
}
