import AnnalsCore
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// `annals timeline --format html|svg` run against a real annalsd, the output loaded in headless
/// Chromium and checked from the rendered page (see `PictureProbe`).
@Suite("annals timeline pictures in a browser", .serialized)
struct CLIPictureTests {
    /// Events with every kind of date a picture draws differently, references inside and outside the
    /// picture, and hostile text. The picture is asked `--from 1900`, so `pic-shimoda` is outside it.
    static let events: [Event] = {
        func date(_ text: String) -> HistoricalDate { try! HistoricalDate(parsing: text) }  // constants of this file
        let japan = Actor(name: "Japan", code: "JPN"), soviet = Actor(name: "Soviet Union", code: "SUN"), russia = Actor(name: "Russia", code: "RUS")
        return [
            Event(id: "pic-shimoda", date: date("1855-02-07"), kind: .treaty, title: "Treaty of Shimoda", actors: [japan, russia]),
            Event(id: "pic-russo-japanese-war", date: date("1904-02-08/1905-09-05"), kind: .war, title: "Russo-Japanese War",
                  actors: [japan, russia], references: [Reference(id: "pic-shimoda", relation: .follows)]),
            Event(id: "pic-declaration-of-war", date: date("1945-08-08"), kind: .declaration, title: "Soviet Union declares war on Japan",
                  actors: [soviet, japan]),
            Event(id: "pic-occupation", date: date("1945-08/.."), kind: .other, title: "Soviet administration of the southern Kurils",
                  actors: [soviet]),
            Event(id: "pic-talks", date: date("1950~/1953"), kind: .negotiation, title: "Talks of uncertain start", actors: [japan, soviet]),
            Event(id: "pic-decade", date: date("195X"), kind: .other, title: "Trade grows through the 1950s", actors: [japan]),
            Event(id: "pic-year", date: date("1956"), kind: .statement, title: "A statement some time in 1956", actors: [japan]),
            Event(id: "pic-joint-declaration", date: date("1956-10-19"), kind: .declaration, title: "Soviet–Japanese Joint Declaration",
                  summary: "Ends the state of war; the Habomai islands and Shikotan to follow a peace treaty.",
                  actors: [Actor(name: "Japan", code: "JPN", role: "signatory"), soviet],
                  sources: [Source(url: "https://example.org/declaration?a=1&b=2", publisher: "Example Archive")],
                  references: [Reference(id: "pic-declaration-of-war", relation: .follows)]),
            Event(id: "pic-uncertain", date: date("1960?"), kind: .statement, title: "Uncertain memorandum", actors: [soviet]),
            Event(id: "pic-approximate", date: date("1961-06~"), kind: .meeting, title: "Approximate fishery meeting", actors: [japan, soviet]),
            Event(id: "pic-hostile", date: date("1970-01-01"), kind: .statement,
                  title: #"<script>alert("t")</script> & "quotes" </svg><img src=x onerror=alert(1)>"#,
                  summary: "Ends the script: </script><script>alert(2)</script> and a line\u{2028}separator.",
                  actors: [Actor(name: "<b>Bold</b> & Co")],
                  sources: [Source(url: "https://example.org/a?<b>", publisher: "</a><script>alert(3)</script>")]),
            Event(id: "pic-speech", date: date("2019-01-28"), kind: .speech, title: "Policy speech to the Diet", actors: [japan],
                  references: [
                    Reference(id: "pic-joint-declaration", relation: .invokes), Reference(id: "pic-shimoda", relation: .mentions),
                    Reference(id: "pic-never-recorded", relation: .respondsTo),
                  ]),
        ]
    }()

    static var shown: [Event] { events.filter { $0.id != "pic-shimoda" } }
    static var dates: [String: HistoricalDate] { Dictionary(uniqueKeysWithValues: events.map { ($0.id, $0.date) }) }

    /// References between events that are both in the picture.
    static var expectedLinks: [(from: String, to: String, relation: String)] {
        let ids = Set(shown.map(\.id))
        return shown.flatMap { event in
            event.references.filter { ids.contains($0.id) }.map { (event.id, $0.id, $0.relation.rawValue) }
        }
    }

    /// A server loaded with some events, a CLI for it and a directory for the pages.
    struct Loaded {
        let server: ServerProcess
        let cli: CLIRunner
        let directory: CLITemporaryDirectory

        init(_ events: [Event] = CLIPictureTests.events) throws {
            server = try ServerProcess()
            cli = CLIRunner(server: server)
            directory = try CLITemporaryDirectory()
            let log = events.map { EventLogCodec.encode($0) }.joined(separator: "\n") + "\n"
            try cli.ok(["replay", "--quiet", try directory.file("events.jsonl", log)])
        }
    }

