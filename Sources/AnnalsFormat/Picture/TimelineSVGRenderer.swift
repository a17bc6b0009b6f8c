import AnnalsCore

/// A timeline as a standalone SVG image (`annals timeline --format svg`), for slides and print: the
/// `TimelinePicture` of the records, with its style sheet inside, no script and nothing to fetch.
///
/// Every event is a `<g class="ev">` with `data-id`, a `<title>` (title, date, kind, actors) and a
/// `<desc>` (summary, the EDTF and its reading, sources), focusable and named for screen readers; its
/// mark (`.mk`: a circle, or a rect for a bar), its label (`.lb`) and its stub (`.st`). References are
/// `<path class="ln">` from the referring mark to the referred one, with `data-from`, `data-to` and
/// the relation. Dark mode follows `prefers-color-scheme`.
public struct TimelineSVGRenderer: EventListRenderer {
    public var options: TimelinePicture.Options

    public init(options: TimelinePicture.Options = .init()) {
        self.options = options
    }

    /// The SVG document, newline-terminated.
    public func render(_ records: [EventRecord]) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + Self.svg(TimelinePicture(records: records, options: options), standalone: true) + "\n"
    }

    /// The `<svg>` element of a picture. `standalone` adds the XML namespace's tooltips (`<title>` and
    /// `<desc>` per event); the HTML page leaves them out and shows its own card instead.
    static func svg(_ picture: TimelinePicture, standalone: Bool) -> String {
        var out = ""
        out.reserveCapacity(picture.items.count * 400 + 8192)
        let w = Markup.number(picture.width), h = Markup.number(picture.height)
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"annals-timeline\" width=\"\(w)\" height=\"\(h)\" "
        out += "viewBox=\"0 0 \(w) \(h)\" role=\"group\" aria-labelledby=\"pic-title\" aria-describedby=\"pic-desc\">\n"
        out += "<title id=\"pic-title\">\(Markup.escape(picture.title.text))</title>\n"
        out += "<desc id=\"pic-desc\">\(Markup.escape(description(picture)))</desc>\n"
        out += "<style>\n\(PictureStyle.svgCSS)\n</style>\n"
        out += defs(picture)
        out += "<rect class=\"bg\" width=\"\(w)\" height=\"\(h)\"/>\n"
        out += text(picture.title, class: "title") + text(picture.subtitle, class: "subtitle")
        out += legend(picture)
        out += axis(picture)
        out += lanes(picture)
        out += links(picture)
        out += "<g class=\"events\">\n"
        for (laneIndex, lane) in picture.lanes.enumerated() {
            let name = lane.name.isEmpty ? "Events" : lane.name
            out += "<g class=\"lane\" role=\"list\" aria-label=\"\(Markup.escape(name)), \(lane.count) events\">\n"
            for item in picture.items where item.lane == laneIndex {
                out += event(item, standalone: standalone)
            }
            out += "</g>\n"
        }
        out += "</g>\n</svg>"
        return out
    }

    /// What the picture shows, for screen readers.
    static func description(_ picture: TimelinePicture) -> String {
        var parts = [picture.subtitle.text + "."]
        let lanes = picture.lanes.map(\.name).filter { !$0.isEmpty }
        if !lanes.isEmpty { parts.append("Lanes: " + lanes.joined(separator: ", ") + ".") }
        parts.append("Each event is a mark at its date, or a bar from its first to its last possible day; faded, dashed marks are uncertain or approximate dates; lines link events that refer to each other.")
        return parts.joined(separator: " ")
    }

    // MARK: - Parts

    private static func text(_ label: TimelinePicture.Label, class name: String) -> String {
        "<text class=\"\(name)\" x=\"\(Markup.number(label.x))\" y=\"\(Markup.number(label.baseline))\">\(Markup.escape(label.text))</text>\n"
    }

    /// The arrowhead, and the fading gradients used by bars with fuzzy or open ends.
    private static func defs(_ picture: TimelinePicture) -> String {
        var out = "<defs>\n<marker id=\"arrow\" viewBox=\"0 0 8 8\" refX=\"7\" refY=\"4\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\">"
        out += "<path class=\"arrowhead\" d=\"M0,0 L8,4 L0,8 z\"/></marker>\n"
        var used = Set<String>()
        for item in picture.items where item.shape == .bar {
            guard let fade = fade(item) else { continue }
            let id = "fade-\(item.family.rawValue)-\(fade)"
            guard used.insert(id).inserted else { continue }
            let start = fade.hasPrefix("s") ? "0.08" : "0.9"
            let end = fade.hasSuffix("e") ? "0.08" : "0.9"
            out += "<linearGradient id=\"\(id)\" class=\"k-\(item.family.rawValue)\">"
            out += "<stop class=\"stop\" offset=\"0\" stop-opacity=\"\(start)\"/>"
            out += "<stop class=\"stop\" offset=\"0.25\" stop-opacity=\"0.9\"/>"
            out += "<stop class=\"stop\" offset=\"0.75\" stop-opacity=\"0.9\"/>"
            out += "<stop class=\"stop\" offset=\"1\" stop-opacity=\"\(end)\"/></linearGradient>\n"
        }
        return out + "</defs>\n"
    }

    /// Which ends of a bar fade: "s", "e", "se", or nil for none.
    private static func fade(_ item: TimelinePicture.Item) -> String? {
        let s = item.ends.startFuzzy || item.ends.startOpen, e = item.ends.endFuzzy || item.ends.endOpen
        switch (s, e) {
        case (true, true): return "se"
        case (true, false): return "s"
        case (false, true): return "e"
        case (false, false): return nil
        }
    }

    private static func legend(_ picture: TimelinePicture) -> String {
        var out = "<g class=\"legend\" role=\"list\" aria-label=\"Colours by kind\">\n"
        for entry in picture.legend {
            out += "<g role=\"listitem\" class=\"k-\(entry.family.rawValue)\">"
            out += "<circle class=\"swatch\" cx=\"\(Markup.number(entry.x + 5))\" cy=\"\(Markup.number(entry.baseline - 4))\" r=\"5\"/>"
            out += "<text x=\"\(Markup.number(entry.x + 16))\" y=\"\(Markup.number(entry.baseline))\">\(Markup.escape(entry.text))</text></g>\n"
        }
        return out + "</g>\n"
    }

    /// Headings, tick labels and grid lines (hidden from screen readers: the events carry their dates).
    private static func axis(_ picture: TimelinePicture) -> String {
        let axis = picture.axis
        let top = Markup.number(picture.lanesTop), bottom = Markup.number(picture.lanesBottom)
        var out = "<g class=\"axis\" aria-hidden=\"true\">\n"
        let headingY = Markup.number(picture.headingsTop + 14)
        for heading in axis.headings {
            let x = Markup.number(heading.x1)
            out += "<line class=\"grid major\" x1=\"\(x)\" x2=\"\(x)\" y1=\"\(Markup.number(picture.headingsTop))\" y2=\"\(bottom)\"/>"
            if TextMetrics.width(heading.label, fontSize: 12) * TextMetrics.boldFactor + 8 <= heading.x2 - heading.x1 {
                out += "<text class=\"heading\" x=\"\(Markup.number(heading.x1 + 4))\" y=\"\(headingY)\">\(Markup.escape(heading.label))</text>"
            }
            out += "\n"
        }
        let baselines = [picture.ticksBaseline] + (picture.ticksBelow ? [picture.lanesBottom + 16] : [])
        for (i, tick) in axis.ticks.enumerated() {
            let x = Markup.number(tick.x)
            out += "<line class=\"grid\" x1=\"\(x)\" x2=\"\(x)\" y1=\"\(top)\" y2=\"\(bottom)\"/>"
            let next = i + 1 < axis.ticks.count ? axis.ticks[i + 1].x : axis.right
            if tick.x + 3 + TextMetrics.width(tick.label, fontSize: 11) <= min(next, axis.right + 20) {
                for y in baselines {
                    out += "<text class=\"tick\" x=\"\(Markup.number(tick.x + 3))\" y=\"\(Markup.number(y))\">\(Markup.escape(tick.label))</text>"
                }
            }
            out += "\n"
        }
        let l = Markup.number(axis.left), r = Markup.number(axis.right)
        out += "<line class=\"rule\" x1=\"\(l)\" x2=\"\(r)\" y1=\"\(top)\" y2=\"\(top)\"/>\n"
        return out + "</g>\n"
    }

    /// Lane bands, names and counts.
    private static func lanes(_ picture: TimelinePicture) -> String {
        var out = "<g class=\"lanes\" aria-hidden=\"true\">\n"
        let x = TimelinePicture.margin
        for (i, lane) in picture.lanes.enumerated() {
            if i % 2 == 1 {
                out += "<rect class=\"band\" x=\"\(Markup.number(x))\" y=\"\(Markup.number(lane.top))\" "
                out += "width=\"\(Markup.number(picture.width - 2 * x))\" height=\"\(Markup.number(lane.height))\"/>\n"
            }
            if i > 0 {
                let y = Markup.number(lane.top)
                out += "<line class=\"rule\" x1=\"\(Markup.number(x))\" x2=\"\(Markup.number(picture.width - x))\" y1=\"\(y)\" y2=\"\(y)\"/>\n"
            }
            guard picture.laneColumnWidth > 0 else { continue }
            let name = TextMetrics.truncated(lane.name, toWidth: (picture.laneColumnWidth - 16) / TextMetrics.boldFactor, fontSize: 13)
            out += "<text class=\"lane-name\" x=\"\(Markup.number(x))\" y=\"\(Markup.number(lane.top + 22))\">\(Markup.escape(name))</text>\n"
            var counts = ["\(lane.count) event\(lane.count == 1 ? "" : "s")"]
            if lane.unlabelled > 0 { counts.append("\(lane.unlabelled) unlabelled") }
            for (i, count) in counts.enumerated() {
                let shown = TextMetrics.truncated(count, toWidth: picture.laneColumnWidth - 12, fontSize: 11)
                out += "<text class=\"count\" x=\"\(Markup.number(x))\" y=\"\(Markup.number(lane.top + 37 + 14 * Double(i)))\">\(Markup.escape(shown))</text>\n"
            }
        }
        return out + "</g>\n"
    }

    /// Where a link meets an item's mark: the top of a dot, or the top of a bar's start.
    private static func anchor(_ item: TimelinePicture.Item) -> (Double, Double) {
        (item.shape == .dot ? item.x1 : item.x1 + min(item.radius, (item.x2 - item.x1) / 2), item.y - item.radius - 1)
    }

    /// References between drawn events: arcs above the marks, from the referring event to the referred one.
    /// A link to or from a bare mark (a dense period) is drawn invisible, and shown in the page while
    /// either end is hovered or focused, so dense periods do not drown in lines.
    private static func links(_ picture: TimelinePicture) -> String {
        var out = "<g class=\"links\">\n"
        for link in picture.links {
            let a = picture.items[link.from], b = picture.items[link.to]
            let (ax, ay) = anchor(a), (bx, by) = anchor(b)
            let lift = min(36, 10 + abs(bx - ax) * 0.06)
            let top = min(ay, by) - lift
            let d = "M\(Markup.number(ax)),\(Markup.number(ay)) C\(Markup.number(ax)),\(Markup.number(top)) "
                + "\(Markup.number(bx)),\(Markup.number(top)) \(Markup.number(bx)),\(Markup.number(by))"
            let quiet = a.label == nil || b.label == nil ? " quiet" : ""
            out += "<path class=\"ln\(quiet)\" d=\"\(d)\" marker-end=\"url(#arrow)\" data-from=\"\(Markup.escape(a.record.event.id))\" "
            out += "data-to=\"\(Markup.escape(b.record.event.id))\" data-relation=\"\(link.relation.rawValue)\">"
            out += "<title>\(Markup.escape(a.record.event.title)) \u{2192} \(link.relation.rawValue) \u{2192} \(Markup.escape(b.record.event.title))</title></path>\n"
        }
        return out + "</g>\n"
    }

    private static func event(_ item: TimelinePicture.Item, standalone: Bool) -> String {
        let event = item.record.event
        var classes = ["ev", "k-\(item.family.rawValue)"]
        if item.ends.startFuzzy || item.ends.endFuzzy { classes.append("fz") }
        if item.imprecise { classes.append("imprecise") }
        if item.shape == .bar, fade(item) != nil { classes.append("faded") }
        if item.record.retraction != nil { classes.append("retracted") }
        let date = DateDisplay.text(event.date)
        let name = "\(date), \(event.kind.rawValue): \((item.record.retraction == nil ? "" : "retracted: ") + event.title)"
        var out = "<g class=\"\(classes.joined(separator: " "))\" data-id=\"\(Markup.escape(event.id))\" data-i=\"\(item.index)\" "
        out += "data-shape=\"\(item.shape.rawValue)\" tabindex=\"0\" role=\"listitem\" aria-label=\"\(Markup.escape(name))\">"
        if standalone {
            var tip = [event.title, "\(date) \u{00B7} \(event.kind.rawValue)"]
            if !event.actors.isEmpty { tip.append(event.actors.map(\.name).joined(separator: ", ")) }
            out += "<title>\(Markup.escape(tip.joined(separator: "\n")))</title>"
            var desc: [String] = []
            if let summary = event.summary { desc.append(summary) }
            desc.append("EDTF \(event.date.canonical): \(DateReading.text(event.date))")
            for source in event.sources { desc.append("Source: " + [source.publisher, source.url].compactMap { $0 }.joined(separator: ", ")) }
            for reference in item.outside {
                desc.append("\(reference.relation.rawValue): " + (reference.title ?? "\(reference.id) (not recorded)"))
            }
            out += "<desc>\(Markup.escape(desc.joined(separator: "\n")))</desc>"
        }
        let y = Markup.number(item.y), r = item.radius
        switch item.shape {
        case .dot:
            out += "<circle class=\"mk\" cx=\"\(Markup.number(item.x1))\" cy=\"\(y)\" r=\"\(Markup.number(r))\"/>"
        case .bar:
            let fill = fade(item).map { " style=\"fill:url(#fade-\(item.family.rawValue)-\($0))\"" } ?? ""
            out += "<rect class=\"mk\" x=\"\(Markup.number(item.x1))\" y=\"\(Markup.number(item.y - r))\" "
            out += "width=\"\(Markup.number(item.x2 - item.x1))\" height=\"\(Markup.number(2 * r))\" rx=\"\(Markup.number(min(r, 3)))\"\(fill)/>"
        }
        if let label = item.label {
            out += "<text class=\"lb\" x=\"\(Markup.number(label.x))\" y=\"\(Markup.number(label.baseline))\" data-w=\"\(Markup.number(label.width))\">"
            out += Markup.escape(label.text) + "</text>"
        }
        if let stub = item.stub {
            out += "<text class=\"st\" x=\"\(Markup.number(stub.x))\" y=\"\(Markup.number(stub.baseline))\" data-w=\"\(Markup.number(stub.width))\" "
            out += "data-target=\"\(Markup.escape(item.outside.first?.id ?? ""))\">\(Markup.escape(stub.text))</text>"
        }
        return out + "</g>\n"
    }
}
