/// How one event relates to another it refers to.
public enum Relation: String, Sendable, Hashable, CaseIterable {
    /// Explicitly relies on the other, e.g. a speech invoking a declaration.
    case invokes
    /// Comes after and builds on the other, e.g. a summit following a visit.
    case follows
    /// Answers the other, e.g. a statement responding to a sanction.
    case respondsTo = "responds-to"
    /// Replaces the other, e.g. the 1960 treaty replacing the 1951 one.
    case supersedes
    /// Changes part of the other.
    case amends
    /// Carries the other out.
    case implements
    /// Refers to the other in passing.
    case mentions

    /// A stable small number for compact storage and the wire; never reused.
    public var code: UInt8 { UInt8(Relation.allCases.firstIndex(of: self)!) }

    /// The relation with the given stable code, if any.
    public init?(code: UInt8) {
        guard Int(code) < Relation.allCases.count else { return nil }
        self = Relation.allCases[Int(code)]
    }
}

/// A reference from one event to another, by id. The target need not exist (yet): it is then unresolved.
public struct Reference: Sendable, Hashable {
    /// The id of the event referred to.
    public var id: String
    /// How this event relates to it.
    public var relation: Relation

    public init(id: String, relation: Relation = .mentions) {
        self.id = id
        self.relation = relation
    }
}
