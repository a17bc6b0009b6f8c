import AnnalsCore
import AnnalsProtocol
import Testing
@testable import AnnalsServer

/// The handshake, token and limit rules a connection applies to each frame (PROTOCOL.md §6.1, §10).
@Suite("RequestRouter: handshake, token and limits")
struct RequestRouterTests {
    static let token = "router-token-0123456789"

    static func router(token: String? = nil) -> RequestRouter {
        var configuration = ServerConfiguration()
        configuration.token = token
        configuration.limits.maxEventsPerBatch = 2
        return RequestRouter(configuration: configuration)
    }

    static func hello(token: String? = nil, version: UInt16 = ProtocolVersion.current) -> Frame {
        Request.hello(ClientHello(protocolVersion: version, clientName: "test", token: token)).frame(requestID: 1)
    }

    /// The error code of a route, and whether the connection closes at once.
    static func error(_ route: RequestRouter.Route) -> (ProtocolError.Code, closesNow: Bool, message: String)? {
        switch route {
        case .close(let error): (error.code, true, error.message)
        case .answer(.error(let error)): (error.code, false, error.message)
        default: nil
        }
    }

    @Test func theFirstFrameMustBeAHelloInAVersionTheServerSpeaks() {
        var router = Self.router()
        #expect(Self.error(router.route(Request.ping(nonce: 1).frame(requestID: 1)))?.0 == .handshakeRequired)
        #expect(Self.error(router.route(Self.hello(version: 99)))?.0 == .unsupportedVersion)
        #expect(Self.error(router.route(Self.hello(version: 99)))?.closesNow == true)
        guard case .answer(.hello(let hello)) = router.route(Self.hello()) else { Issue.record("no hello"); return }
        #expect(!hello.tokenRequired)
        #expect(router.phase == .authorized)
        guard case .answer(.pong(5)) = router.route(Request.ping(nonce: 5).frame(requestID: 2)) else { Issue.record("no pong"); return }
        // A second hello is malformed: answered in order, and its code closes the connection.
        let second = Self.error(router.route(Self.hello()))
        #expect(second?.0 == .malformedFrame && second?.closesNow == false)
    }

    @Test func withoutTheRightTokenEveryRequestButHelloAndGoodbyeIsRefused() {
        var router = Self.router(token: Self.token)
        #expect(router.maxFrameSize == RequestRouter.handshakeFrameLimit)
        _ = router.route(Self.hello())
        #expect(router.phase == .unauthorized(tokenGiven: false))
        let missing = Self.error(router.route(Request.stats.frame(requestID: 2)))
        #expect(missing?.0 == .unauthorized && missing?.message.contains("carried none") == true)
        _ = router.route(Self.hello(token: "wrong-token-0000000000"))
        let wrong = Self.error(router.route(Request.get(id: "x", revision: nil).frame(requestID: 3)))
        #expect(wrong?.0 == .unauthorized && wrong?.message.contains("not this server's token") == true)
        guard case .goodbye = router.route(Request.goodbye.frame(requestID: 4)) else { Issue.record("goodbye refused"); return }
        #expect(router.maxFrameSize == RequestRouter.handshakeFrameLimit, "frames stay small without the token")
        _ = router.route(Self.hello(token: Self.token))
        #expect(router.phase == .authorized)
        #expect(router.maxFrameSize == ServerConfiguration().limits.maxFrameSize)
    }

    @Test func aTooLargeFrameBeforeTheHandshakeSaysWhy() {
        let router = Self.router()
        let error = Self.error(router.route(streamError: ProtocolError(.frameTooLarge, "frame of 1000000 bytes")))
        #expect(error?.0 == .frameTooLarge && error?.closesNow == true)
        #expect(error?.message.contains("until a hello") == true)
    }

    @Test func requestsOverTheAnnouncedLimitsAreAnsweredWithoutTheStore() throws {
        var router = Self.router()
        _ = router.route(Self.hello())
        let event = Event(id: "x", date: try HistoricalDate(parsing: "2001"), kind: .statement, title: "X")
        let batch = Self.error(router.route(Request.append(Array(repeating: .event(event), count: 3)).frame(requestID: 2)))
        #expect(batch?.0 == .batchTooLarge && batch?.closesNow == false)
        #expect(Self.error(router.route(Request.timeline(TimelineQuery(limit: 100_000)).frame(requestID: 3)))?.0 == .invalidQuery)
        #expect(Self.error(router.route(Request.subscribe(TimelineQuery(referencedBy: "x"), fromSeq: 0).frame(requestID: 4)))?.0 == .invalidQuery)
        #expect(Self.error(router.route(Request.readLog(TimelineQuery(), afterSeq: 0, limit: 0).frame(requestID: 5)))?.0 == .invalidQuery)
        guard case .store(let search) = router.route(Request.timeline(TimelineQuery(text: "treaty")).frame(requestID: 6)) else {
            Issue.record("a search goes to the store"); return
        }
        #expect(search.work == .search)
        guard case .store(let append) = router.route(Request.append([.event(event)]).frame(requestID: 7)) else {
            Issue.record("an append goes to the store"); return
        }
        #expect(append.work == .append(events: 1))
    }
}
