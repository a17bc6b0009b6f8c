/// The datasets `annals import` reads.
public enum ImportFormat: String, CaseIterable, Sendable {
    /// GDELT event exports: tab-separated, no header; 1.0 (57 or 58 columns) or 2.0 (61 columns).
    case gdelt
    /// ICEWS coded event data: tab-separated, 20 columns, with a header row.
    case icews
    /// ACLED exports: comma-separated with quoting, with a header row.
    case acled

    /// How the format's fields are separated.
    public var dialect: DelimitedReader.Dialect {
        self == .acled ? .commaSeparated : .tabSeparated
    }

    /// Whether rows carry CAMEO event codes (`--cameo-root` applies).
    public var hasCameoCodes: Bool { self != .acled }

    /// A mapper for one file of this format (each file starts afresh: its own header, if any).
    public func makeMapper() -> any RowMapper {
        switch self {
        case .gdelt: GDELTMapper()
        case .icews: ICEWSMapper()
        case .acled: ACLEDMapper()
        }
    }
}
