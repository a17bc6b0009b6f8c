import AnnalsCore
import AnnalsProtocol
import AnnalsStore

/// One group transaction's decisions, made in memory: each batch's entries decided by `RevisionRules` against
/// the histories read under the rows locks of their ids, and the rows they write gathered into columns, so the
/// whole group is written by a few multi-row statements in one round trip. A batch with a rejected entry leaves
/// no trace.
///
/// Log positions are not known while the group is decided: they are given out by the last statements, under
/// the log lock (`publishing`). Until then the group's own revisions have provisional positions, -1, -2, …
/// in log order, which `resolved` turns into real ones once the first is known.
struct WriteGroup {
    /// Histories by id: read from the database, or made by earlier entries of this group.
    private(set) var histories: [String: StoredHistory]
    /// The provisional position of the next revision.
    private var nextProvisional: Int64 = -1
    /// Numbers for new events, taken from the `event_numbers` sequence (unused ones are left as gaps).
    private var eventNumbers: ArraySlice<Int64>
    /// Whether an entry created an event with no number left: the histories and the numbers were read at
    /// different moments and another process created one of the ids in between. The group must be decided again.
    private(set) var ranOutOfEventNumbers = false
    private let clock: @Sendable () -> Timestamp

    /// The rows to write.
    private(set) var revisions = RevisionColumns()
    private var bodyKeys: [(event: Int64, revision: Int64)] = []
    private var bodies: [[UInt8]?] = []
    /// The shown content of events whose content changed, one row per event in first-change order (a later
    /// change in the group replaces the row), and each event's row.
    private var contents = ContentColumns()
    private var contentRows: [Int64: Int] = [:]
    /// The head revision of events whose latest entry in the group is a retraction.
    private var retractedHeads: [Int64: Int64] = [:]
    private var facetLabels: [(name: String, label: String)] = []
    private var textBytes: Int64 = 0
    private var compressedBytes: Int64 = 0
    private var openEnded: Int64 = 0
    private var maxSpan: Int64 = 0

    struct RevisionColumns {
        var seq: [Int64?] = []
        var event: [Int64?] = []
        var revision: [Int64?] = []
        var recorded: [Int64?] = []
        var hash: [Int64?] = []
        var retraction: [String?] = []
        var record: [[UInt8]?] = []
        var bodyLength: [Int64?] = []
        var dictionary: [Int64?] = []
    }

    private struct ContentColumns {
        var event: [Int64] = []
        var id: [String] = []
        var revision: [Int64?] = []
        var lower: [Int64?] = []
        var upper: [Int64?] = []
        var spanClass: [Int64?] = []
        var kind: [Int64?] = []
        var decade: [Int64?] = []
        var search: [[UInt8]?] = []
        var facets: [[String]] = []

        /// Sets row `row` (appended when it is the next one).
        mutating func set(_ row: Int, event: Int64, id: String, revision: Int64, content: PreparedContent, search: [UInt8]?) {
            if row == self.event.count {
                self.event.append(event)
                self.id.append(id)
                self.revision.append(revision)
                lower.append(content.lower)
                upper.append(content.upper)
                spanClass.append(content.spanClass)
                kind.append(content.kind)
                decade.append(content.decade)
                self.search.append(search)
                facets.append(content.facets.map(\.name))
            } else {
                self.revision[row] = revision
                lower[row] = content.lower
                upper[row] = content.upper
                spanClass[row] = content.spanClass
                kind[row] = content.kind
                decade[row] = content.decade
                self.search[row] = search
                facets[row] = content.facets.map(\.name)
            }
        }
    }

    /// - Parameters:
    ///   - histories: the stored histories of the ids the group's entries name.
    ///   - eventNumbers: at least as many unused event numbers as the group may create events.
    init(histories: [String: StoredHistory], eventNumbers: [Int64], clock: @escaping @Sendable () -> Timestamp) {
        self.histories = histories
        self.eventNumbers = eventNumbers[...]
        self.clock = clock
    }

    /// How many revisions the group writes, so how many log positions it takes.
    var revisionCount: Int64 { Int64(revisions.seq.count) }

    /// `seq` as a real log position, once the group's revisions were numbered from `first`.
    static func resolved(_ seq: Int64, first: Int64) -> Int64 {
        seq < 0 ? first - 1 - seq : seq
    }

