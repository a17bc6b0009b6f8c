import AnnalsClient
import AnnalsCore
import AnnalsProtocol
import Foundation
import Synchronization
import Testing

/// Several annalsd on one PostgreSQL database (issue 13 §5): the real binaries, on a database of the test's own
/// on the server `ANNALS_TEST_POSTGRESQL` names.
@Suite("annalsd on PostgreSQL: many instances, one database")
struct PostgresManyInstancesTests {
    /// `annals tail` connected to instance A prints an event appended through instance B.
    @Test func tailOnOneInstanceSeesAnAppendThroughAnother() throws {
        let database = try PostgresTestDatabase()
        let a = try ServerProcess(databasePath: database.url)
        let b = try ServerProcess(databasePath: database.url)
        let cliA = CLIRunner(server: a), cliB = CLIRunner(server: b)

        let follower = try cliA.start(["tail", "--since", "0", "--jsonl"])
        defer { follower.stop(signal: SIGKILL) }
        // The first event shows once tail is following (in its catch-up or live); the second can only come live.
        try cliB.ok(["add", "--id", "through-b-1", "--date", "1956-10-19", "--title", "Appended through B"])
        #expect(follower.waitForOutput(timeout: 60) { $0.contains(#""id":"through-b-1""#) }, "tail on A: \(follower.stdout) \(follower.stderr)")
        try cliB.ok(["add", "--id", "through-b-2", "--date", "1956-12-18", "--title", "Appended through B, live"])
        #expect(follower.waitForOutput(timeout: 60) { $0.contains(#""id":"through-b-2""#) }, "tail on A: \(follower.stdout) \(follower.stderr)")
        // And the other way round, with a tail on B.
        let followerB = try cliB.start(["tail", "--since", "2", "--jsonl"])
        defer { followerB.stop(signal: SIGKILL) }
        try cliA.ok(["add", "--id", "through-a", "--date", "1957", "--title", "Appended through A"])
        #expect(followerB.waitForOutput(timeout: 60) { $0.contains(#""id":"through-a""#) }, "tail on B: \(followerB.stdout) \(followerB.stderr)")
        #expect(follower.waitForOutput(timeout: 60) { $0.contains(#""id":"through-a""#) })

        // Both tails printed the one log, in its one order.
        #expect(follower.stop())
        let export = try cliA.ok(["export"]).stdout
        #expect(follower.stdout == export)
        #expect(export == (try cliB.ok(["export"]).stdout))
    }

    /// The same JSON Lines log replayed through two instances at once: every entry stored exactly once, the
    /// second copy of each reported as a duplicate.
    @Test func oneLogReplayedThroughTwoInstancesAtOnceIsStoredOnce() throws {
        let database = try PostgresTestDatabase()
        let a = try ServerProcess(databasePath: database.url)
        let b = try ServerProcess(databasePath: database.url)
        // Every entry names its revision (a store's export does), so the export can be compared line by line.
        let entries = HardeningCorpus.entries(count: 3000, seed: 13, prefix: "both", bodyBytes: 200).map { entry -> LogEntry in
            guard case .event(var event) = entry, event.revision == nil else { return entry }
            event.revision = 1
            return .event(event)
        }
        let lines = entries.map(EventLogCodec.encode)
        let directory = try CLITemporaryDirectory()
        let log = try directory.file("log.jsonl", lines.joined(separator: "\n") + "\n")

        // Small batches, so the two replays interleave many times.
        let arguments = ["replay", "--json", "--batch-size", "25", "--pipeline", "4", log]
        let results = Mutex<[Int: CLIResult]>([:])
        let done = DispatchGroup()
        for (index, server) in [a, b].enumerated() {
            done.enter()
            let cli = CLIRunner(server: server, timeout: 300)
            Thread {
                let result = try? cli.run(arguments)
                results.withLock { $0[index] = result }
                done.leave()
            }.start()
        }
        done.wait()
        let summaries = try (0..<2).map { index -> [String: Any] in
            guard let result = results.withLock({ $0[index] }) else { throw TestFailure("replay \(index) did not run") }
            #expect(result.status == 0, "replay through \(index == 0 ? "A" : "B"): \(result)")
            guard let object = try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any] else {
                throw TestFailure("replay printed no JSON summary: \(result)")
            }
            return object
        }
        let accepted = summaries.map { $0["accepted"] as? Int ?? -1 }
        let duplicates = summaries.map { $0["duplicates"] as? Int ?? -1 }
        let rejected = summaries.map { $0["rejected"] as? Int ?? -1 }
        #expect(rejected == [0, 0], "\(summaries)")
        // Each replay accounts for every line; together they stored each once.
        #expect(accepted[0] + duplicates[0] == lines.count && accepted[1] + duplicates[1] == lines.count, "\(summaries)")
        #expect(accepted[0] + accepted[1] == lines.count, "\(summaries)")
        // How the lines fell between the two (a figure for the report, with ANNALS_HARDENING_FIGURES=1).
        Hardening.figure("postgres.replay-both.accepted", "\(accepted)")

        let export = try CLIRunner(server: a).ok(["export"]).lines
        #expect(export.count == lines.count)
        let missing = Set(lines).subtracting(export), extra = Set(export).subtracting(lines)
        #expect(missing.isEmpty && extra.isEmpty,
                "the export holds the log's lines: \(missing.count) missing, e.g. \(missing.sorted().prefix(2)); \(extra.count) not in the log, e.g. \(extra.sorted().prefix(2))")
        #expect(Set(export.map { line in (try? EventLogCodec.decode(line: line))?.id ?? "" }).count
                == Set(entries.map(\.id)).count)
        // One order for both instances.
        #expect(try CLIRunner(server: b).ok(["export"]).lines == export)
    }
}
