import AnnalsCore
@testable import AnnalsProtocol

/// One golden frame: its file, what it shows, the frame built field by field, and the message it must decode to.
struct Vector {
    enum Message {
        case request(Request)
        case response(Response)
    }

    var name: String
    var title: String
    var description: [String]
    var frame: AnnotatedFrame
    var message: Message

    var text: String { frame.text(title: title, description: description) }

    /// The library's encoding of `message`, to compare with `frame.bytes`.
    var libraryBytes: [UInt8] {
        switch message {
        case .request(let request): request.encode(requestID: frame.requestID)
        case .response(let response): response.encode(requestID: frame.requestID, more: frame.flags.contains(.more))
        }
    }
}

/// Every golden vector in `Protocol/vectors/`.
enum VectorCatalog {
    static func all() throws -> [Vector] {
        try requests() + responses() + errors()
    }

    static func requests() throws -> [Vector] {
        var vectors: [Vector] = []
        func add(_ name: String, _ title: String, _ description: [String], _ request: Request, id: UInt32,
                 _ fields: (inout AnnotatedFrame) -> Void) {
            var frame = AnnotatedFrame(request.type, requestID: id)
            fields(&frame)
            vectors.append(Vector(name: name, title: title, description: description, frame: frame, message: .request(request)))
        }

        let hello = ClientHello(clientName: "annals-cli/0.1.0", token: "s3cret-token")
        add("hello.request", "hello request", ["The first frame of a connection: protocol version 2, client name, token."],
            .hello(hello), id: 1) { f in
            f.u16("protocolVersion", hello.protocolVersion)
            f.string("clientName", hello.clientName)
            f.optionalString("token", hello.token)
        }

        add("ping.request", "ping request", ["A keep-alive probe; the server echoes the nonce in a pong."],
            .ping(nonce: 0x0123_4567_89AB_CDEF), id: 2) { f in
            f.u64("nonce", 0x0123_4567_89AB_CDEF)
        }

        let declaration = try Samples.declaration()
        let sanFrancisco = try Samples.sanFrancisco()
        let badRetraction = Retraction(id: "1956-10-19-soviet-japanese-joint-declaration", reason: " ")
        let entries: [LogEntry] = [.event(declaration), .event(sanFrancisco), .retraction(badRetraction)]
        add("append.request", "append request",
            ["Three log entries: a new event, an event already stored (a duplicate), and a retraction whose",
             "reason is blank (it will be rejected). Answered by append.response. The first two carry recorded and",
             "revision, as entries replayed from an export do (PROTOCOL.md 4.3: the store keeps them when the",
             "revision is the next one)."],
            .append(entries), id: 3) { f in
            f.list("entries", entries, of: "log entries") { f, path, entry in f.logEntry(path, entry) }
        }

        var amended = declaration
        amended.summary = "Ends the state of war between Japan and the USSR; restores diplomatic relations."
        amended.body = "The USSR and Japan agree that the state of war ends on the day this declaration takes effect."
        add("amend.request", "amend request",
            ["New content for the stored event with the same id: a longer summary and a body. Answered by a record."],
            .amend(amended), id: 4) { f in
            f.event("event", amended)
        }

        add("retract.request", "retract request", ["Withdraws an event, with a reason. Answered by a record."],
            .retract(id: declaration.id, reason: "Entered twice; see 1956-10-19-nisso-kyodo-sengen."), id: 5) { f in
            f.string("id", declaration.id)
            f.string("reason", "Entered twice; see 1956-10-19-nisso-kyodo-sengen.")
        }

        add("get.request", "get request", ["Everything about one event, at revision 1. Answered by a detail."],
            .get(id: declaration.id, revision: 1), id: 6) { f in
            f.string("id", declaration.id)
            f.optionalU32("revision", 1)
        }

        let query = try Samples.fullQuery()
        add("timeline.request", "timeline request",
            ["A timeline query with every field present; the search reads: the phrase \"peace treaty\" or the word",
             "declaration, and not the word draft. Answered by page frames."],
            .timeline(query), id: 7) { f in
            f.query("query", query)
        }

        let filters = TimelineQuery(actors: ["JPN"], kinds: [.treaty, .declaration])
        add("subscribe.request", "subscribe request",
            ["Treaties and declarations involving JPN, from log position 41 on (entries with seq > 41).",
             "The fields reverse, limit and cursor are sent but ignored by subscriptions.",
             "Answered by subscribed, then pushed frames with this request id."],
            .subscribe(filters, fromSeq: 41), id: 8) { f in
            f.query("query", filters)
            f.i64("fromSeq", 41)
        }

        add("unsubscribe.request", "unsubscribe request", ["Ends the subscription opened by request 8."],
            .unsubscribe(subscriptionID: 8), id: 9) { f in
            f.u32("subscriptionID", 8)
        }

        add("stats.request", "stats request", ["Store statistics; the payload is empty."], .stats, id: 10) { _ in }

        add("goodbye.request", "goodbye request", ["Ends the connection; the payload is empty."], .goodbye, id: 11) { _ in }

        let japan = TimelineQuery(actors: ["Japan"])
        add("readLog.request", "readLog request",
            ["Up to 2 entries involving Japan after log position 41, in log order; answered by a logPage.",
             "The fields reverse, limit and cursor of the query are sent but ignored."],
            .readLog(japan, afterSeq: 41, limit: 2), id: 12) { f in
            f.query("query", japan)
            f.i64("afterSeq", 41)
            f.u32("limit", 2)
        }
        return vectors
    }

