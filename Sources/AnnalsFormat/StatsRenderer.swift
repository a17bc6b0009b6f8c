import AnnalsCore

/// The `annals stats` view of a store: counts, a bar chart of events by decade, top actors, sizes.
///
/// ```
/// Visible      86
/// Retracted    1
/// Revisions    88
/// Last seq     88
/// Indexed      88 (search is up to date)
///
/// By kind (visible events)
///   treaty       18
///   …
///
/// By decade (visible events)
///   1850s       ██ 2
///   1860s       █ 1
///   …
///   open start  █ 1
///
/// Top actors
///   Japan        86
///
/// File size    1.4 MiB
/// Compression  3.1× (212.4 KiB of text stored in 68.5 KiB)
/// ```
///
/// The parts add up: visible and retracted events are counted apart, the kinds sum to the visible events,
/// and so do the decades with the "open start" row (events whose start is open or unknown). Kinds are
/// listed most frequent first (ties by name); decades in order, with the empty decades in between while
/// that keeps the chart under 40 rows. A fact too long for the line wraps under its value. Bars are `█` (`#` in ASCII) scaled so the
/// largest count is 40 blocks long, or fills the room left on a narrower line; any non-zero count has
/// at least one block. Sizes are
/// in binary units (KiB = 1024 bytes).
public struct StatsRenderer: Sendable {
    /// The terminal width in columns; widths below 40 are taken as 40.
    public var width: Int
    /// Use ANSI SGR bold for headings and colours for kinds.
    public var color: Bool
    /// Draw bars with `#` and write the ratio with `x`.
    public var ascii: Bool

    public init(width: Int = 80, color: Bool = false, ascii: Bool = false) {
        self.width = width
        self.color = color
        self.ascii = ascii
    }

    /// The longest bar of the decade chart, in blocks.
    static let maxBar = 40

    /// The view of `stats`, each line ending with a newline.
    public func render(_ stats: StoreStats) -> String {
        lines(stats).map { $0.render(color: color) + "\n" }.joined()
    }

    func lines(_ stats: StoreStats) -> [StyledLine] {
        let width = max(self.width, 40)
        let glyphs = Glyphs.choose(ascii: ascii)
        var out: [StyledLine] = []
        func fact(_ label: String, _ value: String) {
            let values = TextWrapper.wrap(value, width: width - Self.labelWidth)
            for (i, part) in values.enumerated() {
                var line = i == 0 ? StyledLine(TextWrapper.padRight(label, to: Self.labelWidth), .bold)
                                  : StyledLine(String(repeating: " ", count: Self.labelWidth))
                line.append(part)
                out.append(line)
            }
        }
        fact("Visible", String(stats.visible))
        fact("Retracted", String(stats.retracted))
        fact("Revisions", String(stats.revisions))
        fact("Last seq", String(stats.lastSeq))
        fact("Indexed", Self.indexState(stats))

        let kinds = stats.byKind.filter { $0.value > 0 }.sorted { a, b in
            a.value != b.value ? a.value > b.value : a.key.rawValue < b.key.rawValue
        }
        if !kinds.isEmpty {
            out.append(StyledLine())
            out.append(StyledLine("By kind (visible events)", .bold))
            let countWidth = kinds.map { String($0.value).count }.max() ?? 1
            for (kind, count) in kinds {
                var line = StyledLine("  ")
                line.append(TextWrapper.padRight(kind.rawValue, to: 13), .color(KindFamily(kind).sgrColor))
                line.append(TextWrapper.padLeft(String(count), to: countWidth))
                out.append(line)
            }
        }

        var decades = decadeRows(stats.byDecade, ascii: ascii)
        if stats.openStart > 0 { decades.append(DecadeRow(label: "open start", count: stats.openStart)) }
        if !decades.isEmpty {
            out.append(StyledLine())
            out.append(StyledLine("By decade (visible events)", .bold))
            let labelWidth = decades.map { DisplayWidth.of($0.label) }.max() ?? 0
            let countWidth = decades.map { String($0.count).count }.max() ?? 1
            let room = max(1, min(Self.maxBar, width - 2 - labelWidth - 2 - 1 - countWidth))
            let largest = decades.map(\.count).max() ?? 0
            for row in decades {
                var line = StyledLine("  " + TextWrapper.padRight(row.label, to: labelWidth) + "  ")
                let blocks = row.count == 0 || largest == 0 ? 0 : max(1, row.count * room / largest)
                if blocks > 0 {
                    line.append(String(repeating: glyphs.bar, count: blocks), .color(36))
                    line.append(" ")
                }
                line.append(String(row.count), row.count == 0 ? .dim : .plain)
                out.append(line)
            }
        }

        if !stats.topActors.isEmpty {
            out.append(StyledLine())
            out.append(StyledLine("Top actors", .bold))
            let countWidth = stats.topActors.map { String($0.count).count }.max() ?? 1
            let nameWidth = min(width - 4 - countWidth, stats.topActors.map { DisplayWidth.of($0.name) }.max() ?? 0)
            for actor in stats.topActors {
                let name = TextWrapper.wrap(actor.name, width: nameWidth)
                for (i, part) in name.enumerated() {
                    let last = i == name.count - 1
                    var line = StyledLine("  " + (last ? TextWrapper.padRight(part, to: nameWidth) : part))
                    if last { line.append("  " + TextWrapper.padLeft(String(actor.count), to: countWidth)) }
                    out.append(line)
                }
            }
        }

        out.append(StyledLine())
        fact("File size", Self.byteCount(stats.fileBytes))
        if stats.compressedBytes > 0 {
            let ratio = Self.decimal(stats.compressionRatio)
            fact("Compression", "\(ratio)\(glyphs.times) (\(Self.byteCount(stats.textBytes)) of text stored in \(Self.byteCount(stats.compressedBytes)))")
        } else {
            fact("Compression", "none (no text stored)")
        }
        return out
    }

