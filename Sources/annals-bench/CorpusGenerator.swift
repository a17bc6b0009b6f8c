import AnnalsCore
import Dispatch
import Foundation

/// A deterministic, seeded generator of diplomatic events for the benchmark.
///
/// Event `i` is drawn from its own generator seeded by (seed, i), so chunks are generated in parallel and
/// the corpus is identical for a given seed whatever the machine. Dates fall in 1850–2025 at mixed
/// precision; 1–6 actors Zipf-drawn from countries (ISO alpha-3) and leaders; bodies 200 B–20 KB,
/// log-normal around a 1 KB median; words Zipf-drawn from a 40,000-word vocabulary; references point at
/// earlier events; ids carry a random suffix, so they arrive in no particular order.
struct CorpusGenerator {
    let seed: UInt64
    let count: Int
    let words: [String]
    private let wordSampler: ZipfSampler
    private let countrySampler: ZipfSampler
    private let tagSampler: ZipfSampler
    private static let vocabularySize = 40_000

    init(seed: UInt64, count: Int) {
        self.seed = seed
        self.count = count
        words = Vocabulary.words(count: Self.vocabularySize)
        wordSampler = ZipfSampler(count: words.count, exponent: 1.0)
        countrySampler = ZipfSampler(count: Vocabulary.countries.count, exponent: 0.9)
        tagSampler = ZipfSampler(count: Vocabulary.tags.count, exponent: 1.0)
    }

