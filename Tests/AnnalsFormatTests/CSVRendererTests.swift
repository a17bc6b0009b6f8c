import AnnalsCore
import AnnalsFormat
import Testing

@Suite struct CSVRendererTests {
    @Test func headerRow() throws {
        let rows = try CSVReader.rows(CSVRenderer().render([]))
        #expect(rows == [[
            "id", "date", "lower", "upper", "kind", "title", "summary", "actors", "places", "tags", "sources",
            "references", "revision", "recorded", "retracted",
        ]])
    }

    @Test func quotingFollowsRFC4180() {
        #expect(CSVRenderer.quoted("plain") == "plain")
        #expect(CSVRenderer.quoted("a,b") == "\"a,b\"")
        #expect(CSVRenderer.quoted("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVRenderer.quoted("two\nlines") == "\"two\nlines\"")
        #expect(CSVRenderer.quoted("cr\rhere") == "\"cr\rhere\"")
        #expect(CSVRenderer.quoted("Ichirō 鳩山") == "Ichirō 鳩山")
        #expect(CSVRenderer.quoted("") == "")
        // A quote followed by a combining mark is one Character but still a quote to CSV.
        #expect(CSVRenderer.quoted("\"\u{301}") == "\"\"\"\u{301}\"")
    }

    @Test func awkwardFieldsReadBackUnchanged() throws {
        var event = Event(
            id: "1956-10-19-test", date: Samples.date("1956-10-19"), kind: .declaration,
            title: "Quotes \"here\", commas, and 日ソ共同宣言",
            summary: "Line one,\r\nline two\nline \"three\"\u{301}",
            actors: [Actor(name: "Japan", code: "JPN", role: "signatory"), Actor(name: "Ichirō Hatoyama"), Actor(name: "Soviet Union", role: "signatory")],
            places: ["Moscow", "Tokyo, Japan"], tags: ["peace-treaty"],
            sources: [Source(url: "https://example.org/a,b", publisher: "MOFA", published: "1956-10-19")],
            references: [Reference(id: "1945-08-08-x", relation: .follows)]
        )
        event.revision = 3
        event.recorded = Timestamp(parsing: "2024-05-01T10:00:00.000Z")
        let open = Samples.event("open-ended", "1945/..", .war, "Open")
        let retracted = Samples.event("gone", "-0660", .other, "Founding", retraction: Retraction(id: "gone", reason: "legend"))
        let records = [EventRecord(event: event, seq: 1), open, retracted]
        let text = CSVRenderer().render(records)
        #expect(text.hasSuffix("\r\n"))
        let rows = try CSVReader.rows(text)
        #expect(rows.count == 4)
        #expect(rows.allSatisfy { $0.count == CSVRenderer.header.count })
        #expect(rows[1] == [
            "1956-10-19-test", "1956-10-19", "1956-10-19", "1956-10-19", "declaration",
            "Quotes \"here\", commas, and 日ソ共同宣言", "Line one,\r\nline two\nline \"three\"\u{301}",
            "Japan (JPN, signatory); Ichirō Hatoyama; Soviet Union (signatory)", "Moscow; Tokyo, Japan", "peace-treaty",
            "https://example.org/a,b (MOFA, 1956-10-19)", "1945-08-08-x (follows)", "3", "2024-05-01T10:00:00.000Z", "false",
        ])
        #expect(rows[2][1...3] == ["1945/..", "1945-01-01", ""])
        #expect(rows[3][1...3] == ["-0660", "-0660-01-01", "-0660-12-31"])
        #expect(rows[3].last == "true")
    }

    @Test func sampleFileRoundTrips() throws {
        let records = Samples.japanRelations
        #expect(records.count > 80)
        let rows = try CSVReader.rows(CSVRenderer().render(records))
        #expect(rows.count == records.count + 1)
        for (row, record) in zip(rows.dropFirst(), records) {
            #expect(row.count == 15)
            #expect(row == CSVRenderer.fields(of: record))
            #expect(row[0] == record.event.id)
            #expect(row[5] == record.event.title)
        }
    }
}
