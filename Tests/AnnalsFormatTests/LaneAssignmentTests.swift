import AnnalsCore
import AnnalsFormat
import Foundation
import Testing

@Suite("LaneAssignment")
struct LaneAssignmentTests {
    static let records = Samples.japanRelations.filter { $0.retraction == nil }

    static func names(_ record: EventRecord) -> Set<String> { Set(record.event.actors.map(\.name)) }

    @Test func actorLanesTakeTheLastActorGiven() {
        let given = ["japan", "Russia", "SUN"]
        let records = Self.records.filter { !Self.names($0).isDisjoint(with: ["Japan", "Russia", "Soviet Union"]) }
        let lanes = LaneAssignment(records: records, mode: .actor, actors: given)
        #expect(lanes.names == ["Japan", "Russia", "Soviet Union"], "named as the events name them")
        for (record, lane) in zip(records, lanes.laneOfRecord) {
            let names = Self.names(record)
            let expected = names.contains("Soviet Union") ? "Soviet Union" : names.contains("Russia") ? "Russia" : "Japan"
            #expect(lanes.names[lane] == expected, "\(record.event.id) in \(lanes.names[lane])")
        }
    }

    @Test func eventsOfNoActorGivenGoInOther() {
        let lanes = LaneAssignment(records: Self.records, mode: .actor, actors: ["Russia"])
        #expect(lanes.names == ["Russia", "Other"])
        #expect(zip(Self.records, lanes.laneOfRecord).allSatisfy { ($1 == 0) == Self.names($0).contains("Russia") })
    }

    @Test func withoutActorsLanesAreTheFirstNamedActors() {
        let lanes = LaneAssignment(records: Self.records, mode: .actor)
        #expect(lanes.names.count <= LaneAssignment.maxActorLanes + 2)
        #expect(lanes.names.first == "Japan", "the most frequent first actor first: \(lanes.names)")
        for (record, lane) in zip(Self.records, lanes.laneOfRecord) where lanes.names[lane] != "Other actors" {
            #expect(record.event.actors.first?.name == lanes.names[lane])
        }
    }

    @Test func kindLanesGroupColourFamilies() {
        let lanes = LaneAssignment(records: Self.records, mode: .kind)
        #expect(Set(lanes.names) == Set(Self.records.map { $0.event.kind.rawValue.capitalized }))
        let families = lanes.names.compactMap { EventKind(rawValue: $0.lowercased()) }.map(KindFamily.init)
        #expect(families == families.sorted { KindFamily.allCases.firstIndex(of: $0)! < KindFamily.allCases.firstIndex(of: $1)! })
        for (record, lane) in zip(Self.records, lanes.laneOfRecord) {
            #expect(lanes.names[lane].lowercased() == record.event.kind.rawValue)
        }
    }

    @Test func noLanesIsOneUnnamedLane() {
        let lanes = LaneAssignment(records: Self.records, mode: .none)
        #expect(lanes.names == [""] && Set(lanes.laneOfRecord) == [0])
    }
}
