import AnnalsCore

/// A Markdown chronology: a `## 1956` heading per year, then one bullet per event.
///
/// ```
/// ## 1956
///
/// - **19 Oct 1956** — *declaration* — Soviet–Japanese Joint Declaration (Japan, Soviet Union)
/// ```
///
/// Headings follow the year an event starts in, as in the text timeline (see `DateDisplay` and
/// `YearHeadings`), so records keep the order given and no heading repeats. The actors follow the
/// title in parentheses, by name; a retracted event ends with *(retracted)*. Characters that Markdown
/// would read as markup (``\ ` * _ [ ] < > | ~ & $ #``) are escaped with a backslash, and line breaks
/// in text become spaces, so event text always reads as plain text.
public struct MarkdownRenderer: EventListRenderer {
    /// A level 1 heading put first, if any.
    public var title: String?

    public init(title: String? = nil) {
        self.title = title
    }

    /// The document, newline-terminated; only the title (or nothing) for no records.
    public func render(_ records: [EventRecord]) -> String {
        var blocks: [String] = []
        if let title { blocks.append("# " + Self.escape(title)) }
        var headings = YearHeadings()
        var bullets: [String] = []
        func flush() {
            if !bullets.isEmpty { blocks.append(bullets.joined(separator: "\n")) }
            bullets = []
        }
        for record in records {
            if let heading = headings.next(DateDisplay.heading(for: record.event.date)) {
                flush()
                blocks.append("## " + Self.escape(heading))
            }
            bullets.append(Self.bullet(record))
        }
        flush()
        return blocks.isEmpty ? "" : blocks.joined(separator: "\n\n") + "\n"
    }

    /// `- **19 Oct 1956** — *declaration* — Title (Actor, Actor)`.
    static func bullet(_ record: EventRecord) -> String {
        let event = record.event
        var line = "- **\(escape(DateDisplay.text(event.date)))** — *\(event.kind.rawValue)* — \(escape(event.title))"
        if !event.actors.isEmpty {
            line += " (" + event.actors.map { escape($0.name) }.joined(separator: ", ") + ")"
        }
        if record.retraction != nil { line += " *(retracted)*" }
        return line
    }

    /// `text` on one line with Markdown markup characters backslash-escaped.
    public static func escape(_ text: String) -> String {
        var out = ""
        for character in TerminalText.singleLine(text) {
            if Self.special.contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }

    private static let special: Set<Character> = ["\\", "`", "*", "_", "[", "]", "<", ">", "|", "~", "&", "$", "#"]
}
