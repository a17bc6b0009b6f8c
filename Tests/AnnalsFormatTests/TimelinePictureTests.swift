import AnnalsCore
import AnnalsFormat
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// The picture's layout, checked on the estimated boxes without a browser (the browser tests in
/// AnnalsEndToEndTests check the drawn ones).
@Suite("TimelinePicture")
struct TimelinePictureTests {
    static let japanRussia = Samples.japanRussia.sorted { $0.event.date < $1.event.date }
    static let fixtures = TimelineFixtures.records.sorted { $0.event.date < $1.event.date }

    /// The boxes of an item's label and stub, and of its mark, as [left, top, right, bottom].
    static func texts(_ item: TimelinePicture.Item) -> [[Double]] {
        [item.label, item.stub].compactMap { $0 }.map { l in [l.x, l.baseline - l.fontSize * 0.93, l.x + l.width, l.baseline + l.fontSize * 0.24] }
    }

    static func mark(_ item: TimelinePicture.Item) -> [Double] {
        item.shape == .dot
            ? [item.x1 - item.radius, item.y - item.radius, item.x1 + item.radius, item.y + item.radius]
            : [item.x1, item.y - item.radius, item.x2, item.y + item.radius]
    }

    static func overlap(_ a: [Double], _ b: [Double]) -> Bool { a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3] }

    /// Problems with a picture: overlapping texts or texts over marks, text outside the picture, marks out
    /// of order, dots that should be bars.
    static func problems(_ picture: TimelinePicture) -> [String] {
        var problems: [String] = []
        let texts = picture.items.flatMap { item in Self.texts(item).map { (item.record.event.id, $0) } }
        for (i, a) in texts.enumerated() {
            if a.1[0] < 0 || a.1[2] > picture.width || a.1[3] > picture.height { problems.append("text of \(a.0) outside the picture") }
            for b in texts[(i + 1)...] where overlap(a.1, b.1) { problems.append("texts of \(a.0) and \(b.0) overlap") }
            for item in picture.items where overlap(a.1, mark(item)) { problems.append("text of \(a.0) over the mark of \(item.record.event.id)") }
        }
        let dated = picture.items.filter { $0.record.event.date.lower != nil }
        for (a, b) in zip(dated, dated.dropFirst()) where a.record.event.date.lower! < b.record.event.date.lower! && a.x1 >= b.x1 {
            problems.append("\(b.record.event.id) is not right of the earlier \(a.record.event.id)")
        }
        for item in picture.items where item.shape == .dot && item.upperX - item.x1 > 2 * item.radius {
            problems.append("\(item.record.event.id) spans \(item.upperX - item.x1) px but is a dot")
        }
        return problems
    }

    @Test(arguments: [600, 1200, 2400])
    func sampleLaysOutWithoutOverlaps(width: Int) {
        for lanes in LaneMode.allCases {
            let options = TimelinePicture.Options(width: width, lanes: lanes, actors: ["Japan", "Russia", "Soviet Union"])
            let picture = TimelinePicture(records: Self.japanRussia, options: options)
            #expect(picture.items.count == Self.japanRussia.count)
            let problems = Self.problems(picture)
            #expect(problems.isEmpty, "\(width) px, lanes \(lanes): \(problems.prefix(10))")
            #expect(picture.items.filter { $0.label != nil }.count == picture.items.count || width < 1200, "room for every label at \(width) px")
        }
    }

    @Test func barsSpanTheirBoundsAndDotsSitAtTheLowerBound() {
        let picture = TimelinePicture(records: Self.fixtures, options: .init(width: 2400))
        #expect(Self.problems(picture).isEmpty, "\(Self.problems(picture))")
        let axis = picture.axis
        for item in picture.items {
            let date = item.record.event.date
            let lower = date.lower.map { Double($0.dayNumber) } ?? axis.start
            #expect(abs(item.x1 - axis.x(lower)) < 1e-9)
            if item.shape == .bar {
                let upper = date.upper.map { Double($0.dayNumber + 1) } ?? axis.end
                #expect(abs(item.x2 - axis.x(upper)) < 1e-9, "\(item.record.event.id)")
            }
        }
        let byID = Dictionary(uniqueKeysWithValues: picture.items.map { ($0.record.event.id, $0) })
        #expect(byID["1904-02-08-russo-japanese-war"]?.shape == .bar)
        #expect(byID["2019-okinawa"]?.x2 == axis.right, "an open end runs to the end of the axis")
        #expect(byID["2019-okinawa"]?.ends.endOpen == true && byID["1905-taft-katsura"]?.ends.startFuzzy == true)
        #expect(byID["2006-10-14-resolution-1718"]?.label?.text.hasPrefix("[retracted] ") == true)
    }

    @Test func referencesBecomeLinksOrStubs() {
        let known: [String: (HistoricalDate, String)] = [
            "2018-11-14-abe-putin-singapore-meeting": (try! HistoricalDate(parsing: "2018-11-14"), "Abe–Putin meeting"),
        ]
        let picture = TimelinePicture(records: Self.fixtures, options: .init(knownEvents: known))
        let index = Dictionary(uniqueKeysWithValues: picture.items.enumerated().map { ($1.record.event.id, $0) })
        var expected: [String] = []
        for item in picture.items {
            for reference in item.record.event.references where index[reference.id] != nil {
                expected.append("\(item.record.event.id) \(reference.relation.rawValue) \(reference.id)")
            }
        }
        let links = picture.links.map { "\(picture.items[$0.from].record.event.id) \($0.relation.rawValue) \(picture.items[$0.to].record.event.id)" }
        #expect(links.sorted() == expected.sorted() && !links.isEmpty)
        let speech = picture.items[index["2019-01-28-abe-speech"]!]
        #expect(speech.stub?.text == "\u{2192} follows Abe–Putin meeting, 14 Nov 2018")
        let war = picture.items[index["1904-02-08-russo-japanese-war"]!]
        #expect(war.stub?.text == "\u{2192} follows 1895-04-23-triple-intervention (not recorded)")
    }

    @Test func twoThousandEventsStayWithinTheirRowBudget() {
        let picture = TimelinePicture(records: PictureSamples.many(2000), options: .init(width: 1200, lanes: .kind))
        #expect(picture.items.count == 2000)
        #expect(Self.problems(picture).isEmpty, "\(Self.problems(picture).prefix(10))")
        let labelled = picture.items.filter { $0.label != nil }.count
        #expect(labelled >= 100 && labelled < 2000, "\(labelled) labelled")
        let lanes = Double(picture.lanes.count)
        let bound = 50 * 18 + lanes * (3 * 18 + 20 + 4 * 8 + 16)
        #expect(picture.lanesBottom - picture.lanesTop <= bound, "\(picture.lanesBottom - picture.lanesTop) px of lanes")
    }

    @Test func svgIsWellFormedAndHostileTextStaysText() throws {
        var records = Self.fixtures
        let hostile = #"<script>alert("x")</script> & </svg><img src=x onerror=alert(1)>"#
        records[0].event.title = hostile
        records[0].event.summary = "line\u{2028}separator </script>"
        let svg = TimelineSVGRenderer(options: .init(title: "</title><b>T</b>")).render(records)
        let collector = TextCollector()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = collector
        #expect(parser.parse(), "\(String(describing: parser.parserError))")
        #expect(collector.elements.contains("svg") && !collector.elements.contains("script") && !collector.elements.contains("img"))
        #expect(collector.texts.contains("</title><b>T</b>"), "the title is text")
        #expect(collector.texts.contains { hostile.hasPrefix($0.dropLast()) && $0.hasSuffix("…") || $0 == hostile })
        #expect(collector.texts.contains { $0.hasPrefix(hostile) }, "the event's tooltip carries the whole title")
    }

    @Test func pageDataCannotCloseItsScript() throws {
        var records = Self.fixtures
        records[0].event.title = "</script><script>alert(1)</script>"
        records[0].event.summary = "a\u{2028}b\u{2029}c <!-- d"
        let html = TimelineHTMLRenderer().render(records)
        let start = try #require(html.range(of: "<script type=\"application/json\" id=\"annals-data\">"))
        let end = try #require(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
        let json = String(html[start.upperBound..<end.lowerBound])
        #expect(!json.contains("<") && !json.contains("\u{2028}") && !json.contains("\u{2029}"))
        let details = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect(details.count == records.count)
        #expect(details[0]["t"] as? String == "</script><script>alert(1)</script>")
        #expect(details[0]["s"] as? String == "a\u{2028}b\u{2029}c <!-- d")
        #expect(html.contains("default-src 'none'") && !html.contains("<link") && !html.contains("src=\"http"))
    }

    @Test func readingsSayHowADateIsRead() throws {
        let cases = [
            ("1956-10-19", "day; on 19 Oct 1956"),
            ("1956~", "approximate year; 1 Jan 1956 to 31 Dec 1956"),
            ("195X", "decade, unspecified digits; 1 Jan 1950 to 31 Dec 1959"),
            ("1945/..", "interval, open end; from 1 Jan 1945"),
            ("1956-10-19/", "interval, unknown end, taken as 10 years after the start; 19 Oct 1956 to 19 Oct 1966"),
        ]
        for (text, reading) in cases {
            #expect(DateReading.text(try HistoricalDate(parsing: text)) == reading)
        }
        let ends = DateReading.Ends(try HistoricalDate(parsing: "1950~/.."))
        #expect(ends.startFuzzy && !ends.endFuzzy && !ends.startOpen && ends.endOpen)
    }

    @Test func truncatedTextFitsItsWidth() {
        let title = "Treaty of Portsmouth ends the Russo-Japanese War after mediation by Theodore Roosevelt"
        let short = TextMetrics.truncated(title, toWidth: 200, fontSize: 12)
        #expect(short.hasSuffix("…") && title.hasPrefix(short.dropLast()))
        #expect(TextMetrics.width(short, fontSize: 12) <= 200)
        #expect(TextMetrics.truncated("Short", toWidth: 200, fontSize: 12) == "Short")
        #expect(TextMetrics.width("日本", fontSize: 10) == 20)
        #expect(TextMetrics.width("e\u{301}", fontSize: 10) >= TextMetrics.width("e", fontSize: 10), "an upper estimate")
        #expect(TextMetrics.width("\u{2192}", fontSize: 10) == 10, "arrows count a full em")
    }
}

/// Element names and text runs of an XML document.
final class TextCollector: NSObject, XMLParserDelegate {
    var elements: Set<String> = []
    var texts: [String] = []
    private var current = ""

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        elements.insert(name)
        current = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if !current.isEmpty { texts.append(current) }
        current = ""
    }
}

/// Many seeded events for layout tests.
enum PictureSamples {
    static func many(_ count: Int) -> [EventRecord] {
        var state: UInt64 = 14
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let records = (0..<count).map { i -> EventRecord in
            let year = next(3) < 2 ? 1990 + next(11) : 1900 + next(121)
            let text = next(10) == 0 ? "\(year)" : "\(year)-\(10 + next(3))-\(10 + next(18))"
            return Samples.event("e\(i)", text, EventKind.allCases[next(12)], "Event \(i) between two countries on trade",
                                 references: i > 0 && next(4) == 0 ? [Reference(id: "e\(next(i))")] : [])
        }
        return records.sorted { $0.event.date < $1.event.date }
    }
}