    /// `outcome` with real log positions (see `resolved(_:first:)`).
    static func resolved(_ outcome: AppendOutcome, first: Int64) -> AppendOutcome {
        switch outcome {
        case .accepted(let seq): .accepted(seq: resolved(seq, first: first))
        case .duplicate(let seq): .duplicate(seq: resolved(seq, first: first))
        case .rejected: outcome
        }
    }

    /// What identifies a revision row (`PostgresWriter.settle`).
    struct RevisionKey: Equatable {
        var event: Int64
        var revision: Int64
        var hash: Int64
    }

    /// The revisions the group writes, in log order.
    var revisionKeys: [RevisionKey] {
        revisions.event.indices.map { i in
            RevisionKey(event: revisions.event[i] ?? 0, revision: revisions.revision[i] ?? 0, hash: revisions.hash[i] ?? 0)
        }
    }

    /// Whether any entry writes something.
    var writesAnything: Bool { !revisions.seq.isEmpty }

    /// Decides one batch: all its entries written (or duplicates), or, when one is rejected, none.
    mutating func add(_ batch: [PostgresEntry]) -> [AppendOutcome] {
        if batch.contains(where: { $0.prepared.rejection != nil }) {
            return batch.map { $0.prepared.rejection.map(AppendOutcome.rejected) ?? .rejected(Self.aborted) }
        }
        // Deciding on a copy of the group copies everything earlier batches added (about as much again per
        // batch): a batch known to be accepted whole is decided in place.
        if acceptedWhole(batch) { return batch.map { apply($0) } }
        var trial = self
        let outcomes = batch.map { trial.apply($0) }
        guard outcomes.contains(where: { if case .rejected = $0 { true } else { false } }) else {
            self = trial
            return outcomes
        }
        ranOutOfEventNumbers = ranOutOfEventNumbers || trial.ranOutOfEventNumbers
        return outcomes.map { if case .rejected = $0 { $0 } else { .rejected(Self.aborted) } }
    }

    private static let aborted = EventError(.batchAborted, "not written: another entry of the same batch was rejected")

    /// Whether no entry of `batch` can be rejected, known without deciding it into the group: its ids are
    /// distinct, so each entry's decision depends only on the history as it stands, none of those decisions is
    /// a rejection, and the group has an event number for each event the batch creates.
    private func acceptedWhole(_ batch: [PostgresEntry]) -> Bool {
        var ids = Set<String>(minimumCapacity: batch.count)
        var creations = 0
        for entry in batch {
            guard ids.insert(entry.prepared.entry.id).inserted else { return false }
            switch decision(for: entry, history: histories[entry.prepared.entry.id]) {
            case .reject: return false
            case .create: creations += 1
            case .revise, .retract, .duplicate: break
            }
        }
        return creations <= eventNumbers.count
    }

    private func decision(for entry: PostgresEntry, history: StoredHistory?) -> RevisionRules.Decision {
        let prepared = entry.prepared
        return RevisionRules.decide(prepared.entry, intent: prepared.intent, hash: prepared.hash, head: history?.head) { lookup in
            history?.seq(of: lookup)
        }
    }

    private mutating func apply(_ entry: PostgresEntry) -> AppendOutcome {
        let prepared = entry.prepared
        let history = histories[prepared.entry.id]
        let decision = decision(for: entry, history: history)
        if let outcome = decision.outcomeWithoutWriting { return outcome }
        switch (decision, prepared.entry) {
        case (.create, .event(let event)):
            guard let content = prepared.content else { return .rejected(EventError(.malformedLine, "no content")) }
            guard let number = eventNumbers.popFirst() else {
                // The id was missing from the histories but counted as stored when the numbers were taken:
                // another process created it in between. The writer decides the group again.
                ranOutOfEventNumbers = true
                return .rejected(EventError(.malformedLine, "no event number left in this attempt"))
            }
            let seq = addRevision(event: number, revision: 1, recorded: event.recorded, hash: prepared.hash, content: content)
            histories[event.id] = StoredHistory(event: number, head: .init(revision: 1, seq: seq, retraction: nil),
                                                revisions: [.init(revision: 1, seq: seq, hash: prepared.hash, retraction: false)])
            setContent(event: number, id: event.id, revision: 1, content: content, search: entry.search)
            return .accepted(seq: seq)
        case (.revise(let revision), .event(let event)):
            guard let content = prepared.content, var history else { return .rejected(EventError(.malformedLine, "no content")) }
            let seq = addRevision(event: history.event, revision: revision, recorded: event.recorded, hash: prepared.hash, content: content)
            history.head = .init(revision: revision, seq: seq, retraction: nil)
            history.revisions.append(.init(revision: revision, seq: seq, hash: prepared.hash, retraction: false))
            histories[event.id] = history
            setContent(event: history.event, id: event.id, revision: revision, content: content, search: entry.search)
            retractedHeads[history.event] = nil
            return .accepted(seq: seq)
        case (.retract(let revision), .retraction(let retraction)):
            guard var history else { return .rejected(EventError(.notFound, field: "id", "no such event")) }
            let seq = nextProvisional
            nextProvisional -= 1
            appendRevisionRow(seq: seq, event: history.event, revision: revision, recorded: (retraction.recorded ?? clock()).milliseconds,
                              hash: prepared.hash, retraction: retraction.reason, record: nil, bodyLength: nil, dictionary: nil)
            history.head = .init(revision: revision, seq: seq, retraction: retraction.reason)
            history.revisions.append(.init(revision: revision, seq: seq, hash: prepared.hash, retraction: true))
            histories[retraction.id] = history
            retractedHeads[history.event] = Int64(revision)
            return .accepted(seq: seq)
        default:
            return .rejected(EventError(.malformedLine, "the entry does not fit the decision \(decision)"))
        }
    }

