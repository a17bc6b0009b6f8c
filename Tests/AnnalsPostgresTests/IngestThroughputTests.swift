@testable import AnnalsPostgres
import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
import Foundation
import Synchronization
import Testing

/// Rough ingest figures of both engines in one process, printed (they assert nothing): the same events appended
/// in batches by several clients to a SQLite store, to one PostgreSQL store instance, and to three instances on
/// one database. Run with
/// `ANNALS_BENCH=1 ANNALS_BENCH_CORPUS=corpus.jsonl ANNALS_TEST_POSTGRESQL=… swift test -c release --filter IngestThroughput`
/// (`ANNALS_BENCH_EVENTS` limits the count, 20,000 by default; without a corpus, generated events are used).
/// Skipped otherwise: a benchmark, like the Throughput suites. The test cluster of Scripts/postgres-cluster runs
/// without fsync unless started with `--durable`: say which in any figure you quote.
@Suite("PostgreSQL: IngestThroughput", .serialized,
       .enabled(if: ProcessInfo.processInfo.environment["ANNALS_BENCH"] == "1",
                "a benchmark: ANNALS_BENCH=1 swift test -c release --filter IngestThroughput"))
struct IngestThroughputTests {
    static let clients = 8
    static let batchSize = 100

    static func events() throws -> [Event] {
        let environment = ProcessInfo.processInfo.environment
        let limit = environment["ANNALS_BENCH_EVENTS"].flatMap(Int.init) ?? 20_000
        guard let path = environment["ANNALS_BENCH_CORPUS"] else {
            return (0..<limit).map { i in
                Sample.event("gen-\(i)", "19\(10 + i % 90)-0\(1 + i % 9)", title: "Generated event \(i)",
                             body: "Talks between the delegations continued on day \(i); the ministry said the parties agreed on \(i % 17) points.",
                             actors: [Actor(name: "Country \(i % 50)")], tags: ["tag\(i % 20)"])
            }
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var events: [Event] = []
        for line in text.split(separator: "\n").prefix(limit) {
            if case .event(let event) = try EventLogCodec.decode(line: String(line)) { events.append(event) }
        }
        return events
    }

    /// Appends `events` in batches from `clients` threads, spread over `stores` round robin.
    /// - Returns: events per second.
    static func ingest(_ events: [Event], into stores: [any EventStore]) -> Double {
        let batches = stride(from: 0, to: events.count, by: batchSize).map { Array(events[$0..<min($0 + batchSize, events.count)]) }
        let next = Atomic<Int>(0)
        let failures = Atomic<Int>(0)
        let start = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: clients) { client in
            let store = stores[client % stores.count]
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < batches.count else { break }
                let outcomes = (try? store.append(batches[index].map { .event($0) })) ?? []
                if !outcomes.allSatisfy({ if case .accepted = $0 { true } else { false } }) { failures.add(1, ordering: .relaxed) }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if failures.load(ordering: .relaxed) > 0 { print("  (\(failures.load(ordering: .relaxed)) batches not fully accepted)") }
        return Double(events.count) / seconds
    }

    /// The four page queries of the benchmark (an actor's page, a date range, a word, one event's detail), each
    /// run `rounds` times on one thread against both engines: mean microseconds per call, printed.
    static func pages(_ events: [Event], sqlite: SQLiteEventStore, postgres: PostgresEventStore, database: TestDatabase) throws {
        let rounds = 300
        var random = SystemRandomNumberGenerator()
        let codes = Array(Set(events.flatMap { $0.actors.compactMap(\.code) })).sorted()
        let words = Array(Set(events.prefix(2000).flatMap { SearchTokenizer.tokens(of: $0.title) }.filter { $0.count > 4 })).sorted()
        let dates = events.map(\.date)
        let queries: [(String, () -> TimelineQuery?)] = [
            ("actor page", { codes.isEmpty ? nil : TimelineQuery(actors: [codes.randomElement(using: &random)!], limit: 50) }),
            ("date-range page", { TimelineQuery(from: dates.randomElement(using: &random)!, limit: 50) }),
            ("text page", { words.isEmpty ? nil : TimelineQuery(text: words.randomElement(using: &random)!, limit: 50) }),
        ]
        for (name, make) in queries {
            let sample = (0..<rounds).compactMap { _ in make() }
            guard !sample.isEmpty else { continue }
            let lite = try measure { for query in sample { _ = try sqlite.encodedTimeline(query) } } / Double(sample.count)
            let pg = try measure { for query in sample { _ = try postgres.encodedTimeline(query) } } / Double(sample.count)
            print("page \(name): SQLite \(Int(lite)) µs, PostgreSQL \(Int(pg)) µs (mean of \(sample.count), one thread)")
            if let query = sample.first, let plan = try? explain(query, database: database) { print(plan) }
        }
        let ids = (0..<rounds).map { _ in events.randomElement(using: &random)!.id }
        let lite = try measure { for id in ids { _ = try sqlite.encodedDetail(id: id, revision: nil) } } / Double(ids.count)
        let pg = try measure { for id in ids { _ = try postgres.encodedDetail(id: id, revision: nil) } } / Double(ids.count)
        print("page detail: SQLite \(Int(lite)) µs, PostgreSQL \(Int(pg)) µs (mean of \(ids.count), one thread)")
    }

    /// Microseconds `body` takes.
    static func measure(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e3
    }

    /// PostgreSQL's plan of a timeline query, as run.
    static func explain(_ query: TimelineQuery, database: TestDatabase) throws -> String {
        let statement = try TimelineSQL(query: query, search: try query.text.map { try SearchQuery(parsing: $0) }, referencedIDs: nil)
        let connection = try PGConnection(try ConnectionString(database.url), statementTimeout: 0)
        defer { connection.close() }
        let result = try connection.query("EXPLAIN (ANALYZE, COSTS OFF) " + statement.sql, statement.parameters)
        return (0..<result.rowCount).compactMap { result.text($0, 0) }.map { "    " + $0 }.joined(separator: "\n")
    }

    static func report(_ what: String, _ rate: Double, events: Int) {
        print("ingest \(events) events, \(clients) clients, batches of \(batchSize): \(what): \(String(format: "%.0f", rate)) events/s")
    }

    @Test func sqliteAndPostgreSQLWithOneAndThreeInstances() throws {
        let events = try Self.events()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("annals-ingest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let sqlite = try SQLiteEventStore(path: directory.appendingPathComponent("ingest.sqlite").path)
            defer { sqlite.close() }
            Self.report("SQLite", Self.ingest(events, into: [sqlite]), events: events.count)
        }
        var options = PostgresEventStore.Options()
        options.poolSize = 2
        let sqlite = try SQLiteEventStore(path: directory.appendingPathComponent("pages.sqlite").path)
        defer { sqlite.close() }
        _ = Self.ingest(events, into: [sqlite])
        sqlite.waitUntilSearchable()
        do {
            let database = try TestDatabase()
            let store = try database.store(options)
            defer { store.close() }
            Self.report("PostgreSQL, 1 instance", Self.ingest(events, into: [store]), events: events.count)
            try TestDatabase.run(database.url, "VACUUM ANALYZE")
            try Self.pages(events, sqlite: sqlite, postgres: store, database: database)
        }
        do {
            let database = try TestDatabase()
            let stores = try (0..<3).map { _ in try database.store(options) }
            defer { stores.forEach { $0.close() } }
            Self.report("PostgreSQL, 3 instances", Self.ingest(events, into: stores), events: events.count)
        }
    }
}
