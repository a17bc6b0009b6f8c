import AnnalsClient
import AnnalsCore
import Dispatch
import Foundation
import Synchronization

/// `annals-bench load`: ingest through AnnalsClient: K connections, each pipelining up to `--window` batches.
/// With `--sockets A,B,C` (several annalsd on one database), client k connects to instance k mod 3.
/// With `--ready-file PATH`, creates that file once the corpus is read and the first batches are about to go
/// out, so a probe run beside it (`search-lag --start-file PATH`) measures during the ingest, not before it.
enum LoadCommand {
    static func run(_ args: Args) throws(BenchError) {
        let addresses = try args.servers()
        let address = addresses[0]
        let clients = try args.int("clients", default: 1), batchSize = try args.int("batch", default: 1000)
        let window = try args.int("window", default: 4)
        let events = try CorpusReader.read(try args.string("file"), limit: try args.int("limit", default: .max))
        var batches: [[LogEntry]] = []
        var i = 0
        while i < events.count {
            batches.append(events[i..<min(events.count, i + batchSize)].map { .event($0) })
            i += batchSize
        }
        // annalsd closes a connection whose read buffer has not emptied for --read-timeout seconds (30), which a
        // connection kept busy with pipelined appends never does: each connection carries `--rotate` batches,
        // the next one opening while the last drains, so the pipeline stays full. (Reported to the server's owner.)
        let rotate = try args.int("rotate", default: 8)
        func open(_ address: ServerAddress) throws(BenchError) -> AnnalsConnection {
            do { return try AnnalsConnection(address: address, clientName: "annals-bench-load") } catch {
                throw BenchError("cannot connect to annalsd at \(address): \(error)")
            }
        }
        for address in addresses { _ = try open(address) }  // fail early when a server is not there
        let readyFile = args.string("ready-file", default: "")
        if !readyFile.isEmpty && !FileManager.default.createFile(atPath: readyFile, contents: Data()) {
            throw BenchError("cannot create --ready-file \(readyFile)")
        }
        let counts = Mutex((accepted: 0, duplicate: 0, rejected: 0, failed: 0, connections: 0, firstError: String?.none))
        let done = DispatchGroup()
        let allBatches = batches
        let start = DispatchTime.now()
        for c in 0..<clients {
            done.enter()
            let instance = addresses[c % addresses.count]
            let thread = Thread {
                let slots = DispatchSemaphore(value: window)
                let mine = DispatchGroup()
                var used: [AnnalsConnection] = []
                var connection: AnnalsConnection?
                var sent = 0
                var b = c
                while b < allBatches.count {
                    if connection == nil || sent % rotate == 0 {
                        do {
                            let next = try AnnalsConnection(address: instance, clientName: "annals-bench-load")
                            used.append(next)
                            connection = next
                            counts.withLock { $0.connections += 1 }
                        } catch {
                            counts.withLock { if $0.firstError == nil { $0.firstError = "\(error)" } }
                        }
                    }
                    guard let connection else { break }
                    slots.wait()
                    mine.enter()
                    sent += 1
                    connection.append(allBatches[b]) { result in
                        counts.withLock { counts in
                            switch result {
                            case .success(let outcomes):
                                for outcome in outcomes {
                                    switch outcome {
                                    case .accepted: counts.accepted += 1
                                    case .duplicate: counts.duplicate += 1
                                    case .rejected(let error):
                                        counts.rejected += 1
                                        if counts.firstError == nil { counts.firstError = "\(error)" }
                                    }
                                }
                            case .failure(let error):
                                counts.failed += 1
                                if counts.firstError == nil { counts.firstError = "\(error)" }
                            }
                        }
                        slots.signal()
                        mine.leave()
                    }
                    b += clients
                }
                mine.wait()
                for connection in used { connection.close() }
                done.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        done.wait()
        let seconds = elapsed(since: start)
        let c = counts.withLock { $0 }
        var result: [String: Any] = ["transport": address.transport, "instances": addresses.count, "events": events.count, "clients": clients, "batch": batchSize, "window": window,
                                     "seconds": seconds, "events_per_second": Double(events.count) / seconds,
                                     "accepted": c.accepted, "duplicate": c.duplicate, "rejected": c.rejected, "failed_batches": c.failed,
                                     "connections": c.connections, "rotate": rotate,
                                     "accepted_per_second": Double(c.accepted) / seconds]
        if let e = c.firstError { result["first_error"] = e }
        printJSON(result)
    }

    /// `store-stats --port P | --socket PATH`: the server's counts and sizes (both files of the store: the log
    /// and its full-text index, with their write-ahead logs), and how far the full-text index follows the log.
    static func stats(_ args: Args) throws(BenchError) {
        do {
            let connection = try AnnalsConnection(address: try args.server(), clientName: "annals-bench-stats")
            let s = try connection.stats()
            connection.close()
            printJSON(["events": s.events, "revisions": s.revisions, "file_bytes": s.fileBytes, "text_bytes": s.textBytes,
                       "compressed_bytes": s.compressedBytes, "ratio": Double(s.textBytes) / Double(max(1, s.compressedBytes)),
                       "last_seq": s.lastSeq, "indexed_seq": s.indexedSeq, "index_lag_ms": s.indexLagMilliseconds])
        } catch let error as BenchError {
            throw error
        } catch {
            throw BenchError("stats: \(error)")
        }
    }
}