    /// Width of the label column of the facts ("Compression" and two spaces).
    public static let labelWidth = 13

    /// "88 (search is up to date)", or how far the full-text index is behind the log.
    static func indexState(_ stats: StoreStats) -> String {
        let behind = stats.lastSeq - stats.indexedSeq
        guard behind > 0 else { return "\(stats.indexedSeq) (search is up to date)" }
        let entries = behind == 1 ? "1 entry" : "\(behind) entries"
        return "\(stats.indexedSeq) (search is \(entries) behind, \(decimal(Double(stats.indexLagMilliseconds) / 1000)) s)"
    }

    /// One decade of the chart.
    struct DecadeRow: Equatable {
        var label: String
        var count: Int
    }

    /// Decades in order, with empty ones in between when there are fewer than 40 rows in all.
    func decadeRows(_ byDecade: [Int64: Int], ascii: Bool) -> [DecadeRow] {
        let present = byDecade.keys.sorted()
        guard let first = present.first, let last = present.last else { return [] }
        var keys = present
        if (last - first) / 10 < 40 {
            keys = Array(stride(from: first, through: last, by: 10))
        }
        return keys.map { DecadeRow(label: Self.decadeLabel($0, ascii: ascii), count: byDecade[$0] ?? 0) }
    }

    /// "1950s" for 1950; for a decade starting at or before year 0, the range of its years
    /// ("661 – 652 BC" for -660, as `DateDisplay` reads a BC decade).
    static func decadeLabel(_ start: Int64, ascii: Bool = false) -> String {
        if start >= 1000 { return "\(start)s" }
        if start >= 1 { return "AD \(start)s" }
        let end = start + 9
        let dash = ascii ? "-" : "\u{2013}"
        if end <= 0 { return "\(1 - start) \(dash) \(DateDisplay.year(end))" }
        return "\(DateDisplay.year(start)) \(dash) \(DateDisplay.year(end))"
    }

    /// Bytes in binary units with one decimal: "512 B", "1.5 KiB", "3.2 MiB", "1.0 GiB".
    public static func byteCount(_ bytes: Int64) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        var value = Double(bytes)
        for unit in ["KiB", "MiB", "GiB", "TiB"] {
            value /= 1024
            if value < 1024 || unit == "TiB" { return "\(decimal(value)) \(unit)" }
        }
        return "\(bytes) B"
    }

    /// A number with one decimal, without Foundation: 3.14159 → "3.1".
    static func decimal(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        let tenths = Int64((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        return "\(sign)\(abs(tenths) / 10).\(abs(tenths) % 10)"
    }
}
