@testable import AnnalsPostgres
import AnnalsCore
import AnnalsStore
import Testing

/// The timeline statement's text is kept per query shape: every filter that changes the text must be part of the
/// shape, and the values must follow each query, not the query that built the text.
@Suite("PostgreSQL: timeline statements kept per shape")
struct TimelineSQLTests {
    /// Queries of different shapes: each filter, and facet filters with different numbers of keys (the text
    /// depends on the numbers, not the keys: a tag and a reference drive the same statement).
    private static let variants: [(String, TimelineQuery)] = [
        ("plain", TimelineQuery(limit: 50)),
        ("one actor", TimelineQuery(actors: ["Japan"], limit: 50)),
        ("two actors, any", TimelineQuery(actors: ["Japan", "RUS"], limit: 50)),
        ("two actors, all", TimelineQuery(actors: ["Japan", "RUS"], allActors: true, limit: 50)),
        ("three tags", TimelineQuery(tags: ["treaty", "summit", "visit"], limit: 50)),
        ("two actors and a tag", TimelineQuery(actors: ["Japan", "RUS"], tags: ["treaty"], limit: 50)),
        ("references", TimelineQuery(references: "1956-joint-declaration", limit: 50)),
        ("search", TimelineQuery(text: "peace treaty", limit: 50)),
        ("actor and search", TimelineQuery(actors: ["Japan"], text: "peace", limit: 50)),
        ("kinds", TimelineQuery(kinds: [.treaty], limit: 50)),
        ("retracted too", TimelineQuery(limit: 50, includeRetracted: true)),
        ("from", TimelineQuery(from: try! HistoricalDate(parsing: "1945"), limit: 50)),
        ("to", TimelineQuery(to: try! HistoricalDate(parsing: "1956"), limit: 50)),
        ("cursor", TimelineQuery(limit: 50, cursor: "1:100:100:x")),
        ("reverse", TimelineQuery(reverse: true, limit: 50)),
    ]

    private static func statement(_ query: TimelineQuery, referencedIDs: [String]? = nil) throws -> TimelineSQL {
        try TimelineSQL(query: query, search: try query.checked(), referencedIDs: referencedIDs)
    }

    @Test func everyShapeGivesAStatementOfItsOwn() throws {
        var texts: [String: String] = [:]
        for (name, query) in Self.variants {
            let sql = try Self.statement(query).sql
            #expect(texts[sql] == nil, "\(name) was given the statement of \(texts[sql] ?? "")")
            texts[sql] = name
        }
        let referencedBy = try Self.statement(TimelineQuery(referencedBy: "x", limit: 50), referencedIDs: ["a", "b"]).sql
        #expect(texts[referencedBy] == nil)
    }

    @Test func aStatementIsTheSameWhicheverQueryOfItsShapeCameFirst() throws {
        let forward = try Self.variants.map { try Self.statement($0.1).sql }
        let backward = try Self.variants.reversed().map { try Self.statement($0.1).sql }
        #expect(forward == backward.reversed())
    }

    @Test func valuesFollowEachQueryOfAShape() throws {
        let japan = try Self.statement(TimelineQuery(actors: ["Japan"], limit: 50, cursor: "1:10:20:a"))
        let russia = try Self.statement(TimelineQuery(actors: ["Russia"], limit: 7, cursor: "1:30:40:b"))
        #expect(japan.sql == russia.sql)
        #expect(japan.parameters != russia.parameters)
        for (statement, actor, limit, cursor) in [(japan, "japan", 51, (10, 20, "a")), (russia, "russia", 8, (30, 40, "b"))] {
            #expect(statement.parameters.contains(.text("a:" + actor)) && statement.parameters.contains(.text("c:" + actor)))
            #expect(statement.parameters.contains(.int64(Int64(limit))))
            #expect(statement.parameters.contains(.int64(Int64(cursor.0))) && statement.parameters.contains(.int64(Int64(cursor.1))))
            #expect(statement.parameters.contains(.text(cursor.2)))
        }
    }

    @Test func everyPlaceholderHasItsValue() throws {
        for (name, query) in Self.variants {
            let statement = try Self.statement(query)
            let placeholders = Set(statement.sql.matches(of: /\$([0-9]+)/).map { Int($0.1)! })
            #expect(placeholders == Set(1...max(1, statement.parameters.count)), "\(name)")
        }
    }
}
