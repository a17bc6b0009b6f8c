import AnnalsCore
import Foundation
import Testing

@Suite("Event log codec (JSON Lines)")
struct EventLogCodecTests {
    static let samplePath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Scripts/samples/japan-relations.jsonl").path

    @Test func everyEventRoundTrips() throws {
        var event = EventValidationTests.valid
        event.recorded = Timestamp(milliseconds: 1_548_667_800_000)
        event.revision = 3
        event.body = "Quotes \" and backslashes \\ and \u{2028} and ünïcödé 日本 and a tab\t."
        event.actors.append(Actor(name: "Soviet Union"))
        let line = EventLogCodec.encode(event)
        #expect(!line.contains("\n"))
        #expect(try EventLogCodec.decode(line: line) == .event(event))
        #expect(try EventLogCodec.decode(line: Array(line.utf8)) == .event(event))
        for revision in [1, 2, 10] {
            event.revision = revision
            #expect(try EventLogCodec.decode(line: EventLogCodec.encode(event)) == .event(event))
        }
        let retraction = Retraction(id: "x", reason: "a \"reason\"", recorded: Timestamp(milliseconds: 5), revision: 2)
        #expect(try EventLogCodec.decode(line: EventLogCodec.encode(retraction)) == .retraction(retraction))
    }

    @Test func theSampleLogReadsValidatesAndReencodesByteForByte() throws {
        let text = try String(contentsOfFile: Self.samplePath, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count >= 40)
        for line in lines {
            let entry = try EventLogCodec.decode(line: String(line))
            try EventValidator().validate(entry)
            let again = EventLogCodec.encode(entry)
            #expect(try EventLogCodec.decode(line: again) == entry)
            #expect(EventLogCodec.encode(try EventLogCodec.decode(line: again)) == again)
        }
    }

    @Test func shorthandsAndDerivedIDs() throws {
        let line = #"{"date":"1956-10-19","kind":"declaration","title":"Soviet–Japanese Joint Declaration","actors":["Japan",{"name":"Soviet Union","code":"SUN"}],"references":["1855-treaty"],"sources":["https://example.org/a"]}"#
        guard case .event(let event) = try EventLogCodec.decode(line: line) else { Issue.record("not an event"); return }
        #expect(event.id == "1956-10-19-soviet-japanese-joint-declaration")
        #expect(event.actors == [Actor(name: "Japan"), Actor(name: "Soviet Union", code: "SUN")])
        #expect(event.references == [Reference(id: "1855-treaty", relation: .mentions)])
        #expect(event.sources == [Source(url: "https://example.org/a")])
        #expect(event.recorded == nil && event.revision == nil)
    }

    static let badLines: [(String, EventError.Code)] = [
        ("not json", .malformedLine),
        ("[1,2]", .malformedLine),
        (#"{"date":"1956","kind":"treaty","title":"x","colour":"red"}"#, .unknownField),
        (#"{"date":"1956","kind":"treaty"}"#, .emptyTitle),
        (#"{"kind":"treaty","title":"x"}"#, .missingField),
        (#"{"date":"1956","kind":"treaty","title":5}"#, .wrongType),
        (#"{"date":"1956","kind":"treaty","title":"x","tags":"one"}"#, .wrongType),
        (#"{"date":"1956","kind":"treaty","title":"x","tags":[1]}"#, .wrongType),
        (#"{"date":"1956","kind":"summitry","title":"x"}"#, .unknownKind),
        (#"{"date":"2019-02-29","kind":"treaty","title":"x"}"#, .malformedDate),
        (#"{"date":"19uu","kind":"treaty","title":"x"}"#, .malformedDate),
        (#"{"date":"1956","kind":"treaty","title":"x","references":[{"id":"y","relation":"likes"}]}"#, .unknownRelation),
        (#"{"date":"1956","kind":"treaty","title":"x","actors":[{"code":"JPN"}]}"#, .emptyActorName),
        (#"{"date":"1956","kind":"treaty","title":"x","revision":1.5}"#, .invalidRevision),
        (#"{"date":"1956","kind":"treaty","title":"x","revision":0}"#, .invalidRevision),
        (#"{"date":"1956","kind":"treaty","title":"x","revision":true}"#, .invalidRevision),
        (#"{"date":"1956","kind":"treaty","title":"x","revision":"1"}"#, .invalidRevision),
        (#"{"date":"1956","kind":"treaty","title":"x","recorded":"yesterday"}"#, .invalidTimestamp),
        (#"{"op":"retract","id":"x"}"#, .emptyReason),
        (#"{"op":"delete","id":"x"}"#, .malformedLine),
        (#"{"op":"retract","id":"x","reason":"r","title":"t"}"#, .unknownField),
    ]

    @Test(arguments: 0..<badLines.count)
    func badLinesGetSpecificCodes(index: Int) {
        let (line, code) = Self.badLines[index]
        do {
            _ = try EventLogCodec.decode(line: line)
            Issue.record("accepted: \(line)")
        } catch {
            #expect(error.code == code, "\(line): \(error)")
        }
    }

    @Test func invalidUTF8IsNamed() {
        var bytes = Array(#"{"date":"1956","kind":"treaty","title":"x"}"#.utf8)
        bytes[30] = 0xFF
        #expect(throws: EventError.self) { try EventLogCodec.decode(line: bytes) }
        do { _ = try EventLogCodec.decode(line: bytes) } catch { #expect(error.code == .invalidUTF8) }
    }
}
