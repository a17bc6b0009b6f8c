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

    /// A batch is kept whole or not at all, whether it is decided in place (distinct ids, no rejection foreseen)
    /// or on a copy of the group (an id twice): a rejected batch takes no log position and writes nothing.
    @Test func aRejectedBatchLeavesTheGroupAsItWas() {
        var group = WriteGroup(histories: [:], eventNumbers: [41, 42, 43, 44], clock: { Timestamp(milliseconds: 0) })
        #expect(group.add(Self.entries([Sample.event("1956-10-19-declaration", "1956-10-19")])) == [.accepted(seq: -1)])

        // A new event, then the stored id with other content (a conflict): neither is written.
        let conflicting = Sample.event("1956-10-19-declaration", "1956-10-19", title: "Another title")
        let rejected = group.add(Self.entries([Sample.event("1960-01-19-treaty", "1960-01-19"), conflicting]))
        #expect(rejected.map(\.errorCode) == [.batchAborted, .conflict])
        #expect(group.revisionCount == 1)

        // The same new event twice in one batch: written once, the second a duplicate of the first, at the next
        // position the rejected batch left free.
        let treaty = Sample.event("1960-01-19-treaty", "1960-01-19")
        #expect(group.add(Self.entries([treaty, treaty])) == [.accepted(seq: -2), .duplicate(seq: -2)])
        #expect(group.revisionCount == 2)
    }
}