    static func check(_ problems: [String], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let count = problems.count
        #expect(count == 0, "\(what):\n\(problems.prefix(20).joined(separator: "\n"))", sourceLocation: sourceLocation)
    }

    @Test func htmlShowsEveryEventOnOneScaleWithoutOverlapsOrRequests() throws {
        let loaded = try Loaded()
        let (cli, directory) = (loaded.cli, loaded.directory)
        let html = try cli.ok(["timeline", "--from", "1900", "--format", "html", "--width", "1100"]).stdout
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("default-src 'none'"), "a Content-Security-Policy that forbids every request")
        for loader in ["<img", "<link", "<iframe", "<object", "<embed", "@import", "url(http", "@font-face"] {
            #expect(!html.contains(loader), "nothing that loads: \(loader)")
        }
        let (page, facts) = try PictureProbe.load(try PictureProbe.instrumented(html), in: directory, name: "page.html")
        Self.check(PictureProbe.noiseProblems(page, facts), "console, errors and requests")
        Self.check(PictureProbe.presenceProblems(facts, expected: Self.shown.map(\.id)), "events drawn")
        Self.check(PictureProbe.orderProblems(facts, dates: Self.dates), "time scale")
        Self.check(PictureProbe.overlapProblems(facts), "overlaps")
        Self.check(PictureProbe.linkProblems(facts, expected: Self.expectedLinks), "links")

        let byID = Dictionary(uniqueKeysWithValues: facts.events.map { ($0.id, $0) })
        // Spans wider than a mark are bars, single days dots; the open interval runs to the end of the axis.
        for id in ["pic-russo-japanese-war", "pic-talks", "pic-decade", "pic-occupation"] {
            #expect(byID[id]?.shape == "bar", "\(id) is drawn as a bar")
        }
        for id in ["pic-declaration-of-war", "pic-joint-declaration", "pic-speech"] { #expect(byID[id]?.shape == "dot", "\(id) is a dot") }
        let right = facts.events.map { $0.mark[2] }.max() ?? 0
        #expect(abs((byID["pic-occupation"]?.mark[2] ?? 0) - right) < 1, "an open end reaches the end of the axis")
        // The outside reference is a stub with the title of the event it refers to.
        #expect(byID["pic-speech"]?.stubTarget == "pic-shimoda")
        #expect(byID["pic-speech"]?.stubText?.contains("mentions Treaty of Shimoda") == true, "\(String(describing: byID["pic-speech"]?.stubText))")
        #expect(byID["pic-russo-japanese-war"]?.stubText?.contains("Treaty of Shimoda") == true)
        // Lanes: one per kind by default.
        #expect(facts.lanes.count == Set(Self.shown.map(\.kind)).count, "\(facts.lanes)")

        // The card a focused event shows.
        let card = try #require(facts.cards.first { $0.id == "pic-joint-declaration" })
        let text = card.parts.joined(separator: "\n")
        for part in ["Soviet–Japanese Joint Declaration", "19 Oct 1956", "declaration", "1956-10-19", "Japan (signatory), Soviet Union",
                     "Ends the state of war", "follows", "Soviet Union declares war on Japan", "Example Archive"] {
            #expect(text.contains(part), "the card shows \(part): \(text)")
        }
        #expect(card.links == ["https://example.org/declaration?a=1&b=2"])
        let fuzzy = try #require(facts.cards.first { $0.id == "pic-talks" })
        #expect(fuzzy.parts.joined(separator: " ").contains("1950~/1953"), "the EDTF of a fuzzy date: \(fuzzy.parts)")
        #expect(fuzzy.parts.joined(separator: " ").contains("approximate"), "and its reading: \(fuzzy.parts)")
        #expect(facts.cards.count == Self.shown.count, "every event's card opens on focus")
        let zoom = try #require(facts.zoom)
        #expect(abs(zoom[1] - zoom[0] * 1.5) < 1, "zooming in widens the drawing: \(zoom)")
    }

