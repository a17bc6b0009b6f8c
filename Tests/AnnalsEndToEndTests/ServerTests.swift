import AnnalsClient
import AnnalsCore
import AnnalsProtocol
import AnnalsServer
import AnnalsServerTesting
import Foundation
import Synchronization
import Testing

/// Events for end-to-end tests, read from the sample log.
enum Fixtures {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let samplePath = repository.appendingPathComponent("Scripts/samples/japan-relations.jsonl").path

    static let sampleEntries: [LogEntry] = {
        let text = (try? String(contentsOfFile: samplePath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? EventLogCodec.decode(line: String($0)) }
    }()

    static func event(_ id: String, _ date: String = "2001-01-01", body: String? = nil, actors: [Actor] = []) -> Event {
        Event(id: id, date: try! HistoricalDate(parsing: date), kind: .statement, title: "Event \(id)", body: body, actors: actors)
    }
}

/// Where a test body runs: against the annalsd binary, or against an `AnnalsServer` inside the test process.
enum ServerKind: CaseIterable, Sendable {
    case binary
    case inProcess

    /// A started server: annalsd with `arguments`, or an in-process server with `configure` applied.
    func start(arguments: [String] = [], configure: (inout ServerConfiguration) -> Void = { _ in }) throws -> any TestServer {
        switch self {
        case .binary: try ServerProcess(arguments: arguments)
        case .inProcess: try InProcessServer(configure: configure)
        }
    }
}

@Suite("annalsd end to end", .serialized)
struct ServerTests {
    @Test func badFlagsAreRefusedWithUsageExitAndReason() throws {
        let cases: [([String], String)] = [
            (["--cache-size", "0"], "--cache-size must be between 1 and 65536"),
            (["--wal-autocheckpoint", "5"], "--wal-autocheckpoint must be between 100 and 10000000"),
            (["--sync", "sometimes"], "--sync must be normal or full"),
            (["--max-batch", "0"], "--max-batch must be between 1 and 100000"),
            (["--concurrent-reads", "0"], "--concurrent-reads must be between 1 and 256"),
            (["--max-queued-appends", "0"], "--max-queued-appends must be between 1 and 10000000"),
            (["--busy-poll-us", "10001"], "--busy-poll-us must be between 0 and 10000 microseconds"),
        ]
        for (arguments, reason) in cases {
            let process = Process()
            process.executableURL = ServerProcess.binDirectory.appendingPathComponent("annalsd")
            process.arguments = ["--db", "/nonexistent/never-created.sqlite", "--port", "0"] + arguments
            let err = Pipe()
            process.standardError = err
            process.standardOutput = Pipe()
            try process.run()
            let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 64, "\(arguments): exit \(process.terminationStatus)")
            #expect(message.contains(reason), "\(arguments): \(message)")
        }
        // In range, they are taken.
        let server = try ServerProcess(arguments: ["--cache-size", "8", "--wal-autocheckpoint", "1000", "--concurrent-reads", "1", "--busy-poll-us", "0"])
        let client = try server.connect()
        defer { client.close() }
        #expect(try client.append([.event(Fixtures.event("cache-flags"))]).count == 1)
        #expect(try client.get(id: "cache-flags").current.event.id == "cache-flags")
    }

    @Test(arguments: ServerKind.allCases)
    func handshakeAnnouncesVersionAndLimits(kind: ServerKind) throws {
        let server = try kind.start(arguments: ["--max-batch", "500"]) { $0.limits.maxEventsPerBatch = 500 }
        let client = try server.connect()
        #expect(client.serverHello.protocolVersion == ProtocolVersion.current)
        #expect(client.serverHello.limits.maxEventsPerBatch == 500)
        #expect(!client.serverHello.tokenRequired)
        #expect(try client.ping() > 0)
        client.close()
    }

