/// Colours and CSS of the timeline picture, shared by the SVG and the HTML page.
///
/// Kind families keep the terminal's hues (`KindFamily.sgrColor`: cyan, green, blue, yellow, red,
/// magenta) in tones that read on white, and lighter ones for dark mode (`prefers-color-scheme`).
enum PictureStyle {
    /// The family's colour on a light background, then on a dark one.
    static func colors(_ family: KindFamily) -> (light: String, dark: String) {
        switch family.sgrColor {
        case 36: ("#0e7490", "#22d3ee")  // cyan
        case 32: ("#15803d", "#4ade80")  // green
        case 34: ("#1d4ed8", "#60a5fa")  // blue
        case 33: ("#b45309", "#fbbf24")  // yellow
        case 31: ("#b91c1c", "#f87171")  // red
        default: ("#a21caf", "#e879f9")  // magenta
        }
    }

    static let fontFamily = "'Helvetica Neue', Helvetica, Arial, 'Liberation Sans', system-ui, sans-serif"

    /// The custom properties of the light or the dark scheme, as CSS declarations.
    static func variables(dark: Bool) -> String {
        let base = dark
            ? "--bg:#0f172a;--fg:#e2e8f0;--muted:#94a3b8;--grid:#1e293b;--grid-strong:#334155;--band:#131d33;--link:#94a3b8;--halo:#0f172a;"
            : "--bg:#ffffff;--fg:#1e293b;--muted:#64748b;--grid:#eef1f5;--grid-strong:#cbd5e1;--band:#f8fafc;--link:#64748b;--halo:#ffffff;"
        return base + KindFamily.allCases.map { "--\($0.rawValue):\(dark ? colors($0).dark : colors($0).light);" }.joined()
    }

    /// The drawing's style sheet: colours as custom properties, dark mode, marks, labels, links, focus.
    static var svgCSS: String {
        let families = KindFamily.allCases.map { f in
            ".k-\(f.rawValue){--c:var(--\(f.rawValue))}"
        }.joined(separator: "\n")
        return """
            .annals-timeline{\(variables(dark: false))font-family:\(fontFamily)}
            @media (prefers-color-scheme: dark){.annals-timeline{\(variables(dark: true))}}
            \(families)
            .annals-timeline text{fill:var(--fg);font-size:12px}
            .annals-timeline .bg{fill:var(--bg)}
            .annals-timeline .title{font-size:20px;font-weight:700}
            .annals-timeline .subtitle,.annals-timeline .tick,.annals-timeline .count{fill:var(--muted)}
            .annals-timeline .subtitle{font-size:13px}
            .annals-timeline .tick,.annals-timeline .count{font-size:11px}
            .annals-timeline .heading{font-weight:700}
            .annals-timeline .lane-name{font-size:13px;font-weight:700}
            .annals-timeline .band{fill:var(--band)}
            .annals-timeline .grid{stroke:var(--grid);stroke-width:1}
            .annals-timeline .grid.major,.annals-timeline .rule{stroke:var(--grid-strong)}
            .annals-timeline .swatch,.annals-timeline .mk{fill:var(--c);stroke:var(--c);stroke-width:1.2}
            .annals-timeline .stop{stop-color:var(--c)}
            .annals-timeline .ev .mk{fill-opacity:.9}
            .annals-timeline .ev.imprecise .mk{fill-opacity:.35}
            .annals-timeline .ev.fz .mk{fill-opacity:.3;stroke-dasharray:3 2}
            .annals-timeline .ev.faded .mk{fill-opacity:1;stroke-opacity:.7}
            .annals-timeline .ev.imprecise.faded .mk{fill-opacity:.45}
            .annals-timeline .ev.retracted .lb{text-decoration:line-through;fill:var(--muted)}
            .annals-timeline .lb,.annals-timeline .st{paint-order:stroke;stroke:var(--halo);stroke-width:3px;stroke-linejoin:round}
            .annals-timeline .st{font-size:10.5px;fill:var(--muted)}
            .annals-timeline .ln{fill:none;stroke:var(--link);stroke-width:1;stroke-opacity:.35}
            .annals-timeline .ln:hover,.annals-timeline .ln.on{stroke-opacity:1;stroke-width:2;stroke:var(--fg)}
            .annals-timeline .ln.quiet{opacity:0;pointer-events:none}
            .annals-timeline .ln.quiet.on{opacity:1}
            .annals-timeline .arrowhead{fill:var(--link)}
            .annals-timeline .ev{cursor:pointer;outline:none}
            .annals-timeline .ev:hover .lb,.annals-timeline .ev.on .lb{text-decoration:underline}
            .annals-timeline .ev:hover .mk,.annals-timeline .ev.on .mk{stroke-width:2.5}
            .annals-timeline .ev:focus-visible .mk{stroke:var(--fg);stroke-width:2.5}
            .annals-timeline .ev:focus-visible .lb{text-decoration:underline;font-weight:400}
            """
    }
}
