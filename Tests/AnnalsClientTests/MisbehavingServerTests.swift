import AnnalsClient
import AnnalsCore
import AnnalsProtocol
import Dispatch
import Foundation
import Testing

/// The client against servers that misbehave: it fails the request with a clear error, at once or by its
/// deadline, and never waits forever.
@Suite(.serialized) struct MisbehavingServerTests {
    /// Runs `body` on a thread and waits at most `seconds` for it: nil when it hangs (so a hang fails the test,
    /// not the whole run), else how it ended.
    private func run(within seconds: Double, _ body: @escaping @Sendable () throws(ClientError) -> Void) -> Result<Void, ClientError>? {
        let done = DispatchSemaphore(value: 0)
        let result = LockedBox<Result<Void, ClientError>?>(nil)
        Thread {
            result.set(Result { () throws(ClientError) in try body() })
            done.signal()
        }.start()
        return done.wait(timeout: .now() + seconds) == .success ? result.get() : nil
    }

    @Test("a page frame that does not decode fails the timeline call with a protocol error")
    func malformedPage() throws {
        let server = try ScriptedServer { frame in
            switch frame.type {
            case .hello: return ScriptedServer.hello(requestID: frame.requestID)
            case .timeline:
                // A page frame whose record list claims a record that is not there.
                return Frame(type: .page, requestID: frame.requestID, payload: [0, 0, 0, 1, 0xFF]).encoded
            default: return nil
            }
        }
        let connection = try AnnalsConnection(port: server.port, timeout: 5)
        let outcome = run(within: 30) { () throws(ClientError) in
            _ = try connection.timeline(TimelineQuery())
        }
        guard case .failure(.protocolViolation(let message))? = outcome else {
            Issue.record("expected a protocol violation, got \(String(describing: outcome))")
            return
        }
        #expect(message.contains("page"))
        // The connection cannot be trusted any more: later calls fail at once.
        #expect(throws: ClientError.self) { try connection.stats() }
    }

    @Test("a server that never answers: the call fails at its deadline, and the connection stays usable")
    func deadline() throws {
        let server = try ScriptedServer { frame in
            switch frame.type {
            case .hello: return ScriptedServer.hello(requestID: frame.requestID)
            case .ping: return Response.pong(nonce: 7).encode(requestID: frame.requestID)
            default: return nil  // silence
            }
        }
        let connection = try AnnalsConnection(port: server.port, timeout: 5, requestTimeout: 0.5)
        let outcome = run(within: 30) { () throws(ClientError) in
            _ = try connection.stats()
        }
        guard case .failure(.timeout(let message))? = outcome else {
            Issue.record("expected a timeout, got \(String(describing: outcome))")
            return
        }
        #expect(message.contains("stats"))
        // A per-call deadline, and a request answered after a silent one.
        #expect(throws: ClientError.self) { try connection.call(.stats, timeout: 0.2) }
        #expect(try connection.call(.ping(nonce: 7), timeout: 10) == .pong(nonce: 7))
    }

    @Test("a peer that greets in another protocol is named at once", arguments: [
        "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", "220 mail.example.org ESMTP\r\n", "HTTP/1.1 400 Bad Request\r\n\r\n",
    ])
    func foreignPeer(banner: String) throws {
        let server = try ScriptedServer(greeting: Array(banner.utf8)) { _ in nil }
        let outcome = run(within: 30) { () throws(ClientError) in
            _ = try AnnalsConnection(port: server.port, timeout: 20)
        }
        guard case .failure(.cannotConnect(let message))? = outcome else {
            Issue.record("expected cannot-connect, got \(String(describing: outcome))")
            return
        }
        #expect(message.contains("does not speak the Annals protocol"))
        #expect(message.contains(String(banner.prefix(8))))
    }

    @Test("a peer that accepts and says nothing fails at the handshake's deadline, saying so")
    func silentPeer() throws {
        let server = try ScriptedServer { _ in nil }
        let outcome = run(within: 30) { () throws(ClientError) in
            _ = try AnnalsConnection(port: server.port, timeout: 0.5)
        }
        guard case .failure(.cannotConnect(let message))? = outcome else {
            Issue.record("expected cannot-connect, got \(String(describing: outcome))")
            return
        }
        #expect(message.contains("did not answer hello"))
    }
}

/// A value shared between threads under a lock.
final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ value: T) { self.value = value }
    func get() -> T { lock.withLock { value } }
    func set(_ newValue: T) { lock.withLock { value = newValue } }
}