    @Test(arguments: ServerKind.allCases)
    func everyOperation(kind: ServerKind) throws {
        let server = try kind.start()
        let client = try server.connect()
        let outcomes = try client.append(Fixtures.sampleEntries)
        #expect(Fixtures.sampleEntries.count >= 40)
        #expect(outcomes.allSatisfy { if case .accepted = $0 { true } else { false } })
        let again = try client.append(Fixtures.sampleEntries)
        #expect(again.allSatisfy { if case .duplicate = $0 { true } else { false } })

        let declaration = "1956-10-19-soviet-japanese-joint-declaration"
        let detail = try client.get(id: declaration)
        #expect(detail.current.event.title.contains("Joint Declaration"))
        #expect(detail.incoming.contains { $0.id == "2019-01-28-abe-policy-speech-to-the-diet" && $0.relation == .invokes })

        let page = try client.timeline(TimelineQuery(from: try HistoricalDate(parsing: "1945"), actors: ["Japan", "Russia"], allActors: true, limit: 5))
        #expect(page.records.count == 5)
        #expect(page.nextCursor != nil)
        let rest = try client.timeline(TimelineQuery(from: try HistoricalDate(parsing: "1945"), actors: ["Japan", "Russia"], allActors: true,
                                                     limit: 100, cursor: page.nextCursor))
        let all = page.records + rest.records
        #expect(all.map(\.event.date) == all.map(\.event.date).sorted())

        var amended = detail.current.event
        amended.summary = "Amended summary."
        let record = try client.amend(amended)
        #expect(record.event.revision == 2)
        let retracted = try client.retract(id: "1860-japanese-embassy-to-the-united-states", reason: "test retraction")
        #expect(retracted.retraction?.reason == "test retraction")
        let stats = try client.stats()
        #expect(stats.events == Fixtures.sampleEntries.count)
        #expect(stats.retracted == 1)

        #expect(throws: ClientError.self) { try client.get(id: "no-such-event") }
        do { _ = try client.get(id: "no-such-event") } catch { #expect(error.serverCode == .notFound) }
        do { _ = try client.timeline(TimelineQuery(cursor: "bogus")) } catch { #expect(error.serverCode == .invalidQuery) }
        var conflicting = Fixtures.event(declaration)
        conflicting.title = "Something else"
        let conflict = try client.append([.event(conflicting)])
        #expect(conflict.first.map { if case .rejected(let e) = $0 { e.code == .conflict } else { false } } == true)
        client.close()
    }

    @Test func largePagesStreamOverSeveralFrames() throws {
        // The smallest frame limit a server may announce is 4 MiB; 800 events with 8 KiB summaries make
        // a page of about 6.5 MiB, which must arrive split over several frames.
        let server = try ServerProcess(arguments: ["--max-frame-size", String(4 << 20)])
        let client = try server.connect()
        #expect(client.serverHello.limits.maxFrameSize == 4 << 20)
        let summary = String(repeating: "A long summary about fisheries and borders. ", count: 186)
        let events = (0..<800).map { i -> LogEntry in
            var event = Fixtures.event("big-\(i)")
            event.summary = summary
            return .event(event)
        }
        for chunk in stride(from: 0, to: events.count, by: 100) {
            _ = try client.append(Array(events[chunk..<chunk + 100]))
        }
        let page = try client.timeline(TimelineQuery(limit: 800))
        #expect(page.records.count == 800)
        #expect(page.records.allSatisfy { $0.event.summary == summary })
        #expect(page.nextCursor == nil)
    }

    @Test func pipelinedAppendsFromConcurrentClients() throws {
        let server = try ServerProcess()
        let clients = try (0..<4).map { _ in try server.connect() }
        let done = DispatchGroup()
        let accepted = Atomic<Int>(0)
        for (c, client) in clients.enumerated() {
            for b in 0..<25 {
                let batch = (0..<40).map { LogEntry.event(Fixtures.event("c\(c)-b\(b)-e\($0)")) }
                done.enter()
                client.append(batch) { result in
                    if case .success(let outcomes) = result {
                        accepted.add(outcomes.filter { if case .accepted = $0 { true } else { false } }.count, ordering: .relaxed)
                    }
                    done.leave()
                }
            }
        }
        #expect(done.wait(timeout: .now() + 120) == .success)
        #expect(accepted.load(ordering: .relaxed) == 4 * 25 * 40)
        #expect(try clients[0].stats().events == 4000)
    }

    @Test func appendsBeyondTheServersQueueBudgetWaitAndAllLand() throws {
        // 60 events may wait for the writer at once; four clients pipeline 1,000 each in batches of 40, and
        // one batch of 100 (larger than the whole budget) must still pass.
        let server = try ServerProcess(arguments: ["--max-queued-appends", "60"])
        let clients = try (0..<4).map { _ in try server.connect() }
        let done = DispatchGroup()
        let accepted = Atomic<Int>(0)
        let failures = Mutex<[String]>([])
        for (c, client) in clients.enumerated() {
            for b in 0..<25 {
                let size = c == 0 && b == 12 ? 100 : 40
                let batch = (0..<size).map { LogEntry.event(Fixtures.event("budget-c\(c)-b\(b)-e\($0)")) }
                done.enter()
                client.append(batch) { result in
                    switch result {
                    case .success(let outcomes):
                        accepted.add(outcomes.filter { if case .accepted = $0 { true } else { false } }.count, ordering: .relaxed)
                    case .failure(let error):
                        failures.withLock { $0.append("\(error)") }
                    }
                    done.leave()
                }
            }
        }
        // A read pipelined behind a client's appends sees all of them (read-your-writes while they waited).
        let sawOwnWrites = Atomic<Bool>(false)
        done.enter()
        clients[3].send(.get(id: "budget-c3-b24-e39", revision: nil)) { result in
            if case .success(.detail(let detail)) = result, detail.current.event.id == "budget-c3-b24-e39" {
                sawOwnWrites.store(true, ordering: .relaxed)
            }
            done.leave()
        }
        #expect(done.wait(timeout: .now() + 120) == .success)
        let ownWritesSeen = sawOwnWrites.load(ordering: .relaxed)
        #expect(ownWritesSeen)
        #expect(failures.withLock { $0 }.isEmpty)
        #expect(accepted.load(ordering: .relaxed) == 4 * 1000 + 60)
        #expect(try clients[0].stats().events == 4060)
    }

    @Test func memoryFreedAfterABulkLoadGoesBackToTheSystem() throws {
        let server = try ServerProcess()
        let clients = try (0..<4).map { _ in try server.connect() }
        let before = server.residentKiB
        let body = String(repeating: "The delegations reviewed the fisheries agreement and the joint declaration. ", count: 30)
        let done = DispatchGroup()
        let failures = Atomic<Int>(0)
        for (c, client) in clients.enumerated() {
            for b in 0..<10 {
                let batch = (0..<200).map { LogEntry.event(Fixtures.event("trim-c\(c)-b\(b)-e\($0)", body: body + "\(c) \(b) \($0)")) }
                done.enter()
                client.append(batch) { result in
                    if case .failure = result { failures.add(1, ordering: .relaxed) }
                    done.leave()
                }
            }
        }
        #expect(done.wait(timeout: .now() + 120) == .success)
        #expect(failures.load(ordering: .relaxed) == 0)
        let peak = server.peakResidentKiB
        // glibc keeps what the connection threads freed; annalsd hands it back (once a second after writes).
        let returned = Hardening.waitUntil(timeout: Hardening.patience) { server.residentKiB < peak - (peak - before) / 3 }
        Hardening.figure("trim.rss_kib", "before \(before), peak \(peak), after \(server.residentKiB)")
        #expect(returned, "RSS \(server.residentKiB) KiB after a load that peaked at \(peak) KiB (\(before) KiB before)")
    }

    @Test func aClientThatPipelinesLongerThanTheReadTimeoutStaysConnected() throws {
        // Every read ends mid-frame while a client streams pipelined appends; the read timeout must
        // measure each frame, not the time since the buffer was last empty.
        let server = try ServerProcess(arguments: ["--read-timeout", "1"])
        let client = try server.connect()
        let body = String(repeating: "Delegations met to discuss fisheries. ", count: 250)
        let inFlight = DispatchSemaphore(value: 8)
        let failures = Atomic<Int>(0)
        let deadline = Date().addingTimeInterval(4)
        var sent = 0
        while Date() < deadline {
            inFlight.wait()
            let batch = (0..<50).map { LogEntry.event(Fixtures.event("stream-\(sent)-\($0)", body: body)) }
            sent += 1
            client.append(batch) { result in
                if case .failure = result { failures.add(1, ordering: .relaxed) }
                inFlight.signal()
            }
        }
        for _ in 0..<8 { inFlight.wait() }
        for _ in 0..<8 { inFlight.signal() }  // a semaphore must be back at its initial value when freed
        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(try client.stats().events == sent * 50)
    }

    @Test(arguments: ServerKind.allCases)
    func pipelinedResponsesComeInRequestOrder(kind: ServerKind) throws {
        let server = try kind.start()
        let client = try server.connect()
        _ = try client.append(Fixtures.sampleEntries)
        let order = Mutex<[Int]>([])
        let done = DispatchGroup()
        for i in 0..<60 {
            done.enter()
            let request: Request = switch i % 3 {
            case 0: .ping(nonce: UInt64(i))
            case 1: .timeline(TimelineQuery(limit: 50))
            default: .append([.event(Fixtures.event("ordered-\(i)"))])
            }
            client.send(request) { _ in
                order.withLock { $0.append(i) }
                done.leave()
            }
        }
        #expect(done.wait(timeout: .now() + 60) == .success)
        #expect(order.withLock { $0 } == Array(0..<60))
    }

    @Test(arguments: ServerKind.allCases)
    func subscriberReceivesOtherConnectionsEventsInOrder(kind: ServerKind) throws {
        let server = try kind.start()
        let writer = try server.connect()
        _ = try writer.append(Array(Fixtures.sampleEntries.prefix(10)))
        let reader = try server.connect()
        let received = Mutex<[SequencedEntry]>([])
        let (_, lastSeq) = try reader.subscribe(TimelineQuery(actors: ["JPN"]), fromSeq: 0) { entry in
            received.withLock { $0.append(entry) }
        }
        #expect(lastSeq == 10)
        for i in 0..<30 {
            _ = try writer.append([.event(Fixtures.event("live-\(i)", actors: [Actor(name: "Japan", code: "JPN")])),
                                   .event(Fixtures.event("other-\(i)", actors: [Actor(name: "France", code: "FRA")]))])
        }
        let deadline = Date().addingTimeInterval(30)
        while received.withLock({ $0.filter { $0.entry.id.hasPrefix("live-") }.count }) < 30 && Date() < deadline { usleep(20_000) }
        let entries = received.withLock { $0 }
        let live = entries.filter { $0.entry.id.hasPrefix("live-") }.map(\.entry.id)
        #expect(live == (0..<30).map { "live-\($0)" })
        #expect(!entries.contains { $0.entry.id.hasPrefix("other-") })
        #expect(entries.map(\.seq) == entries.map(\.seq).sorted())
        let caughtUp = entries.filter { $0.seq <= 10 }
        #expect(caughtUp.count == Array(Fixtures.sampleEntries.prefix(10)).filter { entry in
            if case .event(let e) = entry { e.actors.contains { $0.code == "JPN" } } else { false }
        }.count)
    }

