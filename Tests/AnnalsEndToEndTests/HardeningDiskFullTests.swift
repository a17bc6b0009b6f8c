import AnnalsClient
import AnnalsCore
import AnnalsFuzzing
import AnnalsProtocol
import Foundation
import Testing

/// A small filesystem for the database: a tmpfs mounted by the test (root only), or, where mounting is not
/// allowed, no mount at all and annalsd's `--max-db-pages` cap instead. Unmounted in every case.
final class SmallDisk {
    let directory: URL
    private(set) var mounted = false

    init(megabytes: Int, mode: String?) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("annals-full-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if mode != "pages", getuid() == 0,
           let result = try? Hardening.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", directory.path]),
           result.status == 0 {
            mounted = true
        }
    }

    /// Gives the filesystem more room.
    func grow(megabytes: Int) throws {
        let result = try Hardening.run("/bin/mount", ["-o", "remount,size=\(megabytes)m", directory.path])
        guard result.status == 0 else { throw TestFailure("remount failed: \(result.output)") }
    }

    deinit {
        if mounted {
            if (try? Hardening.run("/bin/umount", [directory.path]))?.status != 0 {
                _ = try? Hardening.run("/bin/umount", ["-l", directory.path])
            }
        }
        try? FileManager.default.removeItem(at: directory)
    }
}

extension HardeningTests {
    @Suite("Hardening: disk full", .serialized)
    struct HardeningDiskFullTests {
        /// Text that zlib cannot shrink much, so a few megabytes of events fill a few megabytes of disk.
        static func noise(_ random: inout SeededRandom, bytes: Int) -> String {
            let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,")
            return String((0..<bytes).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] })
        }

        @Test func appendsFailWithStorageFullAndRecoverWhenSpaceReturns() throws {
            let disk = try SmallDisk(megabytes: 8, mode: Hardening.environment["ANNALS_HARDENING_DISK_MODE"])
            let databasePath = disk.directory.appendingPathComponent("annals.sqlite").path
            // Without a mount, cap the database at 8 MB (2048 pages of 4 KiB) instead.
            let cap = disk.mounted ? [] : ["--max-db-pages", "2048"]
            Hardening.figure("disk.mode", disk.mounted ? "tmpfs 8 MB" : "--max-db-pages 2048")
            let server = try ServerProcess(arguments: cap, databasePath: databasePath)
            // The server goes before the filesystem is unmounted, however the test ends.
            defer {
                _ = try? server.stop(signal: SIGKILL)
                withExtendedLifetime(disk) {}
            }
            let client = try server.connect()
            var random = SeededRandom(seed: 14)
            var acknowledged: [String] = []
            var full: ProtocolError?
            var batch = 0
            while full == nil && batch < 400 {
                let entries = (0..<10).map { i in
                    var event = HardeningCorpus.event("full-\(batch)-\(i)")
                    event.body = Self.noise(&random, bytes: 40_000)
                    return LogEntry.event(event)
                }
                do {
                    let outcomes = try client.append(entries)
                    #expect(outcomes.allSatisfy { if case .accepted = $0 { true } else { false } })
                    acknowledged += entries.map(\.id)
                } catch {
                    guard case .server(let error) = error else { throw error }
                    full = error
                }
                batch += 1
            }
            let error = try #require(full, "the disk never filled")
            #expect(error.code == .storageFull, "\(error)")
            #expect(error.message.contains("full"), "the message says what is wrong: \(error.message)")
            Hardening.figure("disk.acknowledged_before_full", acknowledged.count)

            // Reads keep working; further writes keep failing cleanly; the connection stays open.
            #expect(try client.stats().events == acknowledged.count)
            #expect(try client.timeline(TimelineQuery(limit: 50)).records.count == min(50, acknowledged.count))
            #expect(try client.get(id: acknowledged[acknowledged.count / 2]).current.event.id == acknowledged[acknowledged.count / 2])
            for _ in 0..<3 {
                do {
                    _ = try client.append([.event(HardeningCorpus.event("after-full-\(UUID().uuidString.prefix(8))", title: Self.noise(&random, bytes: 400)))])
                    // A small entry may still fit in freed pages; a large one must not.
                } catch {
                    #expect(error.serverCode == .storageFull)
                }
            }
            do {
                var big = HardeningCorpus.event("big-after-full")
                big.body = Self.noise(&random, bytes: 900_000)
                _ = try client.append([.event(big)])
                Issue.record("a 900 KB event was written on a full disk")
            } catch {
                #expect(error.serverCode == .storageFull)
            }
            #expect(Hardening.answersPing(client), "the connection still serves after the disk filled")
            client.close()

            // Space returns: appends work again (after a remount, or a restart with a larger cap).
            if disk.mounted {
                try disk.grow(megabytes: 64)
            } else {
                try server.stop()
                #expect(try Hardening.integrityCheck(databasePath) == "ok")
                let bigger = try ServerProcess(arguments: ["--max-db-pages", "16384"], databasePath: databasePath)
                defer { _ = try? bigger.stop(signal: SIGKILL) }
                try Self.checkRecovered(bigger, acknowledged: acknowledged, random: &random)
                return
            }
            try Self.checkRecovered(server, acknowledged: acknowledged, random: &random)
        }

        static func checkRecovered(_ server: ServerProcess, acknowledged: [String], random: inout SeededRandom) throws {
            let client = try server.connect()
            var event = HardeningCorpus.event("after-space-returns")
            event.body = noise(&random, bytes: 900_000)
            let outcomes = try client.append([.event(event)])
            #expect(outcomes.allSatisfy { if case .accepted = $0 { true } else { false } }, "appends work again: \(outcomes)")
            // Nothing acknowledged was lost.
            let exported = try Hardening.export(port: server.port)
            let ids = Set(exported.compactMap { line in (try? EventLogCodec.decode(line: String(line.split(separator: "\t", maxSplits: 1)[1])))?.id })
            let lost = acknowledged.filter { !ids.contains($0) }
            #expect(lost.count == 0, "\(lost.count) acknowledged events lost")
            client.close()
            #expect(try server.stop() == 0)
            #expect(try Hardening.integrityCheck(server.databasePath) == "ok")
            Hardening.figure("disk.lost", lost.count)
        }
    }
}
