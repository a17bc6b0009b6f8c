import AnnalsCore
import AnnalsFormat
import Foundation
import Testing

@Suite struct TimelineRendererTests {
    private func render(_ records: [EventRecord], width: Int = 80, color: Bool = false, ascii: Bool = false, references: Bool = true) -> String {
        TimelineRenderer(options: .init(width: width, color: color, ascii: ascii, showReferences: references)).render(records)
    }

    /// Records with everything that stresses layout: wide text, long words, long ranges.
    private static let stress: [EventRecord] = Samples.japanRelations + TimelineFixtures.records + [
        Samples.event(
            "cjk", "1956-10-19/1956-12-12", .declaration,
            "日本国とソヴィエト社会主義共和国連邦との共同宣言、日本国とソヴィエト社会主義共和国連邦との共同宣言",
            actors: [Actor(name: "鳩山一郎"), Actor(name: "ニコライ・ブルガーニン")],
            references: [Reference(id: "an-extraordinarily-long-identifier-without-any-spaces-that-cannot-be-wrapped-anywhere-nicely", relation: .mentions)]
        ),
        Samples.event("fuzzy", "1904-02-08~/1905-09-05?", .war, "Qualified range"),
        Samples.event("bc", "-019X", .other, "A decade before the era"),
    ]

