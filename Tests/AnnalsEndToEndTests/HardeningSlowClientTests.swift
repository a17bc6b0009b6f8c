import AnnalsFuzzing
import AnnalsClient
import AnnalsCore
import AnnalsProtocol
import Foundation
import Synchronization
import Testing

extension HardeningTests {
    /// Slow, silent and non-reading clients: closed by the documented timeouts, without hurting the others,
    /// and without growing the server's memory.
    @Suite("Hardening: slow and silent clients", .serialized)
    struct HardeningSlowClientTests {
        /// Latencies (seconds) of `ping` + one timeline page, from `clients` connections, each making requests
        /// one after another while `running()` holds. Every request must be answered (within
        /// `Hardening.patience`): a failure of any client throws. Returns each client's samples.
        static func measureLatency(port: UInt16, clients: Int, while running: @escaping @Sendable () -> Bool) throws -> [[Double]] {
            let connections = try (0..<clients).map { _ in
                try AnnalsConnection(host: "127.0.0.1", port: port, clientName: "latency", requestTimeout: Hardening.patience)
            }
            let samples = Mutex<[[Double]]>(Array(repeating: [], count: clients))
            let failures = Mutex<[String]>([])
            let group = DispatchGroup()
            for (i, connection) in connections.enumerated() {
                group.enter()
                Thread {
                    var mine: [Double] = []
                    var page = 0
                    while running() {
                        let start = DispatchTime.now()
                        do {
                            _ = try connection.ping()
                            _ = try connection.timeline(TimelineQuery(kinds: [EventKind.allCases[(i + page) % EventKind.allCases.count]], limit: 20))
                        } catch {
                            failures.withLock { $0.append("client \(i), request \(page): \(error)") }
                            break
                        }
                        page += 1
                        mine.append(Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
                    }
                    samples.withLock { $0[i] = mine }
                    group.leave()
                }.start()
            }
            group.wait()
            for connection in connections { connection.close() }
            let failed = failures.withLock { $0 }
            guard failed.isEmpty else { throw TestFailure("\(failed.count) latency clients failed: \(failed.prefix(3))") }
            return samples.withLock { $0 }
        }

        /// Latencies for `seconds` of wall-clock time (the figures' unloaded baseline).
        static func measureLatency(port: UInt16, clients: Int, seconds: Double) throws -> [Double] {
            let end = DispatchTime.now() + seconds
            return try measureLatency(port: port, clients: clients) { DispatchTime.now() < end }.flatMap { $0 }
        }

        /// How one loaded connection misbehaves.
        enum Behaviour: CaseIterable {
            /// Connects and says nothing.
            case silent
            /// Says hello, then nothing.
            case silentAfterHello
            /// Sends its hello one byte a second.
            case trickleHello
            /// Says hello, then sends a ping one byte a second.
            case tricklePing

            /// The timeout errors the server may close this connection with (`Connection.checkTimeouts`): each
            /// names the rule broken and its configured seconds.
            func timeoutMessages(idle: Int, read: Int) -> [String] {
                let noHello = "no hello within \(min(idle, read)) s", idled = "idle for over \(idle) s"
                let slowFrame = "a frame took over \(read) s to arrive"
                return switch self {
                // Before hello the no-hello clock runs from the connect, so it may beat the read timeout of a
                // trickled hello; a check that came late (a starved server) finds the idle timeout first.
                case .silent: [noHello, idled]
                case .trickleHello: [noHello, slowFrame, idled]
                // After hello: idle, or a frame that never completes; nothing else applies.
                case .silentAfterHello: [idled]
                case .tricklePing: [slowFrame]
                }
            }
        }

        /// Touched only by the test's watcher thread once the load is set up.
        final class Loaded: @unchecked Sendable {
            let socket: HardeningSocket
            let behaviour: Behaviour
            let opened = Date()
            var pending: [UInt8]
            var closedAfter: Double?
            var error: ProtocolError?

            init(socket: HardeningSocket, behaviour: Behaviour) {
                self.socket = socket
                self.behaviour = behaviour
                switch behaviour {
                case .trickleHello: pending = Request.hello(ClientHello(clientName: "slow")).encode(requestID: 1)
                case .tricklePing: pending = Request.ping(nonce: 1).encode(requestID: 2)
                default: pending = []
                }
            }
        }

        /// 500 connections that say nothing, or send their frames a byte a second: the server closes each with
        /// the timeout error of the rule it broke, while 8 normal clients are served (every request answered).
        /// How long each close took, and the normal clients' latency against an unloaded run, are figures
        /// `Scripts/stress` bounds.
        @Test func slowAndSilentConnectionsAreClosedWhileOthersAreServed() throws {
            Hardening.raiseFileLimit(to: 4096)
            let idle = 4, read = 2
            let loadCount = Hardening.setting("SLOW_CONNECTIONS", short: 500, large: 500)
            let window = Double(Hardening.setting("SLOW_WINDOW_SECONDS", short: 3, large: 8))
            let server = try ServerProcess(arguments: ["--idle-timeout", "\(idle)", "--read-timeout", "\(read)", "--max-connections", "4096"])
            let writer = try server.connect()
            for chunk in 0..<5 {
                _ = try writer.append(HardeningCorpus.entries(count: 200, seed: UInt64(chunk), prefix: "slow\(chunk)"))
            }
            writer.close()
            var unloaded: [Double] = []
            if Hardening.figures {
                _ = try Self.measureLatency(port: server.port, clients: 8, seconds: 0.5)  // warm up
                unloaded = try Self.measureLatency(port: server.port, clients: 8, seconds: window)
            }
            let fdsBefore = server.openFileDescriptors

            // The load: equal shares of each behaviour.
            var loaded: [Loaded] = []
            for i in 0..<loadCount {
                let behaviour = Behaviour.allCases[i % Behaviour.allCases.count]
                let socket = try HardeningSocket(port: server.port)
                if behaviour == .silentAfterHello || behaviour == .tricklePing {
                    guard case .hello? = socket.handshake() else { throw TestFailure("handshake \(i) failed") }
                }
                socket.setNonBlocking()
                loaded.append(Loaded(socket: socket, behaviour: behaviour))
            }
            Hardening.figure("slow.connections_held", server.openFileDescriptors - fdsBefore)
            let connections = loaded
            // One thread trickles bytes and watches for the server closing each connection, until all are closed
            // (or the test gives up on them).
            let stop = Atomic<Bool>(false)
            let watching = Atomic<Bool>(true)
            let watcher = Thread {
                var lastTrickle = Date.distantPast
                while !stop.load(ordering: .relaxed) {
                    if Date().timeIntervalSince(lastTrickle) >= 1 {
                        lastTrickle = Date()
                        for connection in connections where connection.closedAfter == nil && !connection.pending.isEmpty {
                            connection.socket.send([connection.pending.removeFirst()])
                        }
                    }
                    var pollers = connections.map { pollfd(fd: $0.socket.fd, events: Int16(POLLIN), revents: 0) }
                    _ = poll(&pollers, nfds_t(pollers.count), 50)
                    for (connection, poller) in zip(connections, pollers) where poller.revents != 0 && connection.closedAfter == nil {
                        loop: while true {
                            switch connection.socket.next() {
                            case .frame(let frame):
                                if case .error(let error)? = try? Response(frame: frame), connection.error == nil { connection.error = error }
                            case .closed:
                                connection.closedAfter = Date().timeIntervalSince(connection.opened)
                                break loop
                            case .timedOut:
                                break loop
                            }
                        }
                    }
                    if connections.allSatisfy({ $0.closedAfter != nil }) { break }
                }
                watching.store(false, ordering: .releasing)
            }
            watcher.start()
            // The normal clients make requests for as long as slow connections are open (one deadline for both).
            let giveUp = Hardening.deadline()
            let perClient = try Self.measureLatency(port: server.port, clients: 8) {
                watching.load(ordering: .acquiring) && DispatchTime.now() < giveUp
            }
            let unanswered = perClient.filter(\.isEmpty).count
            #expect(unanswered == 0, "every normal client was answered while the slow ones were connected")
            let allClosed = Hardening.waitUntil(giveUp) { !watching.load(ordering: .acquiring) }
            stop.store(true, ordering: .relaxed)
            let watcherDone = Hardening.waitUntil(timeout: Hardening.patience) { !watching.load(ordering: .acquiring) }
            try #require(watcherDone, "the watcher thread stopped")
            #expect(allClosed, "\(loaded.filter { $0.closedAfter == nil }.count) of \(loaded.count) slow connections still open after \(Int(Hardening.patience)) s")

            // Each is closed by the server's timeout for the rule it broke: the timeout error naming it, then the end.
            for behaviour in Behaviour.allCases {
                let group = loaded.filter { $0.behaviour == behaviour }
                let expected = behaviour.timeoutMessages(idle: idle, read: read)
                let wrong = group.filter { $0.error?.code != .timeout || !expected.contains($0.error?.message ?? "") }
                #expect(group.filter { $0.closedAfter == nil }.count == 0, "\(behaviour): every connection closed")
                #expect(wrong.count == 0, "\(behaviour): \(wrong.count) closed without \(expected), e.g. \(wrong.first.map { $0.error.map { "\($0.code.name): \($0.message)" } ?? "no error" } ?? "")")
                let times = group.compactMap(\.closedAfter)
                let limit: Double = behaviour == .silentAfterHello ? Double(idle) : Double(read)
                Hardening.bound("slow.closed.\(behaviour)", String(format: "%d in %.1f…%.1fs", times.count, times.min() ?? -1, times.max() ?? -1),
                                holds: times.allSatisfy { $0 >= limit - 0.1 && $0 <= limit + 3 }, String(format: "%.1f…%.1fs", limit - 0.1, limit + 3))
            }
            if allClosed {
                #expect(Hardening.waitUntil(timeout: Hardening.patience) { server.openFileDescriptors <= fdsBefore }, "descriptors released")
            }
            Hardening.figure("slow.connections_closed", loaded.filter { $0.closedAfter != nil }.count)

            if Hardening.figures {
                let underLoad = perClient.flatMap { $0 }
                let (p50u, p99u) = (Hardening.percentile(unloaded, 0.5), Hardening.percentile(unloaded, 0.99))
                let (p50l, p99l) = (Hardening.percentile(underLoad, 0.5), Hardening.percentile(underLoad, 0.99))
                Hardening.figure("slow.latency_unloaded", "p50 \(Hardening.ms(p50u)) p99 \(Hardening.ms(p99u)) n=\(unloaded.count)")
                Hardening.figure("slow.latency_loaded", "p50 \(Hardening.ms(p50l)) p99 \(Hardening.ms(p99l)) n=\(underLoad.count)")
                // A floor of 2 ms keeps jitter from failing the comparison.
                Hardening.bound("slow.p50_loaded", Hardening.ms(p50l), holds: p50l <= 2 * p50u + 0.002, "2 × unloaded \(Hardening.ms(p50u)) + 2ms")
                Hardening.bound("slow.p99_loaded", Hardening.ms(p99l), holds: p99l <= 2 * p99u + 0.002, "2 × unloaded \(Hardening.ms(p99u)) + 2ms")
            }
        }
    }
}

extension HardeningTests {
    /// Clients that stop reading while the server has plenty to send them.
    @Suite("Hardening: clients that stop reading", .serialized)
    struct HardeningStalledReaderTests {
        /// Events of about `bodyBytes` each, `megabytes` in all, in batches of `batch`.
        static func bulk(megabytes: Int, bodyBytes: Int = 50_000, prefix: String) -> [[LogEntry]] {
            let count = megabytes * 1_000_000 / bodyBytes
            let entries = HardeningCorpus.entries(count: count, seed: 77, prefix: prefix, bodyBytes: bodyBytes)
            return stride(from: 0, to: entries.count, by: 20).map { Array(entries[$0..<min($0 + 20, entries.count)]) }
        }

