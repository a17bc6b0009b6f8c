import AnnalsCore
import Testing

@Suite("Event validation: every rule has its own code")
struct EventValidationTests {
    static let valid = Event(
        id: "1956-10-19-soviet-japanese-joint-declaration", date: try! HistoricalDate(parsing: "1956-10-19"),
        kind: .declaration, title: "Soviet–Japanese Joint Declaration", summary: "Ends the state of war.",
        body: "Full text.\nSecond paragraph.\tIndented.", actors: [Actor(name: "Japan", code: "JPN", role: "signatory")],
        places: ["Moscow"], tags: ["peace-treaty"], sources: [Source(url: "https://www.mofa.go.jp/", publisher: "MOFA", published: "1956-10-19")],
        references: [Reference(id: "1855-treaty-of-shimoda", relation: .follows)]
    )

    @Test func aValidEventPasses() throws {
        try EventValidator().validate(Self.valid)
    }

    static let cases: [(String, @Sendable (inout Event) -> Void, EventError.Code)] = [
        ("empty title", { $0.title = "" }, .emptyTitle),
        ("blank title", { $0.title = "   " }, .emptyTitle),
        ("newline in title", { $0.title = "Two\nlines" }, .controlCharacter),
        ("tab in title", { $0.title = "A\ttab" }, .controlCharacter),
        ("NUL in summary", { $0.summary = "a\u{0}b" }, .controlCharacter),
        ("escape in body", { $0.body = "colour \u{1B}[31m" }, .controlCharacter),
        ("C1 control in actor", { $0.actors = [Actor(name: "Ja\u{85}pan")] }, .controlCharacter),
        ("title too long", { $0.title = String(repeating: "t", count: 501) }, .tooLong),
        ("summary too long", { $0.summary = String(repeating: "s", count: 8 * 1024 + 1) }, .tooLong),
        ("body too long", { $0.body = String(repeating: "b", count: 1024 * 1024 + 1) }, .tooLong),
        ("too many actors", { e in e.actors = (0..<65).map { Actor(name: "A\($0)") } }, .tooMany),
        ("too many tags", { e in e.tags = (0..<65).map { "t\($0)" } }, .tooMany),
        ("tag too long", { $0.tags = [String(repeating: "x", count: 65)] }, .tooLong),
        ("empty tag", { $0.tags = [""] }, .emptyValue),
        ("duplicate tag", { $0.tags = ["peace-treaty", "Peace-Treaty"] }, .duplicateValue),
        ("duplicate place", { $0.places = ["Moscow", "moscow"] }, .duplicateValue),
        ("duplicate actor", { $0.actors = [Actor(name: "Japan"), Actor(name: "JAPAN", code: "JPN")] }, .duplicateActor),
        ("empty actor name", { $0.actors = [Actor(name: " ")] }, .emptyActorName),
        ("lower-case actor code", { $0.actors = [Actor(name: "Japan", code: "jpn")] }, .invalidActorCode),
        ("actor code with space", { $0.actors = [Actor(name: "Japan", code: "J P")] }, .invalidActorCode),
        ("empty id", { $0.id = "" }, .invalidID),
        ("id with space", { $0.id = "a b" }, .invalidID),
        ("id with slash", { $0.id = "a/b" }, .invalidID),
        ("id too long", { $0.id = String(repeating: "a", count: 129) }, .invalidID),
        ("id starting with hyphen", { $0.id = "-a" }, .invalidID),
        ("non-http source", { $0.sources = [Source(url: "ftp://example.org/x")] }, .invalidURL),
        ("relative source", { $0.sources = [Source(url: "/path")] }, .invalidURL),
        ("source without host", { $0.sources = [Source(url: "https://")] }, .invalidURL),
        ("source with space", { $0.sources = [Source(url: "https://example.org/a b")] }, .invalidURL),
        ("bad published date", { $0.sources = [Source(url: "https://example.org", published: "2019-02-29")] }, .malformedDate),
        ("self reference", { $0.references = [Reference(id: $0.id, relation: .mentions)] }, .selfReference),
        ("duplicate reference", { $0.references = [Reference(id: "x", relation: .mentions), Reference(id: "x", relation: .invokes)] }, .duplicateReference),
        ("invalid reference id", { $0.references = [Reference(id: "not valid", relation: .mentions)] }, .invalidID),
        ("revision zero", { $0.revision = 0 }, .invalidRevision),
    ]