    static func responses() throws -> [Vector] {
        var vectors: [Vector] = []
        func add(_ name: String, _ title: String, _ description: [String], _ response: Response, id: UInt32,
                 more: Bool = false, _ fields: (inout AnnotatedFrame) -> Void) {
            var frame = AnnotatedFrame(response.type, flags: more ? .more : [], requestID: id)
            fields(&frame)
            vectors.append(Vector(name: name, title: title, description: description, frame: frame, message: .response(response)))
        }

        let hello = Samples.serverHello
        add("hello.response", "hello response", ["The server's answer to hello.request: version and limits."],
            .hello(hello), id: 1) { f in
            f.string("serverVersion", hello.serverVersion)
            f.u16("protocolVersion", hello.protocolVersion)
            f.u32("maxFrameSize", UInt32(hello.limits.maxFrameSize))
            f.u32("maxEventsPerBatch", UInt32(hello.limits.maxEventsPerBatch))
            f.u32("maxTimelinePage", UInt32(hello.limits.maxTimelinePage))
            f.u32("idleTimeoutSeconds", UInt32(hello.limits.idleTimeoutSeconds))
            f.bool("tokenRequired", hello.tokenRequired)
        }

        add("ping.response", "pong response", ["The answer to ping.request, echoing its nonce."],
            .pong(nonce: 0x0123_4567_89AB_CDEF), id: 2) { f in
            f.u64("nonce", 0x0123_4567_89AB_CDEF)
        }

        let outcomes: [AppendOutcome] = [
            .accepted(seq: 42), .duplicate(seq: 17),
            .rejected(EventError(.emptyReason, field: "reason", "a retraction needs a reason")),
        ]
        add("append.response", "appendResult response",
            ["One outcome per entry of append.request, in order: accepted at seq 42, duplicate of seq 17,",
             "rejected (empty-reason)."],
            .appendResult(outcomes), id: 3) { f in
            f.list("outcomes", outcomes, of: "outcomes") { f, path, outcome in
                switch outcome {
                case .accepted(let seq):
                    f.u8("\(path) tag", 0, "accepted")
                    f.i64("\(path) seq", seq)
                case .duplicate(let seq):
                    f.u8("\(path) tag", 1, "duplicate")
                    f.i64("\(path) seq", seq)
                case .rejected(let error):
                    f.u8("\(path) tag", 2, "rejected")
                    f.eventError(path, error)
                }
            }
        }

        var amended = try Samples.declaration()
        amended.summary = "Ends the state of war between Japan and the USSR; restores diplomatic relations."
        amended.body = "The USSR and Japan agree that the state of war ends on the day this declaration takes effect."
        amended.recorded = Timestamp(milliseconds: 1_700_000_200_000)
        amended.revision = 2
        let amendedRecord = EventRecord(event: amended, seq: 44)
        add("amend.response", "record response (to amend)", ["The amended event as stored: revision 2 at seq 44."],
            .record(amendedRecord), id: 4) { f in
            f.record("record", amendedRecord)
        }

        let retracted = try Samples.retractedRecord()
        add("retract.response", "record response (to retract)",
            ["The retracted event: its last content revision and the retraction (revision 2)."],
            .record(retracted), id: 5) { f in
            f.record("record", retracted)
        }

        let detail = try Samples.detail()
        add("get.response", "detail response",
            ["Current record, every revision, outgoing references (resolved) and incoming ones (unresolved)."],
            .detail(detail), id: 6) { f in
            f.record("current", detail.current)
            f.list("revisions", detail.revisions, of: "log entries") { f, path, entry in f.logEntry(path, entry) }
            f.list("outgoing", detail.outgoing, of: "references") { f, path, reference in f.resolvedReference(path, reference) }
            f.list("incoming", detail.incoming, of: "references") { f, path, reference in f.resolvedReference(path, reference) }
        }

        let first = EventRecord(event: try Samples.sanFrancisco(), seq: 17)
        let second = try Samples.record()
        add("timeline.response", "page response (one frame)",
            ["A whole page in one frame (more = 0): two records and the cursor of the next page."],
            .page(records: [first, second], nextCursor: "c1:1956-10-19:42"), id: 7) { f in
            f.list("records", [first, second], of: "records") { f, path, record in f.record(path, record) }
            f.optionalString("nextCursor", "c1:1956-10-19:42")
        }
        add("timeline.response-part1", "page response, first frame of a split page",
            ["A page split over two frames. This frame has more = 1 and carries no cursor;",
             "the client keeps its records and waits for the rest (timeline.response-part2)."],
            .page(records: [first], nextCursor: nil), id: 7, more: true) { f in
            f.list("records", [first], of: "records") { f, path, record in f.record(path, record) }
            f.optionalString("nextCursor", nil)
        }
        add("timeline.response-part2", "page response, last frame of a split page",
            ["The last frame (more = 0) of the page begun in timeline.response-part1. No cursor: this is the",
             "last page of the timeline."],
            .page(records: [second], nextCursor: nil), id: 7) { f in
            f.list("records", [second], of: "records") { f, path, record in f.record(path, record) }
            f.optionalString("nextCursor", nil)
        }

        add("subscribe.response", "subscribed response",
            ["The answer to subscribe.request: the log ends at seq 43. more = 1: catch-up entries",
             "(seq 42 and 43 here) follow as pushed frames."],
            .subscribed(lastSeq: 43), id: 8, more: true) { f in
            f.i64("lastSeq", 43)
        }
        let pushedEvent = try Samples.record().event
        add("subscribe.pushed-1", "pushed frame (catch-up, more follow)",
            ["A catch-up entry of subscription 8 at seq 42; more = 1: more catch-up follows."],
            .pushed(seq: 42, entry: .event(pushedEvent)), id: 8, more: true) { f in
            f.i64("seq", 42)
            f.logEntry("entry", .event(pushedEvent))
        }
        let retraction = Samples.retraction()
        add("subscribe.pushed-2", "pushed frame (last catch-up entry)",
            ["The last catch-up entry of subscription 8, a retraction at seq 43; more = 0: catch-up is complete,",
             "later pushed frames (also more = 0) are live."],
            .pushed(seq: 43, entry: .retraction(retraction)), id: 8) { f in
            f.i64("seq", 43)
            f.logEntry("entry", .retraction(retraction))
        }
        add("unsubscribe.response", "unsubscribed response",
            ["The answer to unsubscribe.request; no pushed frame of subscription 8 follows it. Empty payload."],
            .unsubscribed, id: 9) { _ in }

        let stats = Samples.stats()
        add("stats.response", "stats response",
            ["Store statistics. Counts are i64; byKind is sorted by kind code, byDecade by decade."],
            .stats(stats), id: 10) { f in
            f.i64("visible", Int64(stats.visible))
            f.i64("retracted", Int64(stats.retracted))
            f.i64("revisions", Int64(stats.revisions))
            f.i64("lastSeq", stats.lastSeq)
            f.i64("indexedSeq", stats.indexedSeq)
            f.i64("indexLagMilliseconds", stats.indexLagMilliseconds)
            f.list("byKind", stats.byKind.sorted { $0.key.code < $1.key.code }, of: "pairs") { f, path, pair in
                f.u8("\(path) kind", pair.key.code, pair.key.rawValue)
                f.i64("\(path) count", Int64(pair.value))
            }
            f.list("byDecade", stats.byDecade.sorted { $0.key < $1.key }, of: "pairs") { f, path, pair in
                f.i64("\(path) decade", pair.key)
                f.i64("\(path) count", Int64(pair.value))
            }
            f.i64("openStart", Int64(stats.openStart))
            f.list("topActors", stats.topActors, of: "actors") { f, path, actor in
                f.string("\(path) name", actor.name)
                f.i64("\(path) count", Int64(actor.count))
            }
            f.i64("fileBytes", stats.fileBytes)
            f.i64("textBytes", stats.textBytes)
            f.i64("compressedBytes", stats.compressedBytes)
        }

        let logEntries = [SequencedEntry(seq: 42, entry: .event(pushedEvent)), SequencedEntry(seq: 43, entry: .retraction(retraction))]
        add("readLog.response", "logPage response",
            ["The answer to readLog.request: entries 42 and 43, then nextSeq 43 (send it as afterSeq for more)",
             "and end = 1: the log held nothing later when it was read."],
            .logPage(entries: logEntries, nextSeq: 43, end: true), id: 12) { f in
            f.list("entries", logEntries, of: "entries") { f, path, entry in
                f.i64("\(path) seq", entry.seq)
                f.logEntry("\(path) entry", entry.entry)
            }
            f.i64("nextSeq", 43)
            f.bool("end", true)
        }

        add("goodbye.response", "goodbye response",
            ["The answer to goodbye.request; the server closes the connection after sending it. Empty payload."],
            .goodbye, id: 11) { _ in }
        return vectors
    }

