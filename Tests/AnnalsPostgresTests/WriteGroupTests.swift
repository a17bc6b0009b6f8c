@testable import AnnalsPostgres
import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
import Testing

/// A group's decisions in memory, without a database.
@Suite("PostgreSQL: a write group's decisions")
struct WriteGroupTests {
    static func entries(_ events: [Event]) -> [PostgresEntry] {
        TextCodec(level: 3).withSession { session in
            events.map { PostgresEntry(PreparedEntry(.event($0), validator: EventValidator(), compression: session)) }
        }
    }

    /// The histories and the event numbers are read by two statements, each at its own moment: an id another
    /// process created in between is missing from the histories but was not given a number. The group then says
    /// it must be decided again instead of rejecting the entry (which a replay through two annalsd at once met).
    @Test func anEventWithNoNumberLeftAsksForTheGroupToBeDecidedAgain() {
        let batch = Self.entries([Sample.event("1956-10-19-declaration", "1956-10-19"), Sample.event("1960-01-19-treaty", "1960-01-19")])
        var short = WriteGroup(histories: [:], eventNumbers: [41], clock: { Timestamp(milliseconds: 0) })
        _ = short.add(batch)
        #expect(short.ranOutOfEventNumbers)

        var enough = WriteGroup(histories: [:], eventNumbers: [41, 42], clock: { Timestamp(milliseconds: 0) })
        let outcomes = enough.add(batch)
        #expect(!enough.ranOutOfEventNumbers)
        #expect(outcomes == [.accepted(seq: -1), .accepted(seq: -2)])
    }
}