        /// Appends `megabytes` of events to a fresh server with `stalled` subscribers that stop reading after
        /// subscribing; returns the server, the RSS growth in KiB (the peak from just before the subscribers
        /// came until the appends are answered, minus the RSS then) and the subscriber sockets.
        /// With `reading`, the subscribers read everything instead (the control run: same store work, no stall),
        /// and the peak runs until they have received it all.
        static func appendWhileStalled(megabytes: Int, stalled: Int, reading: Bool = false,
                                       writeTimeout: Int) throws -> (ServerProcess, Int, [HardeningSocket]) {
            let server = try ServerProcess(arguments: ["--write-timeout", "\(writeTimeout)"])
            let writer = try server.connect()
            // Warm the store (caches, dictionaries, reader connections) so the measurement is of the appends.
            for batch in Self.bulk(megabytes: 2, prefix: "warm") { _ = try writer.append(batch) }
            let before = server.residentKiB
            Hardening.resetPeakResident(server.pid)
            var subscribers: [HardeningSocket] = []
            var readers: [AnnalsConnection] = []
            let pushed = Atomic<Int>(0)
            for _ in 0..<(reading ? stalled : 0) {
                let reader = try server.connect()
                _ = try reader.subscribe(TimelineQuery(includeRetracted: true), fromSeq: 0) { _ in pushed.add(1, ordering: .relaxed) }
                readers.append(reader)
            }
            for _ in 0..<(reading ? 0 : stalled) {
                let socket = try HardeningSocket(port: server.port, receiveBuffer: 4096)
                socket.handshake()
                socket.send(Request.subscribe(TimelineQuery(includeRetracted: true), fromSeq: 0).encode(requestID: 2))
                guard case .frame(let reply) = socket.next(), reply.type == .subscribed else { throw TestFailure("subscribe failed") }
                subscribers.append(socket)  // and never read again
            }
            for batch in Self.bulk(megabytes: megabytes, prefix: "stall") {
                let outcomes = try writer.append(batch)
                if outcomes.contains(where: { if case .rejected = $0 { true } else { false } }) { throw TestFailure("rejected: \(outcomes)") }
            }
            guard Hardening.answersPing(writer) else { throw TestFailure("the writer was not served while subscribers stalled") }
            if reading {
                let total = stalled * Int(try writer.stats().lastSeq)
                guard Hardening.waitUntil(timeout: Hardening.patience, { pushed.load(ordering: .relaxed) >= total }) else {
                    throw TestFailure("the reading subscribers got \(pushed.load(ordering: .relaxed)) of \(total) entries")
                }
            }
            let peak = server.peakResidentKiB
            writer.close()
            for reader in readers { reader.close() }
            Hardening.figure("stall.rss_kib.\(stalled)_\(reading ? "reading" : "stalled")_subscribers", "\(before) → peak \(peak)")
            return (server, peak - before, subscribers)
        }

