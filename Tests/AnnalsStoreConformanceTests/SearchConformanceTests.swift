import AnnalsCore
import AnnalsFuzzing
import AnnalsStore
import AnnalsStoreTesting
import Foundation
import Testing

/// Search reads a person's words (`SearchQuery`, PROTOCOL.md §4.4) the same way on every engine, and agrees
/// with the in-memory reading that live subscriptions and log reads use.
@Suite("Conformance: search")
struct SearchConformanceTests {
    /// `Sample.diplomacy` and a note with diacritics and dotted and possessive words, searchable.
    static func fixture(_ engine: StoreEngine) throws -> ConformanceFixture {
        let f = try ConformanceFixture.diplomacy(engine)
        _ = try f.store.append([.event(Sample.event("1956-hatoyama-note", "1956-09", kind: .statement, title: "Hatoyama's note",
                                                    body: "Ichirō Hatoyama writes to Bulganin about the U.S. position."))])
        try f.waitUntilSearchable()
        return f
    }

    /// Each form of the syntax, with what it must find.
    @Test(arguments: StoreEngine.allCases)
    func syntaxForms(engine: StoreEngine) throws {
        let f = try Self.fixture(engine)
        let declaration = "1956-10-19-soviet-japanese-joint-declaration"
        let forms: [(String, [String])] = [
            ("Shikotan", [declaration]),                                           // a word
            ("SHIKOTAN", [declaration]),                                           // in any case
            ("ichiro", ["1956-hatoyama-note"]), ("Ichirō", ["1956-hatoyama-note"]),  // with or without diacritics
            ("\"joint declaration\"", [declaration]),                              // a phrase
            ("\"declaration joint\"", []),                                         // in its order
            ("normalis*", ["2002-pyongyang-declaration"]), ("Shik*", [declaration]),  // a prefix
            ("Shikotan OR Etorofu", ["1855-treaty-of-shimoda", declaration]),      // either
            ("treaty Shikotan OR Etorofu", ["1855-treaty-of-shimoda", declaration]), // OR binds tighter than spaces
            ("declaration NOT Kim", [declaration, "1993-tokyo-declaration", "2018-11-14-singapore"]),  // not
            ("declaration -Kim", [declaration, "1993-tokyo-declaration", "2018-11-14-singapore"]),
            ("declaration -\"Kim Jong-il\"", [declaration, "1993-tokyo-declaration", "2018-11-14-singapore"]),
            ("Kim Jong-un", ["2019-01-28-policy-speech"]),                         // punctuation inside a word:
            ("Hatoyama's", ["1956-hatoyama-note"]), ("U.S.", ["1956-hatoyama-note"]),  // the phrase of its parts
            ("peace treaty talks", ["2018-11-14-singapore", "2019-01-28-policy-speech"]),  // every word, any order
        ]
        for (text, expected) in forms {
            #expect(try f.ids(TimelineQuery(text: text)) == expected, "\(text)")
        }
    }

    /// The words of the issue: hyphens, apostrophes, dots and colons.
    @Test(arguments: StoreEngine.allCases)
    func ordinaryWords(engine: StoreEngine) throws {
        let f = try Self.fixture(engine)
        func ids(_ text: String) throws -> [String] { try f.ids(TimelineQuery(text: text)) }
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

    /// The store and the in-memory reading agree on random searches.
    @Test(arguments: StoreEngine.allCases, [1, 2, 3] as [UInt64])
    func agreement(engine: StoreEngine, seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let words = ["peace", "treaty", "japan", "kim", "jong", "un", "il", "soviet", "declaration", "united", "states",
                     "the", "and", "of", "abe", "kuril", "islands", "1956", "talks", "ichirō", "naïve"]
        let f = try ConformanceFixture(engine)
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
        _ = try f.store.append(events.map { .event($0) })
        try f.waitUntilSearchable()
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
            let found = try f.ids(TimelineQuery(text: text, limit: 100)).sorted()
            #expect(found == expected, "\(text)")
        }
    }

    /// Words beyond ASCII Latin: other scripts (CJK as one run, Cyrillic and Greek keeping their diacritics),
    /// letters whose lower case is special (ß, İ, ı, ǅ, ς, ſ), ligatures and number forms, digits of other scripts.
    /// Every engine agrees with the in-memory reading on each of them, alone, as a prefix and in phrases.
    @Test(arguments: StoreEngine.allCases)
    func wordsOfEveryScript(engine: StoreEngine) throws {
        let words = ["東京", "東京都", "Москва", "Ёлка", "ёлка", "Straße", "strasse", "İstanbul", "istanbul", "Łódź", "lodz",
                     "ﬁle", "file", "Ⅻ", "x²", "Ǆemal", "ǆemal", "Αθήνα", "αθηνα", "Ἀθῆναι", "O'Neill", "١٢٣", "½", "Ça", "ça",
                     "Ærø", "aero", "Øresund", "naïve", "NAIVE", "𝔄𝔫𝔫𝔞𝔩𝔰", "ǅ", "Ὀδυσσεύς", "ὈΔΥΣΣΕΎΣ", "ıstanbul", "Congreſs", "congress"]
        let f = try ConformanceFixture(engine)
        let events = words.enumerated().map { i, word in
            Sample.event("w\(i)", "2001", title: "Entry \(i)", body: "before \(word) after, \(words[(i + 1) % words.count]) end")
        }
        _ = try f.store.append(events.map(LogEntry.event))
        try f.waitUntilSearchable()
        var searches = words + words.map { "\"before \($0) after\"" } + words.map { String($0.prefix(2)) + "*" }
        searches += ["東京 OR Москва", "straße -ﬁle", "\"ǆemal after\""]
        for text in searches {
            let search = try SearchQuery(parsing: text)
            let expected = events.filter { search.matches(fields: [$0.title, $0.summary ?? "", $0.body ?? ""]) }.map(\.id).sorted()
            let found = try f.ids(TimelineQuery(text: text, limit: 100)).sorted()
            #expect(found == expected, "\(text)")
        }
    }

