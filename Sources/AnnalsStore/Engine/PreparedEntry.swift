import AnnalsCore
import AnnalsProtocol

/// A log entry made ready for the writer before it reaches it: validated, hashed, compressed and encoded,
/// so the writer's transaction holds only b-tree inserts.
package struct PreparedEntry: Sendable {
    package let entry: LogEntry
    package let intent: RevisionRules.Intent
    /// Set when the entry failed validation; the writer then writes nothing of its batch.
    package let rejection: EventError?
    /// Content hash (excluding recorded and revision) for idempotency checks.
    package let hash: Int64
    package let content: PreparedContent?

    /// Validates and prepares `entry`.
    package init(_ entry: LogEntry, intent: RevisionRules.Intent = .log, validator: EventValidator, compression: CompressionSession) {
        self.entry = entry
        self.intent = intent
        do {
            try validator.validate(entry)
        } catch {
            rejection = error
            hash = 0
            content = nil
            return
        }
        switch entry {
        case .event(let event):
            hash = Int64(bitPattern: event.contentHash)
            do {
                content = try PreparedContent(event, compression: compression)
                rejection = nil
            } catch {
                content = nil
                rejection = EventError(.malformedLine, "could not compress the event: \(error.message)")
            }
        case .retraction(let retraction):
            hash = Int64(bitPattern: retraction.contentHash)
            content = nil
            rejection = nil
        }
    }
}

/// The stored form of an event revision's content.
package struct PreparedContent: Sendable {
    /// `StoredEvent.encodeContent` bytes: completed with the revision's time and number by the writer.
    package let record: [UInt8]
    package let bodyZ: [UInt8]?
    package let bodyLength: Int
    package let dictionary: Int64
    package let kind: Int64
    package let lower: Int64
    package let upper: Int64
    package let decade: Int64?
    package let spanClass: Int64
    /// Filter keys: (name, label) such as ("a:japan", "Japan").
    package let facets: [(name: String, label: String)]

    init(_ event: Event, compression: CompressionSession) throws(CompressionError) {
        record = StoredEvent.encodeContent(event)
        if let body = event.body {
            bodyZ = try compression.compress(body)
            bodyLength = body.utf8.count
        } else {
            bodyZ = nil
            bodyLength = 0
        }
        dictionary = compression.dictionary
        kind = Int64(event.kind.code)
        (lower, upper) = DayBounds.of(event.date)
        decade = event.date.lower.map { $0.year.floorDiv(10) * 10 }
        spanClass = SpanClass.of(lower: lower, upper: upper)
        facets = Facets.of(event)
    }

    /// Bytes of body text before compression, and after.
    package var textBytes: Int64 { Int64(bodyLength) }
    package var compressedBytes: Int64 { Int64(bodyZ?.count ?? 0) }
}

/// The integer day bounds stored for a date: open ends become the extreme integers.
package enum DayBounds {
    package static let openLower = Int64.min
    package static let openUpper = Int64.max

    package static func of(_ date: HistoricalDate) -> (lower: Int64, upper: Int64) {
        (date.lower?.dayNumber ?? openLower, date.upper?.dayNumber ?? openUpper)
    }
}

/// Events grouped by how long their date span is, so that a date range reads only index entries that can
/// overlap it: in class `c` every span is at most `limits[c]` days, so an event ending on or after `from`
/// starts on or after `from - limits[c]`, and the scan of that class starts there. The last class holds
/// longer and open-ended spans; it is scanned from its beginning, and holds few events in any real log.
package enum SpanClass {
    /// The longest span of each bounded class, in days: a day or month, a season or year, then ×4.
    package static let limits: [Int64] = [31, 366, 1_461, 5_844, 23_376]
    /// Number of classes (the last one unbounded).
    package static var count: Int { limits.count + 1 }

    package static func of(lower: Int64, upper: Int64) -> Int64 {
        guard lower != DayBounds.openLower, upper != DayBounds.openUpper else { return Int64(limits.count) }
        let (span, overflow) = upper.subtractingReportingOverflow(lower)
        if overflow { return Int64(limits.count) }
        return Int64(limits.firstIndex { span <= $0 } ?? limits.count)
    }

    /// The same classification in SQL, over the columns named `lower` and `upper` (for migrations).
    package static func sqlExpression(lower: String = "lower", upper: String = "upper") -> String {
        var cases = "CASE WHEN \(lower) = \(DayBounds.openLower) OR \(upper) = \(DayBounds.openUpper) THEN \(limits.count)"
        for (index, limit) in limits.enumerated() { cases += " WHEN \(upper) - \(lower) <= \(limit) THEN \(index)" }
        return cases + " ELSE \(limits.count) END"
    }
}

/// The filter keys an event is indexed under.
package enum Facets {
    package static func actorName(_ text: String) -> String { "a:" + Text.foldedKey(text) }
    package static func actorCode(_ text: String) -> String { "c:" + Text.foldedKey(text) }
    /// The keys an actor filter matches: a name or a code that folds as `text` does.
    package static func actorKeys(_ text: String) -> [String] {
        let folded = Text.foldedKey(text)
        return ["a:" + folded, "c:" + folded]
    }
    package static func tag(_ text: String) -> String { "t:" + Text.foldedKey(text) }
    package static func reference(_ id: String) -> String { "r:" + id }

    package static func of(_ event: Event) -> [(name: String, label: String)] {
        var out: [(String, String)] = []
        var seen = Set<String>()
        func add(_ name: String, _ label: String) {
            if seen.insert(name).inserted { out.append((name, label)) }
        }
        for actor in event.actors {
            add(actorName(actor.name), actor.name)
            if let code = actor.code { add(actorCode(code), code) }
        }
        for tag in event.tags { add(Self.tag(tag), tag) }
        for reference in event.references { add(Self.reference(reference.id), reference.id) }
        return out
    }
}

extension Int64 {
    /// Floor division (rounds towards minus infinity).
    func floorDiv(_ divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }
}
