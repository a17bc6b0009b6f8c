import AnnalsCore
import Testing
@testable import AnnalsProtocol

@Suite("Streamed pages")
struct PageSplitTests {
    static func records(_ count: Int, bodyBytes: Int) throws -> [EventRecord] {
        var event = try Samples.everything(bodyBytes: bodyBytes)
        return (0..<count).map { index in
            event.id = "event-\(index)"
            return EventRecord(event: event, seq: Int64(index + 1))
        }
    }

    @Test("a page bigger than the max frame size is split; every frame fits; the assembler restores it",
          arguments: [(64 << 10, "next"), (64 << 10, nil), (200 << 10, "c"), (512 << 10, nil)] as [(Int, String?)])
    func split(maxFrameSize: Int, cursor: String?) throws {
        let records = try Self.records(40, bodyBytes: 20_000)
        let frames = try Response.page(records: records, nextCursor: cursor).encodeFrames(requestID: 12, maxFrameSize: maxFrameSize)
        #expect(frames.count > 1)
        var assembler = PageAssembler()
        var page: TimelinePage?
        for (index, bytes) in frames.enumerated() {
            #expect(page == nil)
            #expect(bytes.count - 4 <= maxFrameSize)
            let frame = try Frame(bytes: bytes, maxFrameSize: maxFrameSize)
            #expect(frame.requestID == 12)
            #expect(frame.more == (index < frames.count - 1))
            if case .page(let part, let next) = try Response(frame: frame) {
                #expect(!part.isEmpty)
                #expect(next == (frame.more ? nil : cursor))
            } else {
                Issue.record("not a page")
            }
            page = try assembler.add(frame)
        }
        #expect(page == TimelinePage(records: records, nextCursor: cursor))
        #expect(assembler.records.isEmpty)
    }

    @Test("a page that fits is one frame, identical to encode(requestID:)")
    func fits() throws {
        for response in [Response.page(records: try Self.records(3, bodyBytes: 100), nextCursor: "x"),
                         .page(records: [], nextCursor: nil)] {
            let frames = try response.encodeFrames(requestID: 1, maxFrameSize: 1 << 20)
            #expect(frames == [response.encode(requestID: 1)])
        }
    }

    @Test("the split is tight: a frame is only cut when the next record would not fit")
    func tight() throws {
        let records = try Self.records(10, bodyBytes: 1000)
        let one = Response.page(records: [records[0]], nextCursor: nil).encode(requestID: 1).count - 4
        let recordBytes = one - Frame.headerSize - 4 - 1
        let maxFrameSize = Frame.headerSize + 4 + 3 * recordBytes + 1
        let frames = try Response.page(records: records, nextCursor: nil).encodeFrames(requestID: 1, maxFrameSize: maxFrameSize)
        #expect(frames.count == 4)
        #expect(frames[0].count - 4 == maxFrameSize)
    }

    @Test("a record that cannot fit in any frame, and other responses too large, are response-too-large")
    func tooLarge() throws {
        let records = try Self.records(2, bodyBytes: 50_000)
        #expect(errorCode { try Response.page(records: records, nextCursor: nil).encodeFrames(requestID: 1, maxFrameSize: 40_000) } == .responseTooLarge)
        #expect(errorCode { try Response.page(records: [records[0]], nextCursor: "c").encodeFrames(requestID: 1, maxFrameSize: 40_000) } == .responseTooLarge)
        #expect(errorCode { try Response.record(records[0]).encodeFrames(requestID: 1, maxFrameSize: 40_000) } == .responseTooLarge)
        #expect(try Response.record(records[0]).encodeFrames(requestID: 1, maxFrameSize: 60_000).count == 1)
        #expect(!ProtocolError.Code.responseTooLarge.closesConnection)
    }

    @Test("an error frame ends a streamed page: the assembler throws it and starts over")
    func errorEndsStream() throws {
        let records = try Self.records(2, bodyBytes: 10)
        var assembler = PageAssembler()
        #expect(try assembler.add(Frame(bytes: Response.page(records: records, nextCursor: nil).encode(requestID: 1, more: true))) == nil)
        let error = Response.error(ProtocolError(.internal, "disk read failed")).encode(requestID: 1)
        #expect(errorCode { try assembler.add(Frame(bytes: error)) } == .internal)
        #expect(assembler.records.isEmpty)
        #expect(errorCode { try assembler.add(Frame(bytes: Response.pong(nonce: 1).encode(requestID: 1))) } == .malformedFrame)
    }
}
