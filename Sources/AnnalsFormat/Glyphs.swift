/// The drawing characters of terminal output, in Unicode or in ASCII.
struct Glyphs: Sendable {
    /// The vertical rule of the timeline.
    let rule: String
    /// The marker of an event on the rule.
    let marker: String
    /// Before an outgoing reference.
    let arrowOut: String
    /// Before an incoming reference.
    let arrowIn: String
    /// A bar segment in a chart.
    let bar: String
    /// A horizontal rule segment.
    let line: String
    /// The separator between items in a header line.
    let dot: String
    /// The multiplication sign of a ratio.
    let times: String

    static let unicode = Glyphs(rule: "│", marker: "●", arrowOut: "→", arrowIn: "←", bar: "█", line: "─", dot: "·", times: "×")
    static let ascii = Glyphs(rule: "|", marker: "*", arrowOut: "->", arrowIn: "<-", bar: "#", line: "-", dot: "|", times: "x")

    static func choose(ascii: Bool) -> Glyphs { ascii ? .ascii : .unicode }
}
