@testable import AnnalsPostgres
import AnnalsStore
import Testing

/// A read running alone waits for a many-packet answer by spinning (`PGConnection.busyPollNanoseconds`), reads that
/// overlap sleep; either way the answer and its errors are the same.
@Suite("PostgreSQL: waiting for answers")
struct BusyWaitTests {
    private static func pool(_ database: TestDatabase, quietNanoseconds: UInt64) throws -> ConnectionPool {
        let target = try ConnectionString(database.url)
        return ConnectionPool(capacity: 2, statementTimeout: 0, backoff: Backoff(), busyPollNanoseconds: 50_000,
                              quietNanoseconds: quietNanoseconds) {
            () throws(PGError) in try PGConnection(target, statementTimeout: 0)
        }
    }

    @Test func onlyAReadRunningAloneOnAQuietPoolBusyWaits() throws {
        let database = try TestDatabase()
        let pool = try Self.pool(database, quietNanoseconds: 3_600_000_000_000)
        defer { pool.close() }
        #expect(try pool.withConnection { $0.busyPollNanoseconds > 0 }, "alone, and no overlap yet")
        let overlapping = try pool.withConnection { outer in
            (outer.busyPollNanoseconds > 0, try pool.withConnection { $0.busyPollNanoseconds > 0 })
        }
        #expect(overlapping == (true, false), "the second of two reads at once sleeps")
        #expect(try pool.withConnection { $0.busyPollNanoseconds > 0 } == false, "alone again, but within the quiet time after an overlap")

        let forgetful = try Self.pool(database, quietNanoseconds: 0)
        defer { forgetful.close() }
        _ = try forgetful.withConnection { _ in try forgetful.withConnection { _ in 0 } }
        #expect(try forgetful.withConnection { $0.busyPollNanoseconds > 0 }, "alone once the quiet time has passed")
    }

    /// 200 rows of 1,000 bytes: about 25 of PostgreSQL's 8 KB packets.
    private static let manyPackets = "SELECT g, repeat(chr(65 + g % 26), 1000) FROM generate_series(1, 200) g"

    @Test(arguments: [true, false])
    func aManyPacketAnswerIsReadWholeWhetherTheConnectionSpinsOrSleeps(spinning: Bool) throws {
        let database = try TestDatabase()
        let connection = try PGConnection(try ConnectionString(database.url), statementTimeout: 0)
        defer { connection.close() }
        connection.busyPollNanoseconds = spinning ? 50_000 : 0
        let rows = try connection.query(Self.manyPackets)
        #expect(rows.rowCount == 200)
        for row in [0, 99, 199] {
            #expect(rows.int64(row, 0) == Int64(row + 1))
            #expect(rows.text(row, 1) == String(repeating: String(UnicodeScalar(UInt8(65 + (row + 1) % 26))), count: 1000))
        }
        // An error after rows were sent is the statement's answer, and the connection stays usable.
        let error = #expect(throws: PGError.self) {
            _ = try connection.query("SELECT CASE WHEN g < 150 THEN repeat('x', 1000) ELSE (1 / (g - g))::text END FROM generate_series(1, 200) g")
        }
        #expect(error?.message.contains("division by zero") == true)
        #expect(!connection.isBroken)
        #expect(try connection.query(Self.manyPackets).rowCount == 200)
    }
}
