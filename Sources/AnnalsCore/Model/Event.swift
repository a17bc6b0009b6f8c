/// A dated diplomatic event: a speech, statement, treaty, declaration, summit, visit and so on.
///
/// Values are plain data; `EventValidator` checks them against Annals' rules and limits.
public struct Event: Sendable, Hashable {
    /// A stable id: given by the client, or derived from date and title (see `EventID.derive`).
    public var id: String
    /// When it happened, at the precision known.
    public var date: HistoricalDate
    /// What kind of event it is.
    public var kind: EventKind
    /// A one-line title (required).
    public var title: String
    /// A sentence or two.
    public var summary: String?
    /// The full text; may be tens of kilobytes.
    public var body: String?
    /// Who took part, in the order given.
    public var actors: [Actor]
    /// Where it happened.
    public var places: [String]
    /// Free-form labels, e.g. "peace-treaty".
    public var tags: [String]
    /// Where the record comes from.
    public var sources: [Source]
    /// Other events this one refers to.
    public var references: [Reference]
    /// When the store accepted this revision; assigned by the store, kept when a log line carries it.
    public var recorded: Timestamp?
    /// The revision number (1, 2, …); assigned by the store, kept when a log line carries it.
    public var revision: Int?

    public init(
        id: String, date: HistoricalDate, kind: EventKind, title: String,
        summary: String? = nil, body: String? = nil, actors: [Actor] = [], places: [String] = [],
        tags: [String] = [], sources: [Source] = [], references: [Reference] = [],
        recorded: Timestamp? = nil, revision: Int? = nil
    ) {
        self.id = id
        self.date = date
        self.kind = kind
        self.title = title
        self.summary = summary
        self.body = body
        self.actors = actors
        self.places = places
        self.tags = tags
        self.sources = sources
        self.references = references
        self.recorded = recorded
        self.revision = revision
    }

    /// Whether the two events say the same thing, ignoring what the store assigns (recorded, revision).
    public func hasSameContent(as other: Event) -> Bool {
        var a = self, b = other
        a.recorded = nil; a.revision = nil
        b.recorded = nil; b.revision = nil
        return a == b
    }
}

/// The withdrawal of an event: a tombstone revision with a reason. Retracted events are hidden from
/// timelines unless asked for, and their earlier revisions stay readable.
public struct Retraction: Sendable, Hashable {
    /// The id of the retracted event.
    public var id: String
    /// Why it was retracted (required).
    public var reason: String
    /// When the store accepted the retraction.
    public var recorded: Timestamp?
    /// The revision number the retraction takes.
    public var revision: Int?

    public init(id: String, reason: String, recorded: Timestamp? = nil, revision: Int? = nil) {
        self.id = id
        self.reason = reason
        self.recorded = recorded
        self.revision = revision
    }
}

/// One line of an event log: a revision of an event, or a retraction.
public enum LogEntry: Sendable, Hashable {
    case event(Event)
    case retraction(Retraction)

    /// The id of the event the entry is about.
    public var id: String {
        switch self {
        case .event(let e): e.id
        case .retraction(let r): r.id
        }
    }

    /// The revision the entry carries, if any.
    public var revision: Int? {
        switch self {
        case .event(let e): e.revision
        case .retraction(let r): r.revision
        }
    }
}
