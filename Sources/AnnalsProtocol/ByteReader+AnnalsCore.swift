import AnnalsCore

/// The wire decoding of the AnnalsCore model, the mirror of `ByteWriter+AnnalsCore.swift`.
///
/// Decoding checks structure only (lengths, tags, codes, UTF-8, dates); validation rules such as title length
/// are `EventValidator`'s job on the server.
extension ByteReader {
    /// A canonical EDTF string, parsed with `HistoricalDate(parsing:)`.
    mutating func readDate(_ field: StaticString) throws(ProtocolError) -> HistoricalDate {
        let text = try readString(field)
        do {
            return try HistoricalDate(parsing: text)
        } catch {
            throw .malformed("\(field): '\(text)' is not an EDTF date: \(error.message)")
        }
    }

    mutating func readOptionalDate(_ field: StaticString) throws(ProtocolError) -> HistoricalDate? {
        try readPresence(field) ? try readDate(field) : nil
    }

    mutating func readTimestamp(_ field: StaticString) throws(ProtocolError) -> Timestamp {
        Timestamp(milliseconds: try readI64(field))
    }

    mutating func readOptionalTimestamp(_ field: StaticString) throws(ProtocolError) -> Timestamp? {
        try readPresence(field) ? try readTimestamp(field) : nil
    }

    /// A `u32` read into an `Int`.
    mutating func readU32AsInt(_ field: StaticString) throws(ProtocolError) -> Int {
        Int(try readU32(field))
    }

    mutating func readOptionalU32AsInt(_ field: StaticString) throws(ProtocolError) -> Int? {
        try readPresence(field) ? Int(try readU32(field)) : nil
    }

    /// An `i64` count that must fit an `Int` and not be negative.
    mutating func readCountValue(_ field: StaticString) throws(ProtocolError) -> Int {
        let value = try readI64(field)
        guard value >= 0, let int = Int(exactly: value) else {
            throw .malformed("\(field): a count cannot be \(value)")
        }
        return int
    }

    mutating func readKind(_ field: StaticString) throws(ProtocolError) -> EventKind {
        let code = try readU8(field)
        guard let kind = EventKind(code: code) else { throw .malformed("\(field): unknown event kind code \(code)") }
        return kind
    }

    mutating func readRelation(_ field: StaticString) throws(ProtocolError) -> Relation {
        let code = try readU8(field)
        guard let relation = Relation(code: code) else { throw .malformed("\(field): unknown relation code \(code)") }
        return relation
    }

    /// A list whose items are read by `read`, each at least `minimumItemSize` bytes.
    mutating func readList<T>(
        _ field: StaticString, minimumItemSize: Int, _ read: (inout ByteReader) throws(ProtocolError) -> T
    ) throws(ProtocolError) -> [T] {
        let count = try readCount(field, minimumItemSize: minimumItemSize)
        var items: [T] = []
        items.reserveCapacity(count)
        for _ in 0..<count { items.append(try read(&self)) }
        return items
    }

    mutating func readActor() throws(ProtocolError) -> Actor {
        Actor(
            name: try readString("actor.name"), code: try readOptionalString("actor.code"),
            role: try readOptionalString("actor.role")
        )
    }

    mutating func readSource() throws(ProtocolError) -> Source {
        Source(
            url: try readString("source.url"), publisher: try readOptionalString("source.publisher"),
            published: try readOptionalString("source.published")
        )
    }

    mutating func readReference() throws(ProtocolError) -> Reference {
        Reference(id: try readString("reference.id"), relation: try readRelation("reference.relation"))
    }

    mutating func readEvent() throws(ProtocolError) -> Event {
        let id = try readString("event.id")
        let date = try readDate("event.date")
        let kind = try readKind("event.kind")
        let title = try readString("event.title")
        let summary = try readOptionalString("event.summary")
        let body = try readOptionalString("event.body")
        let actors = try readList("event.actors", minimumItemSize: 6) { (r: inout ByteReader) throws(ProtocolError) in
            try r.readActor()
        }
        let places = try readStringList("event.places")
        let tags = try readStringList("event.tags")
        let sources = try readList("event.sources", minimumItemSize: 6) { (r: inout ByteReader) throws(ProtocolError) in
            try r.readSource()
        }
        let references = try readList("event.references", minimumItemSize: 5) {
            (r: inout ByteReader) throws(ProtocolError) in try r.readReference()
        }
        let recorded = try readOptionalTimestamp("event.recorded")
        let revision = try readOptionalU32AsInt("event.revision")
        return Event(
            id: id, date: date, kind: kind, title: title, summary: summary, body: body, actors: actors,
            places: places, tags: tags, sources: sources, references: references, recorded: recorded,
            revision: revision
        )
    }

    mutating func readRetraction() throws(ProtocolError) -> Retraction {
        Retraction(
            id: try readString("retraction.id"), reason: try readString("retraction.reason"),
            recorded: try readOptionalTimestamp("retraction.recorded"),
            revision: try readOptionalU32AsInt("retraction.revision")
        )
    }

    mutating func readLogEntry() throws(ProtocolError) -> LogEntry {
        let tag = try readU8("logEntry.tag")
        switch tag {
        case 0: return .event(try readEvent())
        case 1: return .retraction(try readRetraction())
        default: throw .malformed("logEntry.tag: unknown log entry tag \(tag) (0 event, 1 retraction)")
        }
    }

    mutating func readEventError() throws(ProtocolError) -> EventError {
        let code = EventError.Code(number: try readU16("eventError.code"))
        let field = try readOptionalString("eventError.field")
        let message = try readString("eventError.message")
        return EventError(code, field: field, message)
    }