        /// Subscribers that stop reading while another client appends 20 MB: the server does not buffer the
        /// stream for them (memory grows no more than a bounded amount per subscriber over a control run without
        /// them) and cuts them off after the write timeout.
        @Test func stalledSubscribersDoNotGrowServerMemory() throws {
            let megabytes = Hardening.setting("STALL_MEGABYTES", short: 20, large: 100)
            let stalledCount = 4
            let writeTimeout = 3
            let (control, controlGrowth, _) = try Self.appendWhileStalled(megabytes: megabytes, stalled: stalledCount, reading: true,
                                                                          writeTimeout: writeTimeout)
            try control.stop()
            let (server, growth, subscribers) = try Self.appendWhileStalled(megabytes: megabytes, stalled: stalledCount, writeTimeout: writeTimeout)
            // Sending each stalled subscriber the whole stream would buffer \(stalledCount) × \(megabytes) MB in the server;
            // what it may hold is about its output low-water mark plus one fetch (≈ 1 MiB) each.
            let extra = growth - controlGrowth
            #expect(extra < stalledCount * 10 * 1024,
                    "RSS grew \(growth) KiB with \(stalledCount) stalled subscribers, \(controlGrowth) KiB with reading ones")
            Hardening.figure("stall.appended_mb", megabytes)
            Hardening.figure("stall.extra_rss_kib_per_subscriber", extra / stalledCount)