    @Test("no line is wider than the width", arguments: [40, 60, 80, 120])
    func linesFitTheWidth(width: Int) {
        for ascii in [false, true] {
            let text = render(Self.stress, width: width, ascii: ascii)
            #expect(text.hasSuffix("\n"))
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                #expect(DisplayWidth.of(line) <= width, "\(DisplayWidth.of(line)) > \(width): \(line)")
                #expect(!line.hasSuffix(" "), "trailing space: \(line)")
            }
        }
    }

    @Test("no escape sequence without colour", arguments: [40, 80])
    func noEscapeWithoutColor(width: Int) {
        let withEscapes = Self.stress + [Samples.event("esc", "2000", .other, "Title with \u{1B}[31m an escape \u{9B}2J")]
        let text = render(withEscapes, width: width)
        #expect(!text.utf8.contains(0x1B))
        #expect(!text.unicodeScalars.contains("\u{9B}"))
        // With colour, only our own sequences: the one in the title is gone.
        let colored = render(withEscapes, width: width, color: true)
        #expect(Self.stripANSI(colored).utf8.contains(0x1B) == false)
    }

    @Test("ASCII drawing only", arguments: [40, 80])
    func asciiDrawing(width: Int) {
        // Event text in ASCII: the whole output must be ASCII.
        let asciiRecords = Self.stress.filter { record in
            let e = record.event
            return ([e.title, e.id] + e.actors.map(\.name)).allSatisfy { $0.unicodeScalars.allSatisfy { $0.isASCII } }
                && e.references.allSatisfy { ref in Self.stress.first { $0.event.id == ref.id }.map { $0.event.title.unicodeScalars.allSatisfy { $0.isASCII } } ?? true }
        }
        #expect(asciiRecords.count > 20)
        let text = render(asciiRecords, width: width, ascii: true)
        let offending = text.unicodeScalars.filter { !$0.isASCII }
        #expect(offending.isEmpty, "non-ASCII: \(String(String.UnicodeScalarView(offending)))")
        #expect(text.contains(" * "))
        #expect(text.contains(" | "))
        #expect(text.contains("-> "))
    }

    @Test func asciiKeepsEventTextButNotDrawing() {
        let text = render(Self.stress, width: 120, ascii: true)
        for drawing in ["│", "●", "→", "←", "█", "─"] {
            #expect(!text.contains(drawing), "\(drawing) in ASCII output")
        }
        #expect(text.contains("Soviet–Japanese Joint Declaration"))  // the title's dash stays
        #expect(text.contains("19 Oct - "))  // the range's dash does not
        #expect(!text.contains("19 Oct –"))
        #expect(text.contains("日本国"))
    }

    @Test func goldenAt80Columns() throws {
        let url = Samples.golden.appendingPathComponent("timeline-80.txt")
        let expected = (try? String(contentsOf: url, encoding: .utf8)) ?? "(missing golden file)"
        let actual = render(TimelineFixtures.records, width: 80)
        if actual != expected {
            try? actual.write(to: URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("timeline-80.actual.txt"), atomically: true, encoding: .utf8)
        }
        #expect(actual == expected)
    }

    @Test("colour adds escapes and stripping them gives the plain text", arguments: [40, 80, 120])
    func colorStripsToPlain(width: Int) {
        let records = Self.stress
        let plain = render(records, width: width)
        let colored = render(records, width: width, color: true)
        #expect(colored.contains("\u{1B}[1m"))  // bold titles
        #expect(colored.contains("\u{1B}[32m"))  // treaties
        #expect(colored.contains("\u{1B}[31m"))  // wars
        #expect(colored.contains("\u{1B}[0m"))
        #expect(Self.stripANSI(colored) == plain)
    }

    @Test func eachKindFamilyHasItsColour() {
        let colored = render(TimelineFixtures.records, color: true)
        for family in KindFamily.allCases {
            #expect(colored.contains("\u{1B}[\(family.sgrColor)m"), "\(family)")
        }
        #expect(Set(KindFamily.allCases.map(\.sgrColor)).count == KindFamily.allCases.count)
    }

    @Test func yearHeadingsAndReferences() throws {
        let text = render(Samples.japanRussia, width: 80)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for year in ["1855", "1875", "1956", "2019"] {
            #expect(lines.contains(year))
        }
        #expect(text.contains("→ invokes 19 Oct 1956 Soviet–Japanese Joint Declaration"))
        #expect(text.contains("(not recorded)"))
        // Records are not reordered.
        let first = try #require(text.range(of: "Treaty of Shimoda"))
        let last = try #require(text.range(of: "policy speech to the Diet"))
        #expect(first.lowerBound < last.lowerBound)
    }

    @Test func knownEventsResolveReferences() {
        let record = Samples.event("b", "1960", .statement, "Later", references: [Reference(id: "a", relation: .respondsTo)])
        let unresolved = render([record])
        #expect(unresolved.contains("→ responds-to a (not recorded)"))
        let options = TimelineRenderer.Options(knownEvents: ["a": (Samples.date("1956-10-19"), "Earlier")])
        let resolved = TimelineRenderer(options: options).render([record])
        #expect(resolved.contains("→ responds-to 19 Oct 1956 Earlier"))
        let hidden = render([record], references: false)
        #expect(!hidden.contains("→"))
    }

    @Test func retractedEventsAreMarked() {
        let text = render(TimelineFixtures.records)
        #expect(text.contains("[retracted] UN Security Council Resolution 1718"))
    }

    @Test func monthHeadingsWhenTheSpanIsShort() {
        let records = [
            Samples.event("a", "2018-11-14", .meeting, "Singapore meeting"),
            Samples.event("b", "2018-12", .statement, "December statement"),
            Samples.event("c", "2019-01-22", .summit, "Moscow talks"),
            Samples.event("d", "2019-01-28", .speech, "Policy speech"),
        ]
        let lines = render(records).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.filter { $0 == "  November" || $0 == "  December" || $0 == "  January" }.count == 3)
        #expect(lines.first == "2018")
        #expect(lines.contains("2019"))
        // Long spans get year headings only.
        let long = render(Samples.japanRelations)
        #expect(!long.contains("\n  January\n"))
    }

    @Test func emptyInputGivesEmptyOutput() {
        #expect(render([]) == "")
    }

    /// `text` without ANSI CSI sequences.
    static func stripANSI(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var scalars = text.unicodeScalars.makeIterator()
        while let s = scalars.next() {
            if s == "\u{1B}" {
                guard let next = scalars.next(), next == "[" else { continue }
                while let c = scalars.next(), !(0x40...0x7E).contains(c.value) {}
                continue
            }
            out.append(s)
        }
        return String(out)
    }
}
