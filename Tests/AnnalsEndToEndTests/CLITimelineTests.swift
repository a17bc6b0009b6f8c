import AnnalsCore
import Foundation
import Testing

/// `annals timeline` against one shared, read-only store (the sample log and `CLIFixtures.extraLines`):
/// filters, machine formats, colour and the golden text timelines.
@Suite("annals timeline", .cliSharedStore)
struct CLITimelineTests {
    /// The full visible timeline's ids, in the order the CLI gives them.
    func allIDs(_ cli: CLIRunner, _ extra: [String] = []) throws -> [String] {
        try CLIParse.ids(ofJSONLines: try cli.ok(["timeline", "--format", "jsonl"] + extra).stdout)
    }

    @Test func defaultTextTimeline() throws {
        let cli = try CLISharedStore.get().cli
        let result = try cli.ok(["timeline", "--width", "80"])
        #expect(result.stdout.hasPrefix("661 BC\n"), "\(result.stdout.prefix(200))")
        // Wide enough for every title to stay on one line.
        let flat = CLIParse.flattened(try cli.ok(["timeline", "--width", "250"]).stdout)
        for id in CLIFixtures.visibleIDs {
            let title = CLIFixtures.events[id]!.title
            #expect(flat.contains(CLIParse.flattened(title)), "missing '\(title)'")
        }
        #expect(!flat.contains(CLIFixtures.events["extra-retracted-rumour"]!.title))
        #expect(!result.stdout.contains("\u{1B}"), "no colour when writing to a pipe")
        for line in result.lines { #expect(line.count <= 80, "too wide: '\(line)'") }
        #expect(result.stderr.isEmpty, "\(result.stderr)")
    }

    @Test func timelineIsChronologicalAndHasEveryVisibleEvent() throws {
        let cli = try CLISharedStore.get().cli
        let ids = try allIDs(cli)
        #expect(Set(ids) == CLIFixtures.visibleIDs)
        #expect(ids.count == CLIFixtures.visibleIDs.count, "no id twice")
        let lowers = ids.map { CLIFixtures.events[$0]!.date.lower! }
        #expect(lowers == lowers.sorted(), "ordered by start")
        #expect(ids.first == "extra-legendary-founding")
        #expect(ids.last == "2019-01-28-abe-policy-speech-to-the-diet")
    }

    /// Each filter flag against the same rule evaluated on the fixture data; the order is the full timeline's.
    @Test func filters() throws {
        let cli = try CLISharedStore.get().cli
        let all = try allIDs(cli)
        func event(_ id: String) -> Event { CLIFixtures.events[id]! }
        func names(_ e: Event) -> Set<String> { Set(e.actors.flatMap { [$0.name.lowercased()] + ($0.code.map { [$0.lowercased()] } ?? []) }) }
        func words(_ e: Event) -> Set<String> {
            Set([e.title, e.summary ?? "", e.body ?? ""].joined(separator: " ").lowercased()
                .split { !($0.isLetter || $0.isNumber) }.map(String.init))
        }
        let from = try HistoricalDate(parsing: "1956"), to = try HistoricalDate(parsing: "1960-01")
        let declaration = "1956-10-19-soviet-japanese-joint-declaration"
        let speech = "2019-01-28-abe-policy-speech-to-the-diet"
        let cases: [([String], (Event) -> Bool)] = [
            (["--from", "1956", "--to", "1960-01"], { e in
                (e.date.upper.map { $0 >= from.lower! } ?? true) && (e.date.lower.map { $0 <= to.upper! } ?? true)
            }),
            (["--from", "2015"], { e in e.date.upper.map { $0 >= CalendarDay(year: 2015, month: 1, day: 1) } ?? true }),
            (["--to", "1900"], { e in e.date.lower.map { $0 <= CalendarDay(year: 1900, month: 12, day: 31) } ?? true }),
            (["--actor", "Russia", "--actor", "SUN"], { e in !names(e).isDisjoint(with: ["russia", "sun"]) }),
            (["--actor", "Japan", "--actor", "Russia", "--all-actors"], { e in names(e).isSuperset(of: ["japan", "russia"]) }),
            (["--actor", "vladimir putin"], { e in names(e).contains("vladimir putin") }),
            (["--kind", "treaty", "--kind", "summit"], { e in [.treaty, .summit].contains(e.kind) }),
            (["--tag", "kuril-islands"], { e in e.tags.contains("kuril-islands") }),
            (["--tag", "okinawa", "--tag", "fisheries"], { e in e.tags.contains("okinawa") || e.tags.contains("fisheries") }),
            (["--search", "Putyatin"], { e in words(e).contains("putyatin") }),
            (["--search", "Habomai Shikotan"], { e in words(e).isSuperset(of: ["habomai", "shikotan"]) }),
            (["--references", declaration], { e in e.references.contains { $0.id == declaration } }),
            (["--referenced-by", speech], { e in event(speech).references.contains { $0.id == e.id } }),
            (["--kind", "treaty", "--actor", "China", "--from", "1970"], { e in
                e.kind == .treaty && names(e).contains("china") && e.date.upper! >= CalendarDay(year: 1970, month: 1, day: 1)
            }),
        ]
        for (arguments, rule) in cases {
            // The open-ended event has a test of its own (openEndedEventsOverlapLaterRanges).
            let expected = all.filter { rule(event($0)) && $0 != "extra-open-occupation" }
            let got = try allIDs(cli, arguments).filter { $0 != "extra-open-occupation" }
            #expect(got == expected, "timeline \(arguments.joined(separator: " "))")
            #expect(!expected.isEmpty, "the fixture has events for \(arguments)")
        }
        // The text format takes the same filters.
        let text = CLIParse.flattened(try cli.ok(["timeline", "--width", "250", "--references", declaration]).stdout)
        for id in all where event(id).references.contains(where: { $0.id == declaration }) {
            #expect(text.contains(CLIParse.flattened(event(id).title)))
        }
        #expect(text.contains(CLIParse.flattened(event(speech).title)))
        #expect(!text.contains("Treaty of Shimoda between Japan and Russia"))
    }

    /// An event with an open end (`1945-08/..`) lasts until now: it overlaps every later date range.
    /// (Fails as of this writing: the store's `max_span` shortcut ignores open ends; see the report.)
    @Test func openEndedEventsOverlapLaterRanges() throws {
        let cli = try CLISharedStore.get().cli
        let open = "extra-open-occupation"
        #expect(try allIDs(cli, ["--from", "1945", "--to", "1945"]).contains(open))
        #expect(try allIDs(cli, ["--to", "1946"]).contains(open))
        #expect(try allIDs(cli, ["--from", "1956", "--to", "1960-01"]).contains(open), "--from 1956 --to 1960-01")
        #expect(try allIDs(cli, ["--from", "2015"]).contains(open), "--from 2015")
        #expect(!(try allIDs(cli, ["--to", "1944"]).contains(open)))
    }

    @Test func limitReverseAndRetracted() throws {
        let cli = try CLISharedStore.get().cli
        let all = try allIDs(cli)
        #expect(try allIDs(cli, ["--limit", "5"]) == Array(all.prefix(5)))
        let reversed = try allIDs(cli, ["--reverse"])
        #expect(reversed == all.reversed())
        #expect(try allIDs(cli, ["--reverse", "--limit", "3"]) == Array(all.reversed().prefix(3)))
        #expect(try allIDs(cli, ["--limit", "1", "--kind", "war"]) == [all.first { CLIFixtures.events[$0]!.kind == .war }!])

        let withRetracted = try allIDs(cli, ["--include-retracted"])
        #expect(Set(withRetracted) == Set(CLIFixtures.events.keys))
        let text = try cli.ok(["timeline", "--include-retracted", "--from", "1957", "--to", "1957", "--width", "100"]).stdout
        #expect(text.contains("[retracted] A rumoured statement that never happened"), "\(text)")
        let plain = try cli.ok(["timeline", "--from", "1957", "--to", "1957", "--width", "100"]).stdout
        #expect(!plain.contains("rumoured"))
        #expect(plain.contains("Uncertain meeting of fishery negotiators"))
    }

    @Test func noMatchIsNotAnError() throws {
        let cli = try CLISharedStore.get().cli
        let result = try cli.ok(["timeline", "--tag", "no-such-tag"])
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "no events match\n")
        #expect(try cli.ok(["timeline", "--tag", "no-such-tag", "--format", "json"]).stdout == "[]\n")
        #expect(try cli.ok(["timeline", "--tag", "no-such-tag", "--format", "jsonl"]).stdout == "")
    }

