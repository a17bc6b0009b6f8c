import AnnalsCore
import AnnalsImport
import Foundation
import Testing
import ZIPFoundation

/// `annals import` through a real annalsd: the three formats, re-import, filters, compressed files and
/// standard input, --strict, unreadable rows and bad usage. The columns are the mappers' own, which the
/// AnnalsImport tests pin to the codebooks.
@Suite("annals import")
struct CLIImportTests {
    /// A GDELT 2.0 line: Japan consults Russia on 28 January 2019 unless `values` says otherwise.
    static func gdelt(_ id: Int, _ values: [String: String] = [:]) -> String {
        let base: [String: String] = [
            "GLOBALEVENTID": String(id), "SQLDATE": "20190128", "MonthYear": "201901", "Year": "2019",
            "Actor1Code": "JPNGOV", "Actor1Name": "JAPAN", "Actor1CountryCode": "JPN", "Actor1Type1Code": "GOV",
            "Actor2Code": "RUS", "Actor2Name": "RUSSIA", "Actor2CountryCode": "RUS", "IsRootEvent": "1",
            "EventCode": "040", "EventBaseCode": "040", "EventRootCode": "04", "QuadClass": "1", "GoldsteinScale": "1.0",
            "NumMentions": "10", "NumSources": "2", "NumArticles": "8", "AvgTone": "-2.56",
            "ActionGeo_FullName": "Moscow, Moskva, Russia", "ActionGeo_Lat": "55.7522", "ActionGeo_Long": "37.6156",
            "DATEADDED": "20190128123000", "SOURCEURL": "https://news.example.com/\(id)",
        ]
        let merged = base.merging(values) { _, new in new }
        return GDELTMapper.columns2.map { merged[$0] ?? "" }.joined(separator: "\t")
    }

    /// Ten GDELT rows over 27–31 January 2019, an empty-actor row, and three rows that cannot be imported.
    static let gdeltFile: String = [
        gdelt(1),                                                                                  // 1 JPN consults RUS 28 Jan
        gdelt(2, ["EventCode": "042", "EventBaseCode": "042", "SQLDATE": "20190129"]),             // 2 JPN visits RUS
        gdelt(3, ["Actor1Code": "RUS", "Actor1Name": "RUSSIA", "Actor1CountryCode": "RUS", "Actor1Type1Code": "",
                  "Actor2Code": "JPN", "Actor2Name": "JAPAN", "Actor2CountryCode": "JPN", "EventCode": "057",
                  "EventRootCode": "05", "SQLDATE": "20190130"]),                                  // 3 RUS signs with JPN
        gdelt(4, ["Actor2Code": "CHN", "Actor2Name": "CHINA", "Actor2CountryCode": "CHN", "EventCode": "111",
                  "EventRootCode": "11", "QuadClass": "3"]),                                       // 4 JPN criticizes CHN
        gdelt(5, ["Actor1Code": "", "Actor1Name": "", "Actor1CountryCode": "", "Actor1Type1Code": "",
                  "SQLDATE": "20190127"]),                                                         // 5 ? consults RUS
        gdelt(6, ["Actor1Code": "USA", "Actor1Name": "UNITED STATES", "Actor1CountryCode": "USA", "Actor1Type1Code": "",
                  "Actor2Code": "CHN", "Actor2Name": "CHINA", "Actor2CountryCode": "CHN", "EventCode": "163",
                  "EventRootCode": "16", "QuadClass": "4", "SQLDATE": "20190131"]),                // 6 USA sanctions CHN
        gdelt(7, ["SQLDATE": "20190231"]),                                                         // 7 bad date
        "829\tonly\tthree columns",                                                                // 8 column count
        gdelt(9, ["Actor1Name": String(repeating: "LONG NAME ", count: 25)]),                      // 9 name over 200 bytes
        gdelt(10, ["EventCode": "0874", "EventRootCode": "08", "QuadClass": "2", "SQLDATE": "20190129"]), // 10 JPN yields to RUS
    ].joined(separator: "\n") + "\n"

    static let gdeltIDs = [1, 2, 3, 4, 5, 6, 10].map { "gdelt-\($0)" }

    func fresh() throws -> (ServerProcess, CLIRunner, CLITemporaryDirectory) {
        let server = try ServerProcess()
        return (server, CLIRunner(server: server), try CLITemporaryDirectory())
    }

    func summary(_ result: CLIResult) throws -> [String: Any] {
        try #require(try CLIParse.json(result.stdout) as? [String: Any], "\(result)")
    }

