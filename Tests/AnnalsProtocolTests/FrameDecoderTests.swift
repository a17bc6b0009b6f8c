import AnnalsCore
import Testing
@testable import AnnalsProtocol

@Suite("FrameDecoder")
struct FrameDecoderTests {
    /// A stream of every sample request and response, back to back.
    static func stream() throws -> (bytes: [UInt8], frames: [Frame]) {
        var bytes: [UInt8] = []
        var frames: [Frame] = []
        for (index, request) in try Samples.requests().enumerated() {
            bytes += request.encode(requestID: UInt32(index + 1))
            frames.append(request.frame(requestID: UInt32(index + 1)))
        }
        for (index, response) in try Samples.responses().enumerated() {
            let more = response.allowsMore && index % 2 == 0 && response != .page(records: [], nextCursor: nil)
            let frame = response.frame(requestID: UInt32(index), more: more && !isPageWithCursor(response))
            bytes += frame.encoded
            frames.append(frame)
        }
        return (bytes, frames)
    }

    static func isPageWithCursor(_ response: Response) -> Bool {
        if case .page(_, let cursor?) = response { return !cursor.isEmpty }
        return false
    }

    static func drain(_ decoder: inout FrameDecoder) throws -> [Frame] {
        var frames: [Frame] = []
        while let frame = try decoder.next() { frames.append(frame) }
        return frames
    }

    @Test("byte by byte, in one chunk and in odd-sized chunks, the same frames come out")
    func chunking() throws {
        let (bytes, expected) = try Self.stream()

        var whole = FrameDecoder()
        whole.append(bytes)
        #expect(try Self.drain(&whole) == expected)
        #expect(whole.bufferedByteCount == 0)

        var byByte = FrameDecoder()
        var frames: [Frame] = []
        for byte in bytes {
            byByte.append(CollectionOfOne(byte))
            frames += try Self.drain(&byByte)
        }
        #expect(frames == expected)

        for chunkSize in [2, 3, 7, 1000, 4096, 65_536] {
            var decoder = FrameDecoder()
            var frames: [Frame] = []
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + chunkSize)
                bytes[start..<end].withUnsafeBytes { decoder.append($0) }
                frames += try Self.drain(&decoder)
                start = end
            }
            #expect(frames == expected, "chunks of \(chunkSize)")
            #expect(decoder.bufferedByteCount == 0)
        }
    }

    @Test("every decoded frame decodes as the message it was made from")
    func decodesMessages() throws {
        let (bytes, frames) = try Self.stream()
        var decoder = FrameDecoder()
        decoder.append(bytes)
        var requests: [Request] = []
        var responses: [Response] = []
        for frame in try Self.drain(&decoder) {
            if frame.type!.isRequest { requests.append(try Request(frame: frame)) } else { responses.append(try Response(frame: frame)) }
        }
        #expect(requests == (try Samples.requests()))
        #expect(responses == (try Samples.responses()))
        #expect(requests.count + responses.count == frames.count)
    }

    @Test("many small frames in one read decode in linear time: the decoder moves less than it was given")
    func manySmallFrames() throws {
        let count = 200_000
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * 18)
        for index in 0..<count { bytes += Request.ping(nonce: UInt64(index)).encode(requestID: UInt32(index + 1)) }
        var decoder = FrameDecoder()
        var seen = 0
        // Two big reads, the split falling inside a frame.
        let split = bytes.count / 2 + 5
        decoder.append(bytes[..<split])
        while let frame = try decoder.next() {
            #expect(frame.payload.count == 8)
            seen += 1
        }
        decoder.append(bytes[split...])
        while try decoder.next() != nil { seen += 1 }
        #expect(seen == count)
        // Only the frame cut by the split was moved (a decoder that shifted the buffer after each frame would
        // move about count² / 2 × 18 bytes).
        #expect(decoder.movedByteCount < Frame.lengthPrefixSize + Frame.headerSize + 8)
    }

    @Test("the buffer holds no more than the partial frame and the last read")
    func bounded() throws {
        let frame = Request.amend(try Samples.everything(bodyBytes: 100_000)).encode(requestID: 1)
        let pings = (1...50).flatMap { Request.ping(nonce: UInt64($0)).encode(requestID: UInt32($0)) }
        let stream = pings + frame + pings
        var decoder = FrameDecoder(maxFrameSize: 1 << 20)
        var maxBuffered = 0
        var start = 0
        var count = 0
        while start < stream.count {
            let end = min(stream.count, start + 4096)
            decoder.append(stream[start..<end])
            maxBuffered = max(maxBuffered, decoder.bufferedByteCount)
            while try decoder.next() != nil { count += 1 }
            start = end
        }
        #expect(count == 101)
        #expect(maxBuffered <= frame.count + 4096)
    }

    @Test("maxFrameSize can be changed between frames, e.g. after the server's hello")
    func changeLimit() throws {
        var decoder = FrameDecoder(maxFrameSize: 64)
        decoder.append(Response.hello(Samples.serverHello).encode(requestID: 1))
        let hello = try #require(try decoder.next())
        guard case .hello(let server) = try Response(frame: hello) else {
            Issue.record("not a hello")
            return
        }
        decoder.maxFrameSize = server.limits.maxFrameSize
        let big = Response.record(EventRecord(event: try Samples.everything(), seq: 1)).encode(requestID: 2)
        decoder.append(big)
        #expect(try decoder.next()?.requestID == 2)
    }
}
