import AnnalsCore

/// The text timeline of `annals timeline`: events down a vertical rule, grouped under year headings.
///
/// ```
/// 1956
///  19 Oct 1956 ● Soviet–Japanese Joint Declaration
///  declaration │   Japan, Soviet Union, Ichirō Hatoyama, Nikolai Bulganin
///              │   → follows 8 Aug 1945 Soviet declaration of war on Japan
/// ```
///
/// Layout:
/// - A heading per year (see `DateDisplay` for how years read), and under it a heading per month when
///   all the records fall within two years. Records are shown in the order given; `YearHeadings` says
///   where headings go, so they follow that order and none repeats.
/// - A left column with the date at its own precision and, below it, the kind; both are right-aligned
///   against the rule. The column is as wide as the widest date up to about a sixth of the width;
///   longer dates break after the dash of the range. Below 60 columns there is no date column: the
///   date and the kind go on the marker line, above the title.
/// - The rule (`│`, or `|` in ASCII) with a marker (`●`, or `*`) on each event's first line.
/// - On the right the title (preceded by "[retracted]" for a retracted event), the actors on an
///   indented line, then one line per reference: `→ invokes 19 Oct 1956 Soviet–Japanese Joint
///   Declaration`, or `→ mentions some-id (not recorded)` when the target is unknown.
/// - Everything is word-wrapped to `Options.width` columns, measured with `DisplayWidth`, and
///   continuation lines keep the rule. Control characters in event text are never printed.
/// - With colour, the marker and the kind take the colour of the kind's `KindFamily`, titles are bold,
///   and the rule and references are dim. Without colour there is no escape sequence at all.
public struct TimelineRenderer: EventListRenderer {
    /// The layout options.
    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// The timeline of `records`, one line per row, each ending with a newline; empty for no records.
    public func render(_ records: [EventRecord]) -> String {
        guard !records.isEmpty else { return "" }
        return lines(records).map { $0.render(color: options.color) + "\n" }.joined()
    }

    /// Narrowest width laid out; narrower requests are widened to it.
    static let minimumWidth = 24

    /// Below this width the date and kind go on the marker line instead of a column of their own.
    static let compactBelow = 60

    // MARK: - Layout

    /// The timeline as styled lines.
    func lines(_ records: [EventRecord]) -> [StyledLine] {
        let width = max(options.width, Self.minimumWidth)
        let glyphs = Glyphs.choose(ascii: options.ascii)
        let lookup = referenceLookup(records)
        let dates = records.map { DateDisplay.parts($0.event.date, ascii: options.ascii) }
        let compact = width < Self.compactBelow
        let column = compact ? 0 : dateColumnWidth(records: records, dates: dates, width: width)
        let contentWidth = compact ? width - 3 : width - column - 4
        let useMonths = spansUnderTwoYears(records)

        var out: [StyledLine] = []
        var years = YearHeadings()
        var months = YearHeadings()
        for (index, record) in records.enumerated() {
            let date = record.event.date
            var newGroup = false
            if let year = years.next(DateDisplay.heading(for: date, ascii: options.ascii)) {
                if !out.isEmpty { out.append(StyledLine()) }
                out.append(StyledLine(year, .bold))
                newGroup = true
            }
            if useMonths, let month = DateDisplay.startMonth(of: date),
               months.next("\(month.year)-\(month.month)") != nil {
                if !newGroup { out.append(StyledLine()) }
                out.append(StyledLine("  " + DateDisplay.monthNames[month.month - 1], .bold))
                newGroup = true
            }
            if !newGroup {
                out.append(ruleOnly(column: column, glyphs: glyphs))
            }
            out.append(contentsOf: eventLines(
                record, dateParts: dates[index], column: column, contentWidth: contentWidth,
                glyphs: glyphs, lookup: lookup
            ))
        }
        return out
    }