    func errors(_ summary: [String: Any]) -> [String] {
        ((summary["errors"] as? [[String: Any]]) ?? []).map { "\($0["line"] ?? ""): \($0["code"] ?? ""): \($0["message"] ?? "")" }
    }

    func timelineIDs(_ cli: CLIRunner, _ arguments: [String]) throws -> [String] {
        try CLIParse.ids(ofJSONLines: try cli.ok(["timeline", "--format", "jsonl"] + arguments).stdout)
    }

    @Test func gdeltImportReimportAndTheTimelineOfAnActorPair() throws {
        let (server, cli, directory) = try fresh()
        _ = server
        let path = try directory.file("20190128.export.CSV", Self.gdeltFile)
        let first = try cli.expect(2, ["import", "--from", "gdelt", "--json", path])
        let tally = try summary(first)
        #expect(tally["accepted"] as? Int == 7 && tally["duplicates"] as? Int == 0 && tally["rejected"] as? Int == 3)
        #expect(tally["filtered"] as? Int == 0)
        #expect(errors(tally) == [
            "7: malformed-date: SQLDATE: '20190231' is not a day (YYYYMMDD)",
            "8: malformed-line: 3 columns; GDELT event rows have 57 or 58 (GDELT 1.0) or 61 (GDELT 2.0)",
            "9: too-long: actors[0].name: actors[0].name is 249 bytes; the limit is 200",
        ])
        #expect(((tally["errors"] as? [[String: Any]]) ?? []).allSatisfy { $0["file"] as? String == path })

        // Importing the same file again changes nothing; the text summary says so.
        let again = try cli.expect(2, ["import", "--from", "gdelt", path])
        #expect(again.stderrLines.last == "imported: 0 accepted, 7 duplicates, 3 rejected, 0 filtered out")
        #expect(again.stderrLines.first == "\(path):7: malformed-date: SQLDATE: '20190231' is not a day (YYYYMMDD)")
        #expect(try timelineIDs(cli, ["--limit", "100"]).sorted() == Self.gdeltIDs.sorted())

        // The timeline of Japan and Russia: by name (as the issue's example asks) and by code.
        let pair = try cli.ok(["timeline", "--actor", "Japan", "--actor", "Russia", "--all-actors", "--from", "2019-01", "--to", "2019-02"])
        let text = CLIParse.flattened(pair.stdout)
        for title in ["Japan consults Russia", "Japan makes a visit to Russia", "Russia signs a formal agreement with Japan",
                      "Japan de-escalates military engagement with Russia"] {
            #expect(text.contains(title), "\(title) in \(pair.stdout)")
        }
        #expect(!text.contains("China") && !text.contains("Unidentified"))
        // Same day: by id.
        #expect(try timelineIDs(cli, ["--actor", "JPN", "--actor", "RUS", "--all-actors"]) == ["gdelt-1", "gdelt-10", "gdelt-2", "gdelt-3"])
        #expect(try timelineIDs(cli, ["--tag", "cameo:163"]) == ["gdelt-6"])
        #expect(try timelineIDs(cli, ["--kind", "sanction"]) == ["gdelt-6"])

        let shown = try cli.ok(["show", "gdelt-2", "--json"]).stdout
        guard case .event(let event) = try EventLogCodec.decode(line: shown.trimmingCharacters(in: .newlines)) else {
            Issue.record("not an event: \(shown)")
            return
        }
        #expect(event.title == "Japan makes a visit to Russia" && event.kind == .visit && event.date.canonical == "2019-01-29")
        #expect(event.actors == [Actor(name: "Japan", code: "JPN", role: "source"), Actor(name: "Russia", code: "RUS", role: "target")])
        #expect(event.sources.map(\.url) == ["https://news.example.com/2"])
        #expect(event.tags == ["gdelt", "cameo:042", "quad:verbal-cooperation"])
        #expect(event.summary?.contains("Goldstein scale 1") == true)
    }

    @Test func filters() throws {
        let (server, cli, directory) = try fresh()
        _ = server
        let path = try directory.file("day.export.CSV", Self.gdeltFile)
        // Any of the codes: every row with a Japanese or Russian actor; the rows that cannot be read are
        // still reported.
        let any = try summary(try cli.expect(2, ["import", "--from", "gdelt", "--json", "--actor-code", "JPN", "--actor-code", "rus", path]))
        #expect(any["accepted"] as? Int == 6 && any["filtered"] as? Int == 1 && any["rejected"] as? Int == 3)

        let (server2, cli2, _) = try fresh()
        _ = server2
        let both = try summary(try cli2.expect(2, ["import", "--from", "gdelt", "--json", "--actor-code", "JPN", "--actor-code", "RUS",
                                                    "--all-actor-codes", "--cameo-root", "4", "--cameo-root", "05", path]))
        #expect(both["accepted"] as? Int == 3 && both["filtered"] as? Int == 4)
        #expect(try timelineIDs(cli2, []) == ["gdelt-1", "gdelt-2", "gdelt-3"])
        // Dates overlap as in timelines; --from is given twice: the format and the earliest date. A row
        // the filters leave out is not validated (row 9, on the 28th, is not reported this time).
        let dated = try summary(try cli2.expect(2, ["import", "--json", "--from", "gdelt", "--from", "2019-01-29", "--to", "2019-01-30", path]))
        #expect(dated["accepted"] as? Int == 1 && dated["duplicates"] as? Int == 2 && dated["filtered"] as? Int == 5)
        #expect(dated["rejected"] as? Int == 2)
        #expect(try timelineIDs(cli2, []) == ["gdelt-1", "gdelt-10", "gdelt-2", "gdelt-3"])
        // A type code (GOV) is one of an actor's codes too: rows 1, 2, 4, 9 and 10 have a GOV actor.
        let government = try summary(try cli2.expect(2, ["import", "--from", "gdelt", "--json", "--actor-code", "GOV", path]))
        #expect(government["accepted"] as? Int == 1 && government["duplicates"] as? Int == 3 && government["rejected"] as? Int == 3)
    }

    @Test func compressedFilesAndStandardInput() throws {
        let (server, cli, directory) = try fresh()
        _ = server
        let plain = try directory.file("20190128.export.CSV", Self.gdeltFile)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "--keep", plain]
        try gzip.run()
        gzip.waitUntilExit()
        #expect(gzip.terminationStatus == 0)
        let gz = try summary(try cli.expect(2, ["import", "--from", "gdelt", "--json", plain + ".gz"]))
        #expect(gz["accepted"] as? Int == 7 && gz["rejected"] as? Int == 3)
        #expect(errors(gz).first?.hasPrefix("7: malformed-date") == true)

        let zip = directory.path("20190128.export.CSV.zip")
        try Self.zip(zip, entries: ["20190128.export.CSV"], from: directory.url)
        let zipped = try summary(try cli.expect(2, ["import", "--from", "gdelt", "--json", zip]))
        #expect(zipped["duplicates"] as? Int == 7 && zipped["rejected"] as? Int == 3)
        #expect(errors(zipped) == errors(gz))

        let piped = try summary(try cli.expect(2, ["import", "--from", "gdelt", "--json", "-"],
                                               stdin: try Data(contentsOf: URL(fileURLWithPath: plain + ".gz"))))
        #expect(piped["duplicates"] as? Int == 7)
        #expect(((piped["errors"] as? [[String: Any]]) ?? []).first?["file"] as? String == "<stdin>")

        // A zip of two files stops the import before anything is sent, even from a file named before it.
        let extra = try directory.file("more.CSV", Self.gdelt(100) + "\n")
        let two = directory.path("two.zip")
        try Self.zip(two, entries: ["20190128.export.CSV", "more.CSV"], from: directory.url)
        let result = try cli.run(["import", "--from", "gdelt", extra, two])
        #expect(result.status == 66, "\(result)")
        #expect(result.stderrLines == ["annals: cannot read \(two): the zip archive holds 2 files; unzip it and import the file you want"])
        #expect(!(try timelineIDs(cli, ["--limit", "100"]).contains("gdelt-100")))
    }

    /// Writes a zip archive of `entries`, files of `directory`, with ZIPFoundation.
    static func zip(_ path: String, entries: [String], from directory: URL) throws {
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        for entry in entries { try archive.addEntry(with: entry, relativeTo: directory, compressionMethod: .deflate) }
    }

    @Test func strictStopsAtTheFirstRejectedRow() throws {
        let (server, cli, directory) = try fresh()
        _ = server
        let path = try directory.file("events.CSV", Self.gdeltFile)
        for batchSize in ["1", "500"] {
            let result = try cli.expect(2, ["import", "--from", "gdelt", "--strict", "--batch-size", batchSize, path])
            #expect(result.stderrLines == ["\(path):7: malformed-date: SQLDATE: '20190231' is not a day (YYYYMMDD)",
                                           "imported: \(batchSize == "1" ? 6 : 0) accepted, \(batchSize == "1" ? 0 : 6) duplicates, 1 rejected, 0 filtered out"],
                    "batch size \(batchSize)")
        }
        // Rows after the first rejected one were not written.
        #expect(try timelineIDs(cli, []).sorted() == ["gdelt-1", "gdelt-2", "gdelt-3", "gdelt-4", "gdelt-5", "gdelt-6"])
    }

    @Test func icewsWithItsHeaderAndMissingValues() throws {
        let (server, cli, directory) = try fresh()
        _ = server
        func row(_ values: [String: String]) -> String {
            let base: [String: String] = [
                "Event ID": "1", "Event Date": "2018-06-01", "Source Name": "Shinzo Abe", "Source Sectors": "Executive,Government",
                "Source Country": "Japan", "Event Text": "Consult", "CAMEO Code": "040", "Intensity": "1",
                "Target Name": "Vladimir Putin", "Target Sectors": "Executive,Government", "Target Country": "Russian Federation",
                "Story ID": "100", "Sentence Number": "1", "Publisher": "Kyodo News", "City": "Moscow", "District": "NA",
                "Province": "Moscow", "Country": "Russian Federation", "Latitude": "55.75", "Longitude": "37.62",
            ]
            let merged = base.merging(values) { _, new in new }
            return ICEWSMapper.columns.map { merged[$0] ?? "" }.joined(separator: "\t")
        }
        let text = [
            ICEWSMapper.columns.joined(separator: "\t"),
            row([:]),
            row(["Event ID": "2", "CAMEO Code": "043", "Source Name": "Vladimir Putin", "Source Country": "Russian Federation",
                 "Target Name": "Shinzo Abe", "Target Country": "Japan", "Event Date": "2018-09-10"]),
            row(["Event ID": "3", "Target Name": "NA", "Target Country": "NA", "CAMEO Code": "010", "Target Sectors": "NA"]),
            row(["Event ID": "4", "Event Date": "June 2018"]),
            row(["Event ID": "5"]) + "\textra",
            // ICEWS reused some Event IDs for other events before 2014: the second is a conflict.
            row(["Event ID": "1", "Event Date": "2014-01-01", "CAMEO Code": "173"]),
        ].joined(separator: "\r\n") + "\r\n"
        let path = try directory.file("events.2018.tab", text)
        let first = try summary(try cli.expect(2, ["import", "--from", "icews", "--json", path]))
        #expect(first["accepted"] as? Int == 3 && first["rejected"] as? Int == 3)
        let expected = ["5: malformed-date: Event Date: 'June 2018' is not a day (YYYY-MM-DD)",
                        "6: malformed-line: 21 columns; ICEWS event rows have 20"]
        #expect(Array(errors(first).prefix(2)) == expected)
        #expect(errors(first).last?.hasPrefix("7: conflict: ") == true, "\(errors(first))")
        let again = try summary(try cli.expect(2, ["import", "--from", "icews", "--json", path]))
        #expect(again["duplicates"] as? Int == 3 && again["accepted"] as? Int == 0)
        let pair = CLIParse.flattened(try cli.ok(["timeline", "--actor", "JPN", "--actor", "RUS", "--all-actors"]).stdout)
        #expect(pair.contains("Shinzo Abe consults Vladimir Putin") && pair.contains("Vladimir Putin hosts a visit by Shinzo Abe"), "\(pair)")
        #expect(try timelineIDs(cli, ["--kind", "statement"]) == ["icews-3"])
        #expect(try timelineIDs(cli, ["--kind", "summit"]) == ["icews-2"])
    }

    @Test func acledQuotedFieldsAndPrecision() throws {
        let (server, cli, directory) = try fresh()
        _ = server
        func row(_ values: [String: String]) -> String {
            let base: [String: String] = [
                "event_id_cnty": "SDN1", "event_date": "2023-04-15", "year": "2023", "time_precision": "1",
                "disorder_type": "Political violence", "event_type": "Battles", "sub_event_type": "Armed clash",
                "actor1": "Military Forces of Sudan (2019-)", "actor2": "Rapid Support Forces", "country": "Sudan",
                "admin1": "Khartoum", "location": "Khartoum", "latitude": "15.55", "longitude": "32.53",
                "source": "Sudan Tribune", "notes": "Fighting in Khartoum.", "fatalities": "3",
            ]
            let merged = base.merging(values) { _, new in new }
            return ACLEDMapper.columns.map { field in
                let value = merged[field] ?? ""
                return value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
                    ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
            }.joined(separator: ",")
        }
        let notes = "On 15 April 2023, the SAF and the RSF clashed\nin Khartoum, Omdurman and Bahri; \"heavy\" fighting."
        let text = [
            ACLEDMapper.columns.joined(separator: ","),
            row(["notes": notes]),                                                             // lines 2–3
            row(["event_id_cnty": "SDN2", "time_precision": "2", "event_type": "Protests", "sub_event_type": "Peaceful protest",
                 "actor1": "Protesters (Sudan)", "actor2": "", "fatalities": "0"]),            // line 4
            row(["event_id_cnty": "SDN3", "time_precision": "3", "event_date": "20 May 2023"]), // line 5
            row(["event_id_cnty": "SDN4", "time_precision": "9"]),                             // line 6
            "SDN5,2023-04-16,\"unclosed",                                                       // line 7
        ].joined(separator: "\r\n") + "\r\n"
        let path = try directory.file("acled.csv", text)
        let first = try summary(try cli.expect(2, ["import", "--from", "acled", "--json", path]))
        #expect(first["accepted"] as? Int == 3 && first["rejected"] as? Int == 2, "\(first)")
        #expect(errors(first) == ["6: malformed-date: time_precision: '9' is not a time precision (1, 2 or 3)",
                                  "7: malformed-line: a quoted field is not closed before the end of the file"])
        let ids = try timelineIDs(cli, ["--actor", "SDN"])
        #expect(ids == ["acled-SDN1", "acled-SDN2", "acled-SDN3"], "\(ids)")
        let shown = try cli.ok(["show", "acled-SDN1", "--json"]).stdout
        guard case .event(let event) = try EventLogCodec.decode(line: shown.trimmingCharacters(in: .newlines)) else {
            Issue.record("not an event: \(shown)")
            return
        }
        #expect(event.summary?.hasPrefix(notes) == true)
        #expect(event.title == "Armed clash between Military Forces of Sudan (2019-) and Rapid Support Forces in Khartoum")
        let timeline = try CLIParse.json(try cli.ok(["timeline", "--format", "json"]).stdout) as? [[String: Any]]
        #expect((timeline ?? []).compactMap { $0["date"] as? String }.sorted() == ["2023-04-15", "2023-04-15?", "2023-05"], "\(String(describing: timeline))")
        let again = try summary(try cli.expect(2, ["import", "--from", "acled", "--json", path]))
        #expect(again["duplicates"] as? Int == 3 && again["accepted"] as? Int == 0)
        // ACLED rows have no CAMEO code.
        let cameo = try cli.run(["import", "--from", "acled", "--cameo-root", "19", path])
        #expect(cameo.status == 64 && cameo.stderr.contains("--cameo-root applies to gdelt and icews"), "\(cameo)")
    }

    @Test func badUsageAndUnreadableInput() throws {
        let (server, cli, directory) = try fresh()
        _ = server
        let path = try directory.file("events.CSV", Self.gdeltFile)
        for (arguments, status, text) in [
            (["import", path], Int32(64), "name the format with --from: gdelt, icews, acled"),
            (["import", "--from", "gdlet", path], 64, "unknown format 'gdlet': use --from gdelt, icews or acled"),
            (["import", "--from", "gdelt", "--from", "icews", path], 64, "give one format, not gdelt and icews"),
            (["import", "--from", "gdelt", "--all-actor-codes", path], 64, "--all-actor-codes needs --actor-code"),
            (["import", "--from", "gdelt"], 64, "give at least one file"),
        ] as [([String], Int32, String)] {
            let result = try cli.run(arguments)
            #expect(result.status == status && result.stderr.hasPrefix("annals: ") && result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(text), "\(arguments): \(result)")
        }
        for (arguments, status, text) in [
            (["import", "--from", "gdelt", "--cameo-root", "99", path], Int32(65),
             "annals: '99' is not a CAMEO root code: use 01 to 20 (e.g. 04 consult, 19 fight)"),
            (["import", "--from", "gdelt", "--to", "2019-13", path], 65, "annals: --to '2019-13' is not an EDTF date"),
            (["import", "--from", "gdelt", directory.path("absent.CSV")], 66, "annals: cannot read \(directory.path("absent.CSV")): No such file or directory"),
            (["import", "--from", "gdelt", directory.url.path], 66, "annals: cannot read \(directory.url.path): it is a directory"),
            (["import", "--from", "acled", path], 65, "annals: \(path): line 1 is not an ACLED header"),
        ] as [([String], Int32, String)] {
            let result = try cli.run(arguments)
            #expect(result.status == status, "\(arguments): \(result)")
            #expect(result.stderrLines.count == 1 && result.stderr.hasPrefix(text), "\(arguments): \(result)")
        }
        // Nothing was written by any of them.
        #expect(try timelineIDs(cli, []).isEmpty)
    }
}
