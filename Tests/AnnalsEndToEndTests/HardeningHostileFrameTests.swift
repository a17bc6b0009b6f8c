import AnnalsFuzzing
import AnnalsClient
import AnnalsCore
import AnnalsProtocol
import Foundation
import Testing

extension HardeningTests {
    /// Hostile input on the wire: the decoders under a seeded mutator, then thousands of malformed frames over
    /// many connections to a live annalsd.
    @Suite("Hardening: hostile frames", .serialized)
    struct HardeningHostileFrameTests {
        static let vectors = Fixtures.repository.appendingPathComponent("Protocol/vectors")

        /// Mutated golden frames through FrameDecoder, Request(frame:) and Response(frame:): no crash, only
        /// ProtocolError, and whatever decodes survives a round trip.
        @Test func seededMutationsOfTheGoldenFrames() throws {
            let seeds = try HardeningFrameFuzz.seeds(directory: Self.vectors)
            #expect(seeds.count >= 40)
            let iterations = Hardening.setting("FUZZ_ITERATIONS", short: 50_000, large: 2_000_000)
            var random = SeededRandom(seed: UInt64(Hardening.setting("FUZZ_SEED", short: 1, large: 1)))
            var tally = HardeningFrameFuzz.Tally()
            // The seeds themselves decode, in any chunking.
            for seed in seeds { HardeningFrameFuzz.exercise(seed, chunk: 7, tally: &tally) }
            #expect(tally.frames == seeds.count && tally.requests + tally.responses == seeds.count,
                    "every golden frame decodes as a request or a response: \(tally)")
            let started = Date()
            for i in 0..<iterations {
                let seed = seeds[i % seeds.count]
                let other = seeds.randomElement(using: &random)!
                var input = FrameMutator.mutate(seed, other: other, random: &random)
                if i % 10 == 0 { input += FrameMutator.mutate(other, other: seed, random: &random) }  // two frames in a row
                HardeningFrameFuzz.exercise(input, chunk: Int.random(in: 1...64, using: &random), tally: &tally)
            }
            #expect(tally.failures.count == 0, "\(tally.failures.count) round-trip failures, e.g. \(tally.failures.prefix(3))")
            let known = Set(ProtocolError.Code.all.map(\.name))
            #expect(tally.errors.keys.allSatisfy { known.contains($0) })
            Hardening.figure("fuzz.inputs", tally.inputs)
            Hardening.figure("fuzz.frames", tally.frames)
            Hardening.figure("fuzz.decoded_requests", tally.requests)
            Hardening.figure("fuzz.decoded_responses", tally.responses)
            Hardening.figure("fuzz.seconds", String(format: "%.1f", Date().timeIntervalSince(started)))
            Hardening.figure("fuzz.errors", tally.errors.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ","))
        }

        // MARK: Over TCP

        /// What a hostile connection must see.
        enum Expect {
            /// This error, then the connection closes.
            case closesWith(ProtocolError.Code)
            /// This error, and the connection stays usable (checked with a ping).
            case answers(ProtocolError.Code)
            /// The connection closes (after at most some error frames); used for random bytes and truncation.
            case closes
        }

        struct Case {
            var name: String
            var handshake: Bool
            var frames: [[UInt8]]
            var expect: Expect
            /// Half-close after sending, so the server sees end of stream.
            var halfClose = false
        }

        static let markerEvent = Event(
            id: "markid-0001", date: try! HistoricalDate(parsing: "1956-10-19"), kind: .declaration, title: "TITLEMARK",
            summary: "SUMMARYMARK", actors: [Actor(name: "Japan", code: "JPN")], tags: ["tagmark"]
        )

        static func put32(_ value: UInt32, at index: Int, in bytes: inout [UInt8]) {
            for k in 0..<4 { bytes[index + k] = UInt8(truncatingIfNeeded: value >> (24 - 8 * UInt32(k))) }
        }

        static func fixLength(_ bytes: [UInt8]) -> [UInt8] {
            var copy = bytes
            put32(UInt32(bytes.count - 4), at: 0, in: &copy)
            return copy
        }

        static func replacing(_ marker: String, with replacement: [UInt8], in frame: [UInt8]) -> [UInt8] {
            let needle = Array(marker.utf8)
            guard let start = (0...(frame.count - needle.count)).first(where: { Array(frame[$0..<$0 + needle.count]) == needle }) else {
                return frame
            }
            var copy = frame
            copy.replaceSubrange(start..<start + needle.count, with: replacement)
            return copy
        }

        /// The catalogue of malformed inputs with their documented answers.
        static func catalogue() -> [Case] {
            let append = Request.append([.event(markerEvent)]).encode(requestID: 5)
            let amend = Request.amend(markerEvent).encode(requestID: 5)
            let ping = Request.ping(nonce: 42).encode(requestID: 5)
            let timeline = Request.timeline(TimelineQuery(limit: 10)).encode(requestID: 5)
            let hello = Request.hello(ClientHello(clientName: "hostile")).encode(requestID: 1)
            var cases: [Case] = []
            func add(_ name: String, handshake: Bool = true, _ frames: [[UInt8]], _ expect: Expect, halfClose: Bool = false) {
                cases.append(Case(name: name, handshake: handshake, frames: frames, expect: expect, halfClose: halfClose))
            }
            // Length prefixes: below the header, above the limit, up to 4 GiB; before and after the handshake.
            for length: UInt32 in [0, 1, 5] {
                var frame = ping
                put32(length, at: 0, in: &frame)
                add("length \(length)", [frame], .closesWith(.malformedFrame))
                add("length \(length) before hello", handshake: false, [frame], .closesWith(.malformedFrame))
            }
            for length: UInt32 in [(16 << 20) + 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF] {
                var frame = ping
                put32(length, at: 0, in: &frame)
                add("length \(length)", [frame], .closesWith(.frameTooLarge))
                add("length \(length) before hello", handshake: false, [frame], .closesWith(.frameTooLarge))
            }
            // Before the handshake the server takes small frames only (a hello is small): no 16 MiB buffers for strangers.
            for length: UInt32 in [(64 << 10) + 1, 1 << 20, 16 << 20] {
                var frame = Request.hello(ClientHello(clientName: "big")).encode(requestID: 1)
                put32(length, at: 0, in: &frame)
                add("hello of \(length) bytes", handshake: false, [frame], .closesWith(.frameTooLarge))
            }
            // Counts and string lengths that lie.
            for count: UInt32 in [0xFFFF_FFFF, 0x0100_0000, 2] {
                var frame = append
                put32(count, at: 10, in: &frame)
                add("append count \(count)", [frame], .closesWith(.malformedFrame))
            }
            for length: UInt32 in [0xFFFF_FFFF, 0xFFFF_FF00, UInt32(append.count)] {
                var frame = append
                put32(length, at: 15, in: &frame)  // the event id's length
                add("string length \(length)", [frame], .closesWith(.malformedFrame))
            }
            var actorsCount = timeline
            put32(0xFFFF_FFF0, at: 12, in: &actorsCount)
            add("query actor count", [actorsCount], .closesWith(.malformedFrame))
            // Truncated payloads (length adjusted) and truncated frames (the stream just ends).
            for cut in [11, 20, append.count / 2, append.count - 1] {
                add("payload cut at \(cut)", [fixLength(Array(append.prefix(cut)))], .closesWith(.malformedFrame))
                add("frame cut at \(cut)", [Array(append.prefix(cut))], .closes, halfClose: true)
            }
            add("ping without nonce", [fixLength(Array(ping.prefix(10)))], .closesWith(.malformedFrame))
            // Invalid UTF-8 in strings.
            for (i, bad) in FrameMutator.badUTF8.enumerated() {
                add("invalid UTF-8 \(i) in a title", [fixLength(replacing("TITLEMARK", with: Array("TITLE".utf8) + bad, in: append))],
                    .closesWith(.malformedFrame))
            }
            add("invalid UTF-8 in a tag", [replacing("tagmark", with: [0x74, 0x61, 0x67, 0xC3, 0x28, 0x72, 0x6B], in: append)], .closesWith(.malformedFrame))
            add("invalid UTF-8 in hello", handshake: false,
                [replacing("hostile", with: [0x68, 0x6F, 0xFF, 0xFE, 0x69, 0x6C, 0x65], in: hello)], .closesWith(.malformedFrame))
            // Bad tags, bools, codes and dates.
            var entryTag = append
            entryTag[14] = 7
            add("log entry tag 7", [entryTag], .closesWith(.malformedFrame))
            var optionalTag = timeline
            optionalTag[10] = 2
            add("optional tag 2", [optionalTag], .closesWith(.malformedFrame))
            var boolValue = timeline
            boolValue[16] = 2
            add("bool 2", [boolValue], .closesWith(.malformedFrame))
            var kind = amend
            kind[10 + 4 + markerEvent.id.utf8.count + 4 + 10] = 200
            add("event kind 200", [kind], .closesWith(.malformedFrame))
            add("date 1956-13-45", [replacing("1956-10-19", with: Array("1956-13-45".utf8), in: append)], .closesWith(.malformedFrame))
            add("date yesterday..", [replacing("1956-10-19", with: Array("yesterday.".utf8), in: amend)], .closesWith(.malformedFrame))
            add("trailing bytes", [fixLength(ping + [1, 2, 3])], .closesWith(.malformedFrame))
            var reserved = ping
            reserved[5] = 0x02
            add("reserved flag", [reserved], .closesWith(.malformedFrame))
            add("reserved flag before hello", handshake: false, [reserved], .closesWith(.malformedFrame))
            var more = ping
            more[5] = 0x01
            add("more flag on a request", [more], .closesWith(.malformedFrame))
            // Protocol state.
            add("second hello", [hello], .closesWith(.malformedFrame))
            add("version 0", handshake: false, [Request.hello(ClientHello(protocolVersion: 0, clientName: "old")).encode(requestID: 1)],
                .closesWith(.unsupportedVersion))
            add("version 65535", handshake: false, [Request.hello(ClientHello(protocolVersion: 65535, clientName: "new")).encode(requestID: 1)],
                .closesWith(.unsupportedVersion))
            for request: Request in [.ping(nonce: 1), .stats, .append([.event(markerEvent)]), .timeline(TimelineQuery()), .goodbye,
                                     .subscribe(TimelineQuery(), fromSeq: 0), .amend(markerEvent), .retract(id: "x", reason: "r"),
                                     .get(id: "x", revision: nil), .unsubscribe(subscriptionID: 1)] {
                add("\(request.type) before hello", handshake: false, [request.encode(requestID: 9)], .closesWith(.handshakeRequired))
            }
            add("unknown type before hello", handshake: false, [Frame(typeCode: 0x3E, requestID: 3).encoded], .closesWith(.handshakeRequired))
            for type: UInt8 in [0x00, 0x0D, 0x3E, 0x3F, 0x40, 0x41, 0x42, 0x7F, 0x80, 0xFF] {
                add("unknown type 0x\(String(type, radix: 16))", [Frame(typeCode: type, requestID: 3, payload: [1, 2, 3]).encoded],
                    .answers(.unknownOperation))
            }
            for type: UInt8 in [0x30, 0x50, 0xC0] {
                add("50 unknown types 0x\(String(type, radix: 16)) in a row", Array(repeating: Frame(typeCode: type, requestID: 4).encoded, count: 50),
                    .answers(.unknownOperation))
            }
            return cases
        }

        /// Random bytes, before or after the handshake; the stream then ends.
        static func randomCase(_ random: inout SeededRandom, index: Int) -> Case {
            let count = Int.random(in: 1...600, using: &random)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
            if index % 3 == 0 && bytes.count >= 4 { put32(UInt32(bytes.count - 4), at: 0, in: &bytes) }  // a whole frame of noise
            return Case(name: "random \(index)", handshake: index % 2 == 0, frames: [bytes], expect: .closes, halfClose: true)
        }

        /// Runs one case on its own connection; returns a failure description or nil.
        static func check(_ hostile: Case, socket: HardeningSocket) -> String? {
            switch hostile.expect {
            case .closesWith(let code):
                guard let got = socket.nextErrorCode() else { return "\(hostile.name): expected \(code.name), got no error" }
                guard got == code else { return "\(hostile.name): expected \(code.name), got \(got.name)" }
                guard socket.closesSoon() else { return "\(hostile.name): the connection stayed open after \(code.name)" }
            case .answers(let code):
                for i in 0..<hostile.frames.count {
                    guard let got = socket.nextErrorCode() else { return "\(hostile.name): expected \(code.name) #\(i), got none" }
                    guard got == code else { return "\(hostile.name): expected \(code.name), got \(got.name)" }
                }
                socket.send(Request.ping(nonce: 77).encode(requestID: 100))
                guard case .frame(let frame) = socket.nextReply(), case .pong(77)? = try? Response(frame: frame) else {
                    return "\(hostile.name): the connection is not usable after \(code.name)"
                }
            case .closes:
                while true {
                    switch socket.next() {
                    case .closed: return nil
                    case .timedOut: return "\(hostile.name): the connection stayed open"
                    case .frame(let frame):
                        guard (try? Response(frame: frame)) != nil else { return "\(hostile.name): the server sent an undecodable frame" }
                    }
                }
            }
            return nil
        }

        @Test func thousandsOfMalformedFramesOverManyConnections() throws {
            Hardening.raiseFileLimit(to: 4096)
            let server = try ServerProcess(arguments: ["--read-timeout", "2", "--idle-timeout", "60"])
            let good = try server.connect()
            _ = try good.append(HardeningCorpus.entries(count: 50, prefix: "hostile"))
            let catalogue = Self.catalogue()
            let waves = Hardening.setting("HOSTILE_WAVES", short: 20, large: 100)
            let perWave = 60
            var random = SeededRandom(seed: 4)
            _ = try good.ping()
            let rssBefore = server.residentKiB
            let fdsBefore = server.openFileDescriptors
            var failures: [String] = []
            var framesSent = 0, connections = 0
            for wave in 0..<waves {
                var batch: [(Case, HardeningSocket)] = []
                for i in 0..<perWave {
                    let n = wave * perWave + i
                    let hostile = n % 4 == 3 ? Self.randomCase(&random, index: n) : catalogue[n % catalogue.count]
                    let socket = try HardeningSocket(port: server.port)
                    if hostile.handshake {
                        guard case .hello? = socket.handshake() else { failures.append("\(hostile.name): handshake failed"); continue }
                    }
                    for frame in hostile.frames { socket.send(frame) }
                    if hostile.halfClose { socket.finishSending() }
                    framesSent += hostile.frames.count
                    connections += 1
                    batch.append((hostile, socket))
                }
                let deadline = Hardening.deadline()
                for (hostile, socket) in batch {
                    socket.deadline = deadline
                    if let failure = Self.check(hostile, socket: socket) { failures.append(failure) }
                }
                // The well-behaved client is served between waves.
                #expect(Hardening.answersPing(good), "wave \(wave): the well-behaved client is served")
                #expect(try good.timeline(TimelineQuery(limit: 20)).records.count == 20)
                if !failures.isEmpty { break }  // failed already: more waves would each wait out their deadline
            }
            #expect(failures.count == 0, "\(failures.count) failures: \(failures.prefix(10))")

            // Claimed lengths are not allocated: 100 connections announce 16 MiB frames (after their hello) and
            // send 1 KB of them; the read timeout cuts them off. The peak is that of their whole life.
            Hardening.resetPeakResident(server.pid)
            var stalled: [HardeningSocket] = []
            for _ in 0..<100 {
                let socket = try HardeningSocket(port: server.port)
                socket.handshake()
                var frame = [UInt8](repeating: 0x41, count: 1024)
                Self.put32(16 << 20, at: 0, in: &frame)
                frame[4] = MessageType.append.rawValue
                frame[5] = 0
                socket.send(frame)
                stalled.append(socket)
            }
            let stalledDeadline = Hardening.deadline()
            var timeouts = 0
            for socket in stalled {
                socket.deadline = stalledDeadline
                if socket.nextErrorCode() == .timeout && socket.closesSoon() { timeouts += 1 }
            }
            #expect(timeouts == stalled.count, "every stalled frame is cut off by the read timeout")
            let rssStalled = server.peakResidentKiB
            stalled.removeAll()
            // Strangers cannot make it buffer big frames at all: 40 connections send 2 MiB of a 16 MiB first frame.
            Hardening.resetPeakResident(server.pid)
            var strangers: [HardeningSocket] = []
            for _ in 0..<40 {
                let socket = try HardeningSocket(port: server.port)
                var frame = [UInt8](repeating: 0x41, count: 2 << 20)
                Self.put32(16 << 20, at: 0, in: &frame)
                frame[4] = MessageType.hello.rawValue
                frame[5] = 0
                socket.setNonBlocking()
                socket.send(frame)  // as much as the socket takes before the server closes it
                strangers.append(socket)
            }
            let strangersDeadline = Hardening.deadline()
            var refusedStrangers = 0
            for socket in strangers {
                socket.deadline = strangersDeadline
                _ = fcntl(socket.fd, F_SETFL, fcntl(socket.fd, F_GETFL) & ~O_NONBLOCK)
                if socket.nextErrorCode() == .frameTooLarge && socket.closesSoon() { refusedStrangers += 1 }
            }
            #expect(refusedStrangers == strangers.count, "a 16 MiB frame before hello is frame-too-large, then the connection closes")
            let rssStrangers = server.peakResidentKiB
            #expect(rssStrangers - rssBefore < 64 * 1024, "RSS \(rssBefore) KiB → peak \(rssStrangers) KiB with 40 × 2 MiB sent before hello")
            strangers.removeAll()
            #expect(Hardening.answersPing(good), "the well-behaved client is served after the stalled frames and the strangers")

            #expect(server.process.isRunning)
            #expect(Hardening.waitUntil(timeout: Hardening.patience) { server.openFileDescriptors <= fdsBefore }, "descriptors released")
            let rssAfter = server.residentKiB
            // A server that allocated by the claimed length would have held 100 × 16 MiB at some point.
            #expect(rssStalled - rssBefore < 64 * 1024, "RSS \(rssBefore) KiB → peak \(rssStalled) KiB with 100 stalled 16 MiB claims")
            #expect(rssAfter - rssBefore < 64 * 1024, "RSS \(rssBefore) KiB → \(rssAfter) KiB after the waves")
            Hardening.figure("hostile.connections", connections + 140)
            Hardening.figure("hostile.frames", framesSent + 140)
            Hardening.figure("hostile.rss_before_kib", rssBefore)
            Hardening.figure("hostile.rss_stalled_peak_kib", rssStalled)
            Hardening.figure("hostile.rss_strangers_peak_kib", rssStrangers)
            Hardening.figure("hostile.rss_after_kib", rssAfter)
            Hardening.figure("hostile.fds_before", fdsBefore)
            Hardening.figure("hostile.fds_after", server.openFileDescriptors)
        }
    }
}
