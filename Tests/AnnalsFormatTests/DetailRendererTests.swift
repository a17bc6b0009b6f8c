import AnnalsCore
import AnnalsFormat
import Foundation
import Testing

@Suite struct DetailRendererTests {
    static func detail(retracted: Bool = false) throws -> EventDetail {
        let declaration = try #require(Samples.japanRelations.first { $0.event.id == "1956-10-19-soviet-japanese-joint-declaration" })
        var first = declaration.event
        first.revision = 1
        first.recorded = Timestamp(parsing: "2024-05-01T10:00:00.000Z")
        var second = first
        second.revision = 2
        second.recorded = Timestamp(parsing: "2024-05-03T09:00:00.000Z")
        var current = EventRecord(event: second, seq: 40)
        var revisions: [LogEntry] = [.event(first), .event(second)]
        if retracted {
            let retraction = Retraction(
                id: second.id, reason: "Recorded twice; see the entry of the Ministry of Foreign Affairs instead",
                recorded: Timestamp(parsing: "2024-06-01T08:00:00.000Z"), revision: 3
            )
            current.retraction = retraction
            revisions.append(.retraction(retraction))
        }
        return EventDetail(
            current: current, revisions: revisions,
            outgoing: [
                ResolvedReference(id: "1945-08-08-soviet-declaration-of-war-on-japan", relation: .follows,
                                  title: "Soviet Union declares war on Japan", date: Samples.date("1945-08-08")),
                ResolvedReference(id: "missing-event", relation: .mentions),
            ],
            incoming: [
                ResolvedReference(id: "1993-10-13-tokyo-declaration", relation: .invokes,
                                  title: "Tokyo Declaration on Japan–Russia Relations", date: Samples.date("1993-10-13")),
            ]
        )
    }

    @Test("everything is there and fits", arguments: [40, 60, 80, 120])
    func content(width: Int) throws {
        let detail = try Self.detail()
        let text = DetailRenderer(width: width).render(detail)
        let flat = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(flat.contains("19 Oct 1956 · declaration"))
        #expect(flat.contains("Soviet–Japanese Joint Declaration"))
        #expect(flat.contains("id 1956-10-19-soviet-japanese-joint-declaration"))
        #expect(flat.contains("revision 2"))
        #expect(flat.contains("recorded 2024-05-03T09:00:00.000Z"))
        #expect(flat.contains("Japan (JPN, signatory)"))
        #expect(flat.contains("→ follows 8 Aug 1945 Soviet Union declares war on Japan"))
        #expect(flat.contains("→ mentions missing-event (not recorded)"))
        #expect(flat.contains("← invoked by 13 Oct 1993 Tokyo Declaration on Japan–Russia Relations"))
        #expect(flat.contains("(current)"))
        #expect(!flat.contains("Retracted"))
        #expect(!text.utf8.contains(0x1B))
        for line in text.split(separator: "\n") where !line.contains("https://") && !line.contains(detail.current.event.id) {
            #expect(DisplayWidth.of(line) <= width, "\(line)")
        }
    }

    @Test("the latest revision is the current one, also when an earlier one is shown")
    func currentRevision() throws {
        var detail = try Self.detail()
        let latest = DetailRenderer(width: 80).render(detail)
        #expect(latest.contains("2  2024-05-03T09:00:00.000Z (current)"))
        #expect(!latest.contains("(shown)"))
        // `annals show ID --revision 1`: the store returns revision 1 as `current`; revision 2 stays the current one.
        if case .event(let first) = detail.revisions[0] { detail.current = EventRecord(event: first, seq: 39) }
        let past = DetailRenderer(width: 80, requestedRevision: 1).render(detail)
        #expect(past.contains("1  2024-05-01T10:00:00.000Z (shown)"))
        #expect(past.contains("2  2024-05-03T09:00:00.000Z (current)"))
        #expect(!past.contains("10:00:00.000Z (current)"))
        #expect(past.contains("revision 1 (an earlier one: the current is 2)"))
        // A retracted event: the retraction is the current revision.
        let retracted = DetailRenderer(width: 100).render(try Self.detail(retracted: true))
        #expect(retracted.contains("instead (current)"))
        #expect(retracted.components(separatedBy: "(current)").count == 2)
    }

    @Test func retractionNotice() throws {
        let text = DetailRenderer(width: 80).render(try Self.detail(retracted: true))
        #expect(text.contains("Retracted in revision 3 on 2024-06-01T08:00:00.000Z: Recorded twice;"))
        #expect(text.contains("retracted: Recorded twice"))
    }

    @Test func asciiAndColour() throws {
        let detail = try Self.detail(retracted: true)
        let ascii = DetailRenderer(width: 80, ascii: true).render(detail)
        for glyph in ["→", "←", "·"] { #expect(!ascii.contains(glyph)) }
        #expect(ascii.contains("-> follows"))
        #expect(ascii.contains("<- invoked by"))
        let plain = DetailRenderer(width: 80).render(detail)
        let colored = DetailRenderer(width: 80, color: true).render(detail)
        #expect(colored.contains("\u{1B}["))
        #expect(TimelineRendererTests.stripANSI(colored) == plain)
    }
}
