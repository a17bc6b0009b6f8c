import AnnalsCore
import AnnalsFormat
import Foundation
import Testing

@Suite struct JSONRendererTests {
    private func parse(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: [])
    }

    @Test func jsonArrayCarriesTheLogLinesInOrder() throws {
        let records = Samples.japanRelations
        let text = JSONRenderer().render(records)
        #expect(text.hasSuffix("]\n"))
        let array = try #require(try parse(text) as? [[String: Any]])
        #expect(array.map { $0["id"] as? String } == records.map(\.event.id))
        #expect(text == "[" + records.map { EventLogCodec.encode($0.event) }.joined(separator: ",") + "]\n")
        // Each element decodes back to the same event.
        for (object, record) in zip(array, records) {
            let line = try JSONSerialization.data(withJSONObject: object)
            guard case .event(let event) = try EventLogCodec.decode(line: String(decoding: line, as: UTF8.self)) else {
                Issue.record("not an event")
                continue
            }
            #expect(event == record.event)
        }
    }

    @Test func emptyJSONArray() throws {
        #expect(JSONRenderer().render([]) == "[]\n")
        #expect(try parse("[]") as? [Any] != nil)
    }

    @Test func jsonLinesOneLinePerRecord() throws {
        let records = Samples.japanRussia
        let text = JSONLinesRenderer().render(records)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "")
        #expect(lines.count == records.count + 1)
        for (line, record) in zip(lines, records) {
            let object = try #require(try parse(String(line)) as? [String: Any])
            #expect(object["id"] as? String == record.event.id)
            #expect(try EventLogCodec.decode(line: String(line)) == .event(record.event))
        }
        #expect(JSONLinesRenderer().render([]) == "")
    }

    @Test func timelineJSIsValidAndOrdered() throws {
        let records = Samples.japanRelations
        let text = TimelineJSRenderer(title: "Japan & its neighbours", subtitle: "1855–2019").render(records)
        #expect(text.hasSuffix("\n"))
        let root = try #require(try parse(text) as? [String: Any])
        let events = try #require(root["events"] as? [[String: Any]])
        #expect(events.map { $0["unique_id"] as? String } == records.map(\.event.id))
        #expect(events.map { $0["group"] as? String } == records.map(\.event.kind.rawValue))
        let title = try #require((root["title"] as? [String: Any])?["text"] as? [String: Any])
        #expect(title["headline"] as? String == "Japan &amp; its neighbours")
        #expect(root["scale"] == nil)
        for event in events {
            let start = try #require(event["start_date"] as? [String: Any])
            #expect(start["year"] is NSNumber)
            let text = try #require(event["text"] as? [String: Any])
            #expect(text["headline"] is String)
        }
        let pretty = TimelineJSRenderer(pretty: true).render(records)
        let prettyRoot = try #require(try parse(pretty) as? [String: Any])
        #expect((prettyRoot["events"] as? [Any])?.count == records.count)
    }

    /// The slide TimelineJS gets for one date.
    private func slide(_ date: String, summary: String? = nil, title: String = "t") throws -> [String: Any] {
        let text = TimelineJSRenderer().render([Samples.event("x", date, .treaty, title, summary: summary)])
        let root = try #require(try parse(text) as? [String: Any])
        return try #require((root["events"] as? [[String: Any]])?.first)
    }

    private func components(_ object: Any?) -> [String: Int] {
        guard let dict = object as? [String: Any] else { return [:] }
        return dict.compactMapValues { ($0 as? NSNumber)?.intValue }
    }

    @Test func timelineJSDatesAtTheirOwnPrecision() throws {
        var s = try slide("1956-10-19")
        #expect(components(s["start_date"]) == ["year": 1956, "month": 10, "day": 19])
        #expect(s["end_date"] == nil)
        #expect(s["display_date"] == nil)

        s = try slide("1956-10")
        #expect(components(s["start_date"]) == ["year": 1956, "month": 10])

        s = try slide("1956")
        #expect(components(s["start_date"]) == ["year": 1956])
        #expect(s["end_date"] == nil)

        s = try slide("195X")
        #expect(components(s["start_date"]) == ["year": 1950])
        #expect(components(s["end_date"]) == ["year": 1959])
        #expect(s["display_date"] as? String == "1950s")

        s = try slide("19XX")
        #expect(components(s["start_date"]) == ["year": 1900])
        #expect(components(s["end_date"]) == ["year": 1999])

        s = try slide("1956-24")
        #expect(components(s["start_date"]) == ["year": 1956, "month": 12])
        #expect(components(s["end_date"]) == ["year": 1957, "month": 2])
        #expect(s["display_date"] as? String == "Winter 1956")

        s = try slide("1956-10-19/1956-12-12")
        #expect(components(s["start_date"]) == ["year": 1956, "month": 10, "day": 19])
        #expect(components(s["end_date"]) == ["year": 1956, "month": 12, "day": 12])
        #expect(s["display_date"] == nil)

        s = try slide("1985-04-12T23:20:30Z")
        #expect(components(s["start_date"]) == ["year": 1985, "month": 4, "day": 12, "hour": 23, "minute": 20, "second": 30])

        s = try slide("-0660")
        #expect(components(s["start_date"]) == ["year": -660])
    }

    @Test func timelineJSDisplayDateForFuzzyDates() throws {
        #expect(try slide("1956~")["display_date"] as? String == "c. 1956")
        #expect(try slide("1956?")["display_date"] as? String == "1956?")
        #expect(try slide("1956%")["display_date"] as? String == "c. 1956?")
        #expect(try slide("1956-XX")["display_date"] as? String == "1956")
        #expect(try slide("1945/..")["display_date"] as? String == "since 1945")
        let until = try slide("../1945")
        #expect(until["display_date"] as? String == "until 1945")
        #expect(components(until["start_date"]) == ["year": 1945])
        #expect(try slide("1956-10-19/")["display_date"] as? String == "19 Oct 1956 – ?")
    }

    @Test func timelineJSEscapesHTML() throws {
        let s = try slide("1956", summary: "a < b & \"c\"\nnext", title: "<script>alert(1)</script>")
        let text = try #require(s["text"] as? [String: Any])
        #expect(text["headline"] as? String == "&lt;script&gt;alert(1)&lt;/script&gt;")
        #expect(text["text"] as? String == "a &lt; b &amp; &quot;c&quot;<br>next")
    }

    @Test func timelineJSCosmologicalScale() throws {
        let text = TimelineJSRenderer().render([Samples.event("deep", "Y-170000002", .other, "Deep past")])
        let root = try #require(try parse(text) as? [String: Any])
        #expect(root["scale"] as? String == "cosmological")
    }
}
