import AnnalsCore

/// Which lane each event of a picture goes in; every event goes in exactly one.
///
/// - `actor` with actors given: one lane per actor given, in the order given (matched like the
///   `--actor` filter, by folded name or code). An event involving several of them goes in the lane
///   of the last one given, so `--actor Japan --actor Russia` puts the Japan–Russia events in Russia's
///   lane and Japan's other events in Japan's. An event involving none goes in "Other".
/// - `actor` without actors: one lane per first-named actor, the `maxActorLanes` most frequent ones,
///   the rest in "Other actors"; events without actors in "No actor".
/// - `kind`: one lane per kind present, kinds of a colour family together (see `KindFamily`).
/// - `none`: one lane without a name.
///
/// Lanes without events are left out. A lane takes the name an event gives its actor ("Russia"
/// for `--actor russia`).
public struct LaneAssignment: Sendable, Hashable {
    /// The lanes' names, top to bottom.
    public var names: [String]
    /// The lane of each record, an index into `names`.
    public var laneOfRecord: [Int]

    /// Most lanes of first-named actors before the rest go in "Other actors".
    public static let maxActorLanes = 8

    public init(records: [EventRecord], mode: LaneMode, actors: [String] = []) {
        var keys: [String] = []
        var names: [String: String] = [:]
        var keyOfRecord: [String] = []
        switch mode {
        case .none:
            keys = [""]
            names[""] = ""
            keyOfRecord = records.map { _ in "" }
        case .kind:
            let present = Set(records.map(\.event.kind))
            let order = KindFamily.allCases.flatMap { family in EventKind.allCases.filter { KindFamily($0) == family } }
            keys = order.filter(present.contains).map(\.rawValue)
            for key in keys { names[key] = key.prefix(1).uppercased() + key.dropFirst() }
            keyOfRecord = records.map(\.event.kind.rawValue)
        case .actor where !actors.isEmpty:
            let given = actors.map(Text.foldedKey).uniqued()
            keys = given + ["\u{0}other"]
            names["\u{0}other"] = "Other"
            for key in given { names[key] = actors.first { Text.foldedKey($0) == key } }
            var named = Set<String>()
            keyOfRecord = records.map { record in
                let eventKeys = record.event.actors.map { ($0, Set($0.matchKeys)) }
                guard let key = given.last(where: { key in eventKeys.contains { $0.1.contains(key) } }) else {
                    return "\u{0}other"
                }
                if !named.contains(key), let actor = eventKeys.first(where: { $0.1.contains(key) })?.0 {
                    names[key] = actor.name
                    named.insert(key)
                }
                return key
            }
        case .actor:
            var counts: [String: Int] = [:]
            var firstSeen: [String] = []
            let firsts = records.map { $0.event.actors.first }
            for actor in firsts.compactMap({ $0 }) {
                let key = Text.foldedKey(actor.name)
                if counts[key] == nil { firstSeen.append(key); names[key] = actor.name }
                counts[key, default: 0] += 1
            }
            let ranked = firstSeen.enumerated().sorted { a, b in
                (counts[a.element] ?? 0, -a.offset) > (counts[b.element] ?? 0, -b.offset)
            }.map(\.element)
            let kept = Set(ranked.prefix(Self.maxActorLanes))
            keys = ranked.filter(kept.contains) + ["\u{0}other", "\u{0}none"]
            names["\u{0}other"] = "Other actors"
            names["\u{0}none"] = "No actor"
            keyOfRecord = firsts.map { actor in
                guard let actor else { return "\u{0}none" }
                let key = Text.foldedKey(actor.name)
                return kept.contains(key) ? key : "\u{0}other"
            }
        }
        let used = Set(keyOfRecord)
        let lanes = keys.filter(used.contains)
        let index = Dictionary(uniqueKeysWithValues: lanes.enumerated().map { ($1, $0) })
        self.names = lanes.map { names[$0] ?? $0 }
        self.laneOfRecord = keyOfRecord.map { index[$0] ?? 0 }
    }
}

extension Array where Element: Hashable {
    /// The elements without repeats, first occurrence kept.
    fileprivate func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
