import AnnalsCore
@testable import AnnalsProtocol

/// Realistic values for round trips and vectors.
enum Samples {
    static func date(_ text: String) throws -> HistoricalDate {
        try HistoricalDate(parsing: text)
    }

    /// The 1956 Soviet–Japanese Joint Declaration, as a client appends it (no recorded, no revision).
    static func declaration() throws -> Event {
        Event(
            id: "1956-10-19-soviet-japanese-joint-declaration",
            date: try date("1956-10-19"),
            kind: .declaration,
            title: "Soviet–Japanese Joint Declaration",
            summary: "Ends the state of war; restores diplomatic relations.",
            actors: [
                Actor(name: "Japan", code: "JPN", role: "signatory"),
                Actor(name: "Soviet Union", code: "SUN"),
                Actor(name: "Ichirō Hatoyama"),
            ],
            places: ["Moscow"],
            tags: ["normalisation"],
            sources: [Source(url: "https://www.mofa.go.jp/region/europe/russia/", publisher: "MOFA", published: "1956-10-19")],
            references: [Reference(id: "1951-09-08-treaty-of-san-francisco", relation: .respondsTo)]
        )
    }

    /// The San Francisco treaty, short, as stored (recorded and revision set).
    static func sanFrancisco() throws -> Event {
        Event(
            id: "1951-09-08-treaty-of-san-francisco",
            date: try date("1951-09-08"),
            kind: .treaty,
            title: "Treaty of San Francisco",
            recorded: Timestamp(milliseconds: 1_700_000_000_000),
            revision: 1
        )
    }

    /// An event with every optional present, unicode everywhere and a body of about 20 KB.
    static func everything(bodyBytes: Int = 20_000) throws -> Event {
        let paragraph = "日ソ共同宣言は、1956年10月19日にモスクワで署名された。— Ĳssel, naïve, 🇯🇵🤝🇷🇺.\n"
        var body = ""
        while body.utf8.count < bodyBytes { body += paragraph }
        return Event(
            id: "1956-10-19-nisso-kyodo-sengen",
            date: try date("1956-10-19"),
            kind: .declaration,
            title: "日ソ共同宣言 (Soviet–Japanese Joint Declaration)",
            summary: "Fin de l'état de guerre — «normalisation».",
            body: body,
            actors: [
                Actor(name: "日本国", code: "JPN", role: "signatory"),
                Actor(name: "Союз Советских Социалистических Республик", code: "SUN", role: "signatory"),
                Actor(name: "鳩山一郎", role: "speaker"),
                Actor(name: "Nikolai Bulganin", code: nil, role: nil),
            ],
            places: ["Москва", "Moscow"],
            tags: ["peace", "normalisation", "北方領土"],
            sources: [
                Source(url: "https://www.mofa.go.jp/mofaj/area/russia/hoppo/", publisher: "外務省", published: "1956-10-19"),
                Source(url: "https://example.org/x"),
            ],
            references: Relation.allCases.enumerated().map { Reference(id: "ref-\($0.offset)", relation: $0.element) },
            recorded: Timestamp(milliseconds: -12_345_678_901),
            revision: 3
        )
    }

    /// An event with every optional absent and every list empty.
    static func bare() throws -> Event {
        Event(id: "x", date: try date("-0660-02-11"), kind: .other, title: "")
    }

    static func retraction() -> Retraction {
        Retraction(
            id: "1956-10-19-soviet-japanese-joint-declaration", reason: "Duplicate of an earlier entry.",
            recorded: Timestamp(milliseconds: 1_700_000_500_000), revision: 2
        )
    }

    static func record() throws -> EventRecord {
        var event = try declaration()
        event.recorded = Timestamp(milliseconds: 1_700_000_100_000)
        event.revision = 1
        return EventRecord(event: event, seq: 42)
    }

    static func retractedRecord() throws -> EventRecord {
        var event = try declaration()
        event.recorded = Timestamp(milliseconds: 1_700_000_100_000)
        event.revision = 1
        return EventRecord(event: event, seq: 43, retraction: retraction())
    }

    static func detail() throws -> EventDetail {
        let current = try record()
        return EventDetail(
            current: current,
            revisions: [.event(current.event)],
            outgoing: [
                ResolvedReference(
                    id: "1951-09-08-treaty-of-san-francisco", relation: .respondsTo,
                    title: "Treaty of San Francisco", date: try date("1951-09-08")
                )
            ],
            incoming: [ResolvedReference(id: "1960-01-27-gromyko-memorandum", relation: .mentions)]
        )
    }