    @Test(arguments: ServerKind.allCases)
    func subscriptionFramesMarkTheEndOfCatchUp(kind: ServerKind) throws {
        let server = try kind.start()
        let client = try server.connect()
        _ = try client.append(Array(Fixtures.sampleEntries.prefix(12)))
        // Raw frames: `subscribed` has more=1, every catch-up push more=1 but the last, which has 0.
        let raw = try RawClient(port: server.port)
        try raw.send(Request.hello(ClientHello(clientName: "raw")).encode(requestID: 1))
        _ = try raw.readFrame()
        try raw.send(Request.subscribe(TimelineQuery(), fromSeq: 4).encode(requestID: 2))
        let subscribed = try raw.readFrame()
        #expect(subscribed.type == .subscribed && subscribed.more)
        var flags: [Bool] = []
        var seqs: [Int64] = []
        while flags.last != false {
            let frame = try raw.readFrame()
            guard case .pushed(let seq, _) = try Response(frame: frame) else { Issue.record("not a push"); return }
            seqs.append(seq)
            flags.append(frame.more)
        }
        #expect(seqs == Array(5...12))
        #expect(flags == Array(repeating: true, count: 7) + [false])
        // A live push has more=0.
        _ = try client.append([.event(Fixtures.event("live-one"))])
        let live = try raw.readFrame()
        #expect(live.type == .pushed && !live.more)

        // Nothing to catch up: `subscribed` itself has more=0; the client library reports it caught up.
        let quiet = try server.connect()
        let nothing = try quiet.subscribe(TimelineQuery(actors: ["nobody"]), fromSeq: 0) { _ in }
        #expect(quiet.isCaughtUp(nothing.id))
        let received = Mutex<Int>(0)
        let all = try quiet.subscribe(TimelineQuery(), fromSeq: 0) { _ in received.withLock { $0 += 1 } }
        let deadline = Date().addingTimeInterval(20)
        while !quiet.isCaughtUp(all.id) && Date() < deadline { usleep(5000) }
        #expect(received.withLock { $0 } == 13)
    }

