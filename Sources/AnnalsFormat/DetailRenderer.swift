import AnnalsCore

/// The `annals show ID` view of one event: everything known about it, for a person at a terminal.
///
/// ```
/// 19 Oct 1956 · declaration
/// Soviet–Japanese Joint Declaration
/// id 1956-10-19-soviet-japanese-joint-declaration · revision 2 · recorded 2024-05-01T10:00:00.000Z
///
/// The Soviet Union and Japan ended the state of war …
///
/// Actors     Japan (JPN, signatory)
///            Soviet Union (SUN, signatory)
/// Places     Moscow
/// Tags       peace-treaty, kuril-islands
/// Sources    https://en.wikipedia.org/wiki/Soviet%E2%80%93Japanese_Joint_Declaration_of_1956
///              Wikipedia
///
/// <the body, wrapped>
///
/// Refers to  → follows 8 Aug 1945 Soviet Union declares war on Japan
/// Cited by   ← invoked by 13 Oct 1993 Tokyo Declaration on Japan–Russia Relations
/// Revisions  1  2024-05-01T10:00:00.000Z
///            2  2024-05-03T10:00:00.000Z  (current)
/// ```
///
/// - The header gives the date (see `DateDisplay`), kind, title, id, revision and when it was recorded.
/// - A retracted event has a notice under the header with the revision, time and reason.
/// - Incoming references read in the passive ("← invoked by", "← followed by", …); a reference whose
///   other end is not in the store shows its id and "(not recorded)".
/// - Text is wrapped to `width` columns (measured with `DisplayWidth`); line breaks in the body are
///   kept. URLs and the event id are never broken, so they can be copied; one longer than the line
///   overflows it.
/// - With colour, the title and labels are bold, the kind takes its family colour (`KindFamily`) and
///   the retraction notice is red.
public struct DetailRenderer: Sendable {
    /// The terminal width in columns; widths below 40 are taken as 40.
    public var width: Int
    /// Use ANSI SGR colours and bold.
    public var color: Bool
    /// Draw with ASCII only (`->`, `<-`, `|`, `-`); event text is printed as it is.
    public var ascii: Bool
    /// The past revision asked for (`annals show --revision`), if any: it is marked "(shown)", and the
    /// header says it is not the current one.
    public var requestedRevision: Int?

    public init(width: Int = 80, color: Bool = false, ascii: Bool = false, requestedRevision: Int? = nil) {
        self.width = width
        self.color = color
        self.ascii = ascii
        self.requestedRevision = requestedRevision
    }

    /// Width of the label column ("Refers to" and two spaces).
    private static let labelWidth = 11

    /// The view of `detail`, each line ending with a newline.
    public func render(_ detail: EventDetail) -> String {
        lines(detail).map { $0.render(color: color) + "\n" }.joined()
    }

    func lines(_ detail: EventDetail) -> [StyledLine] {
        let width = max(self.width, 40)
        let glyphs = Glyphs.choose(ascii: ascii)
        let record = detail.current
        let event = record.event
        var out: [StyledLine] = []

        // Header.
        var first = StyledLine(DateDisplay.text(event.date, ascii: ascii))
        first.append(" \(glyphs.dot) ")
        first.append(event.kind.rawValue, .color(KindFamily(event.kind).sgrColor))
        out.append(contentsOf: wrap(first, width: width))
        for line in TextWrapper.wrap(event.title, width: width) { out.append(StyledLine(line, .bold)) }
        let head = detail.revisions.last?.revision
        let shown = requestedRevision.flatMap { $0 == head ? nil : $0 }
        var facts = ["id \(event.id)"]
        if let shown, let head {
            facts.append("revision \(shown) (an earlier one: the current is \(head))")
        } else if let revision = event.revision {
            facts.append("revision \(revision)")
        }
        if let recorded = event.recorded { facts.append("recorded \(recorded)") }
        for line in Self.pack(facts, separator: " \(glyphs.dot) ", width: width) {
            out.append(StyledLine(line, .dim))
        }

        if let retraction = record.retraction {
            var notice = "Retracted"
            if let revision = retraction.revision { notice += " in revision \(revision)" }
            if let recorded = retraction.recorded { notice += " on \(recorded)" }
            notice += ": " + retraction.reason
            out.append(StyledLine())
            for line in TextWrapper.wrap(notice, width: width) { out.append(StyledLine(line, Style.bold.with(.color(31)))) }
        }

        if let summary = event.summary {
            out.append(StyledLine())
            out += paragraphs(summary, width: width)
        }

        // Facts in a label column.
        var table: [StyledLine] = []
        let valueWidth = width - Self.labelWidth
        table += labelled("Actors", event.actors.map(Self.actor), valueWidth: valueWidth)
        table += labelled("Places", event.places.isEmpty ? [] : [event.places.joined(separator: ", ")], valueWidth: valueWidth)
        table += labelled("Tags", event.tags.isEmpty ? [] : [event.tags.joined(separator: ", ")], valueWidth: valueWidth)
        var sourceLines: [StyledLine] = []
        for source in event.sources {
            sourceLines.append(StyledLine(TerminalText.singleLine(source.url)))
            let about = [source.publisher, source.published].compactMap { $0 }.joined(separator: ", ")
            for line in TextWrapper.wrap(about, width: valueWidth - 2) { sourceLines.append(StyledLine("  " + line, .dim)) }
        }
        table += labelled("Sources", sourceLines)
        if !table.isEmpty {
            out.append(StyledLine())
            out += table
        }

        if let body = event.body {
            out.append(StyledLine())
            out += paragraphs(body, width: width)
        }

        // References and revisions.
        var links: [StyledLine] = []
        links += labelled("Refers to", detail.outgoing.flatMap { reference in
            arrowLines(glyphs.arrowOut, "\(reference.relation.rawValue) " + target(reference), valueWidth: valueWidth)
        })
        links += labelled("Cited by", detail.incoming.flatMap { reference in
            arrowLines(glyphs.arrowIn, "\(Self.passive(reference.relation)) " + target(reference), valueWidth: valueWidth)
        })
        links += labelled("Revisions", detail.revisions.flatMap { revisionLines($0, head: head, shown: shown, valueWidth: valueWidth) })
        if !links.isEmpty {
            out.append(StyledLine())
            out += links
        }
        return out
    }