    static func fullQuery() throws -> TimelineQuery {
        TimelineQuery(
            from: try date("1945"), to: try date("1960-12"), actors: ["JPN", "Ichiro Hatoyama"], allActors: true,
            kinds: [.treaty, .declaration], tags: ["normalisation"], text: "\"peace treaty\" OR declaration -draft",
            references: "1951-09-08-treaty-of-san-francisco", referencedBy: "1960-01-27-gromyko-memorandum",
            reverse: true, limit: 50, cursor: "1:714337:714337:1956-10-19-soviet-japanese-joint-declaration", includeRetracted: true
        )
    }

    static func stats() -> StoreStats {
        StoreStats(
            visible: 1204, retracted: 3, revisions: 1290, lastSeq: 1293, indexedSeq: 1290, indexLagMilliseconds: 120,
            byKind: [.speech: 400, .declaration: 120, .treaty: 84, .other: 600],
            byDecade: [1940: 210, 1950: 340, -660: 1, 1960: 651], openStart: 2,
            topActors: [.init(name: "Japan", count: 800), .init(name: "Soviet Union", count: 310)],
            fileBytes: 8_421_376, textBytes: 5_120_000, compressedBytes: 1_600_000
        )
    }

    static let serverHello = ServerHello(
        serverVersion: "0.1.0",
        limits: ServerLimits(maxFrameSize: 16 << 20, maxEventsPerBatch: 1000, maxTimelinePage: 10_000, idleTimeoutSeconds: 300),
        tokenRequired: true
    )

    /// Every request, with realistic values.
    static func requests() throws -> [Request] {
        [
            .hello(ClientHello(clientName: "annals-cli/0.1", token: "s3cret")),
            .hello(ClientHello(clientName: "", token: nil)),
            .ping(nonce: 0xDEAD_BEEF_0123_4567),
            .append([.event(try declaration()), .event(try everything()), .event(try bare()), .retraction(retraction())]),
            .append([]),
            .amend(try everything()),
            .amend(try bare()),
            .retract(id: "1956-10-19-soviet-japanese-joint-declaration", reason: "重複 — duplicate"),
            .get(id: "1956-10-19-soviet-japanese-joint-declaration", revision: 2),
            .get(id: "x", revision: nil),
            .timeline(try fullQuery()),
            .timeline(TimelineQuery()),
            .subscribe(try fullQuery(), fromSeq: 41),
            .subscribe(TimelineQuery(), fromSeq: -1),
            .unsubscribe(subscriptionID: 7),
            .stats,
            .goodbye,
            .readLog(try fullQuery(), afterSeq: 41, limit: 1000),
            .readLog(TimelineQuery(), afterSeq: 0, limit: 1),
        ]
    }

    /// Every response, with realistic values.
    static func responses() throws -> [Response] {
        [
            .hello(serverHello),
            .hello(ServerHello(serverVersion: "annalsd/9", limits: ServerLimits(idleTimeoutSeconds: 0))),
            .pong(nonce: 0),
            .pong(nonce: .max),
            .appendResult([
                .accepted(seq: 42), .duplicate(seq: 17),
                .rejected(EventError(.emptyReason, field: "reason", "a retraction needs a reason")),
                .rejected(EventError(.batchAborted, "not written: entry 3 of the batch was rejected")),
            ]),
            .appendResult([]),
            .record(try record()),
            .record(try retractedRecord()),
            .record(EventRecord(event: try everything(), seq: Int64.max)),
            .detail(try detail()),
            .detail(EventDetail(current: EventRecord(event: try bare(), seq: 1), revisions: [], outgoing: [], incoming: [])),
            .page(records: [try record(), try retractedRecord(), EventRecord(event: try everything(), seq: 99)], nextCursor: "c1:abc"),
            .page(records: [], nextCursor: nil),
            .subscribed(lastSeq: 1293),
            .pushed(seq: 1294, entry: .event(try everything())),
            .pushed(seq: 1295, entry: .retraction(retraction())),
            .stats(stats()),
            .logPage(entries: [SequencedEntry(seq: 42, entry: .event(try everything())), SequencedEntry(seq: 43, entry: .retraction(retraction()))],
                     nextSeq: 50, end: false),
            .logPage(entries: [], nextSeq: 0, end: true),
            .stats(StoreStats()),
            .goodbye,
            .unsubscribed,
            .error(ProtocolError(.notFound, "no event with id 'x'")),
            .error(ProtocolError(
                .invalidEvent, "the event breaks a rule",
                eventError: EventError(.tooLong, field: "actors[2].name", "longer than 200 bytes")
            )),
            .error(ProtocolError(.init(number: 999), "from the future")),
        ]
    }
}
