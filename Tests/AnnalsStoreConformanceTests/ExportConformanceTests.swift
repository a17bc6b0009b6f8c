import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
import Foundation
import Testing

/// `annals export` prints the log as JSON Lines, one `EventLogCodec.encode` line per entry in log order: after
/// the same replay, that text is the same byte for byte on every engine, and replaying it reproduces it.
@Suite("Conformance: export")
struct ExportConformanceTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Scripts/samples/japan-relations.jsonl").standardized

    /// The sample log's entries, in order.
    static func sampleLog() throws -> [LogEntry] {
        try String(contentsOf: samples, encoding: .utf8).split(separator: "\n").map { try EventLogCodec.decode(line: String($0)) }
    }

    /// The same writes into a fresh store of `engine`: the sample log replayed in batches of 25, then again
    /// (all duplicates), two amends, a retraction and a late event; its export.
    static func replayAndExport(_ engine: StoreEngine) throws -> String {
        try export(replay(engine))
    }

    /// A fresh store of `engine` after the writes `replayAndExport` describes.
    static func replay(_ engine: StoreEngine) throws -> ConformanceFixture {
        let f = try ConformanceFixture(engine)
        let log = try sampleLog()
        for _ in 0..<2 {
            for start in stride(from: 0, to: log.count, by: 25) {
                let outcomes = try f.store.append(Array(log[start..<min(start + 25, log.count)]))
                try #require(outcomes.allSatisfy { $0.seq != nil }, "\(outcomes)")
            }
        }
        guard case .event(var first) = log[0], case .event(var tenth) = log[10] else { throw FixtureError("the sample log starts with retractions") }
        first.summary = (first.summary ?? "") + " Amended."
        first.revision = nil
        _ = try f.store.amend(first)
        tenth.places.append("Ōsaka")
        tenth.revision = nil
        _ = try f.store.amend(tenth)
        _ = try f.store.retract(id: log[20].id, reason: "retracted to test the export")
        _ = try f.store.append([.event(Sample.event("late-event", "2024-01-01/..", body: "naïve café — 東京"))])
        return f
    }

    /// The store's log as `annals export` writes it (read in pages, as its bounded reads do).
    static func export(_ f: ConformanceFixture) throws -> String {
        try f.log(pageSize: 40).map { EventLogCodec.encode($0.entry) + "\n" }.joined()
    }

    @Test func exportsAreByteIdenticalAcrossEngines() throws {
        let exports = try StoreEngine.allCases.map { engine in (engine, try Self.replayAndExport(engine)) }
        let (reference, expected) = exports[0]
        let sampleCount = try Self.sampleLog().count
        #expect(expected.split(separator: "\n").count == sampleCount + 4)
        for (engine, export) in exports.dropFirst() {
            let lines = zip(expected.split(separator: "\n"), export.split(separator: "\n"))
            let difference = lines.enumerated().first { $0.element.0 != $0.element.1 }
                .map { "first at line \($0.offset + 1):\n\($0.element.0)\n\($0.element.1)" } ?? "in length"
            #expect(export == expected, "the \(engine) export differs from the \(reference) one, \(difference)")
        }
    }

    /// What the server sends as stored — timeline pages and event details in their wire encoding — is the same
    /// byte for byte on every engine after the same replay: every page of several queries (with their cursors),
    /// and every revision of every event.
    @Test func pagesAndDetailsAreByteIdenticalAcrossEngines() throws {
        let stores = try StoreEngine.allCases.map { engine in (engine, try Self.replay(engine)) }
        for (_, f) in stores { try f.waitUntilSearchable() }
        let queries = [
            TimelineQuery(limit: 1000), TimelineQuery(reverse: true, limit: 7), TimelineQuery(limit: 5, includeRetracted: true),
            TimelineQuery(actors: ["Japan", "RUS"], limit: 4), TimelineQuery(from: Sample.date("1945"), to: Sample.date("195X"), limit: 3),
            TimelineQuery(text: "treaty", limit: 6), TimelineQuery(kinds: [.treaty, .war], reverse: true, limit: 2),
        ]
        let (reference, r) = stores[0]
        for (engine, f) in stores.dropFirst() {
            for query in queries {
                var mine = query, theirs = query
                var pages = 0
                while true {
                    let a = try r.store.encodedTimeline(theirs), b = try f.store.encodedTimeline(mine)
                    let same = a == b  // (not the bytes themselves in the message)
                    #expect(same, "page \(pages + 1) of \(query): \(engine) differs from \(reference)")
                    pages += 1
                    guard same, let cursor = a.nextCursor, pages < 100 else { break }
                    theirs.cursor = cursor
                    mine.cursor = cursor
                }
            }
            let log = try r.log()
            #expect(try f.log() == log)
            for entry in log {
                let revision = try #require(entry.entry.revision)
                for asked in [nil, revision] {
                    let a = try r.store.encodedDetail(id: entry.entry.id, revision: asked)
                    #expect(a != nil)
                    let same = try f.store.encodedDetail(id: entry.entry.id, revision: asked) == a
                    #expect(same, "\(entry.entry.id) revision \(asked.map(String.init) ?? "current"): \(engine) differs from \(reference)")
                }
            }
        }
    }

    /// An unfiltered export replayed into an empty store reproduces the store's export byte for byte.
    @Test(arguments: StoreEngine.allCases)
    func replayingAnExportReproducesIt(engine: StoreEngine) throws {
        let export = try Self.replayAndExport(engine)
        let g = try ConformanceFixture(engine)
        let entries = try export.split(separator: "\n").map { try EventLogCodec.decode(line: String($0)) }
        #expect(try g.store.append(entries).allSatisfy(\.isAccepted))
        #expect(try Self.export(g) == export)
    }
}
