import AnnalsClient
import AnnalsCore
import Dispatch
import Foundation
import Synchronization

/// `annals-bench search-lag`: the time from an append's acknowledgement until its words are found by a
/// search, measured while other clients load the server (issue 12's search lag).
///
///     search-lag --socket PATH | --port P [--interval-ms 100] [--poll-ms 5] [--give-up 600]
///                [--start-file PATH] [--stop-file PATH] [--seconds 3600]
///
/// - The **appender** connection appends, every `--interval-ms`, one event whose body carries a word made
///   for it (16 random letters: no other event holds it) and notes when the server acknowledged it. Its
///   appends are pipelined, so the probes keep their pace however long the acknowledgements take under load.
/// - The **searcher** connection never writes, so its searches do not wait for read-your-writes (a search
///   waits for the full-text index to pass its own connection's writes): it sees what the index has
///   reached, as another client would. It searches for every probe not yet found in one query
///   (`w1 OR w2 …`, the 32 oldest: the index follows the log in order, so a newer probe is not found before
///   an older one), at once when a probe is acknowledged, then every `--poll-ms`.
/// - A probe's **lag** is the time from its acknowledgement to the answer of the first search that holds it:
///   an upper bound, at most one poll interval plus one search round trip above the moment the index made
///   it searchable. The send time of the last search that missed it gives a lower bound (`*_lower_us`).
///   A probe not found within `--give-up` seconds counts as not found, its wait recorded as its lag.
///
/// Probing starts once `--start-file` exists (when given: `load --ready-file` creates it as its first batch
/// goes out) and stops when `--stop-file` appears, on SIGTERM or SIGINT, or after `--seconds`; then the
/// probes in flight are waited for and one JSON object is printed. The probe events are dated 1700, outside
/// the corpus' 1850–2025, with an actor and words of their own, so they change no latency query's answer.
enum SearchLagCommand {
    /// At most this many probes in one search (`SearchQuery.maxTerms` is 32).
    static let wordsPerSearch = 32
    /// Appends not yet acknowledged at most: a stalled server does not pile up probes.
    static let maxInFlight = 64

