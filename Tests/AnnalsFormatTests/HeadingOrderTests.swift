import AnnalsCore
import AnnalsFormat
import Foundation
import Testing

/// Headings follow the order of the events, whatever their dates: open and unknown starts, BC years,
/// decades and centuries between years, in both directions.
@Suite struct HeadingOrderTests {
    /// Sorted as a store sorts them: by (lower, upper, id), open and unknown starts first.
    static let mixed: [EventRecord] = {
        let dates = ["../1956", "/1945", "-0660-02-11", "-019X", "1900", "19XX", "1950", "195X", "1950-03-05", "1956",
                     "1956-10-19", "1985-04-12T23:20:30Z", "2019/..", "1956~"]
        let records = dates.enumerated().map { index, date in
            Samples.event("e\(index)", date, .other, "Event dated \(date)")
        }
        return records.sorted { a, b in
            let (la, ua) = (a.event.date.lower?.dayNumber ?? .min, a.event.date.upper?.dayNumber ?? .max)
            let (lb, ub) = (b.event.date.lower?.dayNumber ?? .min, b.event.date.upper?.dayNumber ?? .max)
            return (la, ua, a.event.id) < (lb, ub, b.event.id)
        }
    }()

    private func headings(_ text: String, prefix: String = "") -> [String] {
        text.split(separator: "\n").map(String.init).filter {
            prefix.isEmpty ? (!$0.hasPrefix(" ") && !$0.isEmpty) : $0.hasPrefix(prefix)
        }
    }

    @Test("text: every heading once, and every event under a heading that comes no later than it", arguments: [false, true])
    func text(reverse: Bool) {
        let records = reverse ? Self.mixed.reversed() : Self.mixed
        let output = TimelineRenderer(options: .init(width: 100)).render(Array(records))
        let found = headings(output)
        #expect(found.count == Set(found).count, "\(found)")
        #expect(found.count >= 8)
        if !reverse {
            #expect(found.first == "Until 1956")
            #expect(found.contains("661 BC"))
            #expect(found.contains("1900 – 1999"))
        }
        // Every event is printed once, in the order given.
        let titles = output.split(separator: "\n").compactMap { line -> String? in
            guard let range = line.range(of: "Event dated ") else { return nil }
            return String(line[range.upperBound...])
        }
        #expect(titles == records.map { String($0.event.title.dropFirst("Event dated ".count)) })
    }

    @Test("markdown: every heading once", arguments: [false, true])
    func markdown(reverse: Bool) {
        let records = reverse ? Self.mixed.reversed() : Self.mixed
        let found = headings(MarkdownRenderer().render(Array(records)), prefix: "## ")
        #expect(found.count == Set(found).count, "\(found)")
        #expect(found.count >= 8)
    }

    @Test("a decade between two events of its first year keeps them under one heading each")
    func decadeBetweenYears() {
        let records = ["1950", "195X", "1950-03-05"].enumerated().map { Samples.event("d\($0)", $1, .other, "T\($0)") }
        let found = headings(TimelineRenderer(options: .init(width: 80)).render(records))
        #expect(found == ["1950", "1950s"])
    }

    @Test("a date-time shows its time on a line of its own, without widening the date column")
    func dateTimeColumn() {
        let records = [
            Samples.event("a", "1985-04-12", .other, "A day"),
            Samples.event("b", "1985-04-12T23:20:30Z", .other, "A moment"),
        ]
        let lines = TimelineRenderer(options: .init(width: 80)).render(records).split(separator: "\n").map(String.init)
        let day = lines.first { $0.hasSuffix("A day") } ?? ""
        let moment = lines.first { $0.hasSuffix("A moment") } ?? ""
        #expect(moment.contains("12 Apr 1985,"))
        #expect(lines.contains { $0.contains("23:20:30 UTC") && !$0.contains("12 Apr") })
        // The markers line up: the column is as wide as "12 Apr 1985," plus the margin, not the whole date-time.
        #expect(day.firstIndex(of: "●").map { day.distance(from: day.startIndex, to: $0) } ==
                moment.firstIndex(of: "●").map { moment.distance(from: moment.startIndex, to: $0) })
        #expect((day.firstIndex(of: "●").map { day.distance(from: day.startIndex, to: $0) } ?? 99) <= 14)
    }
}
