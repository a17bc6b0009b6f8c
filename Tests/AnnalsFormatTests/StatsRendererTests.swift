import AnnalsCore
import AnnalsFormat
import Testing

@Suite struct StatsRendererTests {
    static let stats = StoreStats(
        visible: 86, retracted: 1, revisions: 88, lastSeq: 88, indexedSeq: 88,
        byKind: [.treaty: 18, .visit: 14, .war: 9, .other: 0],
        byDecade: [1850: 2, 1870: 2, 1890: 3, 1900: 8, 2010: 12], openStart: 1,
        topActors: [.init(name: "Japan", count: 86), .init(name: "China", count: 25), .init(name: "日本国", count: 1)],
        fileBytes: 1_468_006, textBytes: 217_497, compressedBytes: 70_144
    )

    @Test func summary() {
        let text = StatsRenderer(width: 80).render(Self.stats)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.contains("Visible      86"))
        #expect(lines.contains("Indexed      88 (search is up to date)"))
        #expect(lines.contains("By kind (visible events)"))
        #expect(lines.contains { $0.hasPrefix("  open start  █") && $0.hasSuffix(" 1") })
        #expect(lines.contains("Retracted    1"))
        #expect(lines.contains("Revisions    88"))
        #expect(lines.contains("Last seq     88"))
        #expect(lines.contains("  treaty       18"))
        #expect(!text.contains("other"))
        #expect(lines.contains("File size    1.4 MiB"))
        #expect(lines.contains("Compression  3.1× (212.4 KiB of text stored in 68.5 KiB)"))
        // Decades in order, empty ones included.
        let decades = lines.filter { $0.hasPrefix("  18") || $0.hasPrefix("  19") || $0.hasPrefix("  20") }.map { String($0.dropFirst(2).prefix(5)) }
        #expect(decades == ["1850s", "1860s", "1870s", "1880s", "1890s", "1900s", "1910s", "1920s", "1930s", "1940s", "1950s", "1960s", "1970s", "1980s", "1990s", "2000s", "2010s"])
        #expect(lines.contains("  1860s       0"))
        let longest = lines.first { $0.hasPrefix("  2010s") } ?? ""
        #expect(longest == "  2010s       " + String(repeating: "█", count: 40) + " 12")
        #expect(lines.contains { $0.hasPrefix("  1850s       █") })
    }

    @Test("fits the width", arguments: [40, 60, 80, 120])
    func fits(width: Int) {
        for ascii in [false, true] {
            let text = StatsRenderer(width: width, ascii: ascii).render(Self.stats)
            for line in text.split(separator: "\n") {
                #expect(DisplayWidth.of(line) <= width, "\(line)")
            }
            if ascii {
                #expect(text.unicodeScalars.filter { !$0.isASCII }.allSatisfy { "日本国".unicodeScalars.contains($0) })
                #expect(text.contains("#"))
            }
        }
    }

    /// A fact too long for a narrow line wraps under its value, so the label column stays aligned.
    @Test("wraps a long fact under its value", arguments: [40, 50])
    func narrow(width: Int) throws {
        var stats = Self.stats
        stats.lastSeq = 1_000_000
        stats.indexedSeq = 999_000
        stats.indexLagMilliseconds = 1_500
        let lines = StatsRenderer(width: width).render(stats).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let indent = String(repeating: " ", count: StatsRenderer.labelWidth)
        for label in ["Indexed", "Compression"] {
            let start = try #require(lines.firstIndex { $0.hasPrefix(label) })
            let rest = lines[(start + 1)...].prefix { $0.hasPrefix(indent) }
            #expect(!rest.isEmpty, "\(label) fits in \(width) columns: the test needs it to wrap")
            for line in rest { #expect(!line.hasPrefix(indent + " "), "\(line)") }
            #expect(lines[(start + 1 + rest.count)...].first.map { $0.isEmpty || !$0.hasPrefix(" ") } ?? true)
        }
        for line in lines { #expect(DisplayWidth.of(line) <= width, "\(line)") }
    }

    @Test func byteCounts() {
        #expect(StatsRenderer.byteCount(0) == "0 B")
        #expect(StatsRenderer.byteCount(1023) == "1023 B")
        #expect(StatsRenderer.byteCount(1536) == "1.5 KiB")
        #expect(StatsRenderer.byteCount(5 * 1024 * 1024) == "5.0 MiB")
        #expect(StatsRenderer.byteCount(3 * 1024 * 1024 * 1024) == "3.0 GiB")
    }

    @Test func emptyStore() {
        let text = StatsRenderer().render(StoreStats())
        #expect(text.contains("Visible      0"))
        #expect(text.contains("Compression  none (no text stored)"))
        #expect(!text.contains("By decade"))
    }

    @Test func colourStripsToPlain() {
        let plain = StatsRenderer().render(Self.stats)
        let colored = StatsRenderer(color: true).render(Self.stats)
        #expect(colored.contains("\u{1B}["))
        #expect(TimelineRendererTests.stripANSI(colored) == plain)
    }
}
