import AnnalsCore

/// A timeline as one self-contained HTML page (`annals timeline --format html`) that works offline.
///
/// The page holds the `TimelinePicture` as inline SVG (see `TimelineSVGRenderer`), its style sheet and
/// `PictureScript`, and each event's details as JSON in `<script type="application/json"
/// id="annals-data">` (indexed by the events' `data-i`). It loads nothing: no font, no image, no
/// script from anywhere, and its Content-Security-Policy (`default-src 'none'`) forbids every request.
/// Hover, focus or click on an event shows a card with its title, date as Annals shows it, the EDTF
/// and its reading, kind, actors, summary, references and sources as links; the arrow keys, Home and
/// End move between events in chronological order, Enter pins the card, Escape closes it; a toolbar
/// (and + − 0) zooms the drawing, and dragging it pans. Dark mode
/// follows `prefers-color-scheme`; printing drops the interactive parts and fits the drawing to the
/// page.
public struct TimelineHTMLRenderer: EventListRenderer {
    public var options: TimelinePicture.Options

    public init(options: TimelinePicture.Options = .init()) {
        self.options = options
    }

    /// The Content-Security-Policy of the page: nothing may be fetched; inline style and script only.
    public static let contentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

    /// The HTML document, newline-terminated.
    public func render(_ records: [EventRecord]) -> String {
        let picture = TimelinePicture(records: records, options: options)
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="\(Self.contentSecurityPolicy)">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light dark">
            <meta name="generator" content="Annals">
            <title>\(Markup.escape(options.title))</title>
            <style>
            \(Self.pageCSS)
            </style>
            </head>
            <body>
            <main>
            <div class="toolbar" role="toolbar" aria-label="Zoom">
            <button type="button" id="zoom-out" aria-label="Zoom out">\u{2212}</button><span id="zoom-level" aria-live="polite">100%</span><button type="button" id="zoom-in" aria-label="Zoom in">+</button>
            <button type="button" id="zoom-fit">Fit</button><button type="button" id="zoom-reset">100%</button>
            </div>
            <div class="scroller">

            """
        out += TimelineSVGRenderer.svg(picture, standalone: false)
        out += """

            </div>
            <p class="help">Hover, focus or click an event for its details. Keys: \u{2190} \u{2192} previous and next event, Home and End, Enter to pin the card, Esc to close it; + and \u{2212} zoom, drag to pan.</p>
            </main>
            <div id="card" role="region" aria-label="Event details" hidden></div>
            <script type="application/json" id="annals-data">
            """
        out += Markup.scriptJSON(Self.details(picture).text())
        out += "</script>\n<script>\n" + PictureScript.source + "\n</script>\n</body>\n</html>\n"
        return out
    }

    /// The details the card shows, per item: t title, d date as shown, e EDTF, r its reading, k kind,
    /// f colour family, a actors, s summary, x retraction reason, ref references (relation, title,
    /// date, shown), src sources (URL, publisher).
    static func details(_ picture: TimelinePicture) -> JSONValue {
        var position: [String: Int] = [:]
        for (i, item) in picture.items.enumerated() { position[item.record.event.id] = i }
        return .array(picture.items.map { item in
            let event = item.record.event
            var members: [(String, JSONValue)] = [
                ("t", .string(event.title)), ("d", .string(DateDisplay.text(event.date))),
                ("e", .string(event.date.canonical)), ("r", .string(DateReading.text(event.date))),
                ("k", .string(event.kind.rawValue)), ("f", .string(item.family.rawValue)),
                ("a", .array(event.actors.map { .string($0.name + ($0.role.map { " (\($0))" } ?? "")) })),
            ]
            if let summary = event.summary { members.append(("s", .string(summary))) }
            if let retraction = item.record.retraction { members.append(("x", .string(retraction.reason))) }
            let outside = Dictionary(item.outside.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            members.append(("ref", .array(event.references.map { reference in
                if let j = position[reference.id] {
                    let target = picture.items[j].record.event
                    return .array([.string(reference.relation.rawValue), .string(target.title), .string(DateDisplay.text(target.date)), .bool(true)])
                }
                let known = outside[reference.id]
                return .array([
                    .string(reference.relation.rawValue), .string(known?.title ?? "\(reference.id) (not recorded)"),
                    .string(known?.date.map { DateDisplay.text($0) } ?? ""), .bool(false),
                ])
            })))
            members.append(("src", .array(event.sources.map { .array([.string($0.url), .string($0.publisher ?? "")]) })))
            return .object(members)
        })
    }

    /// The page around the drawing: layout, the card, and print.
    static var pageCSS: String {
        """
        :root{color-scheme:light dark;\(PictureStyle.variables(dark: false))}
        @media (prefers-color-scheme: dark){:root{\(PictureStyle.variables(dark: true))}}
        body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 \(PictureStyle.fontFamily)}
        main{padding:12px 8px}
        .scroller{overflow-x:auto}
        .annals-timeline{display:block}
        .help{color:var(--muted);font-size:12px;margin:8px 24px}
        .toolbar{position:sticky;left:0;display:flex;gap:4px;align-items:center;margin:0 24px 4px;font-size:12px;color:var(--muted)}
        .toolbar button{font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--grid-strong);border-radius:4px;padding:1px 8px;cursor:pointer}
        .toolbar button:focus-visible{outline:2px solid var(--meeting)}
        #zoom-level{min-width:3.5em;text-align:center}
        .annals-timeline{touch-action:pan-y}
        #card{position:absolute;z-index:2;box-sizing:border-box;max-width:min(380px,calc(100vw - 16px));padding:10px 14px;
        background:var(--bg);color:var(--fg);border:1px solid var(--grid-strong);border-radius:8px;
        box-shadow:0 6px 24px rgba(15,23,42,.18);font-size:13px}
        #card.pinned{border-color:var(--muted)}
        #card h2{font-size:15px;margin:0 0 4px}
        #card p{margin:4px 0}
        #card .meta{color:var(--muted)}
        #card .kind{font-weight:700;color:var(--c)}
        #card .edtf{color:var(--muted);font-size:12px}
        #card code{font-size:12px}
        #card ul{margin:6px 0 0;padding-left:18px}
        #card .refs li.outside{color:var(--muted)}
        #card a{color:var(--meeting)}
        \(KindFamily.allCases.map { ".k-\($0.rawValue){--c:var(--\($0.rawValue))}" }.joined())
        @media print{
        :root,.annals-timeline{\(PictureStyle.variables(dark: false))}
        @page{size:landscape;margin:10mm}
        *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
        body{background:#fff}
        main{padding:0}
        .help,.toolbar,#card{display:none}
        .scroller{overflow:visible}
        .annals-timeline{width:100%;height:auto}
        }
        """
    }
}