    @Test(arguments: 0..<cases.count)
    func eachRuleHasItsCode(index: Int) {
        let (name, breakIt, code) = Self.cases[index]
        var event = Self.valid
        breakIt(&event)
        do {
            try EventValidator().validate(event)
            Issue.record("\(name): accepted")
        } catch {
            #expect(error.code == code, "\(name): \(error)")
            #expect(!error.message.isEmpty)
        }
    }

    @Test func retractionsNeedAReason() {
        #expect(throws: EventError.self) { try EventValidator().validate(Retraction(id: "x", reason: " ")) }
        #expect(throws: EventError.self) { try EventValidator().validate(Retraction(id: "bad id", reason: "r")) }
        #expect(throws: EventError.self) { try EventValidator().validate(Retraction(id: "x", reason: "r", revision: 1)) }
    }

    @Test func codesHaveStableNumbersAndNames() {
        let numbers = EventError.Code.all.map(\.number)
        #expect(Set(numbers).count == numbers.count)
        #expect(Set(EventError.Code.all.map(\.name)).count == numbers.count)
        for code in EventError.Code.all {
            #expect(EventError.Code(number: code.number) == code)
            #expect(EventError.Code(name: code.name) == code)
        }
        #expect(EventError.Code(number: 999).name == "error-999")
    }