    // MARK: - Pieces

    /// Lines of text kept apart where the text breaks lines; runs of blank lines become one.
    private func paragraphs(_ text: String, width: Int) -> [StyledLine] {
        var out: [StyledLine] = []
        var blank = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let wrapped = TextWrapper.wrap(String(line), width: width)
            if wrapped.isEmpty {
                if !out.isEmpty { blank = true }
                continue
            }
            if blank { out.append(StyledLine()) }
            blank = false
            out += wrapped.map { StyledLine($0) }
        }
        return out
    }

    /// Value lines behind a bold label on the first line and blanks on the others.
    private func labelled(_ label: String, _ values: [String], valueWidth: Int) -> [StyledLine] {
        labelled(label, values.flatMap { TextWrapper.wrap($0, width: valueWidth).map { StyledLine($0) } })
    }

    private func labelled(_ label: String, _ values: [StyledLine]) -> [StyledLine] {
        values.enumerated().map { i, value in
            var line = StyledLine(i == 0 ? label : "", i == 0 ? .bold : .plain)
            line.append(String(repeating: " ", count: Self.labelWidth - (i == 0 ? DisplayWidth.of(label) : 0)))
            line.append(value)
            return line
        }
    }

    /// "→ text" wrapped, continuation lines under the text.
    private func arrowLines(_ arrow: String, _ text: String, valueWidth: Int) -> [StyledLine] {
        let indent = DisplayWidth.of(arrow) + 1
        return TextWrapper.wrap(text, width: valueWidth - indent).enumerated().map { i, line in
            StyledLine((i == 0 ? arrow + " " : String(repeating: " ", count: indent)) + line)
        }
    }

    /// "8 Aug 1945 Title" for a resolved reference, "some-id (not recorded)" otherwise.
    private func target(_ reference: ResolvedReference) -> String {
        guard let title = reference.title else { return "\(reference.id) (not recorded)" }
        guard let date = reference.date else { return title }
        return DateDisplay.text(date, ascii: ascii) + " " + title
    }

    /// "2  2024-05-03T10:00:00.000Z  (current)" or "3  2024-06-01T…  retracted: reason  (current)"; the
    /// latest entry is the current one, and a past revision asked for is "(shown)".
    private func revisionLines(_ entry: LogEntry, head: Int?, shown: Int?, valueWidth: Int) -> [StyledLine] {
        let number = entry.revision.map(String.init) ?? "?"
        var text: String
        switch entry {
        case .event(let event):
            text = event.recorded?.description ?? "not recorded"
        case .retraction(let retraction):
            text = (retraction.recorded?.description ?? "not recorded") + "  retracted: " + retraction.reason
        }
        if let revision = entry.revision {
            if revision == head { text += "  (current)" } else if revision == shown { text += "  (shown)" }
        }
        let prefix = TextWrapper.padRight(number, to: 3)
        return TextWrapper.wrap(text, width: valueWidth - 3).enumerated().map { i, line in
            StyledLine((i == 0 ? prefix : "   ") + line)
        }
    }

    /// A styled line wrapped as plain text (styles are kept only when it fits).
    private func wrap(_ line: StyledLine, width: Int) -> [StyledLine] {
        if line.width <= width { return [line] }
        return TextWrapper.wrap(line.spans.map(\.text).joined(), width: width).map { StyledLine($0) }
    }

    /// Items joined by `separator` on as few lines as fit in `width`; an item is never broken, so
    /// one wider than the line (a long id) overflows it.
    static func pack(_ items: [String], separator: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for item in items {
            if line.isEmpty {
                line = item
            } else if DisplayWidth.of(line) + DisplayWidth.of(separator) + DisplayWidth.of(item) <= width {
                line += separator + item
            } else {
                lines.append(line)
                line = item
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    /// "Japan (JPN, signatory)".
    static func actor(_ actor: Actor) -> String {
        let details = [actor.code, actor.role].compactMap { $0 }
        return details.isEmpty ? actor.name : "\(actor.name) (\(details.joined(separator: ", ")))"
    }

    /// How a relation reads from its target: "invoked by", "followed by", …
    static func passive(_ relation: Relation) -> String {
        switch relation {
        case .invokes: "invoked by"
        case .follows: "followed by"
        case .respondsTo: "responded to by"
        case .supersedes: "superseded by"
        case .amends: "amended by"
        case .implements: "implemented by"
        case .mentions: "mentioned by"
        }
    }
}