    /// Letters whose lower case is not one plain letter: `İ` lower-cases to `i` and a dot, which goes with the
    /// other diacritics (PROTOCOL.md §4.4: "İzmir" finds "izmir"); a capital `Σ` is `σ`, found also as the final
    /// `ς` (so "ΟΔΥΣΣΕΥΣ" finds "οδυσσευς"; Greek keeps its accents), and `ſ` is `s` — as FTS5's `unicode61`
    /// tokenizer folds them on SQLite, and `SearchTokenizer` (the PostgreSQL engine's index, live filters) too.
    @Test(arguments: StoreEngine.allCases)
    func lettersWithSpecialLowerCase(engine: StoreEngine) throws {
        let bodies = ["turkish-capital": "İzmir and İstanbul", "turkish-small": "izmir and istanbul", "greek-small": "ο οδυσσευς",
                      "greek-capital": "Ο ΟΔΥΣΣΕΥΣ", "long-s": "Congreſs"]
        let f = try ConformanceFixture(engine)
        _ = try f.store.append(bodies.sorted { $0.key < $1.key }.map { .event(Sample.event($0.key, "1923", body: $0.value)) })
        try f.waitUntilSearchable()
        let searches: [(String, [String])] = [
            ("İzmir", ["turkish-capital", "turkish-small"]), ("izmir", ["turkish-capital", "turkish-small"]),
            ("\"and İstanbul\"", ["turkish-capital", "turkish-small"]), ("İst*", ["turkish-capital", "turkish-small"]),
            ("Οδυσσευς", ["greek-capital", "greek-small"]), ("ΟΔΥΣΣΕΥΣ", ["greek-capital", "greek-small"]),
            ("congress", ["long-s"]),
        ]
        for (text, expected) in searches {
            #expect(try f.ids(TimelineQuery(text: text)) == expected, "\(text)")
            // The in-memory reading (live subscriptions) agrees.
            let search = try SearchQuery(parsing: text)
            #expect(bodies.filter { search.matches(fields: [$0.value]) }.keys.sorted() == expected, "\(text), in memory")
        }
    }

    /// Where PostgreSQL's text search has limits of its own (README, "Where the engines differ"): a word is found
    /// anywhere in a body, but a phrase only within its first 16,383 words, and among a word's first 256
    /// occurrences; a word longer than 2,046 bytes is not indexed. The SQLite engine finds all three. Everything
    /// short of those limits is the same on both (the tests above).
    @Test(arguments: StoreEngine.allCases)
    func limitsOfLongTexts(engine: StoreEngine) throws {
        let f = try ConformanceFixture(engine)
        let longWord = String(repeating: "x", count: 2_100) + "y"
        _ = try f.store.append([
            .event(Sample.event("deep-phrase", "2001", body: String(repeating: "filler ", count: 20_000) + "zanzibar quokka")),
            .event(Sample.event("frequent-word", "2002", body: String(repeating: "alpha beta ", count: 300) + "alpha gamma")),
            .event(Sample.event("long-word", "2003", body: "before \(longWord) after")),
        ])
        try f.waitUntilSearchable()
        // Within the limits: the same on both.
        #expect(try f.ids(TimelineQuery(text: "zanzibar quokka")) == ["deep-phrase"])
        #expect(try f.ids(TimelineQuery(text: "\"filler filler\"")) == ["deep-phrase"])
        #expect(try f.ids(TimelineQuery(text: "\"alpha beta\"")) == ["frequent-word"])
        #expect(try f.ids(TimelineQuery(text: "gamma before")).isEmpty)
        #expect(try f.ids(TimelineQuery(text: "before after")) == ["long-word"])
        // Past them.
        let pastTheLimits = [
            try f.ids(TimelineQuery(text: "\"zanzibar quokka\"")), try f.ids(TimelineQuery(text: "\"alpha gamma\"")),
            try f.ids(TimelineQuery(text: String(longWord.prefix(1_000)) + "*")),
        ]
        switch engine {
        case .sqlite: #expect(pastTheLimits == [["deep-phrase"], ["frequent-word"], ["long-word"]])
        case .postgresql: #expect(pastTheLimits == [[], [], []])
        }
    }

    /// An amend takes the old text out of the search and puts the new in; a retraction takes it out.
    @Test(arguments: StoreEngine.allCases)
    func amendsAndRetractionsReplaceTheText(engine: StoreEngine) throws {
        let f = try ConformanceFixture(engine)
        let original = Sample.event("marked-7", "2001-02-07", title: "Event 7", body: "mark7 quokka")
        _ = try f.store.append([.event(original)])
        var amended = original
        amended.body = "now about a platypus"
        amended.date = Sample.date("1850")
        _ = try f.store.amend(amended)
        try f.waitUntilSearchable()
        #expect(try f.ids(TimelineQuery(text: "quokka")).isEmpty)
        #expect(try f.ids(TimelineQuery(text: "platypus")) == ["marked-7"])
        #expect(try f.ids(TimelineQuery(from: Sample.date("1850"), to: Sample.date("1850"), text: "platypus")) == ["marked-7"])
        _ = try f.store.retract(id: "marked-7", reason: "test")
        try f.waitUntilSearchable()
        #expect(try f.ids(TimelineQuery(text: "platypus", includeRetracted: true)).isEmpty)
    }
}