    /// The rows of one event: date and kind on the left, title, actors and references on the right.
    private func eventLines(
        _ record: EventRecord, dateParts: [String], column: Int, contentWidth: Int,
        glyphs: Glyphs, lookup: [String: (HistoricalDate, String)]
    ) -> [StyledLine] {
        let event = record.event
        let family = KindFamily(event.kind)
        let kindStyle = Style.color(family.sgrColor)

        var left: [Span] = []
        var right: [StyledLine] = []
        if column > 0 {
            left = dateCell(dateParts, column: column).map { Span($0) }
            left.append(Span(event.kind.rawValue, kindStyle))
        } else {
            // Compact: "19 Oct 1956  declaration" on the marker line, wrapped if need be.
            let whole = dateParts.joined(separator: " ")
            let kind = event.kind.rawValue
            if DisplayWidth.of(whole) + 2 + DisplayWidth.of(kind) <= contentWidth {
                var line = StyledLine(whole)
                line.append("  ")
                line.append(kind, kindStyle)
                right.append(line)
            } else {
                right += dateCell(dateParts, column: contentWidth).map { StyledLine($0) }
                right.append(StyledLine(kind, kindStyle))
            }
        }
        let retracted = record.retraction != nil
        let marker = "[retracted] "
        let titleText = (retracted ? marker : "") + TerminalText.singleLine(event.title)
        for (i, line) in TextWrapper.wrap(titleText, width: contentWidth).enumerated() {
            if i == 0, retracted, line.hasPrefix(marker) {
                var styled = StyledLine("[retracted]", .dim)
                styled.append(" ")
                styled.append(String(line.dropFirst(marker.count)), .dim)
                right.append(styled)
            } else {
                right.append(StyledLine(line, retracted ? .dim : .bold))
            }
        }
        let actors = event.actors.map { TerminalText.singleLine($0.name) }.joined(separator: ", ")
        for line in TextWrapper.wrap(actors, width: contentWidth - 2) {
            right.append(StyledLine("  " + line))
        }
        if options.showReferences {
            let arrow = "  " + glyphs.arrowOut + " "
            let indent = String(repeating: " ", count: DisplayWidth.of(arrow))
            for reference in event.references {
                let text = referenceText(reference, lookup: lookup)
                for (i, line) in TextWrapper.wrap(text, width: contentWidth - indent.count).enumerated() {
                    right.append(StyledLine((i == 0 ? arrow : indent) + line, .dim))
                }
            }
        }

        var rows: [StyledLine] = []
        for i in 0..<max(left.count, right.count) {
            var row = StyledLine(" ")
            if column > 0 {
                if i < left.count {
                    row.append(String(repeating: " ", count: max(0, column - DisplayWidth.of(left[i].text))))
                    row.append(left[i].text, left[i].style)
                } else {
                    row.append(String(repeating: " ", count: column))
                }
                row.append(" ")
            }
            if i == 0 {
                row.append(glyphs.marker, kindStyle)
            } else {
                row.append(glyphs.rule, .dim)
            }
            if i < right.count {
                row.append(" ")
                row.append(right[i])
            }
            rows.append(row)
        }
        return rows
    }

    /// A row with the rule alone, between two events of a group.
    private func ruleOnly(column: Int, glyphs: Glyphs) -> StyledLine {
        var row = StyledLine(String(repeating: " ", count: column > 0 ? column + 2 : 1))
        row.append(glyphs.rule, .dim)
        return row
    }

    /// The date as lines of at most `column` columns: whole, else broken after the range dash, else wrapped.
    private func dateCell(_ parts: [String], column: Int) -> [String] {
        let whole = parts.joined(separator: " ")
        if DisplayWidth.of(whole) <= column { return [whole] }
        return parts.flatMap { part in
            DisplayWidth.of(part) <= column ? [part] : TextWrapper.wrap(part, width: column)
        }
    }

    /// The width of the date column: the widest date up to a sixth of the line, at least as wide as
    /// the widest kind, and wide enough for the pieces of a broken range up to a third of the line.
    private func dateColumnWidth(records: [EventRecord], dates: [[String]], width: Int) -> Int {
        let kinds = records.map { DisplayWidth.of($0.event.kind.rawValue) }.max() ?? 0
        let whole = dates.map { DisplayWidth.of($0.joined(separator: " ")) }.max() ?? 0
        let limit = max(11, min(25, (width - 4) / 6))
        var column = max(kinds, min(whole, limit))
        let cap = max(13, (width - 4) / 3)
        for parts in dates where DisplayWidth.of(parts.joined(separator: " ")) > column {
            for part in parts {
                let w = DisplayWidth.of(part)
                if w > column { column = min(w, cap) }
            }
        }
        return column
    }

    /// Whether every record has both bounds and they all fall within two years.
    private func spansUnderTwoYears(_ records: [EventRecord]) -> Bool {
        var first: Int64 = .max
        var last: Int64 = .min
        for record in records {
            guard let lower = record.event.date.lower, let upper = record.event.date.upper else { return false }
            first = min(first, lower.dayNumber)
            last = max(last, upper.dayNumber)
        }
        return last - first < 731
    }

    /// Date and title by id: `knownEvents`, overridden by the records themselves.
    private func referenceLookup(_ records: [EventRecord]) -> [String: (HistoricalDate, String)] {
        var lookup = options.knownEvents
        for record in records {
            lookup[record.event.id] = (record.event.date, record.event.title)
        }
        return lookup
    }

    /// "invokes 19 Oct 1956 Soviet–Japanese Joint Declaration", or "mentions some-id (not recorded)".
    private func referenceText(_ reference: Reference, lookup: [String: (HistoricalDate, String)]) -> String {
        let relation = reference.relation.rawValue
        guard let (date, title) = lookup[reference.id] else {
            return "\(relation) \(TerminalText.singleLine(reference.id)) (not recorded)"
        }
        return "\(relation) \(DateDisplay.text(date, ascii: options.ascii)) \(TerminalText.singleLine(title))"
    }
}
