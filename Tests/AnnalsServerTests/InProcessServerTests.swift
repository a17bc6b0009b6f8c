import AnnalsClient
import AnnalsCore
import AnnalsProtocol
import AnnalsServer
import AnnalsServerTesting
import AnnalsStore
import Dispatch
import Foundation
import Synchronization
import Testing

/// Server behaviour through a real socket, with the server inside the test process (`InProcessServer`) and
/// its log read from memory.
@Suite("AnnalsServer in process", .serialized)
struct InProcessServerTests {
    static func event(_ id: String, body: String? = nil) throws -> Event {
        Event(id: id, date: try HistoricalDate(parsing: "1956-10-19"), kind: .statement, title: "Event \(id)", body: body)
    }

    @Test func pipelinedRequestsOfEveryKindAreAnsweredInOrderAndSeeEarlierWrites() throws {
        try InProcessServer.run { server in
            let raw = try RawConnection(port: server.port)
            try raw.hello()
            // One write of 60 requests: appends, reads of what they wrote (a get and a search for its word), pings.
            var requests: [(Request, UInt32)] = []
            for i in 0..<12 {
                let base = UInt32(10 + i * 5)
                requests += [
                    (.append([.event(try Self.event("piped-\(i)", body: "word\(i)zq"))]), base),
                    (.get(id: "piped-\(i)", revision: nil), base + 1),
                    (.timeline(TimelineQuery(text: "word\(i)zq")), base + 2),
                    (.ping(nonce: UInt64(i)), base + 3),
                    (.stats, base + 4),
                ]
            }
            try raw.send(requests)
            for (request, id) in requests {
                let frame = try #require(try raw.next(), "an answer to \(request.type)")
                #expect(frame.requestID == id, "answers come in request order")
                switch (request, try Response(frame: frame)) {
                case (.append, .appendResult(let outcomes)):
                    #expect(outcomes.count == 1)
                case (.get(let wanted, _), .detail(let detail)):
                    #expect(detail.current.event.id == wanted)
                case (.timeline(let query), .page(let records, _)):
                    #expect(records.map(\.event.id) == ["piped-\((id - 10) / 5)"], "\(query.text ?? ""): the search sees the write before it")
                case (.ping(let nonce), .pong(let echoed)):
                    #expect(nonce == echoed)
                case (.stats, .stats):
                    break
                case (let request, let response):
                    Issue.record("\(request.type) answered by \(response)")
                }
            }
        }
    }

    @Test func shutdownAnswersThenTellsEachSubscriptionOrTheConnectionWhy() throws {
        let server = try InProcessServer()
        let subscriber = try RawConnection(port: server.port)
        try subscriber.hello()
        try subscriber.send([(.subscribe(TimelineQuery(), fromSeq: 0), 5)])
        #expect(try subscriber.next()?.type == .subscribed)
        let plain = try RawConnection(port: server.port)
        try plain.hello()
        #expect(server.server.connectionCount == 2)

        let stopped = Atomic<Bool>(false)
        DispatchQueue.global().async {
            let inTime = server.stop()
            stopped.store(inTime, ordering: .releasing)
        }
        for (connection, id) in [(subscriber, UInt32(5)), (plain, 0)] {
            let frame = try #require(try connection.next(), "a frame before the end")
            guard case .error(let error) = try Response(frame: frame) else { Issue.record("not an error: \(frame.type)"); continue }
            #expect(error.code == .shuttingDown)
            #expect(frame.requestID == id, "the subscription's id, or 0 on a connection without one")
            #expect(try connection.next() == nil, "then the connection ends")
        }
        let closedInTime = waitUntil { stopped.load(ordering: .acquiring) }
        #expect(closedInTime, "stop returns once every connection closed")
        let log = server.log
        #expect(log.filter { $0.hasPrefix("connected") }.count == 2)
        #expect(log.filter { $0.hasPrefix("closed") }.count == 2)
    }

    @Test func theIdleTimeoutClosesWithItsErrorAndSaysSoInTheLog() throws {
        try InProcessServer.run(configure: { $0.idleTimeoutSeconds = 1 }) { server in
            let raw = try RawConnection(port: server.port)
            try raw.hello()
            let frame = try #require(try raw.next())
            guard case .error(let error) = try Response(frame: frame) else { Issue.record("not an error"); return }
            #expect(error.code == .timeout && error.message == "idle for over 1 s")
            #expect(try raw.next() == nil)
            #expect(waitUntil { server.log.contains { $0.hasPrefix("closing after error") && $0.contains("code=timeout") } })
        }
    }