    // MARK: Formats

    /// The log's key order; every event line's keys are a subsequence of it.
    static let logKeyOrder = ["op", "id", "date", "kind", "title", "summary", "body", "actors", "places", "tags", "sources",
                              "references", "recorded", "revision"]

    static func keysFollowLogOrder(_ keys: [String]) -> Bool {
        var position = 0
        for key in keys {
            guard let index = logKeyOrder[position...].firstIndex(of: key) else { return false }
            position = index + 1
        }
        return true
    }

    /// The last event line of each id in `export`, which is what the timeline shows for it.
    static func currentLines(_ export: String) throws -> [String: String] {
        var lines: [String: String] = [:]
        for line in export.split(separator: "\n") {
            guard let object = try CLIParse.json(String(line)) as? [String: Any], let id = object["id"] as? String else { continue }
            if object["op"] == nil { lines[id] = String(line) }
        }
        return lines
    }

    @Test func jsonFormat() throws {
        let cli = try CLISharedStore.get().cli
        let ids = try allIDs(cli)
        let text = try cli.ok(["timeline", "--format", "json"]).stdout
        #expect(text.hasSuffix("]\n"))
        let array = try #require(try CLIParse.json(text) as? [[String: Any]])
        #expect(array.compactMap { $0["id"] as? String } == ids, "chronological, as the text timeline")
        let elements = CLIParse.arrayElements(text)
        #expect(elements.count == ids.count)
        for element in elements {
            let keys = CLIParse.keysInOrder(ofObject: element)
            #expect(Self.keysFollowLogOrder(keys), "keys out of the log's order: \(keys)")
            #expect(Array(keys.prefix(4)) == ["id", "date", "kind", "title"])
            #expect(Array(keys.suffix(2)) == ["recorded", "revision"])
            // Each element is the event's log line: decodable by the log codec.
            _ = try EventLogCodec.decode(line: element)
        }
        // The log lines of the export, bodies included (the CLI fetches them: timeline pages leave them
        // out), and the same bytes as the jsonl format.
        let current = try Self.currentLines(try cli.ok(["export"]).stdout)
        let expected = ids.map { current[$0] ?? "?" }
        #expect(text == "[" + expected.joined(separator: ",") + "]\n")
        let jsonl = try cli.ok(["timeline", "--format", "jsonl"]).stdout
        #expect(text == "[" + jsonl.split(separator: "\n").joined(separator: ",") + "]\n")
    }

