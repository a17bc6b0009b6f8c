import AnnalsCore

extension AppendOutcome {
    /// The log position of an accepted or duplicate entry; nil when rejected.
    public var seq: Int64? {
        switch self {
        case .accepted(let seq), .duplicate(let seq): seq
        case .rejected: nil
        }
    }
    public var isAccepted: Bool { if case .accepted = self { true } else { false } }
    public var isDuplicate: Bool { if case .duplicate = self { true } else { false } }
    /// Why the entry was rejected; nil when it was not.
    public var errorCode: EventError.Code? { if case .rejected(let e) = self { e.code } else { nil } }
}
