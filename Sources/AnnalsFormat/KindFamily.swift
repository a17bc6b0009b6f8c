import AnnalsCore

/// Event kinds grouped for colouring: one colour per family, so a timeline reads at a glance.
///
/// | family | kinds | colour (ANSI SGR) |
/// | --- | --- | --- |
/// | statement | speech, statement | cyan (36) |
/// | agreement | treaty, agreement, declaration | green (32) |
/// | meeting | summit, meeting, visit | blue (34) |
/// | negotiation | negotiation | yellow (33) |
/// | conflict | sanction, war | red (31) |
/// | other | other | magenta (35) |
public enum KindFamily: String, Sendable, Hashable, CaseIterable {
    case statement, agreement, meeting, negotiation, conflict, other

    /// The family `kind` belongs to.
    public init(_ kind: EventKind) {
        switch kind {
        case .speech, .statement: self = .statement
        case .treaty, .agreement, .declaration: self = .agreement
        case .summit, .meeting, .visit: self = .meeting
        case .negotiation: self = .negotiation
        case .sanction, .war: self = .conflict
        case .other: self = .other
        }
    }

    /// The SGR foreground colour code of the family (30–37).
    public var sgrColor: Int {
        switch self {
        case .statement: 36
        case .agreement: 32
        case .meeting: 34
        case .negotiation: 33
        case .conflict: 31
        case .other: 35
        }
    }
}
