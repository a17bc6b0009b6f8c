import AnnalsCore
import AnnalsImport
import Foundation

/// Fixture rows written from the datasets' codebooks: each format's columns in order, as the codebooks
/// list them (typed out here, not taken from the module under test), and rows built by column name.
enum Codebook {
    /// GDELT 2.0 Event Codebook: the 61 columns of an event export.
    static let gdelt2: [String] = [
        "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
        "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1EthnicCode",
        "Actor1Religion1Code", "Actor1Religion2Code", "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code",
        "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode", "Actor2EthnicCode",
        "Actor2Religion1Code", "Actor2Religion2Code", "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code",
        "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
        "NumMentions", "NumSources", "NumArticles", "AvgTone",
        "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode", "Actor1Geo_ADM1Code", "Actor1Geo_ADM2Code",
        "Actor1Geo_Lat", "Actor1Geo_Long", "Actor1Geo_FeatureID",
        "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode", "Actor2Geo_ADM1Code", "Actor2Geo_ADM2Code",
        "Actor2Geo_Lat", "Actor2Geo_Long", "Actor2Geo_FeatureID",
        "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code", "ActionGeo_ADM2Code",
        "ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID",
        "DATEADDED", "SOURCEURL",
    ]

    /// GDELT 1.0 data format: 57 columns (no ADM2 codes); the daily files since April 2013 add SOURCEURL.
    static let gdelt1: [String] = [
        "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
        "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1EthnicCode",
        "Actor1Religion1Code", "Actor1Religion2Code", "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code",
        "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode", "Actor2EthnicCode",
        "Actor2Religion1Code", "Actor2Religion2Code", "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code",
        "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
        "NumMentions", "NumSources", "NumArticles", "AvgTone",
        "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode", "Actor1Geo_ADM1Code",
        "Actor1Geo_Lat", "Actor1Geo_Long", "Actor1Geo_FeatureID",
        "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode", "Actor2Geo_ADM1Code",
        "Actor2Geo_Lat", "Actor2Geo_Long", "Actor2Geo_FeatureID",
        "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code",
        "ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID",
        "DATEADDED",
    ]
    static let gdelt1WithURL = gdelt1 + ["SOURCEURL"]

    /// ICEWS coded event data: the 20 columns of the Dataverse event files.
    static let icews: [String] = [
        "Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country", "Event Text", "CAMEO Code",
        "Intensity", "Target Name", "Target Sectors", "Target Country", "Story ID", "Sentence Number", "Publisher",
        "City", "District", "Province", "Country", "Latitude", "Longitude",
    ]

    /// ACLED export columns since the March 2023 changes.
    static let acled: [String] = [
        "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
        "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
        "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3", "location",
        "latitude", "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags",
        "timestamp",
    ]

    /// The values of one row in `columns`' order: `values` by column name, "" elsewhere.
    static func row(_ columns: [String], _ values: [String: String], missing: String = "") -> [String] {
        precondition(values.keys.allSatisfy(columns.contains), "a fixture names a column the format does not have")
        return columns.map { values[$0] ?? missing }
    }

    /// A GDELT 2.0 line (no line break): Japan consults Russia on 28 January 2019 unless `values` says otherwise.
    static func gdelt(_ values: [String: String] = [:], columns: [String] = gdelt2) -> String {
        let base: [String: String] = [
            "GLOBALEVENTID": "829461390", "SQLDATE": "20190128", "MonthYear": "201901", "Year": "2019",
            "FractionDate": "2019.0767", "Actor1Code": "JPNGOV", "Actor1Name": "JAPAN", "Actor1CountryCode": "JPN",
            "Actor1Type1Code": "GOV", "Actor2Code": "RUS", "Actor2Name": "RUSSIA", "Actor2CountryCode": "RUS",
            "IsRootEvent": "1", "EventCode": "040", "EventBaseCode": "040", "EventRootCode": "04", "QuadClass": "1",
            "GoldsteinScale": "1.0", "NumMentions": "10", "NumSources": "2", "NumArticles": "8",
            "AvgTone": "-2.5641025641", "ActionGeo_Type": "4", "ActionGeo_FullName": "Moscow, Moskva, Russia",
            "ActionGeo_CountryCode": "RS", "ActionGeo_Lat": "55.7522", "ActionGeo_Long": "37.6156",
            "Actor1Geo_FullName": "Japan", "Actor2Geo_FullName": "Russia",
            "DATEADDED": columns.count == 61 ? "20190128123000" : "20190128",
            "SOURCEURL": "https://news.example.com/japan-russia",
        ]
        let merged = base.merging(values) { _, new in new }.filter { columns.contains($0.key) }
        return row(columns, merged).joined(separator: "\t")
    }

