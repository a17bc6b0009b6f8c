import AnnalsCore
import Testing
@testable import AnnalsProtocol

@Suite("Round trips")
struct RoundTripTests {
    @Test("every request survives encode → FrameDecoder → decode")
    func requests() throws {
        for (index, request) in try Samples.requests().enumerated() {
            let id = UInt32(index + 1)
            let bytes = request.encode(requestID: id)
            let frame = try Frame(bytes: bytes)
            #expect(frame.type == request.type)
            #expect(frame.requestID == id)
            #expect(frame.flags.isEmpty)
            #expect(frame.encoded == bytes)
            #expect(request.frame(requestID: id) == frame)
            let decoded = try Request(frame: frame)
            #expect(decoded == request)
            #expect(decoded.encode(requestID: id) == bytes)
        }
    }

    @Test("every response survives encode → FrameDecoder → decode, with and without more where allowed")
    func responses() throws {
        for (index, response) in try Samples.responses().enumerated() {
            for more in response.allowsMore ? [false, true] : [false] {
                if more, case .page(_, let cursor) = response, cursor != nil { continue }
                let id = UInt32(index)
                let bytes = response.encode(requestID: id, more: more)
                let frame = try Frame(bytes: bytes)
                #expect(frame.type == response.type)
                #expect(frame.requestID == id)
                #expect(frame.more == more)
                let decoded = try Response(frame: frame)
                #expect(decoded == response)
                #expect(decoded.encode(requestID: id, more: more) == bytes)
            }
        }
    }

    @Test("a 20 KB unicode body comes back byte for byte")
    func bigBody() throws {
        let event = try Samples.everything(bodyBytes: 20_000)
        #expect(event.body!.utf8.count >= 20_000)
        let frame = try Frame(bytes: Request.amend(event).encode(requestID: 9))
        guard case .amend(let decoded) = try Request(frame: frame) else {
            Issue.record("not an amend")
            return
        }
        #expect(decoded == event)
        #expect(Array(decoded.body!.utf8) == Array(event.body!.utf8))
    }

    @Test("every optional of an event, present and absent, one at a time")
    func optionals() throws {
        let full = try Samples.everything(bodyBytes: 10)
        let variants: [(String, (inout Event) -> Void)] = [
            ("summary", { $0.summary = nil }), ("body", { $0.body = nil }),
            ("actor code", { $0.actors[0].code = nil }), ("actor role", { $0.actors[0].role = nil }),
            ("source publisher", { $0.sources[0].publisher = nil }),
            ("source published", { $0.sources[0].published = nil }),
            ("recorded", { $0.recorded = nil }), ("revision", { $0.revision = nil }),
            ("lists", { $0.actors = []; $0.places = []; $0.tags = []; $0.sources = []; $0.references = [] }),
        ]
        for (name, change) in variants {
            var event = full
            change(&event)
            let entry = LogEntry.event(event)
            let decoded = try Response(frame: Frame(bytes: Response.pushed(seq: 1, entry: entry).encode(requestID: 1)))
            #expect(decoded == .pushed(seq: 1, entry: entry), "\(name)")
        }
        var retraction = Samples.retraction()
        retraction.recorded = nil
        retraction.revision = nil
        let entry = LogEntry.retraction(retraction)
        #expect(try Request(frame: Frame(bytes: Request.append([entry]).encode(requestID: 1))) == .append([entry]))
    }

    @Test("every kind and relation code, and extreme integers")
    func codesAndExtremes() throws {
        for kind in EventKind.allCases {
            let query = TimelineQuery(kinds: [kind], limit: Int(UInt32.max))
            #expect(try Request(frame: Frame(bytes: Request.timeline(query).encode(requestID: 1))) == .timeline(query))
        }
        var event = try Samples.bare()
        event.references = Relation.allCases.map { Reference(id: $0.rawValue, relation: $0) }
        event.recorded = Timestamp(milliseconds: .min)
        event.revision = Int(UInt32.max)
        let record = EventRecord(event: event, seq: .min)
        #expect(try Response(frame: Frame(bytes: Response.record(record).encode(requestID: .max))) == .record(record))
    }

    @Test("dates travel as their canonical EDTF text")
    func dates() throws {
        for text in ["1956-10-19", "1956-10", "1956", "195X", "19XX", "2001-21", "1956-10-19~", "1956?", "1956%",
                     "1950/1960", "../1960", "1950/..", "-0660-02-11", "Y170000002", "1985-04-12T23:20:30Z"] {
            let date = try HistoricalDate(parsing: text)
            let reference = ResolvedReference(id: "a", relation: .follows, title: "t", date: date)
            var detail = try Samples.detail()
            detail.outgoing = [reference]
            let bytes = Response.detail(detail).encode(requestID: 1)
            #expect(try Response(frame: Frame(bytes: bytes)) == .detail(detail), "\(text)")
            let canonical = Array(date.canonical.utf8)
            #expect(bytes.firstRange(of: canonical) != nil, "\(text)")
        }
    }

    @Test("an error frame keeps its code, message and event error; unknown codes keep their number")
    func errors() throws {
        for code in ProtocolError.Code.all {
            let error = ProtocolError(code, "message for \(code.name)", eventError: code == .invalidEvent
                ? EventError(.malformedDate, field: "date", "not EDTF") : nil)
            guard case .error(let decoded) = try Response(frame: Frame(bytes: Response.error(error).encode(requestID: 5)))
            else {
                Issue.record("not an error")
                continue
            }
            #expect(decoded == error)
            #expect(decoded.code.closesConnection == code.closesConnection)
        }
        let future = ProtocolError.Code(number: 4000)
        #expect(future.number == 4000)
        #expect(future.name == "error-4000")
        #expect(!future.closesConnection)
    }
}