    private func rng(_ index: Int) -> SeededRandom {
        var mix = SeededRandom(seed: seed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
        return SeededRandom(seed: mix.next())
    }

    private static let kinds: [(EventKind, Double)] = [
        (.statement, 20), (.meeting, 16), (.visit, 12), (.speech, 10), (.agreement, 8), (.negotiation, 8),
        (.declaration, 6), (.summit, 5), (.treaty, 5), (.sanction, 4), (.war, 1), (.other, 5),
    ]

    /// The year, kind and id of event `index` (the first draws of its generator, so references can name it).
    func head(_ index: Int) -> (year: Int, kind: EventKind, id: String, rng: SeededRandom) {
        var r = rng(index)
        let year = 1850 + min(175, Int(176 * pow(r.unit(), 0.6)))
        let kind = r.weighted(Self.kinds)
        let suffix = String(r.next() & 0xFFFF_FFFF_FFFF, radix: 16)
        return (year, kind, "\(year)-\(kind.rawValue)-\(suffix)", r)
    }

    /// Event `index`, and the vocabulary ranks its text used (for document frequencies).
    func event(_ index: Int, usedWords: inout [Int]) -> Event {
        var (year, kind, id, r) = head(index)
        let date = Self.date(year: year, &r)
        var actors: [Actor] = []
        var seen = Set<Int>()
        let actorCount = r.weighted([(1, 0.2), (2, 0.4), (3, 0.18), (4, 0.1), (5, 0.07), (6, 0.05)])
        while actors.count < actorCount {
            if r.chance(0.2) {
                let leader = Vocabulary.leaders[r.int(0...(Vocabulary.leaders.count - 1))]
                if !actors.contains(where: { $0.name == leader }) {
                    actors.append(Actor(name: leader, role: Vocabulary.roles[r.int(0...(Vocabulary.roles.count - 1))]))
                }
            } else {
                let c = countrySampler.sample(&r)
                if seen.insert(c).inserted {
                    let country = Vocabulary.countries[c]
                    actors.append(Actor(name: country.name, code: country.code,
                                        role: r.chance(0.7) ? Vocabulary.roles[r.int(0...(Vocabulary.roles.count - 1))] : nil))
                }
            }
        }
        var places: [String] = []
        for _ in 0..<r.weighted([(0, 0.3), (1, 0.55), (2, 0.15)]) {
            let place = Vocabulary.places[r.int(0...(Vocabulary.places.count - 1))]
            if !places.contains(place) { places.append(place) }
        }
        var tags: [String] = []
        for _ in 0..<r.weighted([(0, 0.15), (1, 0.3), (2, 0.3), (3, 0.15), (4, 0.1)]) {
            let tag = Vocabulary.tags[tagSampler.sample(&r)]
            if !tags.contains(tag) { tags.append(tag) }
        }
        var references: [Reference] = []
        if index > 0 {
            for _ in 0..<r.weighted([(0, 0.45), (1, 0.35), (2, 0.13), (3, 0.07)]) {
                // Mostly recent predecessors, sometimes any earlier event.
                let back = r.chance(0.7) ? r.int(1...min(index, 200)) : r.int(1...index)
                let target = head(index - back).id
                if !references.contains(where: { $0.id == target }) {
                    references.append(Reference(id: target, relation: Relation.allCases[r.int(0...(Relation.allCases.count - 1))]))
                }
            }
        }
        var sources: [Source] = []
        if r.chance(0.6) {
            sources.append(Source(url: "https://archive.example.org/\(year)/doc-\(r.next() % 1_000_000)",
                                  publisher: ["Reuters", "TASS", "AP", "Xinhua", "Le Monde", "The Times"][r.int(0...5)]))
        }

        let names = actors.map(\.name)
        let subject = (0..<2).map { _ -> String in let w = wordSampler.sample(&r); usedWords.append(w); return words[w] }.joined(separator: " ")
        let title: String
        switch names.count {
        case 1: title = "\(kind.rawValue.capitalized) by \(names[0]) on \(subject)"
        case 2: title = "\(kind.rawValue.capitalized) between \(names[0]) and \(names[1]) on \(subject)"
        default: title = "\(kind.rawValue.capitalized) of \(names.dropLast().joined(separator: ", ")) and \(names.last!) on \(subject)"
        }
        let summaryLength = r.chance(0.08) ? r.int(520...1500) : r.int(60...400)
        let summary = text(length: summaryLength, names: names, paragraphs: false, &r, &usedWords)
        let bodyLength = Int(min(20_000, max(200, exp(log(1000.0) + 0.85 * r.normal()))))
        let body = text(length: bodyLength, names: names + places, paragraphs: true, &r, &usedWords)
        return Event(id: id, date: date, kind: kind, title: title, summary: summary, body: body, actors: actors,
                     places: places, tags: tags, sources: sources, references: references)
    }

    /// Sentences of Zipf-drawn words, about `length` bytes (never more).
    private func text(length: Int, names: [String], paragraphs: Bool, _ r: inout SeededRandom, _ used: inout [Int]) -> String {
        var out = ""
        out.reserveCapacity(length + 64)
        var sentencesInParagraph = 0, paragraphLength = r.int(3...6)
        while out.utf8.count < length {
            var sentence = ""
            let wordCount = r.int(8...24)
            for w in 0..<wordCount {
                var word: String
                if !names.isEmpty && r.chance(0.04) {
                    word = names[r.int(0...(names.count - 1))]
                } else {
                    let rank = wordSampler.sample(&r)
                    used.append(rank)
                    word = words[rank]
                }
                if w == 0 { word = word.prefix(1).uppercased() + word.dropFirst() }
                sentence += w == 0 ? word : (r.chance(0.06) ? ", " : " ") + word
            }
            sentence += "."
            if out.isEmpty {
                out = sentence
            } else {
                sentencesInParagraph += 1
                if paragraphs && sentencesInParagraph >= paragraphLength {
                    out += "\n\n" + sentence
                    sentencesInParagraph = 0
                    paragraphLength = r.int(3...6)
                } else {
                    out += " " + sentence
                }
            }
        }
        if out.utf8.count > length {
            // Cut at a word boundary at or before `length` bytes.
            var cut = out.utf8.index(out.utf8.startIndex, offsetBy: length)
            while cut > out.startIndex && out.utf8[cut] != 0x20 { cut = out.utf8.index(before: cut) }
            if cut > out.startIndex { out = String(out[..<cut]) + "." }
        }
        return out
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    private static func day(_ year: Int, _ r: inout SeededRandom) -> CalendarDay {
        let month = r.int(1...12)
        return CalendarDay(year: Int64(year), month: month, day: r.int(1...CalendarDay.daysInMonth(month, year: Int64(year))))
    }

    private static func text(_ d: CalendarDay) -> String { "\(d.year)-\(two(d.month))-\(two(d.day))" }

    /// A date in `year` at mixed precision: days, months, years, approximate and uncertain ones, intervals.
    static func date(year: Int, _ r: inout SeededRandom) -> HistoricalDate {
        let form = r.weighted([("day", 50.0), ("month", 13), ("year", 10), ("approx", 7), ("uncertain", 3),
                               ("days", 12), ("months", 4), ("years", 1)])
        let d = day(year, &r)
        var edtf: String
        switch form {
        case "day": edtf = text(d)
        case "month": edtf = "\(year)-\(two(d.month))"
        case "year": edtf = "\(year)"
        case "approx": edtf = [text(d) + "~", "\(year)-\(two(d.month))~", "\(year)~"][r.int(0...2)]
        case "uncertain": edtf = [text(d) + "?", "\(year)?"][r.int(0...1)]
        case "days":
            let end = CalendarDay(dayNumber: d.dayNumber + Int64(r.int(1...30)))
            edtf = text(d) + "/" + text(end)
        case "months":
            let endMonth = d.month + r.int(1...12)
            let endYear = year + (endMonth - 1) / 12
            edtf = "\(year)-\(two(d.month))/\(endYear)-\(two((endMonth - 1) % 12 + 1))"
        default:
            edtf = "\(year)/\(min(2025, year + r.int(2...40)))"
        }
        if let date = try? HistoricalDate(parsing: edtf) { return date }
        return try! HistoricalDate(parsing: text(d))  // generated text: a bug here is ours, not input
    }
}

/// `annals-bench corpus`: writes the JSON Lines corpus and the query parameters both systems draw from.
enum CorpusCommand {
    static func run(_ args: Args) throws(BenchError) {
        let count = try args.int("count")
        let seed = UInt64(try args.int("seed", default: 42))
        let out = try args.string("out")
        let paramsDir = args.string("params", default: out + ".params")
        let generator = CorpusGenerator(seed: seed, count: count)
        guard let handle = FileHandle(forWritingAtPath: out) ?? {
            FileManager.default.createFile(atPath: out, contents: nil)
            return FileHandle(forWritingAtPath: out)
        }() else { throw BenchError("cannot write \(out)") }
        try? handle.truncate(atOffset: 0)
        try? FileManager.default.createDirectory(atPath: paramsDir, withIntermediateDirectories: true)

        let start = DispatchTime.now()
        let chunk = 4096
        var df = [Int32](repeating: 0, count: generator.words.count)
        var actorCounts: [String: Int] = [:]
        var ids: [String] = []
        let idStride = max(1, count / 10_000)
        var bytes = 0
        var bodyBytes: [Int] = []
        var first = 0
        while first < count {
            let last = min(count, first + chunk)
            // Generate a chunk in parallel (two cores), write it in order.
            let parts = 8
            let (chunkFirst, chunkLast) = (first, last)
            let results = Mutex8<(lines: [String], df: [Int32: Int32], actors: [String: Int], ids: [String], bodies: [Int])>(parts)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                var lines: [String] = []
                var localDF: [Int32: Int32] = [:]
                var actors: [String: Int] = [:]
                var localIDs: [String] = []
                var bodies: [Int] = []
                var i = chunkFirst + part
                while i < chunkLast {
                    var used: [Int] = []
                    let event = generator.event(i, usedWords: &used)
                    for rank in Set(used) { localDF[Int32(rank), default: 0] += 1 }
                    for actor in event.actors { if let code = actor.code { actors[code, default: 0] += 1 } }
                    if i % idStride == 0 { localIDs.append(event.id) }
                    bodies.append(event.body?.utf8.count ?? 0)
                    lines.append(EventLogCodec.encode(event))
                    i += parts
                }
                results.set(part, (lines, localDF, actors, localIDs, bodies))
            }
            let all = results.values
            var buffer = ""
            buffer.reserveCapacity(chunk * 2048)
            for i in first..<last {
                let part = (i - first) % parts, k = (i - first) / parts
                buffer += all[part].lines[k]
                buffer += "\n"
            }
            for part in all {
                for (rank, n) in part.df { df[Int(rank)] += n }
                for (code, n) in part.actors { actorCounts[code, default: 0] += n }
                ids += part.ids
                bodyBytes += part.bodies
            }
            bytes += buffer.utf8.count
            handle.write(Data(buffer.utf8))
            first = last
        }
        try? handle.close()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9

        // Query words: a band of document frequencies well under 1% of events, evenly spread over it.
        let lowDF = max(2, Int32(Double(count) * 0.0002)), highDF = max(lowDF + 1, Int32(Double(count) * 0.005))
        let band = (0..<df.count).filter { df[$0] >= lowDF && df[$0] <= highDF && !Vocabulary.commonWords.contains(generator.words[$0]) }
        let step = max(1, band.count / 100)
        let queryWords = stride(from: 0, to: band.count, by: step).map { band[$0] }
        let wordLines = queryWords.map { "\(generator.words[$0])\t\(df[$0])" }
        var actorLines = actorCounts.filter { $0.value >= min(50, count / 200) }.keys.sorted()
        if actorLines.isEmpty { actorLines = Array(actorCounts.keys.sorted().prefix(10)) }
        var shuffler = SeededRandom(seed: seed ^ 0xABCD)
        ids.shuffle(using: &shuffler)
        write(wordLines, to: paramsDir + "/words.tsv")
        write(actorLines, to: paramsDir + "/actors.txt")
        write(ids, to: paramsDir + "/ids.txt")
        let lowDay = CalendarDay(year: 1850, month: 1, day: 1).dayNumber, highDay = CalendarDay(year: 2025, month: 12, day: 31).dayNumber - 90
        write(["\(lowDay)\t\(highDay)\t90"], to: paramsDir + "/days.tsv")

        bodyBytes.sort()
        let dfs = queryWords.map { Int(df[$0]) }.sorted()
        let summary: [String: Any] = [
            "events": count, "seed": seed, "bytes": bytes, "seconds": seconds,
            "body_median": bodyBytes.isEmpty ? 0 : bodyBytes[bodyBytes.count / 2],
            "body_p99": bodyBytes.isEmpty ? 0 : bodyBytes[bodyBytes.count * 99 / 100],
            "body_max": bodyBytes.last ?? 0, "body_min": bodyBytes.first ?? 0,
            "body_mean": bodyBytes.isEmpty ? 0 : bodyBytes.reduce(0, +) / bodyBytes.count,
            "vocabulary": generator.words.count,
            "vocabulary_used": df.filter { $0 > 0 }.count,
            "query_words": queryWords.count, "query_actors": actorLines.count,
            "query_word_median_df": dfs.isEmpty ? 0 : dfs[dfs.count / 2],
            "query_word_median_df_fraction": dfs.isEmpty ? 0 : Double(dfs[dfs.count / 2]) / Double(count),
        ]
        printJSON(summary)
    }

    static func write(_ lines: [String], to path: String) {
        FileManager.default.createFile(atPath: path, contents: Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}

/// One slot per parallel part, filled from `concurrentPerform` (each part writes only its own slot).
final class Mutex8<T>: @unchecked Sendable {
    private var slots: [T?]
    private let lock = NSLock()
    init(_ n: Int) { slots = Array(repeating: nil, count: n) }
    func set(_ i: Int, _ value: T) { lock.lock(); slots[i] = value; lock.unlock() }
    var values: [T] { lock.lock(); defer { lock.unlock() }; return slots.map { $0! } }
}


/// Prints a JSON object on one line (the bench script collects these).
func printJSON(_ object: [String: Any]) {
    if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
        print(String(decoding: data, as: UTF8.self))
    }
}
