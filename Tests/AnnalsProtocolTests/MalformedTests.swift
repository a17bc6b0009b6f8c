import AnnalsCore
import Testing
@testable import AnnalsProtocol

@Suite("Malformed frames and payloads")
struct MalformedTests {
    /// Every sample frame small enough to cut at every offset quickly.
    static func smallFrames() throws -> [(name: String, bytes: [UInt8], isRequest: Bool)] {
        var frames: [(String, [UInt8], Bool)] = []
        for request in try Samples.requests() {
            let bytes = request.encode(requestID: 3)
            if bytes.count < 3000 { frames.append(("\(request.type) request", bytes, true)) }
        }
        for response in try Samples.responses() {
            let bytes = response.encode(requestID: 3)
            if bytes.count < 3000 { frames.append(("\(response.type) response", bytes, false)) }
        }
        return frames
    }

    @Test("a frame cut at every byte offset is incomplete, never an error or a frame")
    func truncatedFrames() throws {
        for (name, bytes, _) in try Self.smallFrames() {
            for cut in 0..<bytes.count {
                var decoder = FrameDecoder()
                decoder.append(bytes[..<cut])
                #expect(try decoder.next() == nil, "\(name) cut at \(cut)")
                #expect(errorCode { try Frame(bytes: Array(bytes[..<cut])) } == .malformedFrame, "\(name) cut at \(cut)")
            }
        }
    }

    @Test("a payload cut at every byte offset (length prefix adjusted) is malformed")
    func truncatedPayloads() throws {
        for (name, bytes, isRequest) in try Self.smallFrames() {
            let frame = try Frame(bytes: bytes)
            for cut in 0..<frame.payload.count {
                var short = frame
                short.payload = Array(frame.payload[..<cut])
                // Through the decoder too: the adjusted frame is whole, its payload is not.
                let decoded = try Frame(bytes: short.encoded)
                let code = isRequest ? errorCode { try Request(frame: decoded) } : errorCode { try Response(frame: decoded) }
                #expect(code == .malformedFrame, "\(name) payload cut at \(cut)")
            }
        }
    }

