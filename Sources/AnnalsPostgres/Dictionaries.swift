import AnnalsStore

/// The compression dictionaries in the database: every process installs them all in its `TextCodec`, the newest
/// current, and learns of new ones by notification or when a row names one it lacks.
enum Dictionaries {
    /// The channel a new dictionary is announced on.
    static let channel = "annals_dictionaries"

    /// Installs every stored dictionary in `codec`, the newest current.
    /// - Returns: the log length the newest was trained at (0 when there is none).
    static func load(into codec: TextCodec, from connection: PGConnection) throws(PGError) -> Int64 {
        let rows = try connection.query("SELECT id, bytes, sample_count FROM dictionaries ORDER BY id")
        var trainedAt: Int64 = 0
        for row in 0..<rows.rowCount {
            codec.install(dictionary: rows.int64(row, 0), bytes: rows.bytes(row, 1) ?? [], current: true)
            trainedAt = rows.int64(row, 2)
        }
        return trainedAt
    }

    /// Stores a new dictionary (numbered after the newest) and announces it, unless one trained at a log length
    /// after `trainedAt` is stored already (another process trained it meanwhile).
    /// - Returns: the new dictionary's number, nil when none was stored.
    static func add(_ bytes: [UInt8], sampleCount: Int64, created: Int64, unlessTrainedAfter trainedAt: Int64,
                    connection: PGConnection) throws(PGError) -> Int64? {
        let results: [PGResult]
        do {
            results = try connection.pipeline([
            .init("BEGIN"),
            .init("LOCK TABLE dictionaries IN EXCLUSIVE MODE"),
            .init("""
                INSERT INTO dictionaries(id, created, sample_count, bytes)
                SELECT coalesce(max(id), 0) + 1, $1, $2, $3 FROM dictionaries
                HAVING coalesce(max(sample_count), 0) <= $4 RETURNING id
                """, [.int64(created), .int64(sampleCount), .bytea(bytes), .int64(trainedAt)]),
            .init("SELECT pg_notify('\(channel)', '')"),
            .init("COMMIT"),
            ])
        } catch {
            if !error.connectionLost { try? connection.execute("ROLLBACK") }
            throw error
        }
        return results[2].rowCount == 1 ? results[2].int64(0, 0) : nil
    }
}
