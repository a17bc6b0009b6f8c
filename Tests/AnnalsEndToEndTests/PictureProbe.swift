import AnnalsCore
import Foundation

/// Reads facts off a timeline picture as Chromium rendered it, and judges them.
///
/// A copy of the page gets a probe script at the start of its `<head>`; once the page has loaded and
/// its own script has run, the probe measures every event's mark, label and stub
/// (`getBoundingClientRect`), every link's ends (in page coordinates), the requests made, errors and
/// refused requests, and the hover card of the first events, and writes it all as JSON into
/// `<pre id="annals-facts">`, which `--dump-dom` prints.
enum PictureProbe {
    /// What the probe saw.
    struct Facts: Decodable {
        struct Event: Decodable {
            var id: String
            var shape: String
            var mark: [Double]
            var label: [Double]?
            var labelText: String?
            var stub: [Double]?
            var stubText: String?
            var stubTarget: String?
            var name: String?
        }

        struct Link: Decodable {
            var from: String
            var to: String
            var relation: String
            var start: [Double]
            var end: [Double]
        }

        struct Card: Decodable {
            var id: String
            var parts: [String]
            var links: [String]
        }

        struct Image: Decodable {
            var width: Double
            var height: Double
            var inked: Int
        }

        var errors: [String]
        var violations: [String]
        var resources: [String]
        var scripts: Int
        var images: Int
        var title: String
        var lanes: [String]
        var events: [Event]
        var links: [Link]
        var cards: [Card]
        var image: Image?
        /// The drawing's width before and after the zoom-in button is clicked.
        var zoom: [Double]?
    }