    private mutating func addRevision(event: Int64, revision: Int, recorded: Timestamp?, hash: Int64, content: PreparedContent) -> Int64 {
        let seq = nextProvisional
        nextProvisional -= 1
        let recorded = recorded ?? clock()
        appendRevisionRow(seq: seq, event: event, revision: revision, recorded: recorded.milliseconds, hash: hash, retraction: nil,
                          record: StoredEvent.complete(content.record, recorded: recorded, revision: revision),
                          bodyLength: content.bodyZ == nil ? nil : Int64(content.bodyLength), dictionary: content.dictionary)
        if let bodyZ = content.bodyZ {
            bodyKeys.append((event, Int64(revision)))
            bodies.append(bodyZ)
            textBytes += content.textBytes
            compressedBytes += content.compressedBytes
        }
        if content.lower == DayBounds.openLower || content.upper == DayBounds.openUpper {
            openEnded += 1
        } else {
            maxSpan = max(maxSpan, content.upper - content.lower)
        }
        return seq
    }

    private mutating func appendRevisionRow(seq: Int64, event: Int64, revision: Int, recorded: Int64, hash: Int64, retraction: String?,
                                            record: [UInt8]?, bodyLength: Int64?, dictionary: Int64?) {
        revisions.seq.append(seq)
        revisions.event.append(event)
        revisions.revision.append(Int64(revision))
        revisions.recorded.append(recorded)
        revisions.hash.append(hash)
        revisions.retraction.append(retraction)
        revisions.record.append(record)
        revisions.bodyLength.append(bodyLength)
        revisions.dictionary.append(dictionary)
    }

    private mutating func setContent(event: Int64, id: String, revision: Int, content: PreparedContent, search: [UInt8]?) {
        let row = contentRows[event] ?? contents.event.count
        contentRows[event] = row
        contents.set(row, event: event, id: id, revision: Int64(revision), content: content, search: search)
        facetLabels += content.facets
    }

    // MARK: Statements

