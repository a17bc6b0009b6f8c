import AnnalsCore
import AnnalsImport
import Foundation

/// `gdelt --count N --out events.export.CSV [--jsonl events.jsonl] [--seed S]`: a GDELT 2.0-shaped event
/// export (61 tab-separated columns, no header), and with `--jsonl` the same events as `annals import`
/// maps them, as a JSON Lines log for `annals replay`: the two sides of the import-rate measurement.
///
/// Rows are seeded and deterministic: GLOBALEVENTIDs from 800,000,000 up, days of 2019, Zipf-drawn
/// countries with a type code half the time, 10% without Actor1 and 25% without Actor2 (as GDELT often
/// leaves them), CAMEO codes weighted towards the common ones, a city for the action, a source URL.
enum GDELTCommand {
    static func run(_ args: Args) throws(BenchError) {
        let count = try args.int("count")
        let seed = UInt64(try args.int("seed", default: 15))
        let out = try args.string("out")
        let jsonl = args.string("jsonl", default: "")
        let rows = try Writer(out)
        let log = jsonl.isEmpty ? nil : try Writer(jsonl)
        let countries = ZipfSampler(count: Vocabulary.countries.count, exponent: 0.9)
        var mapper = GDELTMapper()
        var r = SeededRandom(seed: seed)
        var unmapped = 0
        for i in 0..<count {
            let fields = row(i, &r, countries)
            rows.write(fields.joined(separator: "\t") + "\n")
            guard let log else { continue }
            do {
                if let event = try mapper.map(DelimitedRecord(line: i + 1, fields: fields))?.event {
                    try EventValidator().validate(event)
                    log.write(EventLogCodec.encode(event) + "\n")
                }
            } catch {
                unmapped += 1
            }
        }
        try rows.close()
        try log?.close()
        print(#"{"rows":\#(count),"bytes":\#(rows.bytes),"jsonl_bytes":\#(log?.bytes ?? 0),"unmapped":\#(unmapped)}"#)
    }

    private static let types = ["GOV", "MIL", "BUS", "MED", "OPP", "CVL", "POL", "JUD"]
    private static let codes: [(String, Double)] = [
        ("010", 14), ("040", 10), ("042", 5), ("043", 5), ("036", 5), ("051", 5), ("020", 4), ("111", 4), ("112", 4),
        ("190", 3), ("173", 3), ("057", 2), ("046", 2), ("193", 2), ("130", 2), ("061", 2), ("0233", 1), ("0874", 1),
        ("145", 1), ("163", 1), ("1823", 1), ("084", 1), ("013", 2), ("019", 2), ("030", 2),
    ]
    private static let cities: [(String, String, Double, Double)] = [
        ("Moscow, Moskva, Russia", "RS", 55.7522, 37.6156), ("Tokyo, Tokyo, Japan", "JA", 35.685, 139.751),
        ("Washington, District of Columbia, United States", "US", 38.8951, -77.0364),
        ("Beijing, Beijing, China", "CH", 39.9289, 116.388), ("London, London, City of, United Kingdom", "UK", 51.5, -0.1167),
        ("Paris, Ile-de-France, France", "FR", 48.8667, 2.3333), ("Berlin, Berlin, Germany", "GM", 52.5167, 13.4),
        ("Kiev, Kyyiv, Misto, Ukraine", "UP", 50.4333, 30.5167), ("Tehran, Tehran, Iran", "IR", 35.6719, 51.4243),
        ("Seoul, Seoul-t'ukpyolsi, South Korea", "KS", 37.5664, 127.0), ("New Delhi, Delhi, India", "IN", 28.6, 77.2),
        ("Damascus, Dimashq, Syria", "SY", 33.5102, 36.2913), ("Kabul, Kabol, Afghanistan", "AF", 34.5167, 69.1833),
    ]

    /// The 61 fields of row `i`.
    static func row(_ i: Int, _ r: inout SeededRandom, _ countries: ZipfSampler) -> [String] {
        var f = [String](repeating: "", count: 61)
        let id = 800_000_000 + i
        let dayOfYear = r.int(0...364)
        let day = CalendarDay(dayNumber: CalendarDay(year: 2019, month: 1, day: 1).dayNumber + Int64(dayOfYear))
        let sqlDate = String(format: "%04d%02d%02d", Int(day.year), day.month, day.day)
        f[0] = String(id)
        f[1] = sqlDate
        f[2] = String(sqlDate.prefix(6))
        f[3] = "2019"
        f[4] = String(format: "%.4f", 2019 + Double(day.month * 30 + day.day) / 365)
        for (offset, empty) in [(5, 0.10), (15, 0.25)] where !r.chance(empty) {
            let country = Vocabulary.countries[countries.sample(&r)]
            let type = r.chance(0.5) ? types[r.int(0...(types.count - 1))] : ""
            f[offset] = country.code + type
            f[offset + 1] = country.name.uppercased()
            f[offset + 2] = country.code
            f[offset + 7] = type
        }
        let code = r.weighted(codes)
        f[25] = r.chance(0.6) ? "1" : "0"
        f[26] = code
        f[27] = String(code.prefix(3))
        f[28] = String(code.prefix(2))
        f[29] = String(Cameo.quadClass(of: code))
        f[30] = String(format: "%.1f", Double(r.int(-100...100)) / 10)
        let mentions = r.int(1...60)
        f[31] = String(mentions)
        f[32] = String(r.int(1...min(mentions, 10)))
        f[33] = String(r.int(1...mentions))
        f[34] = String(format: "%.8f", r.normal() * 3)
        // Actor geographies at country level (Type 1), the action at a city (Type 4).
        for (offset, actor) in [(35, 5), (43, 15)] where !f[actor].isEmpty {
            f[offset] = "1"
            f[offset + 1] = f[actor + 1].capitalized
        }
        let city = cities[r.int(0...(cities.count - 1))]
        f[51] = "4"
        f[52] = city.0
        f[53] = city.1
        f[54] = city.1 + "0" + String(r.int(1...9))
        f[56] = String(city.2)
        f[57] = String(city.3)
        f[58] = String(-r.int(100_000...3_000_000))
        f[59] = sqlDate + String(format: "%02d%02d00", r.int(0...23), 15 * r.int(0...3))
        f[60] = "https://www.news\(r.int(1...400)).example.com/2019/\(day.month)/\(day.day)/story-\(id).html"
        return f
    }

    /// A file written in large buffered chunks.
    private final class Writer {
        private let handle: FileHandle
        private var buffer: [UInt8] = []
        private(set) var bytes = 0

        init(_ path: String) throws(BenchError) {
            guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
                throw BenchError("cannot write \(path)")
            }
            self.handle = handle
        }

        func write(_ text: String) {
            buffer.append(contentsOf: text.utf8)
            bytes += text.utf8.count
            if buffer.count >= 4 << 20 { flush() }
        }

        private func flush() {
            handle.write(Data(buffer))
            buffer.removeAll(keepingCapacity: true)
        }

        func close() throws(BenchError) {
            flush()
            do { try handle.close() } catch { throw BenchError("closing: \(error)") }
        }
    }
}
