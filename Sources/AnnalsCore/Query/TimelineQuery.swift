/// A chronological question: which events, in which order, how many per page.
///
/// Every filter narrows the result (they combine with AND). Within `actors`, any one matches unless
/// `allActors` is set; within `kinds` and `tags`, any one matches.
public struct TimelineQuery: Sendable, Hashable {
    /// Events whose bounds overlap [from.lower, to.upper]; nil for no limit on that side.
    public var from: HistoricalDate?
    public var to: HistoricalDate?
    /// Actor names or codes, matched case- and diacritic-insensitively.
    public var actors: [String]
    /// Require every actor in `actors`, not just one.
    public var allActors: Bool
    public var kinds: [EventKind]
    public var tags: [String]
    /// A full-text search over title, summary and body, as a person types it (`SearchQuery`).
    public var text: String?
    /// Only events that refer to this id.
    public var references: String?
    /// Only events that this id refers to.
    public var referencedBy: String?
    /// Newest first instead of oldest first.
    public var reverse: Bool
    /// Page size (1 to `TimelineQuery.maxLimit`).
    public var limit: Int
    /// Where the previous page ended (`TimelinePage.nextCursor`); nil for the first page.
    public var cursor: String?
    /// Also return retracted events.
    public var includeRetracted: Bool

    /// The largest page a store returns at once.
    public static let maxLimit = 10_000

    public init(
        from: HistoricalDate? = nil, to: HistoricalDate? = nil, actors: [String] = [], allActors: Bool = false,
        kinds: [EventKind] = [], tags: [String] = [], text: String? = nil, references: String? = nil,
        referencedBy: String? = nil, reverse: Bool = false, limit: Int = 100, cursor: String? = nil,
        includeRetracted: Bool = false
    ) {
        self.from = from
        self.to = to
        self.actors = actors
        self.allActors = allActors
        self.kinds = kinds
        self.tags = tags
        self.text = text
        self.references = references
        self.referencedBy = referencedBy
        self.reverse = reverse
        self.limit = limit
        self.cursor = cursor
        self.includeRetracted = includeRetracted
    }
}

/// One event as the store holds it: its current revision and where it stands in the log.
public struct EventRecord: Sendable, Hashable {
    /// The event at its current (or requested) revision, with `recorded` and `revision` set.
    public var event: Event
    /// The log position of this revision.
    public var seq: Int64
    /// Set when the event is retracted.
    public var retraction: Retraction?

    public init(event: Event, seq: Int64, retraction: Retraction? = nil) {
        self.event = event
        self.seq = seq
        self.retraction = retraction
    }
}

/// A page of a timeline.
public struct TimelinePage: Sendable, Hashable {
    public var records: [EventRecord]
    /// Pass as `TimelineQuery.cursor` for the next page; nil when this is the last page.
    public var nextCursor: String?

    public init(records: [EventRecord], nextCursor: String?) {
        self.records = records
        self.nextCursor = nextCursor
    }
}

/// A reference seen from either end, with what is known of the other event.
public struct ResolvedReference: Sendable, Hashable {
    /// The id of the other event.
    public var id: String
    public var relation: Relation
    /// The other event's title and date; nil when it is not (yet) in the store (unresolved).
    public var title: String?
    public var date: HistoricalDate?

    public init(id: String, relation: Relation, title: String? = nil, date: HistoricalDate? = nil) {
        self.id = id
        self.relation = relation
        self.title = title
        self.date = date
    }

    /// Whether the other event exists in the store.
    public var isResolved: Bool { title != nil }
}

/// Everything known about one event: its current state, every revision, and its references both ways.
public struct EventDetail: Sendable, Hashable {
    public var current: EventRecord
    /// Every revision, oldest first (the current one included), retractions as log entries.
    public var revisions: [LogEntry]
    /// References this event makes, resolved where possible.
    public var outgoing: [ResolvedReference]
    /// Events that refer to this one.
    public var incoming: [ResolvedReference]

    public init(current: EventRecord, revisions: [LogEntry], outgoing: [ResolvedReference], incoming: [ResolvedReference]) {
        self.current = current
        self.revisions = revisions
        self.outgoing = outgoing
        self.incoming = incoming
    }
}

/// The result of appending one log entry.
public enum AppendOutcome: Sendable, Hashable {
    /// Written at this log position.
    case accepted(seq: Int64)
    /// Already stored with the same content, at this log position; nothing written.
    case duplicate(seq: Int64)
    /// Not written, for this reason (`batchAborted` when another entry of the batch was at fault).
    case rejected(EventError)
}

/// Counts and sizes of a store. The parts add up: `visible + retracted` events, `byKind` sums to `visible`, and
/// `byDecade` plus `openStart` sums to `visible`.
public struct StoreStats: Sendable, Hashable {
    /// Events shown in timelines (not retracted).
    public var visible: Int
    /// Retracted events (hidden from timelines; their revisions stay readable).
    public var retracted: Int
    /// Revisions and retractions in the log.
    public var revisions: Int
    /// The last log position (0 when empty).
    public var lastSeq: Int64
    /// The log position up to which the full-text index has read the log.
    public var indexedSeq: Int64
    /// How long the oldest entry not yet in the full-text index has waited, in milliseconds (0 when none waits).
    public var indexLagMilliseconds: Int64
    /// Visible events by kind.
    public var byKind: [EventKind: Int]
    /// Visible events by the decade of their lower bound (1950 for the 1950s).
    public var byDecade: [Int64: Int]
    /// Visible events whose start is open or unknown (`../1956`, `/1956`): in no decade.
    public var openStart: Int
    /// The most frequent actors among visible events, most frequent first, ties by name; at most 10.
    public var topActors: [ActorCount]
    /// Size of the database file(s) in bytes.
    public var fileBytes: Int64
    /// Bytes of summary and body text before and after compression.
    public var textBytes: Int64
    public var compressedBytes: Int64

    /// An actor and the number of visible events it appears in.
    public struct ActorCount: Sendable, Hashable {
        public var name: String
        public var count: Int
        public init(name: String, count: Int) { self.name = name; self.count = count }
    }

    public init(
        visible: Int = 0, retracted: Int = 0, revisions: Int = 0, lastSeq: Int64 = 0, indexedSeq: Int64 = 0,
        indexLagMilliseconds: Int64 = 0, byKind: [EventKind: Int] = [:], byDecade: [Int64: Int] = [:], openStart: Int = 0,
        topActors: [ActorCount] = [], fileBytes: Int64 = 0, textBytes: Int64 = 0, compressedBytes: Int64 = 0
    ) {
        self.visible = visible
        self.retracted = retracted
        self.revisions = revisions
        self.lastSeq = lastSeq
        self.indexedSeq = indexedSeq
        self.indexLagMilliseconds = indexLagMilliseconds
        self.byKind = byKind
        self.byDecade = byDecade
        self.openStart = openStart
        self.topActors = topActors
        self.fileBytes = fileBytes
        self.textBytes = textBytes
        self.compressedBytes = compressedBytes
    }

    /// Every event id stored: visible and retracted.
    public var events: Int { visible + retracted }

    /// Text bytes per stored byte (e.g. 3.2 means the text takes a third of its size); 1 when empty.
    public var compressionRatio: Double {
        compressedBytes == 0 ? 1 : Double(textBytes) / Double(compressedBytes)
    }
}

/// A log entry and its position in the store's change log.
public struct SequencedEntry: Sendable, Hashable {
    public var seq: Int64
    public var entry: LogEntry
    public init(seq: Int64, entry: LogEntry) {
        self.seq = seq
        self.entry = entry
    }
}
