import AnnalsCore
import AnnalsFuzzing
import Foundation
import AnnalsStore
import Testing

/// Search through the store reads a person's words (SearchQuery), and agrees with the in-memory reading that
/// live subscriptions and log reads use.
@Suite struct StoreSearchTests {
    let f: StoreFixture

    init() throws {
        f = try StoreFixture()
        _ = try f.store.append(Sample.diplomacy.map { .event($0) })
        f.store.waitUntilSearchable()
    }

    private func ids(_ text: String) throws -> [String] {
        try f.store.timeline(TimelineQuery(text: text)).records.map(\.event.id)
    }

    @Test("the words of the issue: hyphens, apostrophes, dots and colons")
    func ordinaryWords() throws {
        #expect(try ids("Kim Jong-un") == ["2019-01-28-policy-speech"])
        #expect(try ids("Kim Jong-il") == ["2002-pyongyang-declaration"])
        #expect(try ids("Soviet–Japanese") == ["1956-10-19-soviet-japanese-joint-declaration"])
        _ = try ids("Abe's")
        _ = try ids("U.S.")
        _ = try ids("a:b")
        #expect(try ids("peace-treaty talks") == ["2018-11-14-singapore", "2019-01-28-policy-speech"])
        #expect(try ids("declaration -kuril*").contains("2002-pyongyang-declaration"))
        #expect(try ids("Shikotan OR Etorofu") == ["1855-treaty-of-shimoda", "1956-10-19-soviet-japanese-joint-declaration"])
        #expect(try ids("treat*").count >= 4)
        // Words that FTS5 would read as operators or column filters are plain words here.
        #expect(try ids("title:Tokyo").isEmpty)
        #expect(try ids("NEAR") == [])
    }

    @Test("the store and the in-memory reading agree on random searches", arguments: [1, 2, 3])
    func agreement(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let words = ["peace", "treaty", "japan", "kim", "jong", "un", "il", "soviet", "declaration", "united", "states",
                     "the", "and", "of", "abe", "kuril", "islands", "1956", "talks", "ichirō", "naïve"]
        let store = try StoreFixture()
        var events: [Event] = []
        for i in 0..<60 {
            func sentence(_ n: Int) -> String {
                (0..<n).map { _ in
                    let word = words[Int(random.next() % UInt64(words.count))]
                    let punctuation = ["", "", "", "-", "'s", ".", ","][Int(random.next() % 7)]
                    return word + punctuation
                }.joined(separator: " ")
            }
            events.append(Sample.event("e\(i)", "2000-01-\(String(format: "%02d", i % 28 + 1))", title: sentence(4),
                                       summary: random.next() % 2 == 0 ? sentence(8) : nil, body: sentence(20)))
        }
        _ = try store.store.append(events.map { .event($0) })
        store.store.waitUntilSearchable()
        for _ in 0..<150 {
            var parts: [String] = []
            for _ in 0..<(1 + Int(random.next() % 3)) {
                let word = words[Int(random.next() % UInt64(words.count))]
                switch random.next() % 8 {
                case 0: parts.append("\"\(word) \(words[Int(random.next() % UInt64(words.count))])\"")
                case 1: parts.append(String(word.prefix(3)) + "*")
                case 2: parts.append(word + " OR " + words[Int(random.next() % UInt64(words.count))])
                case 3: parts.append(word + "-" + words[Int(random.next() % UInt64(words.count))])
                default: parts.append(word.uppercased())
                }
            }
            if random.next() % 4 == 0 { parts.append("-" + words[Int(random.next() % UInt64(words.count))]) }
            let text = parts.joined(separator: " ")
            let search = try SearchQuery(parsing: text)
            let expected = events.filter { search.matches(fields: [$0.title, $0.summary ?? "", $0.body ?? ""]) }.map(\.id).sorted()
            let found = try store.store.timeline(TimelineQuery(text: text, limit: 100)).records.map(\.event.id).sorted()
            #expect(found == expected, "\(text)")
        }
    }
}