    @Test func svgIsWellFormedAndRendersTheSameDrawing() throws {
        let loaded = try Loaded()
        let (cli, directory) = (loaded.cli, loaded.directory)
        let svg = try cli.ok(["timeline", "--from", "1900", "--format", "svg", "--lanes", "none"]).stdout
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "well-formed XML: \(String(describing: parser.parserError)) at line \(parser.lineNumber)")
        #expect(svg.contains("<title id=\"pic-title\">Annals timeline</title>"))
        #expect(!svg.contains("<script"), "no script in the SVG")
        let (page, facts) = try PictureProbe.load(PictureProbe.svgHarness(svg), in: directory, name: "svg.html")
        Self.check(PictureProbe.noiseProblems(page, facts), "console, errors and requests")
        Self.check(PictureProbe.presenceProblems(facts, expected: Self.shown.map(\.id)), "events drawn")
        Self.check(PictureProbe.orderProblems(facts, dates: Self.dates), "time scale")
        Self.check(PictureProbe.overlapProblems(facts), "overlaps")
        Self.check(PictureProbe.linkProblems(facts, expected: Self.expectedLinks), "links")
        #expect(facts.lanes.count == 1)
        let image = try #require(facts.image, "the SVG loads as an image")
        #expect(image.width == 1200 && image.height > 200, "\(image)")
        #expect(image.inked > 5000, "the image shows a drawing: \(image.inked) dark pixels")
    }

    @Test func hostileTextStaysText() throws {
        let loaded = try Loaded()
        let (cli, directory) = (loaded.cli, loaded.directory)
        let title = "</title><script>alert('title')</script>"
        let hostile = try #require(Self.events.first { $0.id == "pic-hostile" })
        let html = try cli.ok(["timeline", "--from", "1900", "--format", "html", "--title", title]).stdout
        let (page, facts) = try PictureProbe.load(try PictureProbe.instrumented(html), in: directory, name: "hostile.html")
        Self.check(PictureProbe.noiseProblems(page, facts), "console, errors and requests")
        #expect(facts.scripts == 3, "only the probe, the data and the page's own script: \(facts.scripts)")
        #expect(facts.images == 0, "no image element was injected")
        #expect(facts.title == title)
        let event = try #require(facts.events.first { $0.id == "pic-hostile" })
        #expect(Self.shows(event.labelText, hostile.title), "\(String(describing: event.labelText))")
        #expect(event.name?.hasSuffix(hostile.title) == true)
        let card = try #require(facts.cards.first { $0.id == "pic-hostile" })
        #expect(card.parts.contains(hostile.title))
        #expect(card.parts.contains(hostile.summary ?? ""), "\(card.parts)")
        #expect(card.parts.contains { $0.contains("<b>Bold</b> & Co") })
        #expect(card.links == ["https://example.org/a?<b>"])

        let svg = try cli.ok(["timeline", "--from", "1900", "--format", "svg", "--title", title]).stdout
        #expect(XMLParser(data: Data(svg.utf8)).parse(), "the SVG stays well-formed")
        let (svgPage, svgFacts) = try PictureProbe.load(PictureProbe.svgHarness(svg), in: directory, name: "hostile-svg.html")
        Self.check(PictureProbe.noiseProblems(svgPage, svgFacts), "console, errors and requests")
        #expect(svgFacts.scripts == 1 && svgFacts.images == 0, "nothing injected: \(svgFacts.scripts) scripts, \(svgFacts.images) images")
        #expect(Self.shows(svgFacts.events.first { $0.id == "pic-hostile" }?.labelText, hostile.title))
    }

    /// Whether a label shows `title`, whole or shortened with an ellipsis.
    static func shows(_ label: String?, _ title: String) -> Bool {
        guard let label else { return false }
        return label == title || (label.hasSuffix("…") && label.count > 10 && title.hasPrefix(label.dropLast()))
    }

    @Test func oneEventAndTwoThousandEvents() throws {
        let one = try Loaded([Self.events[7]])
        let (cli, directory) = (one.cli, one.directory)
        for format in ["html", "svg"] {
            let output = try cli.ok(["timeline", "--format", format]).stdout
            let page = format == "html" ? try PictureProbe.instrumented(output) : PictureProbe.svgHarness(output)
            let (loaded, facts) = try PictureProbe.load(page, in: directory, name: "one.\(format).html")
            Self.check(PictureProbe.noiseProblems(loaded, facts), "one event, \(format)")
            #expect(facts.events.map(\.id) == ["pic-joint-declaration"])
            #expect(facts.events.first?.labelText == "Soviet–Japanese Joint Declaration")
        }

        let many = PictureCorpus.events(2000)
        let large = try Loaded(many)
        let (manyCLI, manyDirectory) = (large.cli, large.directory)
        let html = try manyCLI.ok(["timeline", "--format", "html", "--limit", "5000"]).stdout
        #expect(html.utf8.count < 2_000_000, "2,000 events in \(html.utf8.count) bytes")
        let (page, facts) = try PictureProbe.load(try PictureProbe.instrumented(html), in: manyDirectory, name: "many.html")
        Self.check(PictureProbe.noiseProblems(page, facts), "console, errors and requests")
        Self.check(PictureProbe.presenceProblems(facts, expected: many.map(\.id)), "events drawn")
        Self.check(PictureProbe.orderProblems(facts, dates: Dictionary(uniqueKeysWithValues: many.map { ($0.id, $0.date) })), "time scale")
        Self.check(PictureProbe.overlapProblems(facts), "overlaps")
        #expect(facts.events.filter { $0.label != nil }.count >= 100, "dense periods still label many events")
        let svg = try manyCLI.ok(["timeline", "--format", "svg", "--limit", "5000"]).stdout
        #expect(XMLParser(data: Data(svg.utf8)).parse())
    }

    @Test func lanesFollowTheActorsGiven() throws {
        let loaded = try Loaded()
        let (cli, directory) = (loaded.cli, loaded.directory)
        let html = try cli.ok(["timeline", "--from", "1900", "--format", "html", "--actor", "japan", "--actor", "Soviet Union"]).stdout
        let (page, facts) = try PictureProbe.load(try PictureProbe.instrumented(html), in: directory, name: "actors.html")
        Self.check(PictureProbe.noiseProblems(page, facts), "console, errors and requests")
        #expect(facts.lanes.map { $0.components(separatedBy: ",")[0] } == ["Japan", "Soviet Union"], "\(facts.lanes)")
        let expected = Self.shown.filter { $0.actors.contains { ["Japan", "Soviet Union"].contains($0.name) } }.map(\.id)
        Self.check(PictureProbe.presenceProblems(facts, expected: expected), "events drawn")
        Self.check(PictureProbe.overlapProblems(facts), "overlaps")
    }

    @Test func titleAlsoHeadsATimelineJSDocument() throws {
        let loaded = try Loaded([Self.events[7]])
        let json = try loaded.cli.ok(["timeline", "--format", "timelinejs", "--title", "Japan & <Russia>"]).stdout
        let object = try #require(try CLIParse.json(json) as? [String: Any])
        let title = (object["title"] as? [String: Any])?["text"] as? [String: Any]
        #expect(title?["headline"] as? String == "Japan &amp; &lt;Russia&gt;", "TimelineJS reads the headline as HTML")
    }

    @Test func badPictureFlagsGetOneLineErrors() throws {
        let cli = CLIRunner(address: "127.0.0.1:\(try cliClosedLoopbackPort())")
        let cases: [([String], String)] = [
            (["--format", "html", "--lanes", "foo"], "--lanes must be actor, kind or none"),
            (["--format", "svg", "--width", "10"], "--width of an svg timeline is its width in pixels, from 480 to 10000"),
            (["--format", "html", "--width", "20000"], "from 480 to 10000"),
            (["--lanes", "kind"], "--lanes applies to --format html and svg"),
            (["--format", "csv", "--title", "x"], "--title applies to --format html, svg and timelinejs"),
        ]
        for (arguments, message) in cases {
            let result = try cli.expect(64, ["timeline"] + arguments)
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderrLines.first?.contains(message) == true, "the message comes first: \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
    }

    /// The checks themselves: a page that logs, fails, fetches, and draws overlapping labels and a
    /// link to the wrong mark must be caught by each of them.
    @Test func theBrowserChecksCatchABadPage() throws {
        let directory = try CLITemporaryDirectory()
        let bad = """
            <!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
            <img src="http://127.0.0.1:\(try cliClosedLoopbackPort())/x.png" alt="">
            <svg class="annals-timeline" width="400" height="200" xmlns="http://www.w3.org/2000/svg">
            <g class="ev" data-id="a" data-i="0" data-shape="dot"><circle class="mk" cx="50" cy="50" r="5"/><text class="lb" x="60" y="54">First label</text></g>
            <g class="ev" data-id="b" data-i="1" data-shape="dot"><circle class="mk" cx="40" cy="52" r="5"/><text class="lb" x="62" y="56">Second label</text></g>
            <g class="ev" data-id="b" data-i="2" data-shape="dot"><circle class="mk" cx="300" cy="150" r="5"/></g>
            <path class="ln" d="M50,45 C50,20 200,20 200,145" data-from="a" data-to="b" data-relation="follows"/>
            </svg>
            <script>console.error("something broke"); undefinedFunction();</script></body></html>
            """
        let (page, facts) = try PictureProbe.load(try PictureProbe.instrumented(bad), in: directory, name: "bad.html")
        #expect(page.console.contains { $0.contains("something broke") }, "\(page.console)")
        #expect(facts.errors.contains { $0.contains("undefinedFunction") }, "\(facts.errors)")
        #expect(!PictureProbe.noiseProblems(page, facts).filter { $0.contains("127.0.0.1") }.isEmpty, "the request is seen")
        #expect(!PictureProbe.overlapProblems(facts).isEmpty, "overlapping labels are seen")
        #expect(PictureProbe.presenceProblems(facts, expected: ["a", "b", "c"]).count == 2, "a duplicate and a missing event are seen")
        let dates = ["a": try HistoricalDate(parsing: "1950"), "b": try HistoricalDate(parsing: "1960")]
        #expect(!PictureProbe.orderProblems(facts, dates: dates).isEmpty, "marks out of order are seen")
        #expect(!PictureProbe.linkProblems(facts, expected: [("a", "b", "invokes")]).isEmpty, "a wrong link is seen")
    }
}