    @Test func kindsAndRelationsHaveStableCodes() {
        for kind in EventKind.allCases { #expect(EventKind(code: kind.code) == kind) }
        #expect(Set(EventKind.allCases.map(\.code)).count == EventKind.allCases.count)
        for relation in Relation.allCases { #expect(Relation(code: relation.code) == relation) }
        #expect(EventKind.treaty.cameoCode == "057")
        #expect(EventKind.visit.cameoCode == "042")
        #expect(EventKind.other.cameoCode == nil)
    }
}

@Suite("Event ids and text keys")
struct EventIDTests {
    @Test func derivedIDsAreDeterministicSlugs() throws {
        let date = try HistoricalDate(parsing: "1956-10-19")
        #expect(EventID.derive(date: date, title: "Soviet–Japanese Joint Declaration") == "1956-10-19-soviet-japanese-joint-declaration")
        #expect(EventID.derive(date: try HistoricalDate(parsing: "1956~"), title: "Visit") == "1956-approx-visit")
        #expect(EventID.derive(date: try HistoricalDate(parsing: "195X"), title: "Ōsaka talks") == "195x-osaka-talks")
        #expect(EventID.derive(date: try HistoricalDate(parsing: "1956-10-19/1956-12-12"), title: "Talks") == "1956-10-19-to-1956-12-12-talks")
        let japanese = EventID.derive(date: date, title: "日ソ共同宣言")
        #expect(japanese.hasPrefix("1956-10-19-e"))
        #expect(japanese == EventID.derive(date: date, title: "日ソ共同宣言"))
        #expect(japanese != EventID.derive(date: date, title: "日ソ共同声明"))
        for id in [japanese, EventID.derive(date: date, title: String(repeating: "long title ", count: 40))] {
            #expect(EventID.isValid(id))
        }
        #expect(EventID.derive(date: try HistoricalDate(parsing: "-0660"), title: "Jimmu").hasPrefix("bce-"))
    }

    @Test func foldedKeysIgnoreCaseDiacriticsAndSpacing() {
        #expect(Text.foldedKey("Ichirō  HATOYAMA") == "ichiro hatoyama")
        #expect(Text.foldedKey("  Zürich ") == "zurich")
        #expect(Text.foldedKey("JPN") == "jpn")
    }

    @Test func timestampsRoundTrip() throws {
        let t = try #require(Timestamp(parsing: "2019-01-28T09:30:00.123Z"))
        #expect(t.description == "2019-01-28T09:30:00.123Z")
        #expect(Timestamp(parsing: "2019-01-28T09:30:00Z")?.description == "2019-01-28T09:30:00.000Z")
        #expect(Timestamp(parsing: "1969-12-31T23:59:59.999Z")?.milliseconds == -1)
        #expect(Timestamp(parsing: "2019-02-29T00:00:00Z") == nil)
        #expect(Timestamp(parsing: "2019-01-28 09:30:00Z") == nil)
        #expect(Timestamp(parsing: "2019-01-28T09:30:00+09:00") == nil)
    }
}

@Suite("Folded keys: the ASCII fast path agrees with the Unicode path")
struct FoldedKeyTests {
    @Test(arguments: ["Japan", "  JPN ", "Shinzo\tAbe", "a\n\nb", "x\u{1F}y", "Peace-Treaty", "", "   ", "ABC def  GHI"])
    func asciiMatchesUnicode(text: String) {
        // Appending a non-ASCII letter forces the Unicode path; its fold must extend the ASCII fold.
        let unicode = Text.foldedKey(text + "é")
        let ascii = Text.foldedKey(text)
        #expect(unicode == (ascii.isEmpty ? "e" : ascii + (text.last?.isWhitespace == true ? " e" : "e")))
    }
}

@Suite("Content hashes")
struct ContentHashTests {
    @Test func equalContentEqualHashWhateverTheStoreAssigned() {
        var a = EventValidationTests.valid
        var b = a
        b.recorded = Timestamp(milliseconds: 5)
        b.revision = 4
        #expect(a.contentHash == b.contentHash)
        a.title += "."
        #expect(a.contentHash != b.contentHash)
        var c = b
        c.summary = nil
        c.body = (b.summary ?? "") + (b.body ?? "")
        #expect(c.contentHash != b.contentHash, "moving text between fields changes the hash")
        var d = b
        d.actors[0].role = nil
        #expect(d.contentHash != b.contentHash)
        #expect(Retraction(id: "x", reason: "r").contentHash == Retraction(id: "x", reason: "r", revision: 3).contentHash)
    }

    @Test func knownValueIsStableAcrossRuns() {
        // A fixed event must always hash the same: stored hashes outlive the process that wrote them.
        let event = Event(id: "x", date: try! HistoricalDate(parsing: "1956"), kind: .treaty, title: "T")
        // The value an independent implementation of the documented scheme (FNV-1a over tagged,
        // length-prefixed UTF-8 fields) computes for this event.
        #expect(event.contentHash == 0x420a_45aa_cca7_04b2)
    }
}

@Suite("Control characters")
struct ControlCharacterTests {
    @Test func byteScanAgreesWithUnicodeProperties() {
        var samples = ["plain", "tab\there", "line\nfeed", "cr\r", "nul\u{0}", "del\u{7F}", "c1\u{85}", "c1 end\u{9F}",
                       "not c1: \u{A0} \u{C2} é ü ō 日本 🇯🇵", "\u{1B}[31m", ""]
        for scalar in 0...0x2FF { samples.append("a" + String(UnicodeScalar(UInt32(scalar)).map(Character.init) ?? "x") + "b") }
        for text in samples {
            let reference = text.unicodeScalars.contains { $0.properties.generalCategory == .control }
            #expect(Text.hasControlCharacter(text) == reference, "\(text.debugDescription)")
            let referenceBesides = text.unicodeScalars.contains {
                $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\t" && $0 != "\r"
            }
            #expect(Text.hasControlCharacterBesidesWhitespace(text) == referenceBesides, "\(text.debugDescription)")
        }
    }
}
