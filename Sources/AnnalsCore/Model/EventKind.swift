/// The controlled vocabulary of event kinds, each mapped to its CAMEO root or sub-code where one fits.
///
/// | kind | CAMEO | CAMEO name |
/// | --- | --- | --- |
/// | speech | 010 | Make statement (public speech) |
/// | statement | 010 | Make statement |
/// | treaty | 057 | Sign formal agreement |
/// | declaration | 057 | Sign formal agreement (joint declarations, communiqués) |
/// | agreement | 057 | Sign formal agreement |
/// | summit | 043/044 → 04 | Consult (host a visit / meet at a third location) |
/// | meeting | 040 | Consult |
/// | visit | 042 | Make a visit |
/// | negotiation | 046 | Engage in negotiation |
/// | sanction | 163 | Impose embargo, boycott, or sanctions |
/// | war | 19 | Fight |
/// | other | — | none |
public enum EventKind: String, Sendable, Hashable, CaseIterable, Comparable {
    case speech, statement, treaty, declaration, agreement, summit, meeting, visit, negotiation, sanction, war, other

    /// The CAMEO event code this kind maps to, or nil for `other`.
    public var cameoCode: String? {
        switch self {
        case .speech, .statement: "010"
        case .treaty, .declaration, .agreement: "057"
        case .summit: "04"
        case .meeting: "040"
        case .visit: "042"
        case .negotiation: "046"
        case .sanction: "163"
        case .war: "19"
        case .other: nil
        }
    }

    /// A stable small number for compact storage and the wire; never reused.
    public var code: UInt8 {
        switch self {
        case .speech: 1
        case .statement: 2
        case .treaty: 3
        case .declaration: 4
        case .agreement: 5
        case .summit: 6
        case .meeting: 7
        case .visit: 8
        case .negotiation: 9
        case .sanction: 10
        case .war: 11
        case .other: 0
        }
    }

    /// The kind with the given stable code, if any.
    public init?(code: UInt8) {
        guard let kind = EventKind.allCases.first(where: { $0.code == code }) else { return nil }
        self = kind
    }

    public static func < (a: EventKind, b: EventKind) -> Bool { a.rawValue < b.rawValue }
}