    @Test func jsonLinesFormat() throws {
        let cli = try CLISharedStore.get().cli
        let text = try cli.ok(["timeline", "--format", "jsonl", "--from", "1945", "--to", "1946"]).stdout
        #expect(text.hasSuffix("\n"))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count >= 5)
        for line in lines {
            let object = try #require(try CLIParse.json(String(line)) as? [String: Any], "\(line)")
            #expect(object["id"] is String && object["date"] is String && object["kind"] is String && object["title"] is String)
            #expect(object["revision"] as? Int == 1)
            #expect(Self.keysFollowLogOrder(CLIParse.keysInOrder(ofObject: String(line))))
            guard case .event(let event) = try EventLogCodec.decode(line: String(line)) else {
                Issue.record("not an event: \(line)")
                continue
            }
            var expected = CLIFixtures.events[event.id]!
            expected.recorded = event.recorded
            expected.revision = event.revision
            #expect(event == expected)
        }
    }

    @Test func csvFormat() throws {
        let cli = try CLISharedStore.get().cli
        let ids = try allIDs(cli)
        let text = try cli.ok(["timeline", "--format", "csv"]).stdout
        let rows = try CLIParse.csv(text)
        #expect(rows.first == ["id", "date", "lower", "upper", "kind", "title", "summary", "actors", "places", "tags", "sources",
                               "references", "revision", "recorded", "retracted"])
        #expect(rows.count == ids.count + 1, "a header and one row per event")
        #expect(rows.allSatisfy { $0.count == 15 }, "every row has 15 fields")
        #expect(rows.dropFirst().map { $0[0] } == ids, "ids in timeline order")

        let row = try #require(rows.first { $0.first == "extra-approximate-statement" })
        #expect(row[1] == "1956~" && row[2] == "1956-01-01" && row[3] == "1956-12-31" && row[4] == "statement")
        #expect(row[5] == "Approximate statement, \"quoted\", with commas")
        #expect(row[6] == "First line, with a comma;\nsecond line with \"quotes\".")
        #expect(row[7] == "Japan (JPN, speaker)")
        #expect(row[11] == "1956-10-19-soviet-japanese-joint-declaration (mentions)")
        #expect(row[12] == "1" && row[14] == "false")
        let open = try #require(rows.first { $0.first == "extra-open-occupation" })
        #expect(open[1] == "1945-08/.." && open[2] == "1945-08-01" && open[3] == "")
        let bc = try #require(rows.first { $0.first == "extra-legendary-founding" })
        #expect(bc[2] == "-0660-02-11")

        let withRetracted = try CLIParse.csv(try cli.ok(["timeline", "--format", "csv", "--include-retracted", "--tag", "cli-fixture"]).stdout)
        #expect(withRetracted.first { $0.first == "extra-retracted-rumour" }?.last == "true")
        #expect(withRetracted.count == CLIFixtures.extraLines.count - 1 + 1, "the fixture events and a header")
    }

    @Test func timelineJSFormat() throws {
        let cli = try CLISharedStore.get().cli
        let ids = try allIDs(cli)
        let text = try cli.ok(["timeline", "--format", "timelinejs"]).stdout
        let document = try #require(try CLIParse.json(text) as? [String: Any])
        let events = try #require(document["events"] as? [[String: Any]])
        #expect(events.compactMap { $0["unique_id"] as? String } == ids)
        for slide in events {
            let id = slide["unique_id"] as? String ?? "?"
            let event = CLIFixtures.events[id]!
            let start = try #require(slide["start_date"] as? [String: Any], "\(id) has a start_date")
            #expect(start["year"] as? Int == Int(event.date.lower!.year), "\(id)")
            #expect(slide["group"] as? String == event.kind.rawValue)
            let headline = (slide["text"] as? [String: Any])?["headline"] as? String
            #expect(headline?.isEmpty == false)
        }
        func slide(_ id: String) -> [String: Any] { events.first { $0["unique_id"] as? String == id } ?? [:] }
        #expect(slide("extra-approximate-statement")["display_date"] as? String == "c. 1956")
        #expect(slide("extra-uncertain-meeting")["display_date"] as? String == "1957?")
        #expect(slide("extra-decade-trade")["display_date"] as? String == "1950s")
        #expect(slide("extra-open-occupation")["display_date"] as? String == "since Aug 1945")
        #expect((slide("extra-decade-trade")["end_date"] as? [String: Any])?["year"] as? Int == 1959)
        #expect(slide("extra-legendary-founding")["display_date"] == nil)
        #expect((slide("extra-legendary-founding")["start_date"] as? [String: Any])?["year"] as? Int == -660)
        // Plain dates need no display_date.
        let declaration = slide("1956-10-19-soviet-japanese-joint-declaration")
        #expect(declaration["display_date"] == nil)
        let start = declaration["start_date"] as? [String: Any]
        #expect(start?.count == 3 && start?["year"] as? Int == 1956 && start?["month"] as? Int == 10 && start?["day"] as? Int == 19)
        #expect((slide("extra-approximate-statement")["text"] as? [String: Any])?["headline"] as? String
                == "Approximate statement, &quot;quoted&quot;, with commas")
    }

    @Test func markdownFormat() throws {
        let cli = try CLISharedStore.get().cli
        let ids = try allIDs(cli)
        let text = try cli.ok(["timeline", "--format", "markdown"]).stdout
        let headings = text.split(separator: "\n").filter { $0.hasPrefix("## ") }.map { String($0.dropFirst(3)) }
        let bullets = text.split(separator: "\n").filter { $0.hasPrefix("- ") }
        #expect(bullets.count == ids.count)
        #expect(Set(headings).count == headings.count, "one heading per year")
        // Every year that starts a sample event has its heading, in order.
        let years = ids.compactMap { id -> Int64? in
            let date = CLIFixtures.events[id]!.date
            return date.hasUnspecifiedDigits || date.lower!.year < 1000 ? nil : date.lower!.year
        }
        var distinct: [String] = []
        for year in years where distinct.last != String(year) { distinct.append(String(year)) }
        #expect(headings.filter { Int($0) != nil } == distinct)
        #expect(headings.first == "661 BC")
        #expect(headings.contains("1950s"))
        #expect(text.contains("- **19 Oct 1956** — *declaration* — Soviet–Japanese Joint Declaration (Japan, Soviet Union"))
        #expect(text.contains("Approximate statement, \"quoted\", with commas (Japan)"))
    }

    @Test func machineFormatsNeverHaveEscapes() throws {
        let cli = try CLISharedStore.get().cli
        for format in ["json", "jsonl", "csv", "markdown", "timelinejs"] {
            for color in ["always", "auto"] {
                let result = try cli.ok(["timeline", "--format", format, "--color", color])
                #expect(!result.stdoutData.contains(0x1B), "\(format) with --color \(color)")
                #expect(!result.stdout.isEmpty)
            }
            let terminal = try cli.runOnTerminal(["timeline", "--format", format, "--color", "always"])
            #expect(terminal.status == 0 && !terminal.stdout.isEmpty && !terminal.stdout.contains("\u{1B}"), "\(format) on a terminal")
        }
        for arguments in [["export"], ["show", "1956-10-19-soviet-japanese-joint-declaration", "--json", "--color", "always"],
                          ["stats", "--json"], ["date", "1956~", "--json"], ["replay", "--json", "-"]] {
            let terminal = try cli.runOnTerminal(arguments)
            #expect(terminal.status == 0, "\(arguments): \(terminal)")
            #expect(!terminal.stdout.contains("\u{1B}"), "\(arguments) on a terminal")
        }
    }

    // MARK: Colour and width

    @Test func colorChoices() throws {
        let cli = try CLISharedStore.get().cli
        let base = ["timeline", "--width", "80", "--from", "1956", "--to", "1956"]
        #expect(try cli.ok(base + ["--color", "always"]).stdout.contains("\u{1B}["))
        #expect(try cli.ok(base + ["--color", "always"], environment: ["NO_COLOR": "1"]).stdout.contains("\u{1B}["),
                "--color always wins over NO_COLOR")
        #expect(!(try cli.ok(base + ["--color", "never"]).stdout.contains("\u{1B}")))
        #expect(!(try cli.ok(base).stdout.contains("\u{1B}")), "auto writing to a pipe")
        #expect(!(try cli.ok(base + ["--color", "auto"]).stdout.contains("\u{1B}")), "auto writing to a pipe")

        // On a terminal, auto colours unless NO_COLOR is set (to anything but the empty string).
        let onTerminal = try cli.runOnTerminal(base + ["--color", "auto"])
        #expect(onTerminal.status == 0 && onTerminal.stdout.contains("\u{1B}["), "\(onTerminal)")
        let noColor = try cli.runOnTerminal(base + ["--color", "auto"], environment: ["NO_COLOR": "1"])
        #expect(noColor.status == 0 && noColor.stdout.contains("Soviet–Japanese Joint Declaration"), "\(noColor)")
        #expect(!noColor.stdout.contains("\u{1B}"))
        let emptyNoColor = try cli.runOnTerminal(base, environment: ["NO_COLOR": ""])
        #expect(emptyNoColor.stdout.contains("\u{1B}["))
        // The same holds for show.
        let show = ["show", "1956-10-19-soviet-japanese-joint-declaration", "--width", "80"]
        #expect(try cli.runOnTerminal(show).stdout.contains("\u{1B}["))
        #expect(!(try cli.runOnTerminal(show, environment: ["NO_COLOR": "1"]).stdout.contains("\u{1B}")))
        #expect(!(try cli.ok(show).stdout.contains("\u{1B}")))
        #expect(try cli.ok(show + ["--color", "always"]).stdout.contains("\u{1B}["))

        // Colour changes nothing but the escapes.
        let plain = try cli.ok(base + ["--color", "never"]).stdout
        let colored = try cli.ok(base + ["--color", "always"]).stdout
        #expect(Self.strippingEscapes(colored) == plain)

        let bad = try cli.run(base + ["--color", "sometimes"])
        #expect(bad.status == 64)
    }

    @Test func widthComesFromColumnsWhenNotATerminal() throws {
        let cli = try CLISharedStore.get().cli
        func widest(_ environment: [String: String?], _ extra: [String] = []) throws -> Int {
            try cli.ok(["timeline"] + extra, environment: environment).lines.map(\.count).max() ?? 0
        }
        let wide = try widest(["COLUMNS": "140"])
        #expect(wide <= 140 && wide > 100, "\(wide)")
        #expect(try widest(["COLUMNS": "60"]) <= 60)
        #expect(try widest([:]) <= 80, "80 columns by default")
        #expect(try widest(["COLUMNS": "140"], ["--width", "70"]) <= 70, "--width wins")
    }

    // MARK: Goldens

    /// The golden files of the text timeline. Compared byte for byte; to rewrite them after an intended
    /// change of the layout, run the tests with ANNALS_REGENERATE_GOLDEN=1, e.g.
    ///
    ///     ANNALS_REGENERATE_GOLDEN=1 swift test --scratch-path .build-cli --skip-build --filter CLITimelineTests
    ///
    /// and read the diff of Tests/AnnalsEndToEndTests/Golden/ before committing it.
    static let goldens: [(file: String, arguments: [String])] = [
        ("timeline-plain.txt", ["timeline", "--width", "80", "--color", "never"]),
        ("timeline-color.txt", ["timeline", "--width", "80", "--color", "always"]),
        ("timeline-ascii.txt", ["timeline", "--width", "80", "--color", "never", "--ascii", "--include-retracted"]),
        // Under two years: month headings.
        ("timeline-1945-months.txt", ["timeline", "--width", "80", "--color", "never", "--from", "1945", "--to", "1946",
                                      "--kind", "war", "--kind", "declaration", "--kind", "agreement", "--kind", "statement"]),
        // Below 60 columns: no date column. The fixture's unusual dates and a retracted event.
        ("timeline-narrow.txt", ["timeline", "--width", "50", "--color", "never", "--tag", "cli-fixture", "--include-retracted"]),
    ]

    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    @Test(arguments: goldens.map(\.file))
    func golden(_ file: String) throws {
        let store = try CLISharedStore.get()
        let arguments = Self.goldens.first { $0.file == file }!.arguments
        let actual = try store.cli.ok(arguments).stdout
        let url = Self.goldenDirectory.appendingPathComponent(file)
        if ProcessInfo.processInfo.environment["ANNALS_REGENERATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.goldenDirectory, withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: url)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        if actual != expected {
            let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let line = zip(a, e).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, e.count)
            let saved = store.directory.path(file)
            try? Data(actual.utf8).write(to: URL(fileURLWithPath: saved))
            Issue.record("""
                \(file) differs at line \(line + 1) (annals \(arguments.joined(separator: " "))):
                  expected: \(line < e.count ? String(e[line]) : "<end>")
                  actual:   \(line < a.count ? String(a[line]) : "<end>")
                output kept at \(saved) until the suite ends; regenerate with ANNALS_REGENERATE_GOLDEN=1
                """)
        }
        // The time each event was recorded is not part of the text timeline.
        let export = try store.cli.ok(["export"]).stdout
        let recorded = try export.split(separator: "\n").compactMap { line in
            (try CLIParse.json(String(line)) as? [String: Any])?["recorded"] as? String
        }
        #expect(!recorded.isEmpty)
        for stamp in Set(recorded) {
            #expect(!actual.contains(stamp), "\(file) shows the recorded time \(stamp)")
            #expect(!actual.contains(String(stamp.prefix(16))), "\(file) shows the recorded time \(stamp)")
        }
        #expect(actual.range(of: #"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"#, options: .regularExpression) == nil)
        let width = arguments.firstIndex(of: "--width").map { Int(arguments[$0 + 1])! } ?? 80
        for line in Self.strippingEscapes(actual).split(separator: "\n") {
            #expect(line.count <= width, "\(file): too wide: '\(line)'")
        }
        if arguments.contains("--ascii") {
            // Event text keeps its own dashes ("United States–Japan"); the drawing and date ranges are ASCII.
            let drawing = Self.strippingEscapes(actual).unicodeScalars.filter { "│●→".unicodeScalars.contains($0) }
            #expect(drawing.isEmpty, "--ascii draws with ASCII")
            #expect(actual.contains("Feb - Nov 1860") && !actual.contains("Feb – Nov 1860"))
        }
        #expect(actual.contains("\u{1B}") == arguments.contains("always"))
    }

    /// `text` without ANSI SGR sequences.
    static func strippingEscapes(_ text: String) -> String {
        text.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
    }
}