    @Test(arguments: ServerKind.allCases)
    func pipelinedReadsSeeEarlierWritesOfTheSameConnection(kind: ServerKind) throws {
        let server = try kind.start()
        let client = try server.connect()
        let outcome = Mutex<[String]>([])
        let done = DispatchGroup()
        for i in 0..<20 {
            done.enter()
            client.send(.append([.event(Fixtures.event("ryw-\(i)"))])) { _ in done.leave() }
            done.enter()
            client.send(.get(id: "ryw-\(i)", revision: nil)) { result in
                if case .success(.detail(let detail)) = result { outcome.withLock { $0.append(detail.current.event.id) } }
                done.leave()
            }
        }
        #expect(done.wait(timeout: .now() + 60) == .success)
        #expect(outcome.withLock { $0 } == (0..<20).map { "ryw-\($0)" })
    }

    @Test(arguments: ServerKind.allCases)
    func malformedFrameGetsItsErrorWhileOthersAreServed(kind: ServerKind) throws {
        let server = try kind.start()
        let good = try server.connect()
        let raw = try RawClient(port: server.port)
        try raw.send(Request.hello(ClientHello(clientName: "raw")).encode(requestID: 1))
        _ = try raw.readFrame()
        // A ping whose payload is one byte short.
        var bad = Request.ping(nonce: 7).encode(requestID: 2)
        bad.removeLast()
        bad[3] -= 1
        try raw.send(bad)
        let reply = try Response(frame: try raw.readFrame())
        guard case .error(let error) = reply else { Issue.record("expected an error, got \(reply)"); return }
        #expect(error.code == .malformedFrame)
        #expect(try raw.readFrame(allowEOF: true) == nil, "malformed-frame closes the connection")
        #expect(try good.ping() > 0)
    }

