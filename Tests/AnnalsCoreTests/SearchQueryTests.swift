import AnnalsCore
import Testing

@Suite struct SearchQueryTests {
    private func tokens(_ query: SearchQuery) -> [[[String]]] {
        query.required.map { $0.map(\.tokens) }
    }

    @Test("words a person types: every word must occur, inner punctuation makes a phrase")
    func ordinaryWords() throws {
        #expect(tokens(try SearchQuery(parsing: "Kim Jong-un")) == [[["kim"]], [["jong", "un"]]])
        #expect(tokens(try SearchQuery(parsing: "Russo-Japanese")) == [[["russo", "japanese"]]])
        #expect(tokens(try SearchQuery(parsing: "Abe's")) == [[["abe", "s"]]])
        #expect(tokens(try SearchQuery(parsing: "U.S.")) == [[["u", "s"]]])
        #expect(tokens(try SearchQuery(parsing: "a:b")) == [[["a", "b"]]])
        #expect(tokens(try SearchQuery(parsing: "  Ichirō   HATOYAMA ")) == [[["ichiro"]], [["hatoyama"]]])
        // Punctuation alone is ignored, and so are parentheses around words.
        #expect(tokens(try SearchQuery(parsing: "peace , treaty ... (1956)")) == [[["peace"]], [["treaty"]], [["1956"]]])
        // Lower-case or and not are words, near is a word.
        #expect(tokens(try SearchQuery(parsing: "war or not near")) == [[["war"]], [["or"]], [["not"]], [["near"]]])
    }

    @Test("phrases, OR, NOT, - and prefix*")
    func operators() throws {
        let phrase = try SearchQuery(parsing: "\"joint declaration\" 1956")
        #expect(tokens(phrase) == [[["joint", "declaration"]], [["1956"]]])

        let either = try SearchQuery(parsing: "Japan Russia OR \"Soviet Union\"")
        #expect(tokens(either) == [[["japan"]], [["russia"], ["soviet", "union"]]])

        let without = try SearchQuery(parsing: "treaty NOT peace -\"san francisco\"")
        #expect(tokens(without) == [[["treaty"]]])
        #expect(without.excluded.map(\.tokens) == [["peace"], ["san", "francisco"]])

        let prefix = try SearchQuery(parsing: "declar* \"joint decl\"*")
        #expect(prefix.required.map { $0.map(\.prefix) } == [[true], [true]])
        #expect(tokens(prefix) == [[["declar"]], [["joint", "decl"]]])
    }

    @Test("what cannot be read is an error that says why, in words", arguments: [
        ("\"unterminated", "never closed"),
        ("\"", "never closed"),
        ("*", "no words"),
        ("", "no words"),
        ("... ---", "no words"),
        ("NOT korea", "only excludes"),
        ("-korea", "only excludes"),
        ("OR", "OR must stand between"),
        ("peace OR", "OR must stand between"),
        ("OR peace", "OR must stand between"),
        ("peace OR OR war", "OR must stand between"),
        ("peace OR -war", "cannot join an excluded"),
        ("peace NOT", "NOT must come before"),
    ])
    func errors(input: String, expected: String) {
        #expect {
            try SearchQuery(parsing: input)
        } throws: { error in
            let message = (error as? SearchError)?.description ?? ""
            return message.contains(expected) && !message.contains("fts5") && !message.contains("SELECT")
        }
    }

    @Test func limits() throws {
        let long = String(repeating: "word ", count: 500)
        #expect(throws: SearchError.self) { try SearchQuery(parsing: long) }
        let many = (1...33).map { "w\($0)" }.joined(separator: " ")
        #expect(throws: SearchError.self) { try SearchQuery(parsing: many) }
        _ = try SearchQuery(parsing: (1...32).map { "w\($0)" }.joined(separator: " "))
    }

    @Test("in memory: phrases lie within one field, prefixes and exclusions apply")
    func matching() throws {
        let fields = ["Trump–Kim summit in Singapore", "Donald Trump and Kim Jong-un met; Abe's envoy watched.", ""]
        func matches(_ text: String) throws -> Bool { try SearchQuery(parsing: text).matches(fields: fields) }
        #expect(try matches("Kim Jong-un"))
        #expect(try matches("\"kim jong un\""))
        #expect(try matches("Abe's"))
        #expect(try matches("singapore trump"))
        #expect(try !matches("singapore trump -envoy"))
        #expect(try matches("sing*"))
        #expect(try !matches("\"singapore donald\""))  // the words are in two fields
        #expect(try matches("moscow OR singapore"))
        #expect(try !matches("moscow OR beijing"))
        #expect(try matches("KIM jong-UN"))
        #expect(try !matches("Kim Jong-il"))
    }

    @Test("tokens: letters and digits, lower-cased; Latin loses diacritics, Greek and Cyrillic keep theirs")
    func tokenizer() {
        #expect(SearchTokenizer.tokens(of: "Ichirō Hatoyama, Łódź — naïve café") == ["ichiro", "hatoyama", "łodz", "naive", "cafe"])
        #expect(SearchTokenizer.tokens(of: "Йошкар-Ола ΩΜΈΓΑ") == ["йошкар", "ола", "ωμέγα"])
        #expect(SearchTokenizer.tokens(of: "東京 ½ U.S.") == ["東京", "½", "u", "s"])
        #expect(SearchTokenizer.tokens(of: "nai\u{0308}ve") == ["naive"])
    }

    @Test("a reversed date range is refused as the date parser refuses a reversed interval")
    func reversedRange() throws {
        let reversed = TimelineQuery(from: try HistoricalDate(parsing: "2020"), to: try HistoricalDate(parsing: "2019"))
        #expect(throws: QueryError.self) { try reversed.validate() }
        let overlapping = TimelineQuery(from: try HistoricalDate(parsing: "2019-06"), to: try HistoricalDate(parsing: "2019"))
        try overlapping.validate()
        let open = TimelineQuery(from: try HistoricalDate(parsing: "../2020"), to: try HistoricalDate(parsing: "2019"))
        try open.validate()
    }
}