    /// An ICEWS line: the first row of the 2018 sample (Bangladesh's foreign ministry consults Vietnam's military).
    static func icews(_ values: [String: String] = [:]) -> String {
        let base: [String: String] = [
            "Event ID": "32889836", "Event Date": "2018-06-01", "Source Name": "Foreign Affairs (Bangladesh)",
            "Source Sectors": "Executive,Foreign Ministry,Government", "Source Country": "Bangladesh",
            "Event Text": "Consult", "CAMEO Code": "040", "Intensity": "1",
            "Target Name": "High Ranking Military Personnel (Vietnam)", "Target Sectors": "Military,Government",
            "Target Country": "Vietnam", "Story ID": "47400351", "Sentence Number": "2",
            "Publisher": "Vietnam News Agency Bulletin", "City": "Hanoi", "District": "NA",
            "Province": "Thanh Pho Ha Noi", "Country": "Vietnam", "Latitude": "21.0245", "Longitude": "105.841",
        ]
        return row(icews, base.merging(values) { _, new in new }).joined(separator: "\t")
    }

    /// An ACLED record's fields: an armed clash in Khartoum unless `values` says otherwise.
    static func acledFields(_ values: [String: String] = [:]) -> [String] {
        let base: [String: String] = [
            "event_id_cnty": "SDN12345", "event_date": "2023-04-15", "year": "2023", "time_precision": "1",
            "disorder_type": "Political violence", "event_type": "Battles", "sub_event_type": "Armed clash",
            "actor1": "Military Forces of Sudan (2019-)", "inter1": "1", "actor2": "Rapid Support Forces",
            "inter2": "2", "interaction": "12", "iso": "729", "region": "Northern Africa", "country": "Sudan",
            "admin1": "Khartoum", "admin2": "Khartoum", "location": "Khartoum", "latitude": "15.5518",
            "longitude": "32.5324", "geo_precision": "1", "source": "Sudan Tribune; Radio Dabanga",
            "source_scale": "National", "notes": "On 15 April 2023, the SAF and the RSF clashed in Khartoum.",
            "fatalities": "3", "timestamp": "1681900000",
        ]
        return row(acled, base.merging(values) { _, new in new })
    }

    /// Fields as a CSV record: quoted when they hold a comma, quote or line break (quotes doubled).
    static func csv(_ fields: [String]) -> String {
        fields.map { field in
            field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }.joined(separator: ",")
    }
}

/// Reads `text` whole, in chunks of `chunk` bytes.
func readRecords(_ text: String, _ dialect: DelimitedReader.Dialect, chunk: Int = 1 << 20,
                 maxRecordBytes: Int = DelimitedReader.defaultMaxRecordBytes) -> [Result<DelimitedRecord, DelimitedReader.Failure>] {
    var reader = DelimitedReader(dialect: dialect, maxRecordBytes: maxRecordBytes)
    var out: [Result<DelimitedRecord, DelimitedReader.Failure>] = []
    let bytes = Array(text.utf8)
    var at = 0
    while at < bytes.count {
        reader.append(bytes[at..<min(bytes.count, at + chunk)])
        at += chunk
        while let next = reader.next() { out.append(next) }
    }
    reader.finish()
    while let next = reader.next() { out.append(next) }
    return out
}

/// Maps the records of `text` with a fresh mapper of `format`: per record, its row, nil (a header) or the error.
func mapRows(_ text: String, _ format: ImportFormat) -> [(line: Int, result: Result<ImportedRow?, any Error>)] {
    var mapper = format.makeMapper()
    return readRecords(text, format.dialect).map { read in
        switch read {
        case .failure(let failure): return (failure.line, .failure(failure))
        case .success(let record): return (record.line, Result { try mapper.map(record) })
        }
    }
}

/// The one event `line` maps to (a GDELT row, or an ICEWS/ACLED row after their header).
func event(_ text: String, _ format: ImportFormat) throws -> ImportedRow {
    let rows = mapRows(text, format).compactMap { try? $0.result.get() }
    guard rows.count == 1, let row = rows.first else { throw FixtureError("expected one event from: \(text.prefix(300))") }
    return row
}

/// The error the one data row of `text` gives.
func rowError(_ text: String, _ format: ImportFormat) -> EventError? {
    for (_, result) in mapRows(text, format) {
        if case .failure(let error) = result { return error as? EventError }
    }
    return nil
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