            // Cut off by the write timeout: the server closes them (and says so in its log).
            let cutOff = Hardening.waitUntil(timeout: Hardening.patience) {
                server.log.components(separatedBy: "the client read nothing for \(writeTimeout) s").count - 1 >= stalledCount
            }
            #expect(cutOff, "stalled subscribers are disconnected by the write timeout")
            var ended = 0
            let deadline = Hardening.deadline()
            for socket in subscribers {
                socket.deadline = deadline
                if socket.closesSoon() { ended += 1 }
            }
            #expect(ended == subscribers.count, "every stalled subscriber sees its connection end")
            Hardening.figure("stall.cut_off", ended)
        }

        /// A client that pipelines many requests with large answers and reads nothing: the server stops working
        /// for it once its unsent responses pass the high-water mark, instead of encoding every answer in memory.
        /// The window is the client's whole life: from its requests until the server's write timeout
        /// (`PIPE_WAIT` seconds) cuts it off, the server's peak memory stays bounded and others are served.
        @Test func pipelinerThatDoesNotReadDoesNotGrowServerMemory() throws {
            let writeTimeout = Hardening.setting("PIPE_WAIT", short: 5, large: 10)
            let server = try ServerProcess(arguments: ["--write-timeout", "\(writeTimeout)"])
            let writer = try server.connect()
            // One event with 10 revisions of 1 MB bodies: its detail is a 10 MB answer.
            var random = SeededRandom(seed: 5)
            var big = HardeningCorpus.event("big-detail")
            for revision in 1...10 {
                big.body = "r\(revision) " + HardeningCorpus.paragraph(&random, bytes: 1_000_000 - 100)
                _ = revision == 1 ? try writer.append([.event(big)]) : [try writer.amend(big)].map { _ in AppendOutcome.accepted(seq: 0) }
            }
            let detail = try writer.get(id: "big-detail")
            #expect(detail.revisions.count == 10)
            let rssBefore = server.residentKiB
            Hardening.resetPeakResident(server.pid)
            let hog = try HardeningSocket(port: server.port, receiveBuffer: 4096)
            hog.handshake()
            let request = Request.get(id: "big-detail", revision: nil).encode(requestID: 7)
            hog.setNonBlocking()
            let requests = Hardening.setting("PIPE_REQUESTS", short: 200, large: 200)
            var sent = 0
            for _ in 0..<requests where hog.send(request) { sent += 1 }
            #expect(Hardening.answersPing(writer), "others are served while the hog holds its answers")
            let cutOff = Hardening.waitUntil(timeout: Hardening.patience) {
                server.log.contains("the client read nothing for \(writeTimeout) s")
            }
            #expect(cutOff, "the hog is cut off by the write timeout")
            let peak = server.peakResidentKiB
            // Every answer encoded would be \(sent) × 10 MB.
            #expect(peak - rssBefore < 150 * 1024, "RSS \(rssBefore) KiB → peak \(peak) KiB with \(sent) unread 10 MB answers")
            Hardening.figure("pipeline.requests_sent", sent)
            Hardening.figure("pipeline.rss_before_kib", rssBefore)
            Hardening.figure("pipeline.rss_peak_kib", peak)
            writer.close()
        }
    }
}
