import AnnalsClient
import AnnalsCore
import AnnalsProtocol
import Dispatch
import Foundation
import Histogram
import Synchronization

/// `annals-bench latency`: closed-loop clients, each on its own connection, for `--seconds`, driven by one or
/// two `PollingDriver` threads; latencies in microseconds in an HdrHistogram (3 significant digits).
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
        let address = try args.server()
        let query = try args.string("query")
        let clients = try args.int("clients", default: 1)
        let seconds = try args.double("seconds", default: 10)
        let limit = try args.int("limit", default: 50)
        let pid = try args.int("pid", default: 0)
        // The row's label: "annals", or "annals-pg" for annalsd on the PostgreSQL engine.
        let system = args.string("system", default: "annals")
        let decode = args.flag("decode")
        let params = try Params(dir: try args.string("params"), words: try args.int("words", default: 100))
        guard ["actor", "range", "text", "get", "roundtrip"].contains(query) else { throw BenchError("--query must be actor, range, text, get or roundtrip") }

        var sockets: [ClientSocket] = []
        for _ in 0..<clients { sockets.append(try PingCommand.connect(address, clientName: "annals-bench-latency")) }
        let maxRSS = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
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
        let makeRequest: @Sendable (inout SeededRandom) -> Request = { rng in
            switch query {
            case "actor":
                return .timeline(TimelineQuery(actors: [params.actors[rng.int(0...(params.actors.count - 1))]], limit: limit))
            case "range":
                let from = params.lowDay + Int64(rng.int(0...Int(params.highDay - params.lowDay)))
                return .timeline(TimelineQuery(from: date(from), to: date(from + params.window), limit: limit))
            case "text":
                return .timeline(TimelineQuery(text: params.words[rng.int(0...(params.words.count - 1))], limit: limit))
            case "roundtrip":
                // An empty change-log page: past the end of the log, so the store does one trivial read (its last
                // position). What any request costs before its own work: the hops, the framing, one statement.
                return .readLog(TimelineQuery(), afterSeq: Int64.max, limit: 1)
            default:
                return .get(id: params.ids[rng.int(0...(params.ids.count - 1))], revision: nil)
            }
        }
        // Like pgbench -j: one thread for one client, two threads sharing the clients otherwise.
        let threads = clients < 2 ? 1 : 2
        let drivers = (0..<threads).map { t in
            PollingDriver(connections: stride(from: t, to: clients, by: threads).map { c in (sockets[c], UInt64(c + 1) &* 7919) },
                          deadline: deadline, decode: decode, makeRequest: makeRequest)
        }
        let done = DispatchGroup()
        let start = DispatchTime.now()
        for driver in drivers {
            done.enter()
            Thread {
                driver.run()
                done.leave()
            }.start()
        }
        done.wait()
        let wall = elapsed(since: start)
        stop.store(true, ordering: .relaxed)
        for socket in sockets { socket.close() }
        var h = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
        var t = (rows: 0, errors: 0, firstError: String?.none)
        for driver in drivers {
            h.add(driver.histogram)
            t.rows += driver.rows
            t.errors += driver.errors
            if t.firstError == nil { t.firstError = driver.firstError }
        }
        var result: [String: Any] = [
            "system": system, "transport": address.transport, "query": query, "clients": clients, "seconds": wall, "count": Int(h.totalCount),
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

/// Closed-loop clients driven from one thread with poll(2), like one of pgbench's `-j` threads: each
/// connection has one request in flight and sends its next as soon as the answer is complete, so the load
/// generator costs one thread per core rather than one per client, and no hand-off between threads.
/// Run by one thread; read its results after `run` returned.
final class PollingDriver: @unchecked Sendable {
    private struct Client {
        let socket: ClientSocket
        var rng: SeededRandom
        var decoder = FrameDecoder(maxFrameSize: ServerLimits.defaultMaxFrameSize)
        var page = PageAssembler()
        /// Records of the page frames walked so far (`AnswerWalker`).
        var walkedRecords = 0
        var sentAt: UInt64 = 0
        var requestID: UInt32 = 1
    }

    private var clients: [Client]
    private let deadline: UInt64
    private let makeRequest: @Sendable (inout SeededRandom) -> Request
    /// Decode answers into values, rather than walk them as pgbench does (`AnswerWalker`).
    private let decode: Bool
    private(set) var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
    private(set) var rows = 0
    private(set) var errors = 0
    private(set) var firstError: String?

    /// - Parameter connections: sockets that have done the handshake, each with its request seed.
    init(connections: [(socket: ClientSocket, seed: UInt64)], deadline: UInt64, decode: Bool,
         makeRequest: @escaping @Sendable (inout SeededRandom) -> Request) {
        clients = connections.map { Client(socket: $0.socket, rng: SeededRandom(seed: $0.seed)) }
        self.deadline = deadline
        self.decode = decode
        self.makeRequest = makeRequest
    }

    /// Sends and answers until the deadline, then until every connection's last request is answered.
    func run() {
        var polls = clients.map { pollfd(fd: $0.socket.fd, events: Int16(POLLIN), revents: 0) }
        var open = clients.count
        for k in clients.indices where !send(k) {
            polls[k].fd = -1
            open -= 1
        }
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        while open > 0 {
            if poll(&polls, nfds_t(polls.count), 1000) < 0 {
                if errno == EINTR { continue }
                fail("poll: \(String(cString: strerror(errno)))")
                return
            }
            for k in polls.indices where polls[k].fd >= 0 && polls[k].revents != 0 {
                if !receive(k, into: &buffer) {
                    polls[k].fd = -1
                    open -= 1
                }
            }
        }
    }

    /// Reads what connection `k` has; answers complete requests and sends the next. False once it is done.
    private func receive(_ k: Int, into buffer: inout [UInt8]) -> Bool {
        do {
            let got = try clients[k].socket.receive(into: &buffer)
            guard got > 0 else {
                fail("the server closed a connection")
                return false
            }
            clients[k].decoder.append(buffer[0..<got])
            while let frame = try clients[k].decoder.next() {
                guard let answered = try answer(k, frame) else { continue }
                histogram.record((DispatchTime.now().uptimeNanoseconds - clients[k].sentAt) / 1000)
                rows += answered
                if DispatchTime.now().uptimeNanoseconds >= deadline || !send(k) { return false }
            }
        } catch {
            fail("\(error)")
            return false
        }
        return true
    }

    /// Rows answered by `frame`, or nil while a page is still arriving.
    private func answer(_ k: Int, _ frame: Frame) throws(ProtocolError) -> Int? {
        if !decode, frame.type == .page {
            clients[k].walkedRecords += try AnswerWalker.pageRecords(frame.payload)
            guard !frame.more else { return nil }
            defer { clients[k].walkedRecords = 0 }
            return clients[k].walkedRecords
        }
        if !decode, frame.type == .detail { return 1 }
        if frame.type == .page {
            guard let page = try clients[k].page.add(frame) else { return nil }
            clients[k].page = PageAssembler()
            return page.records.count
        }
        switch try Response(frame: frame) {
        case .detail: return 1
        case .logPage(let entries, _, _): return entries.count
        case let other:
            fail("unexpected response \(other)")
            return 0
        }
    }

    private func send(_ k: Int) -> Bool {
        clients[k].requestID = clients[k].requestID == UInt32.max ? 1 : clients[k].requestID + 1
        let frame = makeRequest(&clients[k].rng).encode(requestID: clients[k].requestID)
        clients[k].sentAt = DispatchTime.now().uptimeNanoseconds
        do {
            try clients[k].socket.sendAll(frame)
            return true
        } catch {
            fail("\(error)")
            return false
        }
    }

    private func fail(_ message: String) {
        errors += 1
        if firstError == nil { firstError = message }
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
