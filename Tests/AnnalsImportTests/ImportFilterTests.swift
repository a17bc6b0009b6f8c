import AnnalsCore
import AnnalsImport
import Testing

@Suite struct ImportFilterTests {
    private func row(date: String, codes: Set<String>, cameo: String? = "040") throws -> ImportedRow {
        ImportedRow(event: Event(id: "x", date: try HistoricalDate(parsing: date), kind: .other, title: "X"), actorCodes: codes, cameoCode: cameo)
    }

    @Test func actorCodesAnyOrAll() throws {
        let japanRussia = try row(date: "2019-01-28", codes: ["JPNGOV", "JPN", "GOV", "RUS"])
        let japanChina = try row(date: "2019-01-28", codes: ["JPN", "CHN"])
        let any = ImportFilter(actorCodes: ["jpn", "RUS"])
        #expect(any.matches(japanRussia) && any.matches(japanChina))
        let all = ImportFilter(actorCodes: ["JPN", "RUS"], allActorCodes: true)
        #expect(all.matches(japanRussia) && !all.matches(japanChina))
        #expect(ImportFilter(actorCodes: ["GOV"]).matches(japanRussia))
        #expect(!ImportFilter(actorCodes: ["USA"]).matches(japanRussia))
        #expect(!ImportFilter(actorCodes: ["JP"]).matches(japanRussia), "codes match whole, not by prefix")
        #expect(ImportFilter().matches(japanChina))
    }

    @Test func datesOverlapAsInTimelines() throws {
        let filter = ImportFilter(from: try HistoricalDate(parsing: "2019-01"), to: try HistoricalDate(parsing: "2019-02-10"))
        #expect(filter.matches(try row(date: "2019-01-01", codes: [])))
        #expect(filter.matches(try row(date: "2019-02-10", codes: [])))
        #expect(!filter.matches(try row(date: "2018-12-31", codes: [])))
        #expect(!filter.matches(try row(date: "2019-02-11", codes: [])))
        // An ACLED month overlapping the range is kept.
        #expect(filter.matches(try row(date: "2018-12", codes: [])) == false)
        #expect(filter.matches(try row(date: "2019-02", codes: [])))
    }

    @Test func cameoRoots() throws {
        let filter = ImportFilter(cameoRoots: [try ImportFilter.cameoRoot("4"), try ImportFilter.cameoRoot("19")])
        #expect(filter.cameoRoots == ["04", "19"])
        #expect(filter.matches(try row(date: "2019", codes: [], cameo: "043")))
        #expect(filter.matches(try row(date: "2019", codes: [], cameo: "1951")))
        #expect(!filter.matches(try row(date: "2019", codes: [], cameo: "010")))
        #expect(!filter.matches(try row(date: "2019", codes: [], cameo: nil)))
        for bad in ["99", "0", "21", "004", "x", ""] {
            #expect(throws: ImportError.self, "\(bad)") { try ImportFilter.cameoRoot(bad) }
        }
    }
}
