/// A text style for terminal output, written as ANSI SGR codes when colour is on.
struct Style: Hashable, Sendable {
    var codes: [Int]

    static let plain = Style(codes: [])
    static let bold = Style(codes: [1])
    static let dim = Style(codes: [2])

    static func color(_ code: Int) -> Style { Style(codes: [code]) }

    /// Both styles at once.
    func with(_ other: Style) -> Style { Style(codes: codes + other.codes) }

    /// `text` wrapped in this style's SGR sequence and a reset; unchanged when `color` is false,
    /// when the style is plain or when the text is empty.
    func apply(_ text: String, color: Bool) -> String {
        guard color, !codes.isEmpty, !text.isEmpty else { return text }
        return "\u{1B}[" + codes.map(String.init).joined(separator: ";") + "m" + text + "\u{1B}[0m"
    }
}

/// A run of text in one style.
struct Span: Sendable {
    var text: String
    var style: Style

    init(_ text: String, _ style: Style = .plain) {
        self.text = text
        self.style = style
    }
}

/// One output line made of styled runs; its width is that of its text, whatever the styling.
struct StyledLine: Sendable {
    var spans: [Span]

    init(_ spans: [Span] = []) { self.spans = spans }

    init(_ text: String, _ style: Style = .plain) { self.spans = [Span(text, style)] }

    /// Columns the line takes.
    var width: Int { spans.reduce(0) { $0 + DisplayWidth.of($1.text) } }

    mutating func append(_ text: String, _ style: Style = .plain) {
        spans.append(Span(text, style))
    }

    mutating func append(_ line: StyledLine) {
        spans.append(contentsOf: line.spans)
    }

    /// The line as text, with SGR sequences when `color` is true; trailing spaces are removed.
    func render(color: Bool) -> String {
        var parts = spans
        while let last = parts.last {
            let trimmed = String(last.text.reversed().drop { $0 == " " }.reversed())
            if trimmed.isEmpty {
                parts.removeLast()
            } else {
                parts[parts.count - 1].text = trimmed
                break
            }
        }
        return parts.map { $0.style.apply($0.text, color: color) }.joined()
    }
}
