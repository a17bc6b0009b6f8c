import AnnalsClient
import AnnalsCore
import AnnalsProtocol
import Dispatch
import Foundation
import Histogram
import Synchronization

/// `annals-bench latency`: closed-loop clients, each on its own connection, for `--seconds`; latencies in
/// microseconds in an HdrHistogram (3 significant digits).
enum LatencyCommand {
    struct Params: Sendable {
        var actors: [String]
        var words: [String]
        var ids: [String]
        var lowDay: Int64, highDay: Int64, window: Int64

        init(dir: String, words wordLimit: Int) throws(BenchError) {
            func lines(_ name: String) throws(BenchError) -> [String] {
                guard let data = FileManager.default.contents(atPath: dir + "/" + name) else { throw BenchError("cannot read \(dir)/\(name)") }
                return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
            }
            actors = try lines("actors.txt")
            words = Array(try lines("words.tsv").map { String($0.split(separator: "\t")[0]) }.prefix(wordLimit))
            ids = try lines("ids.txt")
            let days = try lines("days.tsv")[0].split(separator: "\t").compactMap { Int64($0) }
            guard days.count == 3, !actors.isEmpty, !words.isEmpty, !ids.isEmpty else { throw BenchError("\(dir) holds incomplete parameters") }
            (lowDay, highDay, window) = (days[0], days[1], days[2])
        }
    }

    static func date(_ dayNumber: Int64) -> HistoricalDate? {
        let d = CalendarDay(dayNumber: dayNumber)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return try? HistoricalDate(parsing: "\(d.year)-\(two(d.month))-\(two(d.day))")
    }

    static func run(_ args: Args) throws(BenchError) {
        let port = UInt16(try args.int("port"))
        let query = try args.string("query")
        let clients = try args.int("clients", default: 1)
        let seconds = try args.double("seconds", default: 10)
        let limit = try args.int("limit", default: 50)
        let pid = try args.int("pid", default: 0)
        let params = try Params(dir: try args.string("params"), words: try args.int("words", default: 100))
        guard ["actor", "range", "text", "get"].contains(query) else { throw BenchError("--query must be actor, range, text or get") }

        var connections: [AnnalsConnection] = []
        for _ in 0..<clients {
            do { connections.append(try AnnalsConnection(port: port, clientName: "annals-bench-latency")) } catch {
                throw BenchError("cannot connect to annalsd on port \(port): \(error)")
            }
        }
        let maxRSS = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
        let done = DispatchGroup()
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        if pid > 0 {
            Thread {
                while !stop.load(ordering: .relaxed) {
                    let rss = ProcessStatus.kib("VmRSS", pid: pid)
                    if rss > maxRSS.load(ordering: .relaxed) { maxRSS.store(rss, ordering: .relaxed) }
                    usleep(100_000)
                }
            }.start()
        }
        let start = DispatchTime.now()
        let drivers = connections.enumerated().map { c, connection in
            ClosedLoopClient(connection: connection, seed: UInt64(c + 1) &* 7919, deadline: deadline, done: done) { rng in
                switch query {
                case "actor":
                    return .timeline(TimelineQuery(actors: [params.actors[rng.int(0...(params.actors.count - 1))]], limit: limit))
                case "range":
                    let from = params.lowDay + Int64(rng.int(0...Int(params.highDay - params.lowDay)))
                    return .timeline(TimelineQuery(from: date(from), to: date(from + params.window), limit: limit))
                case "text":
                    return .timeline(TimelineQuery(text: params.words[rng.int(0...(params.words.count - 1))], limit: limit))
                default:
                    return .get(id: params.ids[rng.int(0...(params.ids.count - 1))], revision: nil)
                }
            }
        }
        for driver in drivers { driver.start() }
        done.wait()
        let wall = elapsed(since: start)
        stop.store(true, ordering: .relaxed)
        for connection in connections { connection.close() }
        var h = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
        var t = (rows: 0, errors: 0, firstError: String?.none)
        for driver in drivers {
            h.add(driver.histogram)
            t.rows += driver.rows
            t.errors += driver.errors
            if t.firstError == nil { t.firstError = driver.firstError }
        }
        var result: [String: Any] = [
            "system": "annals", "query": query, "clients": clients, "seconds": wall, "count": Int(h.totalCount),
            "ops_per_second": Double(h.totalCount) / wall,
            "p50_us": h.valueAtPercentile(50), "p99_us": h.valueAtPercentile(99), "p999_us": h.valueAtPercentile(99.9),
            "mean_us": h.mean, "max_us": h.max, "rows_per_query": Double(t.rows) / Double(max(1, Int(h.totalCount))),
            "errors": t.errors,
        ]
        if let e = t.firstError { result["first_error"] = e }
        if pid > 0 { result["max_rss_kib"] = maxRSS.load(ordering: .relaxed) }
        printJSON(result)
    }
}

/// One closed-loop client: it sends its next request from the previous one's completion, on the connection's
/// reader thread, like pgbench's event loop, so the load generator adds no thread hand-off of its own to
/// each round trip. Its state is touched by one request's completion at a time (each request is sent
/// only after the previous one completed), hence `@unchecked Sendable`; read it after `done` is left.
final class ClosedLoopClient: @unchecked Sendable {
    private let connection: AnnalsConnection
    private let deadline: UInt64
    private let done: DispatchGroup
    private let makeRequest: (inout SeededRandom) -> Request
    private var rng: SeededRandom
    private var sentAt: UInt64 = 0
    private(set) var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
    private(set) var rows = 0
    private(set) var errors = 0
    private(set) var firstError: String?

    init(connection: AnnalsConnection, seed: UInt64, deadline: UInt64, done: DispatchGroup,
         makeRequest: @escaping (inout SeededRandom) -> Request) {
        self.connection = connection
        self.rng = SeededRandom(seed: seed)
        self.deadline = deadline
        self.done = done
        self.makeRequest = makeRequest
    }

    func start() {
        done.enter()
        sendNext()
    }

    private func sendNext() {
        guard DispatchTime.now().uptimeNanoseconds < deadline else {
            done.leave()
            return
        }
        let request = makeRequest(&rng)
        sentAt = DispatchTime.now().uptimeNanoseconds
        connection.send(request) { result in self.completed(result) }
    }

    private func completed(_ result: Result<Response, ClientError>) {
        histogram.record((DispatchTime.now().uptimeNanoseconds - sentAt) / 1000)
        switch result {
        case .success(.page(let records, _)): rows += records.count
        case .success(.detail): rows += 1
        case .success(let other):
            errors += 1
            if firstError == nil { firstError = "unexpected response \(other)" }
        case .failure(let error):
            errors += 1
            if firstError == nil { firstError = "\(error)" }
            done.leave()  // the connection is gone: this client stops
            return
        }
        sendNext()
    }
}

/// Reads fields of /proc/PID/status.
enum ProcessStatus {
    static func kib(_ field: String, pid: Int) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        return 0
    }
}
