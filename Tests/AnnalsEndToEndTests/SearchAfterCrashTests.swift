import AnnalsClient
import AnnalsCore
import Dispatch
import Foundation
import Synchronization
import Testing

/// The full-text index follows the log behind the writer. A SIGKILL may leave it behind the log, and after the
/// restart every acknowledged event must still be found by a search; a search also sees its own connection's
/// writes at once (read-your-writes), even while the index lags.
@Suite("search and the log", .serialized)
struct SearchAfterCrashTests {
    @Test("SIGKILL during a load: every acknowledged event is searchable after the restart")
    func searchableAfterKill() throws {
        let server = try ServerProcess()
        let client = try server.connect()
        let acknowledged = Mutex<[Int]>([])
        let done = DispatchGroup()
        // Pipelined batches of events, each with a word of its own, until the server dies.
        let sender = Thread {
            var batch = 0
            while client.failure == nil && batch < 400 {
                let numbers = (batch * 50)..<(batch * 50 + 50)
                let entries = numbers.map { n in
                    LogEntry.event(Fixtures.event("crash-\(n)", "2001-03-04", body: "lorem ipsum crashword\(n) dolor sit amet"))
                }
                done.enter()
                client.append(entries) { result in
                    if case .success(let outcomes) = result, outcomes.allSatisfy({ if case .accepted = $0 { true } else { false } }) {
                        acknowledged.withLock { $0 += numbers }
                    }
                    done.leave()
                }
                batch += 1
                if batch % 4 == 0 { Thread.sleep(forTimeInterval: 0.002) }
            }
        }
        sender.start()
        #expect(Hardening.waitUntil(timeout: 60) { acknowledged.withLock { $0.count } >= 5_000 })
        _ = try server.stop(signal: SIGKILL)
        _ = done.wait(timeout: .now() + 60)
        let acked = acknowledged.withLock { $0 }
        #expect(acked.count >= 5_000)
        try server.restart()
        let reader = try server.connect()
        for n in acked.shuffled().prefix(400) + [acked.max() ?? 0] {
            let page = try reader.timeline(TimelineQuery(text: "crashword\(n)"))
            #expect(page.records.map(\.event.id) == ["crash-\(n)"], "crashword\(n)")
        }
        let all = try reader.stats()
        #expect(all.indexedSeq == all.lastSeq)
        #expect(all.visible >= acked.count)
    }

    @Test("a search sees its own connection's writes at once")
    func readYourWrites() throws {
        let server = try ServerProcess()
        let writer = try server.connect()
        for round in 0..<20 {
            let entries = (0..<200).map { LogEntry.event(Fixtures.event("ryw-\(round)-\($0)", body: "ordinary words and ryw\(round)x\($0)")) }
            // Pipelined: the append and the search go out together; the search must see the append.
            let appended = DispatchSemaphore(value: 0)
            writer.append(entries) { _ in appended.signal() }
            let page = try writer.timeline(TimelineQuery(text: "ryw\(round)x199"))
            #expect(page.records.map(\.event.id) == ["ryw-\(round)-199"], "round \(round)")
            #expect(appended.wait(timeout: .now() + 60) == .success)
        }
    }
}