    static let script = #"""
    (function () {
      var facts = { errors: [], violations: [], cards: [] };
      window.addEventListener("error", function (e) { facts.errors.push(String(e.message)); });
      document.addEventListener("securitypolicyviolation", function (e) { facts.violations.push(e.violatedDirective + " " + e.blockedURI); });
      var consoleError = console.error;
      console.error = function () { facts.errors.push(Array.prototype.join.call(arguments, " ")); consoleError.apply(console, arguments); };
      function box(e) { if (!e) return null; var r = e.getBoundingClientRect(); return [r.left + scrollX, r.top + scrollY, r.right + scrollX, r.bottom + scrollY]; }
      function text(e) { return e ? e.textContent : null; }
      window.addEventListener("load", function () {
        var svg = document.querySelector("svg.annals-timeline");
        var evs = Array.prototype.slice.call(svg.querySelectorAll(".ev"));
        facts.events = evs.map(function (g) {
          var lb = g.querySelector(".lb"), st = g.querySelector(".st");
          return { id: g.getAttribute("data-id"), shape: g.getAttribute("data-shape"), mark: box(g.querySelector(".mk")),
                   label: box(lb), labelText: text(lb), stub: box(st), stubText: text(st),
                   stubTarget: st ? st.getAttribute("data-target") : null, name: g.getAttribute("aria-label") };
        });
        facts.links = Array.prototype.map.call(svg.querySelectorAll(".ln"), function (p) {
          var m = p.getScreenCTM(), a = p.getPointAtLength(0), b = p.getPointAtLength(p.getTotalLength());
          function at(q) { return [q.x * m.a + q.y * m.c + m.e + scrollX, q.x * m.b + q.y * m.d + m.f + scrollY]; }
          return { from: p.getAttribute("data-from"), to: p.getAttribute("data-to"), relation: p.getAttribute("data-relation"), start: at(a), end: at(b) };
        });
        facts.lanes = Array.prototype.map.call(svg.querySelectorAll(".lane"), function (g) { return g.getAttribute("aria-label"); });
        var card = document.getElementById("card");
        if (card) {
          evs.slice().sort(function (a, b) { return a.getAttribute("data-i") - b.getAttribute("data-i"); }).slice(0, 60).forEach(function (g) {
            g.focus();
            facts.cards.push({ id: g.getAttribute("data-id"),
              parts: card.hidden ? [] : Array.prototype.map.call(card.querySelectorAll("h2,p,li"), function (e) { return e.textContent; }),
              links: Array.prototype.map.call(card.querySelectorAll("a[href]"), function (a) { return a.getAttribute("href"); }) });
          });
        }
        var img = document.getElementById("svg-image");
        if (img) {
          var canvas = document.createElement("canvas");
          canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
          var ctx = canvas.getContext("2d");
          ctx.drawImage(img, 0, 0);
          var px = ctx.getImageData(0, 0, canvas.width, canvas.height).data, inked = 0;
          for (var i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && (px[i] < 200 || px[i + 1] < 200 || px[i + 2] < 200)) inked++;
          facts.image = { width: img.naturalWidth, height: img.naturalHeight, inked: inked };
        }
        var zoomIn = document.getElementById("zoom-in");
        if (zoomIn) {
          var before = svg.getBoundingClientRect().width;
          zoomIn.click();
          facts.zoom = [before, svg.getBoundingClientRect().width];
          document.getElementById("zoom-reset").click();
        }
        facts.resources = performance.getEntriesByType("resource").map(function (r) { return r.name; });
        facts.scripts = document.scripts.length;
        facts.images = document.images.length - (img ? 1 : 0);
        facts.title = document.title;
        var pre = document.createElement("pre");
        pre.id = "annals-facts";
        pre.textContent = JSON.stringify(facts);
        document.body.appendChild(pre);
      });
    })();
    """#

    /// `html` with the probe as the first element of its head.
    static func instrumented(_ html: String) throws -> String {
        guard let head = html.range(of: "<head>") else { throw TestFailure("no <head> in the page") }
        return html.replacingCharacters(in: head, with: "<head>\n<script>\(script)</script>")
    }

    /// A page that shows `svg` inline (for the probe's measurements) and as an image of its own.
    static func svgHarness(_ svg: String) -> String {
        let inline = svg.replacingOccurrences(of: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", with: "")
        let image = "data:image/svg+xml;base64," + Data(svg.utf8).base64EncodedString()
        return """
            <!DOCTYPE html><html><head><meta charset="utf-8"><script>\(script)</script></head>
            <body style="margin:0">\(inline)<img id="svg-image" alt="" src="\(image)"></body></html>
            """
    }

    /// Loads `html` (written to a file in `directory`) in Chromium and returns the page and the facts.
    static func load(_ html: String, in directory: CLITemporaryDirectory, name: String) throws -> (Chromium.Page, Facts) {
        let path = try directory.file(name, html)
        let page = try Chromium.dumpDOM(URL(fileURLWithPath: path))
        guard let start = page.dom.range(of: "<pre id=\"annals-facts\">"),
              let end = page.dom.range(of: "</pre>", range: start.upperBound..<page.dom.endIndex)
        else { throw TestFailure("the probe wrote no facts; console: \(page.console.joined(separator: "\n"))") }
        let json = page.dom[start.upperBound..<end.lowerBound]
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&nbsp;", with: "\u{A0}").replacingOccurrences(of: "&amp;", with: "&")
        return (page, try JSONDecoder().decode(Facts.self, from: Data(json.utf8)))
    }

    // MARK: - Judging

    /// Console messages, errors, refused requests and requests made: all should be empty.
    static func noiseProblems(_ page: Chromium.Page, _ facts: Facts) -> [String] {
        page.console.map { "console: \($0)" } + facts.errors.map { "error: \($0)" }
            + facts.violations.map { "refused request: \($0)" } + facts.resources.map { "request: \($0)" }
    }

    /// Whether two boxes [left, top, right, bottom] overlap by more than `slack` pixels both ways.
    static func overlap(_ a: [Double], _ b: [Double], slack: Double = 0.5) -> Bool {
        a[0] < b[2] - slack && b[0] < a[2] - slack && a[1] < b[3] - slack && b[1] < a[3] - slack
    }

    /// Pairs of texts (labels and stubs) that overlap each other, and texts that overlap any mark.
    static func overlapProblems(_ facts: Facts) -> [String] {
        var texts: [(String, [Double])] = []
        for event in facts.events {
            if let label = event.label { texts.append(("label of \(event.id)", label)) }
            if let stub = event.stub { texts.append(("stub of \(event.id)", stub)) }
        }
        var problems: [String] = []
        let sorted = texts.sorted { $0.1[0] < $1.1[0] }
        for i in sorted.indices {
            for j in (i + 1)..<sorted.count {
                if sorted[j].1[0] >= sorted[i].1[2] { break }
                if overlap(sorted[i].1, sorted[j].1) { problems.append("\(sorted[i].0) overlaps \(sorted[j].0)") }
            }
        }
        for (name, box) in texts {
            for event in facts.events where overlap(box, event.mark) {
                problems.append("\(name) overlaps the mark of \(event.id)")
            }
        }
        return problems
    }

    /// Every event drawn once, and nothing else.
    static func presenceProblems(_ facts: Facts, expected: [String]) -> [String] {
        var counts: [String: Int] = [:]
        for event in facts.events { counts[event.id, default: 0] += 1 }
        var problems = counts.filter { $0.value > 1 }.map { "\($0.key) drawn \($0.value) times" }
        problems += Set(expected).subtracting(counts.keys).map { "\($0) not drawn" }
        problems += Set(counts.keys).subtracting(expected).map { "\($0) drawn but not expected" }
        return problems
    }

    /// Marks along one linear time scale: a dot's centre and a bar's left end at the same affine
    /// function of the lower bound, a bar's width that function's slope times its days, and a dot only
    /// for an event whose days span no more than the dot; events without a lower or upper bound are
    /// left out where that bound matters.
    static func orderProblems(_ facts: Facts, dates: [String: HistoricalDate]) -> [String] {
        func position(_ e: Facts.Event) -> Double { e.shape == "dot" ? (e.mark[0] + e.mark[2]) / 2 : e.mark[0] }
        let known = facts.events.compactMap { e in dates[e.id]?.lower.map { (e, Double($0.dayNumber)) } }
        guard let first = known.min(by: { $0.1 < $1.1 }), let last = known.max(by: { $0.1 < $1.1 }), last.1 > first.1 else {
            return known.count > 1 ? ["every event has the same lower bound"] : []
        }
        let slope = (position(last.0) - position(first.0)) / (last.1 - first.1)
        guard slope > 0 else { return ["later events are not further right (slope \(slope))"] }
        var problems: [String] = []
        for (event, day) in known {
            let expected = position(first.0) + slope * (day - first.1)
            if abs(position(event) - expected) > 0.75 {
                problems.append("\(event.id) at x \(position(event)), expected \(expected) from its lower bound")
            }
            guard let upper = dates[event.id]?.upper else { continue }
            let width = event.mark[2] - event.mark[0]
            let days = Double(upper.dayNumber) + 1 - day
            if event.shape == "dot", slope * days > width + 1 {
                problems.append("\(event.id) spans \(slope * days) px but is drawn as a \(width) px dot")
            }
            guard event.shape == "bar" else { continue }
            if abs(width - slope * days) > 1 {
                problems.append("bar \(event.id) is \(width) px wide, expected \(slope * days) for \(days) days")
            }
        }
        return problems
    }

    /// Each expected reference drawn once as a link that starts at the referring event's mark and ends
    /// at the referred one's, and no other link.
    static func linkProblems(_ facts: Facts, expected: [(from: String, to: String, relation: String)]) -> [String] {
        var marks: [String: [Double]] = [:]
        for event in facts.events { marks[event.id] = event.mark }
        var problems: [String] = []
        func near(_ point: [Double], _ box: [Double]?) -> Bool {
            guard let box else { return false }
            return point[0] >= box[0] - 2 && point[0] <= box[2] + 2 && point[1] >= box[1] - 3 && point[1] <= box[3] + 3
        }
        for link in facts.links {
            if !near(link.start, marks[link.from]) { problems.append("link \(link.from)→\(link.to) does not start at \(link.from)'s mark") }
            if !near(link.end, marks[link.to]) { problems.append("link \(link.from)→\(link.to) does not end at \(link.to)'s mark") }
        }
        let drawn = facts.links.map { "\($0.from) \($0.relation) \($0.to)" }.sorted()
        let wanted = expected.map { "\($0.from) \($0.relation) \($0.to)" }.sorted()
        if drawn != wanted { problems.append("links drawn \(drawn), expected \(wanted)") }
        return problems
    }
}
