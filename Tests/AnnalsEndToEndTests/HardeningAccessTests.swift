import AnnalsClient
import AnnalsCore
import AnnalsProtocol
import Foundation
import Testing

extension HardeningTests {
    @Suite("Hardening: access", .serialized)
    struct HardeningAccessTests {
        static let token = "hardening-token-5f0c2a9e8b7d4c31"

        static func tokenFile(_ contents: String) throws -> (URL, String) {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("annals-token-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let file = directory.appendingPathComponent("token").path
            try contents.write(toFile: file, atomically: true, encoding: .utf8)
            return (directory, file)
        }

        /// Every request but hello (and goodbye, which only closes) without the right token: 'unauthorized', and
        /// nothing happens; the token is never logged, even at debug level.
        @Test func everyOperationNeedsTheToken() throws {
            let (directory, file) = try Self.tokenFile("\n  \(Self.token)\n")
            defer { try? FileManager.default.removeItem(at: directory) }
            let server = try ServerProcess(arguments: ["--token-file", file])
            let owner = try server.connect(token: Self.token)
            _ = try owner.append([.event(HardeningCorpus.event("guarded"))])
            let before = try owner.stats()
            let (subscription, _) = try owner.subscribe(TimelineQuery(), fromSeq: 0) { _ in }

            var amended = HardeningCorpus.event("guarded")
            amended.title = "Changed without a token"
            let requests: [Request] = [
                .ping(nonce: 1), .stats, .append([.event(HardeningCorpus.event("intruder"))]), .amend(amended),
                .retract(id: "guarded", reason: "no token"), .get(id: "guarded", revision: nil), .timeline(TimelineQuery()),
                .subscribe(TimelineQuery(), fromSeq: 0), .unsubscribe(subscriptionID: 1),
            ]
            for token in [nil, "hardening-token-5f0c2a9e8b7d4c3X", "", Self.token + "0", String(Self.token.dropLast())] {
                let socket = try HardeningSocket(port: server.port)
                guard case .hello(let hello)? = socket.handshake(token: token) else { throw TestFailure("no hello") }
                #expect(hello.tokenRequired)
                for (i, request) in requests.enumerated() {
                    let id = UInt32(10 + i)
                    socket.send(request.encode(requestID: id))
                    guard case .frame(let frame) = socket.next(), case .error(let error)? = try? Response(frame: frame) else {
                        Issue.record("\(request.type) with token \(token ?? "nil"): no error")
                        continue
                    }
                    #expect(error.code == .unauthorized, "\(request.type): \(error.code.name)")
                    #expect(frame.requestID == id)
                }
                // Nothing was pushed to the unauthorized subscribe; the connection still works for goodbye.
                socket.send(Request.goodbye.encode(requestID: 99))
                guard case .frame(let bye) = socket.next() else { throw TestFailure("no goodbye") }
                #expect(bye.type == .goodbyeReply)
                #expect(socket.closesSoon())
            }
            let after = try owner.stats()
            #expect(after.lastSeq == before.lastSeq && after.retracted == 0, "nothing was written without the token")
            #expect(try owner.get(id: "guarded").current.event.title == "Event guarded")
            try owner.unsubscribe(subscription)

            // A second hello with the right token authorizes the same connection.
            let retry = try HardeningSocket(port: server.port)
            retry.handshake(token: "wrong-token-000000000000")
            retry.send(Request.stats.encode(requestID: 2))
            #expect(retry.nextErrorCode() == .unauthorized)
            guard case .hello? = retry.handshake(token: Self.token) else { throw TestFailure("no second hello") }
            retry.send(Request.ping(nonce: 5).encode(requestID: 3))
            guard case .frame(let pong) = retry.next(), case .pong(5)? = try? Response(frame: pong) else {
                throw TestFailure("the second hello with the right token did not authorize the connection")
            }
            // Without the token, frames stay limited to the handshake's 64 KiB; with it, the announced limit applies.
            let stranger = try HardeningSocket(port: server.port)
            stranger.handshake(token: "wrong-token-000000000000")
            var big = Request.append([.event(HardeningCorpus.event("big"))]).encode(requestID: 4)
            HardeningTests.HardeningHostileFrameTests.put32(UInt32((64 << 10) + 1), at: 0, in: &big)
            stranger.send(big)
            #expect(stranger.nextErrorCode() == .frameTooLarge)
            #expect(stranger.closesSoon())
            var body = HardeningCorpus.event("authorized-big")
            body.body = String(repeating: "Long body. ", count: 20_000)
            retry.send(Request.append([.event(body)]).encode(requestID: 4))
            guard case .frame(let appended) = retry.next(), case .appendResult(let outcomes)? = try? Response(frame: appended),
                  case .accepted? = outcomes.first else {
                throw TestFailure("a 220 KB append after the second hello was not accepted")
            }
            // Once authorized, another hello is malformed (and closes).
            retry.handshake(token: Self.token)
            #expect(retry.closesSoon())

            try server.stop()
            let log = server.log
            #expect(log.contains("debug"), "the log was written at debug level")
            #expect(!log.contains(Self.token), "the token is never logged")
            #expect(!log.contains(String(Self.token.dropLast())), "nor the wrong tokens close to it")
        }

        /// A token that is too short is refused at startup.
        @Test func shortTokenIsRefused() throws {
            let (directory, file) = try Self.tokenFile("short\n")
            defer { try? FileManager.default.removeItem(at: directory) }
            let annalsd = ServerProcess.binDirectory.appendingPathComponent("annalsd").path
            let result = try Hardening.run(annalsd, ["--db", directory.appendingPathComponent("db.sqlite").path, "--port", "0",
                                                     "--token-file", file])
            #expect(result.status != 0)
            #expect(result.output.contains("too short"), "\(result.output)")
            #expect(!result.output.contains("listening"))
        }

        /// Without --host annalsd listens on loopback only. Checked in /proc/net/tcp{,6} (and by the ready line),
        /// not by connecting to another local address: tests send traffic to loopback only.
        @Test func defaultBindAddressIsLoopback() throws {
            let server = try ServerProcess()
            let listening = Self.listeningAddresses(port: server.port)
            #expect(listening == ["127.0.0.1"], "listening on \(listening)")
            #expect(!server.log.isEmpty)
            Hardening.figure("access.default_bind", listening.joined(separator: ","))
        }

        /// The local addresses of LISTEN sockets on `port`, from /proc/net/tcp and /proc/net/tcp6.
        static func listeningAddresses(port: UInt16) -> [String] {
            var found: [String] = []
            let portHex = String(format: "%04X", port)
            for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
                let text = (try? String(contentsOfFile: table, encoding: .utf8)) ?? ""
                for line in text.split(separator: "\n").dropFirst() {
                    let fields = line.split(separator: " ")
                    guard fields.count > 3, fields[3] == "0A" else { continue }  // 0A: LISTEN
                    let local = fields[1].split(separator: ":")
                    guard local.count == 2, local[1] == portHex else { continue }
                    found.append(Self.decode(String(local[0])))
                }
            }
            return found
        }

        /// An address from /proc/net/tcp hex (IPv4 in host byte order; IPv6 as four host-order words).
        static func decode(_ hex: String) -> String {
            if hex.count == 8, let value = UInt32(hex, radix: 16) {
                return [0, 8, 16, 24].map { String((value >> $0) & 0xFF) }.joined(separator: ".")
            }
            if hex == String(repeating: "0", count: 32) { return "::" }
            if hex == "00000000000000000000000001000000" { return "::1" }
            return "ipv6:" + hex
        }
    }
}
