/// libpq connection URIs: `postgresql://[user[:password]@][host][:port][/database][?parameter=value&…]`.
enum PostgresURI {
    /// `uri` with the database `name` in place of its own; user, host, port and parameters are kept.
    /// - Throws: `FixtureError` when `uri` is not a `postgresql://` or `postgres://` URI, or names its database
    ///   in a `dbname` parameter (which would win over the path).
    static func replacingDatabase(in uri: String, with name: String) throws -> String {
        guard let scheme = ["postgresql://", "postgres://"].first(where: uri.hasPrefix) else {
            throw FixtureError("\(TemporaryPostgresDatabase.variable) is not a libpq URI (postgresql://…)")
        }
        let rest = uri.dropFirst(scheme.count)
        let queryStart = rest.firstIndex(of: "?") ?? rest.endIndex
        let query = rest[queryStart...]
        if query.dropFirst().split(separator: "&").contains(where: { $0.hasPrefix("dbname=") }) {
            throw FixtureError("\(TemporaryPostgresDatabase.variable) names its database in a dbname parameter: give it in the path instead")
        }
        let beforeQuery = rest[..<queryStart]
        let authority = beforeQuery.firstIndex(of: "/").map { beforeQuery[..<$0] } ?? beforeQuery
        return scheme + authority + "/" + name + query
    }
}