    /// One error frame per code, with a message a server would send.
    static func errors() -> [Vector] {
        let cases: [(ProtocolError.Code, UInt32, String, EventError?, String)] = [
            (.malformedFrame, 0, "reserved flag bits set (flags 0x80); only bit 0 is defined", nil,
             "The frame broke the framing rules; the request id cannot be trusted, so it is 0."),
            (.unsupportedVersion, 1, "protocol version 1 is not supported; this server speaks version 2", nil,
             "Answers a hello asking for another protocol version."),
            (.unauthorized, 2, "this server needs a token, and the hello carried none", nil,
             "Answers any request but hello and goodbye after a hello without the right token (the message says whether the token was missing or wrong); the client may send another hello."),
            (.frameTooLarge, 0, "frame of 20971526 bytes exceeds the max frame size of 16777216 bytes; send smaller batches", nil,
             "Sent from the 4 length bytes alone, so the request id is unknown (0)."),
            (.unknownOperation, 12, "unknown request type 0x3e; this server speaks protocol version 2", nil,
             "Answers a request whose type the server does not know; the connection stays open."),
            (.invalidEvent, 4, "the event breaks a validation rule",
             EventError(.controlCharacter, field: "title", "the title holds a control character (U+0007)"),
             "Answers an amend whose event fails validation; carries the event error."),
            (.conflict, 5, "event 1956-10-19-soviet-japanese-joint-declaration is already retracted", nil,
             "Answers a request that contradicts the stored state."),
            (.notFound, 6, "no event with id '1956-10-19-soviet-japanese-joint-declaration'", nil,
             "Answers get, amend or retract of an unknown id, or unsubscribe of an unknown subscription."),
            (.serverBusy, 0, "too many connections (limit 256); try again later", nil,
             "Sent before closing a connection the server cannot serve."),
            (.internal, 7, "the store failed to read page 3: disk I/O error", nil,
             "The server failed; the connection stays open."),
            (.handshakeRequired, 2, "the first request must be hello", nil,
             "Answers a request sent before a successful hello."),
            (.invalidQuery, 7, "cannot read the search '\"peace treaty': a double quote opens a phrase that is never closed", nil,
             "Answers a timeline, subscribe or readLog with a search that cannot be read, a date range that ends before it starts, a bad cursor or limit."),
            (.timeout, 0, "no request for 300 seconds; closing", nil,
             "Sent before closing an idle connection."),
            (.storageFull, 3, "the database is full (disk full); nothing was written", nil,
             "Answers a write the store cannot make."),
            (.batchTooLarge, 3, "the batch holds 5000 entries; the limit is 1000 per append", nil,
             "Answers an append with more entries than maxEventsPerBatch; nothing was written."),
            (.shuttingDown, 0, "the server is shutting down", nil,
             "Sent before the server closes connections as it stops."),
            (.responseTooLarge, 6, "the detail response needs a frame of 40000000 bytes, more than the max frame size of 16777216; ask for less", nil,
             "Answers a request whose answer cannot fit in one frame."),
            (.searchUnavailable, 7, "the full-text index has not reached this search's log position within 30 s; try again", nil,
             "Answers a search that had to wait for the full-text index longer than the server allows."),
            (.storeUnavailable, 8, "the database server cannot be reached (connection refused); nothing was written, try again later", nil,
             "Answers a request while the server cannot reach its database; the server reconnects by itself."),
        ]
        return cases.map { code, id, message, eventError, note in
            let error = ProtocolError(code, message, eventError: eventError)
            var frame = AnnotatedFrame(.error, requestID: id)
            frame.protocolError(error)
            let closes = code.closesConnection ? "The server closes the connection after this frame." :
                "The connection stays open."
            return Vector(
                name: "error-\(code.name)", title: "error \(code.number) \(code.name)", description: [note, closes],
                frame: frame, message: .response(.error(error))
            )
        }
    }
}
