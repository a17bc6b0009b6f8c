import AnnalsCore
import AnnalsImport
import Testing

@Suite struct ICEWSMapperTests {
    private let header = Codebook.icews.joined(separator: "\t")

    @Test func theColumnsAreTheCodebooks() {
        #expect(ICEWSMapper.columns == Codebook.icews)
    }

    @Test func aRowAfterTheHeaderBecomesAnEvent() throws {
        let row = try event(header + "\n" + Codebook.icews() + "\n", .icews)
        let e = row.event
        #expect(e.id == "icews-32889836")
        #expect(e.date.canonical == "2018-06-01")
        #expect(e.kind == .meeting)
        #expect(e.title == "Foreign Affairs (Bangladesh) consults High Ranking Military Personnel (Vietnam)")
        #expect(e.actors == [
            Actor(name: "Foreign Affairs (Bangladesh)", code: "BGD", role: "source"),
            Actor(name: "High Ranking Military Personnel (Vietnam)", code: "VNM", role: "target"),
        ])
        #expect(e.places == ["Hanoi, Thanh Pho Ha Noi, Vietnam"])
        #expect(e.tags == ["icews", "cameo:040", "quad:verbal-cooperation"])
        #expect(e.sources.isEmpty)
        #expect(e.summary == "CAMEO 040: Consult. Intensity 1. Source sectors: Executive, Foreign Ministry, Government; "
            + "target sectors: Military, Government. Published by Vietnam News Agency Bulletin (story 47400351, sentence 2). "
            + "At (21.0245, 105.841).")
        #expect(row.actorCodes == ["BGD", "VNM"])
        #expect(row.cameoCode == "040")
        try EventValidator().validate(e)
    }

    @Test func withoutAHeaderTheDocumentedOrderIsAssumed() throws {
        let row = try event(Codebook.icews(["Event ID": "7", "CAMEO Code": "0874", "Event Text": "Retreat or surrender militarily"]), .icews)
        #expect(row.event.id == "icews-7")
        #expect(row.event.title == "Foreign Affairs (Bangladesh) de-escalates military engagement with High Ranking Military Personnel (Vietnam)")
        #expect(row.event.tags.contains("quad:material-cooperation"))
    }

    @Test func aHeaderInAnotherOrderIsFollowed() throws {
        var columns = Codebook.icews
        columns.swapAt(0, 19)
        columns.swapAt(2, 8)
        let values = zip(Codebook.icews, Codebook.icews().split(separator: "\t", omittingEmptySubsequences: false).map(String.init))
        let byName = Dictionary(uniqueKeysWithValues: values)
        let line = columns.map { byName[$0] ?? "" }.joined(separator: "\t")
        let row = try event("\u{FEFF}" + columns.joined(separator: "\t") + "\r\n" + line + "\r\n", .icews)
        #expect(row.event.id == "icews-32889836")
        #expect(row.event.actors.first?.name == "Foreign Affairs (Bangladesh)")
    }

    @Test func missingValuesAndCountries() throws {
        let row = try event(Codebook.icews([
            "Source Name": "Japan", "Source Country": "Japan", "Source Sectors": "NA", "Target Name": "NA",
            "Target Country": "NA", "Target Sectors": "NA", "City": "NA", "Province": "NA", "Country": "Japan",
            "Intensity": "", "Latitude": "NA", "CAMEO Code": "013",
        ]), .icews)
        #expect(row.event.title == "Japan makes an optimistic comment")
        #expect(row.event.kind == .statement)
        #expect(row.event.actors == [Actor(name: "Japan", code: "JPN", role: "source")])
        #expect(row.event.places == ["Japan"])
        #expect(row.event.summary == "CAMEO 013: Make optimistic comment. Published by Vietnam News Agency Bulletin (story 47400351, sentence 2).")
        let unknownCountry = try event(Codebook.icews(["Source Country": "Atlantis"]), .icews)
        #expect(unknownCountry.event.actors.first?.code == nil)
        #expect(unknownCountry.actorCodes == ["VNM"])
    }

    @Test func unreadableRowsSayWhy() {
        #expect(rowError(Codebook.icews(["Event Date": "2018-02-30"]), .icews)?.field == "Event Date")
        #expect(rowError(Codebook.icews(["CAMEO Code": "40"]), .icews)?.field == "CAMEO Code")
        #expect(rowError(Codebook.icews(["Event ID": "NA"]), .icews)?.code == .invalidID)
        #expect(rowError(Codebook.icews(["Intensity": "strong"]), .icews)?.field == "Intensity")
        #expect(rowError(Codebook.icews() + "\textra", .icews)?.message == "21 columns; ICEWS event rows have 20")
    }

    @Test func aHeaderWithoutTheColumnsIsNotICEWS() {
        let rows = mapRows("Event ID\tWhen\n1\t2018-01-01\n", .icews)
        guard case .failure(let error) = rows.first?.result else {
            Issue.record("expected a file error")
            return
        }
        #expect(error is ImportError)
        #expect("\(error)".contains("'Event Date'"))
    }
}
