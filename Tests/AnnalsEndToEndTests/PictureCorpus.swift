import AnnalsCore

/// A seeded, deterministic set of events for a large timeline picture: dense decades and quiet ones,
/// days, months, years, intervals and qualified dates, references to earlier events, a source each.
enum PictureCorpus {
    static func events(_ count: Int, seed: UInt64 = 14) -> [Event] {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let actors = ["Japan", "Russia", "China", "United States", "South Korea", "North Korea", "Soviet Union", "Mongolia"]
        let topics = ["fisheries", "the Kuril Islands", "trade", "energy", "a peace treaty", "security", "visas", "whaling"]
        var events: [Event] = []
        for i in 0..<count {
            // Two thirds of the events fall in 1990–2000, the rest anywhere in 1900–2020.
            let year = next(3) < 2 ? 1990 + next(11) : 1900 + next(121)
            let month = 1 + next(12), day = 1 + next(28)
            let text: String
            switch next(20) {
            case 0: text = String(year)
            case 1: text = "\(String(year))-\(two(month))"
            case 2: text = "\(String(year))-\(two(month))-\(two(day))/\(String(year + 1 + next(3)))"
            case 3: text = "\(String(year))-\(two(month))-\(two(day))?"
            case 4: text = "\(String(year))~"
            default: text = "\(String(year))-\(two(month))-\(two(day))"
            }
            guard let date = try? HistoricalDate(parsing: text) else { continue }
            let kind = EventKind.allCases[next(EventKind.allCases.count)]
            let a = actors[next(actors.count)], b = actors[next(actors.count)]
            let topic = topics[next(topics.count)]
            var references: [Reference] = []
            if i > 0, next(10) < 3 { references.append(Reference(id: "corpus-\(next(i))", relation: Relation.allCases[next(Relation.allCases.count)])) }
            events.append(Event(
                id: "corpus-\(i)", date: date, kind: kind, title: "\(a) and \(b): \(kind.rawValue) on \(topic)",
                summary: "\(a) and \(b) held a \(kind.rawValue) on \(topic); officials described it as a step in their relations.",
                actors: a == b ? [Actor(name: a)] : [Actor(name: a), Actor(name: b)],
                sources: [Source(url: "https://example.org/corpus/\(i)", publisher: "Example Wire")], references: references
            ))
        }
        return events
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
}
