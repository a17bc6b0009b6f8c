import AnnalsClient
import AnnalsCore
import AnnalsFuzzing
import AnnalsProtocol
import Foundation
import Synchronization
import Testing

/// Replays a corpus in pipelined batches; on a disconnect it reconnects (waiting for the server to come
/// back) and resends every batch not yet acknowledged, in order. Remembers every outcome it saw.
final class ResilientReplay: @unchecked Sendable {
    let batches: [[LogEntry]]
    private let window: Int
    private let port: UInt16
    /// Outcomes of acknowledged batches, by batch index.
    let acknowledged = Mutex<[Int: [AppendOutcome]]>([:])
    /// Entries acknowledged so far (what the killer watches).
    let acknowledgedEntries = Atomic<Int>(0)
    private(set) var reconnects = 0
    private(set) var resentBatches = 0
    private(set) var serverErrors: [String] = []

    init(entries: [LogEntry], batchSize: Int, window: Int, port: UInt16) {
        batches = stride(from: 0, to: entries.count, by: batchSize).map { Array(entries[$0..<min($0 + batchSize, entries.count)]) }
        self.window = window
        self.port = port
    }

    /// Runs until every batch is acknowledged or `timeout` seconds pass.
    func run(timeout: Double) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var sentBefore = Set<Int>()
        while true {
            let missing = (0..<batches.count).filter { index in acknowledged.withLock { $0[index] == nil } }
            if missing.isEmpty { return }
            guard Date() < deadline else { throw TestFailure("replay timed out with \(missing.count) batches unacknowledged") }
            let connection: AnnalsConnection
            do {
                connection = try AnnalsConnection(host: "127.0.0.1", port: port, clientName: "hardening-replay", timeout: 5)
            } catch {
                Thread.sleep(forTimeInterval: 0.02)
                continue
            }
            reconnects += 1
            let slots = DispatchSemaphore(value: window)
            let group = DispatchGroup()
            let errors = Mutex<[String]>([])
            for index in missing {
                slots.wait()
                if sentBefore.contains(index) { resentBatches += 1 }
                sentBefore.insert(index)
                group.enter()
                connection.append(batches[index]) { [self] result in
                    switch result {
                    case .success(let outcomes):
                        acknowledged.withLock { $0[index] = outcomes }
                        acknowledgedEntries.add(outcomes.count, ordering: .releasing)
                    case .failure(.server(let error)):
                        errors.withLock { $0.append("\(error)") }
                    case .failure:
                        break  // disconnected: resent on the next connection
                    }
                    slots.signal()
                    group.leave()
                }
            }
            group.wait()
            serverErrors += errors.withLock { $0 }
            connection.close()
        }
    }
}