    @Test("length prefixes above the max frame size are rejected from the 4 length bytes alone", arguments: [
        UInt32(1 << 20) + 1, 0x00FF_FFFF, 0x7FFF_FFFF, 0xFFFF_FFFE, 0xFFFF_FFFF,
    ])
    func oversize(length: UInt32) throws {
        var decoder = FrameDecoder(maxFrameSize: 1 << 20)
        decoder.append([UInt8(length >> 24)])
        decoder.append([UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 8)])
        #expect(try decoder.next() == nil)
        decoder.append([UInt8(truncatingIfNeeded: length)])
        #expect(errorCode { try decoder.next() } == .frameTooLarge)
        #expect(decoder.bufferedByteCount == 0)
        // The decoder stays failed: the stream cannot be resynchronised.
        decoder.append(Request.ping(nonce: 1).encode(requestID: 1))
        #expect(errorCode { try decoder.next() } == .frameTooLarge)
        #expect(ProtocolError.Code.frameTooLarge.closesConnection)
    }

    @Test("a frame exactly at the max frame size is accepted, one byte more is not")
    func boundary() throws {
        let frame = Frame(type: .ping, requestID: 1, payload: [UInt8](repeating: 0, count: 100 - Frame.headerSize))
        var decoder = FrameDecoder(maxFrameSize: 100)
        decoder.append(frame.encoded)
        #expect(try decoder.next() == frame)
        var smaller = FrameDecoder(maxFrameSize: 99)
        smaller.append(frame.encoded)
        #expect(errorCode { try smaller.next() } == .frameTooLarge)
    }

    @Test("length prefixes below the 6-byte header are malformed", arguments: [UInt32(0), 1, 5])
    func undersize(length: UInt32) {
        var decoder = FrameDecoder()
        decoder.append([0, 0, 0, UInt8(length)])
        #expect(errorCode { try decoder.next() } == .malformedFrame)
    }

    @Test("unknown message types pass the decoder and are refused by Request and Response")
    func unknownTypes() throws {
        for typeCode: UInt8 in [0x00, 0x0D, 0x3F, 0x40, 0x41, 0x4D, 0x7E, 0x80, 0xFF] {
            let bytes = Frame(typeCode: typeCode, requestID: 77, payload: [1, 2, 3]).encoded
            let frame = try Frame(bytes: bytes)
            #expect(frame.typeCode == typeCode)
            #expect(frame.requestID == 77)
            #expect(errorCode { try Request(frame: frame) } == .unknownOperation, "0x\(String(typeCode, radix: 16))")
        }
        for typeCode: UInt8 in [0x00, 0x01, 0x0C, 0x40, 0x4D, 0x7E, 0x80, 0xFF] {
            let frame = Frame(typeCode: typeCode, requestID: 77)
            #expect(errorCode { try Response(frame: frame) } == .unknownOperation, "0x\(String(typeCode, radix: 16))")
        }
        #expect(!ProtocolError.Code.unknownOperation.closesConnection)
    }

    @Test("reserved flag bits are malformed; more is only for page, subscribed and pushed")
    func flags() throws {
        for bit in 1..<8 {
            var decoder = FrameDecoder()
            decoder.append(Frame(type: .ping, flags: FrameFlags(rawValue: 1 << bit), requestID: 1, payload: [0, 0, 0, 0, 0, 0, 0, 0]).encoded)
            #expect(errorCode { try decoder.next() } == .malformedFrame, "bit \(bit)")
            #expect(errorCode { try Response(frame: Frame(type: .pong, flags: FrameFlags(rawValue: 1 << bit), requestID: 1, payload: [0, 0, 0, 0, 0, 0, 0, 0])) } == .malformedFrame)
        }
        #expect(errorCode { try Request(frame: requestFrame(.ping, flags: .more, [0, 0, 0, 0, 0, 0, 0, 0])) } == .malformedFrame)
        #expect(errorCode { try Request(frame: requestFrame(.stats, flags: .more, [])) } == .malformedFrame)
        #expect(errorCode { try Response(frame: Frame(type: .pong, flags: .more, requestID: 1, payload: [0, 0, 0, 0, 0, 0, 0, 0])) } == .malformedFrame)
        #expect(errorCode { try Response(frame: Frame(type: .error, flags: .more, requestID: 1, payload: payload { $0.write(ProtocolError(.internal, "x")) })) } == .malformedFrame)
        // A page frame with more must not carry a cursor.
        let withCursor = try Frame(bytes: Response.page(records: [], nextCursor: "c").encode(requestID: 1, more: true))
        #expect(errorCode { try Response(frame: withCursor) } == .malformedFrame)
        #expect(try Response(frame: Frame(bytes: Response.page(records: [], nextCursor: nil).encode(requestID: 1, more: true))) == .page(records: [], nextCursor: nil))
    }

    @Test("request id 0 is allowed (discouraged: errors without a request carry 0), and so is 0xFFFFFFFF")
    func requestIDs() throws {
        for id: UInt32 in [0, 1, .max] {
            let frame = try Frame(bytes: Request.stats.encode(requestID: id))
            #expect(frame.requestID == id)
            #expect(try Request(frame: frame) == .stats)
        }
    }

    @Test("a hello of another protocol version is unsupported-version, whatever follows the version")
    func unsupportedVersion() {
        for version: UInt16 in [0, 1, 3, 0xFFFF] {
            let frame = requestFrame(.hello, payload { $0.writeU16(version); $0.writeBytesWithoutLength([0xFF, 0xFF]) })
            #expect(errorCode { try Request(frame: frame) } == .unsupportedVersion)
        }
        #expect(ProtocolError.Code.unsupportedVersion.closesConnection)
    }

    @Test("counts and lengths that lie are malformed, never a big allocation")
    func lyingCounts() {
        let lying: [(MessageType, [UInt8])] = [
            (.append, [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0]),
            (.append, [0x00, 0x00, 0x00, 0x04, 0, 0, 0]),
            (.append, [0x7F, 0xFF, 0xFF, 0xFF] + [UInt8](repeating: 1, count: 100)),
            (.retract, [0xFF, 0xFF, 0xFF, 0xFF, 0x61, 0x62, 0x63]),
            (.retract, [0x00, 0x00, 0x00, 0x04, 0x61, 0x62, 0x63]),
            (.get, [0xFF, 0xFF, 0xFF, 0xF0, 0x61]),
            (.timeline, [0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0]),
        ]
        for (type, bytes) in lying {
            #expect(errorCode { try Request(frame: requestFrame(type, bytes)) } == .malformedFrame, "\(type) \(hex(bytes))")
        }
        let responses: [(MessageType, [UInt8])] = [
            (.appendResult, [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0]),
            (.page, [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0]),
            (.statsReply, [UInt8](repeating: 0, count: 32) + [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0]),
            (.error, [0, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x61]),
        ]
        for (type, bytes) in responses {
            #expect(errorCode { try Response(frame: Frame(type: type, requestID: 1, payload: bytes)) } == .malformedFrame, "\(type)")
        }
    }

    @Test("invalid UTF-8 is malformed", arguments: [
        [UInt8]([0xC3, 0x28]), [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xE6, 0x97], [0xFF],
    ])
    func invalidUTF8(bytes: [UInt8]) {
        let frame = requestFrame(.retract, payload {
            $0.writeBytes(bytes)
            $0.writeString("reason")
        })
        #expect(errorCode { try Request(frame: frame) } == .malformedFrame)
        let hello = requestFrame(.hello, payload {
            $0.writeU16(ProtocolVersion.current)
            $0.writeString("cli")
            $0.writeU8(1)
            $0.writeBytes(bytes)
        })
        #expect(errorCode { try Request(frame: hello) } == .malformedFrame)
    }

    @Test("a bool or an optional tag other than 0 and 1 is malformed")
    func invalidBool() throws {
        let valid = Request.timeline(TimelineQuery()).frame(requestID: 1)
        // from (1) + to (1) + actors count (4) = offset 6: allActors.
        for (offset, value) in [(6, UInt8(2)), (6, 0xFF), (0, 2), (1, 7)] {
            var frame = valid
            frame.payload[offset] = value
            #expect(errorCode { try Request(frame: frame) } == .malformedFrame, "offset \(offset) = \(value)")
        }
        #expect(try Request(frame: valid) == .timeline(TimelineQuery()))
        let hello = Response.hello(Samples.serverHello).frame(requestID: 1)
        var bad = hello
        bad.payload[bad.payload.count - 1] = 2
        #expect(errorCode { try Response(frame: bad) } == .malformedFrame)
    }

    @Test("unknown kind, relation, log entry and outcome codes are malformed")
    func unknownCodes() throws {
        let bare = try Samples.bare()
        let kindOffset = 4 + bare.id.utf8.count + 4 + bare.date.canonical.utf8.count
        var amend = Request.amend(bare).frame(requestID: 1)
        #expect(amend.payload[kindOffset] == EventKind.other.code)
        for code: UInt8 in [12, 99, 0xFF] {
            amend.payload[kindOffset] = code
            #expect(errorCode { try Request(frame: amend) } == .malformedFrame, "kind \(code)")
        }
        var query = Request.timeline(TimelineQuery(kinds: [.war])).frame(requestID: 1)
        let kindIndex = query.payload.firstIndex(of: EventKind.war.code)!
        query.payload[kindIndex] = 12
        #expect(errorCode { try Request(frame: query) } == .malformedFrame)

        var withReference = bare
        withReference.references = [Reference(id: "y", relation: .mentions)]
        var referencing = Request.amend(withReference).frame(requestID: 1)
        let relationIndex = referencing.payload.count - 3  // relation, recorded tag, revision tag
        #expect(referencing.payload[relationIndex] == Relation.mentions.code)
        referencing.payload[relationIndex] = UInt8(Relation.allCases.count)
        #expect(errorCode { try Request(frame: referencing) } == .malformedFrame)

        var append = Request.append([.retraction(Samples.retraction())]).frame(requestID: 1)
        append.payload[4] = 2
        #expect(errorCode { try Request(frame: append) } == .malformedFrame)

        var result = Response.appendResult([.accepted(seq: 1)]).frame(requestID: 1)
        result.payload[4] = 3
        #expect(errorCode { try Response(frame: result) } == .malformedFrame)
    }

    @Test("a date that is not EDTF is malformed")
    func invalidDate() throws {
        let bare = try Samples.bare()
        let rest = Array(Request.amend(bare).frame(requestID: 1).payload.dropFirst(8 + bare.id.utf8.count + bare.date.canonical.utf8.count))
        func amend(date text: String) -> Frame {
            requestFrame(.amend, payload {
                $0.writeString(bare.id)
                $0.writeString(text)
                $0.writeBytesWithoutLength(rest)
            })
        }
        for text in ["1956-13-45", "", "yesterday", "1956-02-30", "12/10/1956"] {
            #expect(errorCode { try Request(frame: amend(date: text)) } == .malformedFrame, "'\(text)'")
        }
        // Receivers accept any EDTF text HistoricalDate parses; it is canonicalised.
        var expected = bare
        expected.date = try HistoricalDate(parsing: "1956-10-19")
        #expect(try Request(frame: amend(date: " 1956-10-19 ")) == .amend(expected))
    }

    @Test("trailing bytes after a payload are malformed")
    func trailingBytes() throws {
        for request in try Samples.requests() where request.encode(requestID: 1).count < 3000 {
            var frame = request.frame(requestID: 1)
            frame.payload.append(0)
            #expect(errorCode { try Request(frame: frame) } == .malformedFrame, "\(request.type)")
        }
        for response in try Samples.responses() where response.encode(requestID: 1).count < 3000 {
            var frame = response.frame(requestID: 1)
            frame.payload.append(0)
            #expect(errorCode { try Response(frame: frame) } == .malformedFrame, "\(response.type)")
        }
    }

    @Test("stats with a duplicate key or a negative count are malformed")
    func badStats() {
        let duplicate = payload {
            for _ in 0..<4 { $0.writeI64(0) }
            $0.writeU32(2)
            for _ in 0..<2 { $0.writeU8(1); $0.writeI64(5) }
            $0.writeU32(0); $0.writeU32(0)
            for _ in 0..<3 { $0.writeI64(0) }
        }
        #expect(errorCode { try Response(frame: Frame(type: .statsReply, requestID: 1, payload: duplicate)) } == .malformedFrame)
        let negative = payload {
            $0.writeI64(-1)
            for _ in 0..<3 { $0.writeI64(0) }
            $0.writeU32(0); $0.writeU32(0); $0.writeU32(0)
            for _ in 0..<3 { $0.writeI64(0) }
        }
        #expect(errorCode { try Response(frame: Frame(type: .statsReply, requestID: 1, payload: negative)) } == .malformedFrame)
    }
}