    mutating func readAppendOutcome() throws(ProtocolError) -> AppendOutcome {
        let tag = try readU8("outcome.tag")
        switch tag {
        case 0: return .accepted(seq: try readI64("outcome.seq"))
        case 1: return .duplicate(seq: try readI64("outcome.seq"))
        case 2: return .rejected(try readEventError())
        default: throw .malformed("outcome.tag: unknown append outcome tag \(tag) (0 accepted, 1 duplicate, 2 rejected)")
        }
    }

    mutating func readEventRecord() throws(ProtocolError) -> EventRecord {
        let event = try readEvent()
        let seq = try readI64("record.seq")
        let retraction = try readPresence("record.retraction") ? try readRetraction() : nil
        return EventRecord(event: event, seq: seq, retraction: retraction)
    }

    mutating func readResolvedReference() throws(ProtocolError) -> ResolvedReference {
        ResolvedReference(
            id: try readString("resolvedReference.id"), relation: try readRelation("resolvedReference.relation"),
            title: try readOptionalString("resolvedReference.title"),
            date: try readOptionalDate("resolvedReference.date")
        )
    }

    mutating func readEventDetail() throws(ProtocolError) -> EventDetail {
        let current = try readEventRecord()
        let revisions = try readList("detail.revisions", minimumItemSize: 11) {
            (r: inout ByteReader) throws(ProtocolError) in try r.readLogEntry()
        }
        let outgoing = try readList("detail.outgoing", minimumItemSize: 7) {
            (r: inout ByteReader) throws(ProtocolError) in try r.readResolvedReference()
        }
        let incoming = try readList("detail.incoming", minimumItemSize: 7) {
            (r: inout ByteReader) throws(ProtocolError) in try r.readResolvedReference()
        }
        return EventDetail(current: current, revisions: revisions, outgoing: outgoing, incoming: incoming)
    }

    mutating func readTimelineQuery() throws(ProtocolError) -> TimelineQuery {
        let from = try readOptionalDate("query.from")
        let to = try readOptionalDate("query.to")
        let actors = try readStringList("query.actors")
        let allActors = try readBool("query.allActors")
        let kinds = try readList("query.kinds", minimumItemSize: 1) { (r: inout ByteReader) throws(ProtocolError) in
            try r.readKind("query.kinds")
        }
        let tags = try readStringList("query.tags")
        let text = try readOptionalString("query.text")
        let references = try readOptionalString("query.references")
        let referencedBy = try readOptionalString("query.referencedBy")
        let reverse = try readBool("query.reverse")
        let limit = try readU32AsInt("query.limit")
        let cursor = try readOptionalString("query.cursor")
        let includeRetracted = try readBool("query.includeRetracted")
        return TimelineQuery(
            from: from, to: to, actors: actors, allActors: allActors, kinds: kinds, tags: tags, text: text,
            references: references, referencedBy: referencedBy, reverse: reverse, limit: limit, cursor: cursor,
            includeRetracted: includeRetracted
        )
    }

    mutating func readStoreStats() throws(ProtocolError) -> StoreStats {
        let visible = try readCountValue("stats.visible")
        let retracted = try readCountValue("stats.retracted")
        let revisions = try readCountValue("stats.revisions")
        let lastSeq = try readI64("stats.lastSeq")
        let indexedSeq = try readI64("stats.indexedSeq")
        let indexLag = try readI64("stats.indexLagMilliseconds")
        var byKind: [EventKind: Int] = [:]
        let kindCount = try readCount("stats.byKind", minimumItemSize: 9)
        for _ in 0..<kindCount {
            let kind = try readKind("stats.byKind.kind")
            let count = try readCountValue("stats.byKind.count")
            guard byKind.updateValue(count, forKey: kind) == nil else {
                throw .malformed("stats.byKind: kind \(kind.rawValue) appears twice")
            }
        }
        var byDecade: [Int64: Int] = [:]
        let decadeCount = try readCount("stats.byDecade", minimumItemSize: 16)
        for _ in 0..<decadeCount {
            let decade = try readI64("stats.byDecade.decade")
            let count = try readCountValue("stats.byDecade.count")
            guard byDecade.updateValue(count, forKey: decade) == nil else {
                throw .malformed("stats.byDecade: decade \(decade) appears twice")
            }
        }
        let openStart = try readCountValue("stats.openStart")
        let topActors = try readList("stats.topActors", minimumItemSize: 12) {
            (r: inout ByteReader) throws(ProtocolError) in
            StoreStats.ActorCount(name: try r.readString("stats.topActors.name"),
                                  count: try r.readCountValue("stats.topActors.count"))
        }
        return StoreStats(
            visible: visible, retracted: retracted, revisions: revisions, lastSeq: lastSeq, indexedSeq: indexedSeq,
            indexLagMilliseconds: indexLag, byKind: byKind, byDecade: byDecade, openStart: openStart, topActors: topActors, fileBytes: try readI64("stats.fileBytes"),
            textBytes: try readI64("stats.textBytes"), compressedBytes: try readI64("stats.compressedBytes")
        )
    }

    mutating func readProtocolError() throws(ProtocolError) -> ProtocolError {
        let code = ProtocolError.Code(number: try readU16("error.code"))
        let message = try readString("error.message")
        let eventError = try readPresence("error.eventError") ? try readEventError() : nil
        return ProtocolError(code, message, eventError: eventError)
    }
}
