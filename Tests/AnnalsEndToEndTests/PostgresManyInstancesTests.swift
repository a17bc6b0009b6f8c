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
        // Both replays read the log from standard input, fed in lockstep, 40 lines to one then the same 40 to the
        // other: neither can finish before the other has been given the whole log, so they run at once.
        let replays = try [a, b].map { server in
            let process = Process()
            process.executableURL = CLIRunner.executable
            process.arguments = ["replay", "--json", "--batch-size", "25", "--pipeline", "4", "-"]
            process.environment = CLIRunner(server: server).childEnvironment()
            let input = Pipe(), output = Pipe(), errors = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            return (process, input, output, errors)
        }
        let collected = Mutex<[Int: (out: Data, err: Data)]>([:])
        let readers = DispatchGroup()
        for (index, replay) in replays.enumerated() {
            readers.enter()
            Thread {
                let out = replay.2.fileHandleForReading.readDataToEndOfFile()
                let err = replay.3.fileHandleForReading.readDataToEndOfFile()
                collected.withLock { $0[index] = (out, err) }
                readers.leave()
            }.start()
        }
        for chunk in stride(from: 0, to: lines.count, by: 40) {
            let text = Data((lines[chunk..<min(chunk + 40, lines.count)].joined(separator: "\n") + "\n").utf8)
            for replay in replays { try replay.1.fileHandleForWriting.write(contentsOf: text) }
        }
        for replay in replays { try replay.1.fileHandleForWriting.close() }
        #expect(readers.wait(timeout: .now() + 300) == .success, "the replays did not finish")
        let summaries = try replays.enumerated().map { index, replay -> [String: Any] in
            replay.0.waitUntilExit()
            let (out, err) = collected.withLock { $0[index] } ?? (Data(), Data())
            #expect(replay.0.terminationStatus == 0, "replay through \(index == 0 ? "A" : "B"): \(String(decoding: err, as: UTF8.self))")
            guard let object = try JSONSerialization.jsonObject(with: out) as? [String: Any] else {
                throw TestFailure("replay printed no JSON summary: \(String(decoding: out + err, as: UTF8.self))")
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