    @Test func aSubscriberThatStopsReadingIsCutOffWithServerBusyNamingItsSubscription() throws {
        try InProcessServer.run(configure: { $0.subscriberBufferLimit = 256 << 10 }) { server in
            let subscriber = try RawConnection(port: server.port, receiveBuffer: 4096)
            try subscriber.hello()
            try subscriber.send([(.subscribe(TimelineQuery(), fromSeq: 0), 3)])
            #expect(try subscriber.next()?.type == .subscribed)
            // The subscriber reads nothing while 16 MB of events are appended and pushed to it.
            let writer = try server.connect()
            let body = String(repeating: "A long account of the negotiations. ", count: 550)
            for batch in 0..<40 {
                _ = try writer.append((0..<20).map { .event(try Self.event("slow-\(batch)-\($0)", body: body)) })
            }
            #expect(try writer.ping() > 0, "the writer is served")
            var cutOff: ProtocolError?
            while let frame = try subscriber.next() {
                if case .error(let error) = try Response(frame: frame) {
                    #expect(frame.requestID == 3)
                    cutOff = error
                }
            }
            #expect(cutOff?.code == .serverBusy && cutOff?.message.contains("subscriber too slow") == true)
            #expect(server.log.contains { $0.hasPrefix("closing after error") && $0.contains("code=server-busy") })
            writer.close()
        }
    }

    @Test func theTokenIsNeverLoggedAndAWrongOneIsToldApartFromAMissingOne() throws {
        let token = "in-process-token-0123456789"
        try InProcessServer.run(configure: { $0.token = token }) { server in
            for (given, says) in [(nil, "carried none"), ("wrong-token-00000000000", "not this server's token")] {
                let raw = try RawConnection(port: server.port)
                try raw.hello(token: given)
                try raw.send([(.stats, 2)])
                guard case .error(let error)? = try raw.next().map({ try Response(frame: $0) }) else { Issue.record("no error"); continue }
                #expect(error.code == .unauthorized && error.message.contains(says))
            }
            let client = try server.connect(token: token)
            #expect(try client.ping() > 0)
            client.close()
            #expect(server.log.contains { $0.hasPrefix("hello from annals-test") && $0.contains("authorized=true") })
            #expect(server.log.contains { $0.hasPrefix("hello from raw") && $0.contains("authorized=false") })
            #expect(!server.log.contains { $0.contains(token) || $0.contains("wrong-token") })
        }
    }

    @Test func aSubscriptionWaitsOutADatabaseThatIsAwayAndResumesByItself() throws {
        var faulty: FaultInjectingStore?
        let server = try InProcessServer(wrapStore: { store in
            let wrapped = FaultInjectingStore(store)
            faulty = wrapped
            return wrapped
        })
        defer { _ = server.stop() }
        let store = try #require(faulty)
        let subscriber = try RawConnection(port: server.port)
        try subscriber.hello()
        try subscriber.send([(.subscribe(TimelineQuery(), fromSeq: 0), 7)])
        #expect(try subscriber.next()?.type == .subscribed)

        // The database goes away (as PostgreSQL while it restarts); an append made meanwhile commits elsewhere.
        store.logReadFault = StoreError(.unavailable, "the database server cannot be reached; try again later")
        let writer = try server.connect()
        _ = try writer.append([.event(try Self.event("during-the-outage"))])
        #expect(waitUntil { server.log.contains { $0.hasPrefix("subscription 7 waits for the database") } },
                "the subscription's read met the outage")

        // Back: the subscription delivers what it missed, without being asked again.
        store.logReadFault = nil
        let frame = try #require(try subscriber.next(), "a push once the database is back")
        #expect(frame.requestID == 7)
        guard case .pushed(_, let entry) = try Response(frame: frame) else {
            Issue.record("the subscription ended instead: \(frame.type)")
            return
        }
        #expect(entry.id == "during-the-outage")
        writer.close()
    }
}

extension InProcessServerTests {
    /// A read of the log that fails for good (not the database being away) ends the subscription with an error,
    /// and the client library says so (`annals tail` then exits with it instead of waiting in silence).
    @Test func aSubscriptionEndedByAFailedReadIsReportedToTheClient() throws {
        var faulty: FaultInjectingStore?
        let server = try InProcessServer(wrapStore: { store in
            let wrapped = FaultInjectingStore(store)
            faulty = wrapped
            return wrapped
        })
        defer { _ = server.stop() }
        let store = try #require(faulty)
        let subscriber = try server.connect()
        let subscription = try subscriber.subscribe(TimelineQuery(), fromSeq: 0) { _ in }
        #expect(subscriber.subscriptionError(subscription.id) == nil)
        store.logReadFault = StoreError(.io, "disk I/O error")
        let writer = try server.connect()
        _ = try writer.append([.event(try Self.event("after-the-fault"))])
        #expect(waitUntil { subscriber.subscriptionError(subscription.id) != nil })
        #expect(subscriber.subscriptionError(subscription.id)?.message.contains("disk I/O error") == true)
        #expect((try? subscriber.ping()) != nil, "the connection stays open")
        writer.close()
        subscriber.close()
    }
}

/// Waits for `condition`, checking every 20 ms, for at most `seconds`.
func waitUntil(seconds: Double = 60, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() {
        if Date() > deadline { return false }
        usleep(20_000)
    }
    return true
}