    /// The statements that write the group's bodies, events and facets: they need no log position, so they run
    /// before the log lock is taken, in parallel with other processes' groups.
    var contentStatements: [PGConnection.Statement] {
        var out: [PGConnection.Statement] = []
        if !bodyKeys.isEmpty {
            out.append(.init("INSERT INTO bodies(event, revision, body_z) SELECT * FROM unnest($1::int8[], $2::int8[], $3::bytea[])",
                             [.int64Array(bodyKeys.map(\.event)), .int64Array(bodyKeys.map(\.revision)), .byteaArray(bodies)]))
        }
        if !contents.event.isEmpty {
            // In id order, and the labels in name order, so that groups of two processes that create the same ids or
            // names wait for each other in one order, never in a cycle.
            let rows = contents.id.indices.sorted { contents.id[$0] < contents.id[$1] }
            func column<T>(_ values: [T]) -> [T] { rows.map { values[$0] } }
            out.append(.init("""
                INSERT INTO events(event, id, head_revision, content_revision, lower_day, upper_day, span_class, kind, decade, retracted, search)
                SELECT u.event, u.id, u.revision, u.revision, u.lower_day, u.upper_day, u.span_class, u.kind, u.decade, false, u.search
                FROM unnest($1::int8[], $2::text[], $3::int8[], $4::int8[], $5::int8[], $6::int8[], $7::int8[], $8::int8[], $9::tsvector[])
                    AS u(event, id, revision, lower_day, upper_day, span_class, kind, decade, search)
                ON CONFLICT (event) DO UPDATE SET head_revision = EXCLUDED.head_revision, content_revision = EXCLUDED.content_revision,
                    lower_day = EXCLUDED.lower_day, upper_day = EXCLUDED.upper_day, span_class = EXCLUDED.span_class, kind = EXCLUDED.kind,
                    decade = EXCLUDED.decade, retracted = false, search = EXCLUDED.search
                """, [.int64Array(column(contents.event)), .textArray(column(contents.id)), .int64Array(column(contents.revision)),
                      .int64Array(column(contents.lower)), .int64Array(column(contents.upper)), .int64Array(column(contents.spanClass)),
                      .int64Array(column(contents.kind)), .int64Array(column(contents.decade)), .tsvectorArray(column(contents.search))]))
            out.append(.init("DELETE FROM facets WHERE event = ANY($1::int8[])", [.int64Array(contents.event)]))
            let facetRows = rows.flatMap { row in repeatElement(row, count: contents.facets[row].count) }
            if !facetRows.isEmpty {
                func facetColumn<T>(_ values: [T]) -> [T] { facetRows.map { values[$0] } }
                out.append(.init("""
                    INSERT INTO facets(name, lower_day, upper_day, id, event, content_revision, kind, retracted)
                    SELECT u.name, u.lower_day, u.upper_day, u.id, u.event, u.revision, u.kind, false
                    FROM unnest($1::text[], $2::int8[], $3::int8[], $4::text[], $5::int8[], $6::int8[], $7::int8[])
                        AS u(name, lower_day, upper_day, id, event, revision, kind)
                    """, [.textArray(rows.flatMap { contents.facets[$0] }), .int64Array(facetColumn(contents.lower)),
                          .int64Array(facetColumn(contents.upper)), .textArray(facetColumn(contents.id)),
                          .int64Array(facetColumn(contents.event)), .int64Array(facetColumn(contents.revision)),
                          .int64Array(facetColumn(contents.kind))]))
                var seen = Set<String>()
                let names = facetLabels.filter { seen.insert($0.name).inserted }.sorted { $0.name < $1.name }
                out.append(.init("INSERT INTO facet_names(name, label) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING",
                                 [.textArray(names.map(\.name)), .textArray(names.map(\.label))]))
            }
        }
        if !retractedHeads.isEmpty {
            let events = retractedHeads.keys.sorted()
            out.append(.init("""
                UPDATE events e SET head_revision = u.head, retracted = true, search = NULL
                FROM unnest($1::int8[], $2::int8[]) AS u(event, head) WHERE e.event = u.event
                """, [.int64Array(events), .int64Array(events.map { retractedHeads[$0] })]))
            out.append(.init("UPDATE facets SET retracted = true WHERE event = ANY($1::int8[])", [.int64Array(events)]))
        }
        return out
    }

    /// The statements that number the group's revisions and write them: the first locks the log head and moves
    /// it past the group's positions, returning the first of them; the second inserts the revisions at
    /// positions first, first + 1, … in the group's order. The caller adds the notification and the commit.
    var publishing: [PGConnection.Statement] {
        [
            .init("""
                UPDATE log_head SET seq = seq + $1, text_bytes = text_bytes + $2, compressed_bytes = compressed_bytes + $3,
                    open_ended = open_ended + $4, max_span = greatest(max_span, $5)
                RETURNING seq - $1 + 1
                """, [.int64(revisionCount), .int64(textBytes), .int64(compressedBytes), .int64(openEnded), .int64(maxSpan)]),
            .init("""
                INSERT INTO revisions(seq, event, revision, recorded, hash, retraction, record, body_length, dict)
                SELECT h.seq - $1 + u.n, u.event, u.revision, u.recorded, u.hash, u.retraction, u.record, u.body_length, u.dict
                FROM log_head h, unnest($2::int8[], $3::int8[], $4::int8[], $5::int8[], $6::text[], $7::bytea[], $8::int8[], $9::int8[])
                    WITH ORDINALITY AS u(event, revision, recorded, hash, retraction, record, body_length, dict, n)
                """, [.int64(revisionCount), .int64Array(revisions.event), .int64Array(revisions.revision),
                      .int64Array(revisions.recorded), .int64Array(revisions.hash), .textArray(revisions.retraction),
                      .byteaArray(revisions.record), .int64Array(revisions.bodyLength), .int64Array(revisions.dictionary)]),
        ]
    }
}