    @Test(arguments: ServerKind.allCases)
    func versionMismatchAndHandshakeRequired(kind: ServerKind) throws {
        let server = try kind.start()
        let raw = try RawClient(port: server.port)
        try raw.send(Request.hello(ClientHello(protocolVersion: 99, clientName: "future")).encode(requestID: 1))
        guard case .error(let error) = try Response(frame: try raw.readFrame()) else { Issue.record("no error"); return }
        #expect(error.code == .unsupportedVersion)
        #expect(try raw.readFrame(allowEOF: true) == nil)

        let early = try RawClient(port: server.port)
        try early.send(Request.ping(nonce: 1).encode(requestID: 1))
        guard case .error(let error2) = try Response(frame: try early.readFrame()) else { Issue.record("no error"); return }
        #expect(error2.code == .handshakeRequired)
    }

    @Test func restartKeepsTheDataAndSIGTERMExitsZero() throws {
        let server = try ServerProcess()
        let client = try server.connect()
        _ = try client.append(Fixtures.sampleEntries)
        let before = try client.timeline(TimelineQuery(limit: 1000)).records
        #expect(try server.stop(signal: SIGTERM) == 0)
        try server.restart()
        let after = try server.connect().timeline(TimelineQuery(limit: 1000)).records
        #expect(after == before)
        #expect(try server.stop(signal: SIGINT) == 0)
    }

    @Test func tokenIsRequiredForEveryOperationButHello() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("annals-token-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenFile = directory.appendingPathComponent("token").path
        let token = "s3cret-token-0123456789abcdef"
        try (token + "\n").write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let server = try ServerProcess(arguments: ["--token-file", tokenFile])
        let anonymous = try server.connect()
        #expect(anonymous.serverHello.tokenRequired)
        for request: Request in [.ping(nonce: 1), .stats, .timeline(TimelineQuery()), .append([.event(Fixtures.event("x"))]), .get(id: "x", revision: nil)] {
            do {
                _ = try anonymous.call(request)
                Issue.record("\(request.type) accepted without a token")
            } catch {
                #expect(error.serverCode == .unauthorized)
            }
        }
        let wrong = try server.connect(token: "s3cret-token-0123456789abcdeX")
        #expect(throws: ClientError.self) { try wrong.ping() }
        let right = try server.connect(token: token)
        #expect(try right.ping() > 0)
        #expect(!server.log.contains(token), "the token is never logged")
    }
}
