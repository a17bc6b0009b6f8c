import AnnalsCore
import AnnalsFormat
import Testing

@Suite("TimeAxis")
struct TimeAxisTests {
    static func day(_ year: Int64, _ month: Int = 1, _ day: Int = 1) -> Double {
        Double(CalendarDay(year: year, month: month, day: day).dayNumber)
    }

    /// (from, to, expected step, expected heading step) at 1,000 pixels.
    static let spans: [(Double, Double, TimeAxis.Step, TimeAxis.Step)] = [
        (day(1956, 10, 1), day(1956, 10, 11), .days(1), .months(1)),
        (day(1956, 10, 1), day(1956, 12, 1), .days(2), .months(1)),
        (day(1956), day(1957), .months(1), .years(1)),
        (day(1950), day(1956), .months(6), .years(1)),
        (day(1945), day(1960), .years(1), .years(10)),
        (day(1945), day(2020), .years(5), .years(10)),
        (day(1850), day(2020), .years(10), .years(100)),
        (day(-700), day(2020), .years(200), .years(1000)),
    ]

    @Test(arguments: spans.indices)
    func stepsSuitTheSpan(_ i: Int) {
        let (from, to, step, heading) = Self.spans[i]
        let axis = TimeAxis(start: from, end: to, left: 100, right: 1100)
        #expect(axis.step == step)
        #expect(axis.headingStep == heading)
    }

    @Test func ticksAreSpacedFarEnoughAndNoFurtherThanNeeded() {
        for years in [0.02, 0.1, 0.5, 1, 3, 10, 40, 75, 170, 600, 3000, 100_000] {
            let start = Self.day(1900)
            let axis = TimeAxis(start: start, end: start + years * 365.2425, left: 0, right: 1000)
            let gaps = zip(axis.ticks, axis.ticks.dropFirst()).map { $1.x - $0.x }
            let minimum = TimeAxis.minimumSpacing * (axis.step < .months(1) ? 0.6 : 1)
            // Day ticks restart on the 1st, so the last gap of a month may be shorter than a step.
            let typical = gaps.sorted().dropFirst(gaps.count / 4).first ?? .infinity
            #expect(typical >= minimum - 1, "\(years) years: \(axis.step) gaps \(gaps.prefix(5))")
            #expect(axis.ticks.count >= 2 || years < 0.05, "\(years) years: \(axis.ticks.count) ticks")
        }
    }

    @Test func ticksFallOnCalendarBoundariesInOrder() {
        let axis = TimeAxis(start: Self.day(1945, 8, 6), end: Self.day(2019, 2, 1), left: 50, right: 1050)
        #expect(axis.step == .years(5))
        var last = -Double.infinity
        for tick in axis.ticks {
            let day = CalendarDay(dayNumber: Int64(tick.day))
            #expect(day.month == 1 && day.day == 1 && day.year % 5 == 0, "\(day)")
            #expect(tick.label == String(day.year))
            #expect(tick.x > last && tick.x >= 50 && tick.x <= 1050)
            #expect(abs(tick.x - axis.x(tick.day)) < 1e-9)
            last = tick.x
        }
        #expect(axis.ticks.first?.label == "1950" && axis.ticks.last?.label == "2015")
        #expect(axis.headings.map(\.label) == ["1940s", "1950s", "1960s", "1970s", "1980s", "1990s", "2000s", "2010s"])
        #expect(axis.headings.first?.x1 == 50 && axis.headings.last?.x2 == 1050, "headings are clipped to the axis")
    }

    @Test func monthsUnderYearHeadingsAndDaysUnderMonthHeadings() {
        let months = TimeAxis(start: Self.day(1956, 3, 15), end: Self.day(1957, 6, 1), left: 0, right: 1000)
        #expect(months.ticks.map(\.label).prefix(3) == ["Apr", "May", "Jun"])
        #expect(months.headings.map(\.label) == ["1956", "1957"])
        let days = TimeAxis(start: Self.day(1956, 10, 12), end: Self.day(1956, 11, 3), left: 0, right: 1000)
        #expect(days.ticks.first?.label == "12" && days.headings.map(\.label) == ["Oct 1956", "Nov 1956"])
    }

    @Test func yearsBeforeOurEraReadAsBC() {
        let axis = TimeAxis(start: Self.day(-700), end: Self.day(-600), left: 0, right: 1000)
        #expect(axis.ticks.contains { $0.label == "661 BC" } || axis.ticks.contains { $0.label == "651 BC" }, "\(axis.ticks.map(\.label))")
        #expect(axis.headings.allSatisfy { $0.label.hasSuffix("BC") }, "\(axis.headings.map(\.label))")
    }

    @Test func scaleIsLinear() {
        let axis = TimeAxis(start: 1000, end: 3000, left: 40, right: 1040)
        #expect(axis.x(1000) == 40 && axis.x(3000) == 1040 && axis.x(2000) == 540)
        let degenerate = TimeAxis(start: 5, end: 5, left: 0, right: 100)
        #expect(degenerate.end > degenerate.start, "an empty span still has a scale")
    }
}
