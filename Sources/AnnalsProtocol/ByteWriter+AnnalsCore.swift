import AnnalsCore

/// The wire encoding of the AnnalsCore model; `Protocol/PROTOCOL.md` ("Model values") gives the layouts.
extension ByteWriter {
    /// A date: its canonical EDTF string.
    mutating func write(_ date: HistoricalDate) {
        writeString(date.canonical)
    }

    mutating func write(_ timestamp: Timestamp) {
        writeI64(timestamp.milliseconds)
    }

    /// An `Int` sent as `u32` (revisions, page limits): negative values become 0, huge ones `UInt32.max`.
    mutating func writeU32(clamping value: Int) {
        writeU32(UInt32(clamping: value))
    }

    mutating func write(_ actor: Actor) {
        writeString(actor.name)
        writeOptionalString(actor.code)
        writeOptionalString(actor.role)
    }

    mutating func write(_ source: Source) {
        writeString(source.url)
        writeOptionalString(source.publisher)
        writeOptionalString(source.published)
    }

    mutating func write(_ reference: Reference) {
        writeString(reference.id)
        writeU8(reference.relation.code)
    }

    mutating func write(_ event: Event) {
        reserve(64 + event.title.utf8.count + (event.summary?.utf8.count ?? 0) + (event.body?.utf8.count ?? 0))
        writeString(event.id)
        write(event.date)
        writeU8(event.kind.code)
        writeString(event.title)
        writeOptionalString(event.summary)
        writeOptionalString(event.body)
        writeList(event.actors) { $0.write($1) }
        writeStringList(event.places)
        writeStringList(event.tags)
        writeList(event.sources) { $0.write($1) }
        writeList(event.references) { $0.write($1) }
        writeOptional(event.recorded) { $0.write($1) }
        writeOptional(event.revision) { $0.writeU32(clamping: $1) }
    }

    mutating func write(_ retraction: Retraction) {
        writeString(retraction.id)
        writeString(retraction.reason)
        writeOptional(retraction.recorded) { $0.write($1) }
        writeOptional(retraction.revision) { $0.writeU32(clamping: $1) }
    }

    /// A tagged union: `u8` 0 then an event, or `u8` 1 then a retraction.
    mutating func write(_ entry: LogEntry) {
        switch entry {
        case .event(let event):
            writeU8(0)
            write(event)
        case .retraction(let retraction):
            writeU8(1)
            write(retraction)
        }
    }

    mutating func write(_ error: EventError) {
        writeU16(error.code.number)
        writeOptionalString(error.field)
        writeString(error.message)
    }

    /// A tagged union: 0 accepted(seq), 1 duplicate(seq), 2 rejected(event error).
    mutating func write(_ outcome: AppendOutcome) {
        switch outcome {
        case .accepted(let seq):
            writeU8(0)
            writeI64(seq)
        case .duplicate(let seq):
            writeU8(1)
            writeI64(seq)
        case .rejected(let error):
            writeU8(2)
            write(error)
        }
    }

    mutating func write(_ record: EventRecord) {
        write(record.event)
        writeI64(record.seq)
        writeOptional(record.retraction) { $0.write($1) }
    }

    mutating func write(_ reference: ResolvedReference) {
        writeString(reference.id)
        writeU8(reference.relation.code)
        writeOptionalString(reference.title)
        writeOptional(reference.date) { $0.write($1) }
    }

    mutating func write(_ detail: EventDetail) {
        write(detail.current)
        writeList(detail.revisions) { $0.write($1) }
        writeList(detail.outgoing) { $0.write($1) }
        writeList(detail.incoming) { $0.write($1) }
    }

    mutating func write(_ query: TimelineQuery) {
        writeOptional(query.from) { $0.write($1) }
        writeOptional(query.to) { $0.write($1) }
        writeStringList(query.actors)
        writeBool(query.allActors)
        writeList(query.kinds) { $0.writeU8($1.code) }
        writeStringList(query.tags)
        writeOptionalString(query.text)
        writeOptionalString(query.references)
        writeOptionalString(query.referencedBy)
        writeBool(query.reverse)
        writeU32(clamping: query.limit)
        writeOptionalString(query.cursor)
        writeBool(query.includeRetracted)
    }

    /// Counts as `i64`; maps as lists of pairs sorted by key, so equal stats give equal bytes.
    mutating func write(_ stats: StoreStats) {
        writeI64(Int64(stats.visible))
        writeI64(Int64(stats.retracted))
        writeI64(Int64(stats.revisions))
        writeI64(stats.lastSeq)
        writeI64(stats.indexedSeq)
        writeI64(stats.indexLagMilliseconds)
        writeList(stats.byKind.sorted { $0.key.code < $1.key.code }) {
            $0.writeU8($1.key.code)
            $0.writeI64(Int64($1.value))
        }
        writeList(stats.byDecade.sorted { $0.key < $1.key }) {
            $0.writeI64($1.key)
            $0.writeI64(Int64($1.value))
        }
        writeI64(Int64(stats.openStart))
        writeList(stats.topActors) {
            $0.writeString($1.name)
            $0.writeI64(Int64($1.count))
        }
        writeI64(stats.fileBytes)
        writeI64(stats.textBytes)
        writeI64(stats.compressedBytes)
    }

    mutating func write(_ error: ProtocolError) {
        writeU16(error.code.number)
        writeString(error.message)
        writeOptional(error.eventError) { $0.write($1) }
    }
}
