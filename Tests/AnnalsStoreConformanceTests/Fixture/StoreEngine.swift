import Testing

/// The storage engines the conformance suite runs every test against: `@Test(arguments: StoreEngine.allCases)`.
enum StoreEngine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    /// On the server `ANNALS_TEST_POSTGRESQL` names (`Scripts/test` starts one); without it these cases fail.
    case postgresql

    var testDescription: String { rawValue }

    /// A new, empty place for a store of this engine.
    /// - Throws: `FixtureError` when it cannot be made (for PostgreSQL: no server named, or it refused).
    func makeLocation() throws -> any StoreLocation {
        switch self {
        case .sqlite: return try TemporarySQLiteDirectory()
        case .postgresql: return try TemporaryPostgresDatabase()
        }
    }
}
