import AnnalsCore

/// What a log entry does to the stored history of its event: the rules of revisions, idempotency and
/// retraction, as a pure function of the entry and what is stored (PROTOCOL.md §4.3 states them for clients).
package enum RevisionRules {
    /// Why an entry was asked for: replaying a log (an `append`), or `amend`, which always means "the next
    /// revision, now".
    package enum Intent {
        case log
        case amend
    }

    /// The stored head of an event: its latest revision.
    package struct Head: Equatable {
        /// The latest revision number.
        package var revision: Int
        /// Its log position.
        package var seq: Int64
        /// The retraction's reason when the latest revision is a retraction.
        package var retraction: String?

        package init(revision: Int, seq: Int64, retraction: String?) {
            self.revision = revision
            self.seq = seq
            self.retraction = retraction
        }
    }

    /// A question about an event's stored revisions: the log position of a revision with this content hash
    /// (of revision `revision`, or the earliest one when nil), content or retraction.
    package struct Lookup: Equatable {
        package var revision: Int?
        package var hash: Int64
        package var retraction: Bool
    }

    /// What to do with an entry.
    package enum Decision: Equatable {
        /// A new event: its first revision.
        case create
        /// The next revision of the event, with this content.
        case revise(revision: Int)
        /// The next revision retracts the event.
        case retract(revision: Int)
        /// Already stored at this log position: nothing to write.
        case duplicate(seq: Int64)
        /// Not written.
        case reject(EventError)

        /// The outcome of a decision that writes nothing (a duplicate or a rejection); nil when it writes.
        package var outcomeWithoutWriting: AppendOutcome? {
            switch self {
            case .duplicate(let seq): .duplicate(seq: seq)
            case .reject(let error): .rejected(error)
            case .create, .revise, .retract: nil
            }
        }
    }

    /// Decides what `entry` does.
    /// - Parameters:
    ///   - hash: the entry's content hash (ignoring `recorded` and `revision`).
    ///   - head: the event's stored head, nil when the id is not stored.
    ///   - history: answers a `Lookup` about the event's stored revisions.
    package static func decide(_ entry: LogEntry, intent: Intent, hash: Int64, head: Head?, history: (Lookup) -> Int64?) -> Decision {
        switch entry {
        case .event(let event):
            return decideEvent(event, intent: intent, hash: hash, head: head, history: history)
        case .retraction(let retraction):
            return decideRetraction(retraction, hash: hash, head: head, history: history)
        }
    }

    private static func decideEvent(_ event: Event, intent: Intent, hash: Int64, head: Head?, history: (Lookup) -> Int64?) -> Decision {
        let id = event.id
        guard let head else {
            if intent == .amend {
                return .reject(EventError(.notFound, field: "id", "cannot amend '\(id)': no such event"))
            }
            if let revision = event.revision, revision != 1 {
                return .reject(EventError(.invalidRevision, field: "revision",
                                          "'\(id)' is not stored yet, so its first entry must be revision 1, not \(revision)"))
            }
            return .create
        }
        if intent == .amend {
            if head.retraction == nil, history(Lookup(revision: head.revision, hash: hash, retraction: false)) != nil {
                return .duplicate(seq: head.seq)
            }
            return .revise(revision: head.revision + 1)
        }
        if let revision = event.revision {
            if revision <= head.revision {
                if let seq = history(Lookup(revision: revision, hash: hash, retraction: false)) { return .duplicate(seq: seq) }
                return .reject(EventError(.conflict, field: "revision",
                                          "revision \(revision) of '\(id)' is stored with different content"))
            }
            guard revision == head.revision + 1 else {
                return .reject(nextRevisionError(id, head: head, given: revision))
            }
            return .revise(revision: revision)
        }
        if let seq = history(Lookup(revision: nil, hash: hash, retraction: false)) { return .duplicate(seq: seq) }
        return .reject(EventError(.conflict, field: "id", "'\(id)' is already stored with different content: amend it instead"))
    }

    private static func decideRetraction(_ retraction: Retraction, hash: Int64, head: Head?, history: (Lookup) -> Int64?) -> Decision {
        let id = retraction.id
        guard let head else {
            return .reject(EventError(.notFound, field: "id", "cannot retract '\(id)': no such event"))
        }
        if let revision = retraction.revision {
            if revision <= head.revision {
                if let seq = history(Lookup(revision: revision, hash: hash, retraction: true)) { return .duplicate(seq: seq) }
                return .reject(EventError(.conflict, field: "revision",
                                          "revision \(revision) of '\(id)' is stored with different content"))
            }
            guard revision == head.revision + 1 else {
                return .reject(nextRevisionError(id, head: head, given: revision))
            }
        }
        if let reason = head.retraction {
            if reason == retraction.reason && retraction.revision == nil { return .duplicate(seq: head.seq) }
            return .reject(EventError(.conflict, field: "id", "'\(id)' is already retracted"))
        }
        return .retract(revision: head.revision + 1)
    }

    private static func nextRevisionError(_ id: String, head: Head, given: Int) -> EventError {
        EventError(.invalidRevision, field: "revision",
                   "'\(id)' is at revision \(head.revision); the next is \(head.revision + 1), not \(given)")
    }
}