    static func run(_ args: Args) throws(BenchError) {
        let address = try args.server()
        let interval = try args.double("interval-ms", default: 100) / 1000
        let poll = try args.double("poll-ms", default: 5) / 1000
        // Long: while an ingest outruns the index, the lag grows with the backlog (tens of seconds at 1M).
        let patience = try args.double("give-up", default: 600)
        let seconds = try args.double("seconds", default: 3600)
        let startFile = args.string("start-file", default: "")
        guard interval > 0, poll >= 0, patience > 0, seconds > 0 else {
            throw BenchError("--interval-ms, --give-up and --seconds must be more than 0, --poll-ms at least 0")
        }
        guard patience * 1e6 < Double(SearchProbes.highestLag) else { throw BenchError("--give-up must be under 3600 seconds") }
        let stopFile = args.string("stop-file", default: "")
        let stop = StopSignal(stopFile: stopFile.isEmpty ? nil : stopFile, seconds: seconds)
        stop.handleSignals()

        func open(_ role: String) throws(BenchError) -> AnnalsConnection {
            do {
                // A search waits up to 30 s for the index on the server's side; answers come within this.
                return try AnnalsConnection(address: address, clientName: "annals-bench-search-lag-\(role)",
                                            requestTimeout: max(60, patience))
            } catch {
                throw BenchError("cannot connect to annalsd at \(address): \(error)")
            }
        }
        let appender = try open("append")
        let searcher = try open("search")
        guard let date = try? HistoricalDate(parsing: "1700-01-01") else { throw BenchError("the probes' date does not parse") }

        let probes = SearchProbes()
        let counts = Mutex((appendErrors: 0, searchErrors: 0, searches: 0, firstError: String?.none, firstProbe: UInt64?.none))
        let noteError: @Sendable (String, Bool) -> Void = { message, isAppend in
            counts.withLock { c in
                if isAppend { c.appendErrors += 1 } else { c.searchErrors += 1 }
                if c.firstError == nil { c.firstError = message }
            }
        }
        let wake = DispatchSemaphore(value: 0)
        let appending = Atomic<Bool>(true)
        let done = DispatchGroup()
        let run = String(UInt64.random(in: 0...UInt64.max), radix: 36)

        done.enter()
        Thread {
            defer {
                appending.store(false, ordering: .releasing)
                wake.signal()
                done.leave()
            }
            while !startFile.isEmpty && !FileManager.default.fileExists(atPath: startFile) {
                if stop.sleep(0.01) { return }
            }
            let inFlight = DispatchGroup()
            let slots = DispatchSemaphore(value: maxInFlight)
            var rng = SystemRandomNumberGenerator()
            var next = DispatchTime.now().uptimeNanoseconds
            var k = 0
            counts.withLock { $0.firstProbe = next }
            while !stop.isSet, appender.failure == nil {
                let now = DispatchTime.now().uptimeNanoseconds
                if now < next, stop.sleep(Double(next - now) / 1e9) { break }
                // The next probe one interval after this one was due; after a stall, one interval from now.
                next = max(next + UInt64(interval * 1e9), DispatchTime.now().uptimeNanoseconds)
                guard slots.wait(timeout: .now() + interval) == .success else { continue }
                k += 1
                let word = "sl" + String((0..<16).map { _ in Character(Unicode.Scalar(UInt8.random(in: 97...122, using: &rng))) })
                let id = "search-lag-\(run)-\(k)"
                let event = Event(id: id, date: date, kind: .statement, title: "Search-lag probe \(k)",
                                  body: "A probe of how far the full-text index follows the log: \(word).",
                                  actors: [Actor(name: "annals-bench search-lag")])
                inFlight.enter()
                appender.append([.event(event)]) { result in
                    let ackedAt = DispatchTime.now().uptimeNanoseconds
                    switch result {
                    case .success(let outcomes):
                        if case .accepted? = outcomes.first {
                            probes.acknowledged(id: id, word: word, at: ackedAt)
                            wake.signal()
                        } else {
                            noteError("probe \(id) was not accepted: \(outcomes.first.map { "\($0)" } ?? "no outcome")", true)
                        }
                    case .failure(let error):
                        noteError("append: \(error)", true)
                    }
                    slots.signal()
                    inFlight.leave()
                }
            }
            // Acknowledgements still on their way count: their probes are searched for like the others.
            if inFlight.wait(timeout: .now() + patience) == .timedOut {
                noteError("appends unanswered after \(Int(patience)) s", true)
            }
        }.start()

        done.enter()
        Thread {
            defer { done.leave() }
            while true {
                probes.giveUp(now: DispatchTime.now().uptimeNanoseconds, patience: UInt64(patience * 1e9))
                let asked = probes.pending(limit: wordsPerSearch)
                if asked.isEmpty {
                    if !appending.load(ordering: .acquiring) && probes.isEmpty { return }
                    _ = wake.wait(timeout: .now() + 0.05)
                    continue
                }
                let sentAt = DispatchTime.now().uptimeNanoseconds
                do {
                    let page = try searcher.timeline(TimelineQuery(text: asked.map(\.word).joined(separator: " OR "), limit: asked.count))
                    let answeredAt = DispatchTime.now().uptimeNanoseconds
                    probes.answered(asked: asked, found: Set(page.records.map(\.event.id)), sentAt: sentAt, answeredAt: answeredAt)
                } catch {
                    noteError("search: \(error)", false)
                    if searcher.failure != nil {
                        // The connection is gone: what is pending can no longer be found.
                        probes.giveUp(now: DispatchTime.now().uptimeNanoseconds, patience: 0)
                        return
                    }
                }
                counts.withLock { $0.searches += 1 }
                if !probes.isEmpty && poll > 0 { usleep(useconds_t(poll * 1e6)) }
            }
        }.start()

        done.wait()
        let finished = DispatchTime.now().uptimeNanoseconds
        appender.close()
        searcher.close()
        let c = counts.withLock { $0 }
        var result = probes.summary()
        let found = result["count"] as? Int ?? 0
        let notFound = result["not_found"] as? Int ?? 0
        result["system"] = "annals"
        result["transport"] = address.transport
        result["interval_ms"] = interval * 1000
        result["poll_ms"] = poll * 1000
        result["give_up_seconds"] = patience
        result["seconds"] = c.firstProbe.map { Double(finished - $0) / 1e9 } ?? 0
        result["searches"] = c.searches
        result["searches_per_probe"] = Double(c.searches) / Double(max(1, found + notFound))
        result["append_errors"] = c.appendErrors
        result["search_errors"] = c.searchErrors
        result["failures"] = notFound + c.appendErrors + c.searchErrors
        if let e = c.firstError { result["first_error"] = e }
        printJSON(result)
    }
}