extension HardeningTests {
    @Suite("Hardening: crash safety", .serialized)
    struct HardeningCrashTests {
        /// SIGKILL annalsd at random moments of a replay, restart it, let the client resend what was not
        /// acknowledged; then nothing acknowledged is lost or doubled, the file is sound and the export equals
        /// that of an uninterrupted run byte for byte.
        @Test func sigkillDuringReplayLosesNothing() throws {
            let eventCount = Hardening.setting("CRASH_EVENTS", short: 2_000, large: 20_000)
            let kills = Hardening.setting("CRASH_KILLS", short: 3, large: 20)
            let batchSize = 50
            let entries = HardeningCorpus.entries(count: eventCount, seed: 20_260_601, prefix: "crash")

            // The reference: the same corpus, no crash.
            let reference = try ServerProcess()
            let calm = ResilientReplay(entries: entries, batchSize: batchSize, window: 8, port: reference.port)
            try calm.run(timeout: 600)
            let expected = try Hardening.export(port: reference.port)
            #expect(expected.count == eventCount)
            #expect(try reference.stop() == 0)

            // The crash run.
            let server = try ServerProcess()
            let replay = ResilientReplay(entries: entries, batchSize: batchSize, window: 8, port: server.port)
            var random = SeededRandom(seed: 99)
            let thresholds = (0..<kills).map { _ in Int.random(in: eventCount / 20...eventCount * 19 / 20, using: &random) }.sorted()
            let delays = (0..<kills).map { _ in Int.random(in: 0...8_000, using: &random) }
            let killed = Atomic<Int>(0)
            let killerError = Mutex<String?>(nil)
            let killer = Thread {
                for (threshold, delay) in zip(thresholds, delays) {
                    let ok = Hardening.waitUntil(timeout: 600, every: 0.001) { replay.acknowledgedEntries.load(ordering: .acquiring) >= threshold }
                    guard ok else { killerError.withLock { $0 = "the replay never reached \(threshold) acknowledged entries" }; return }
                    usleep(useconds_t(delay))
                    do {
                        try server.stop(signal: SIGKILL)
                        killed.add(1, ordering: .relaxed)
                        try server.restart()
                    } catch {
                        killerError.withLock { $0 = "restart failed: \(error)" }
                        return
                    }
                }
            }
            killer.start()
            try replay.run(timeout: 900)
            #expect(Hardening.waitUntil(timeout: 120) { killed.load(ordering: .relaxed) == kills && !killer.isExecuting })
            #expect(killerError.withLock { $0 } == nil, "\(killerError.withLock { $0 } ?? "")")
            #expect(replay.serverErrors.count == 0, "server errors: \(replay.serverErrors.prefix(5))")

            // Every outcome is accepted or duplicate, and every acknowledged entry sits at the seq it was given.
            let outcomes = replay.acknowledged.withLock { $0 }
            var acknowledgedAt: [Int64: String] = [:]
            var rejected = 0
            for (index, batchOutcomes) in outcomes {
                for (entry, outcome) in zip(replay.batches[index], batchOutcomes) {
                    switch outcome {
                    case .accepted(let seq), .duplicate(let seq): acknowledgedAt[seq] = entry.id
                    case .rejected: rejected += 1
                    }
                }
            }
            #expect(rejected == 0)
            #expect(try server.stop() == 0, "clean stop after the crash run")
            #expect(try Hardening.integrityCheck(server.databasePath) == "ok")
            try server.restart()
            let actual = try Hardening.export(port: server.port)
            let present = Dictionary(actual.map { line -> (Int64, String) in
                let parts = line.split(separator: "\t", maxSplits: 1)
                let entry = try? EventLogCodec.decode(line: String(parts[1]))
                return (Int64(parts[0]) ?? -1, entry?.id ?? "?")
            }, uniquingKeysWith: { a, _ in a })
            let lost = acknowledgedAt.filter { present[$0.key] != $0.value }.count
            let keys = actual.map { line -> String in
                let json = line.split(separator: "\t", maxSplits: 1)[1]
                guard let entry = try? EventLogCodec.decode(line: String(json)) else { return "?" }
                switch entry {
                case .event(let e): return "\(e.id)#\(e.revision ?? 0)"
                case .retraction(let r): return "\(r.id)#\(r.revision ?? 0)"
                }
            }
            #expect(Set(keys).count == keys.count, "every revision is present exactly once")
            #expect(lost == 0, "\(lost) acknowledged entries are missing or moved")
            #expect(actual.count == expected.count)
            #expect(actual == expected, "the export equals that of an uninterrupted run, byte for byte")
            if actual != expected, let first = zip(actual, expected).first(where: { $0 != $1 }) {
                Issue.record("first difference:\n  got  \(first.0.prefix(300))\n  want \(first.1.prefix(300))")
            }
            Hardening.figure("crash.kills", killed.load(ordering: .relaxed))
            Hardening.figure("crash.events", eventCount)
            Hardening.figure("crash.acknowledged", outcomes.values.reduce(0) { $0 + $1.count })
            Hardening.figure("crash.acknowledged_positions", acknowledgedAt.count)
            Hardening.figure("crash.lost", lost)
            Hardening.figure("crash.reconnects", replay.reconnects)
            Hardening.figure("crash.resent_batches", replay.resentBatches)
        }
    }
}
