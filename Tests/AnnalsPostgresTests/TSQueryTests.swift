@testable import AnnalsPostgres
import AnnalsCore
import AnnalsStoreTesting
import Testing

/// The translation of every search form into tsquery text, and the search vectors it is matched against.
@Suite("PostgreSQL: searches as tsquery, text as tsvector")
struct TSQueryTests {
    private func tsquery(_ text: String) throws -> String {
        try SearchQuery(parsing: text).tsquery
    }

    @Test func wordsMustAllOccur() throws {
        #expect(try tsquery("peace treaty") == "'peace' & 'treaty'")
    }

    @Test func caseAndLatinDiacriticsAreFolded() throws {
        #expect(try tsquery("Ichirō HATOYAMA") == "'ichiro' & 'hatoyama'")
    }

    @Test func aWordWithInnerPunctuationIsThePhraseOfItsParts() throws {
        #expect(try tsquery("Kim Jong-un") == "'kim' & ('jong' <-> 'un')")
        #expect(try tsquery("Abe's") == "('abe' <-> 's')")
        #expect(try tsquery("U.S.") == "('u' <-> 's')")
    }

    @Test func quotedPhrases() throws {
        #expect(try tsquery("\"joint declaration\"") == "('joint' <-> 'declaration')")
    }

    @Test func orBindsTighterThanSpaces() throws {
        #expect(try tsquery("Russia OR \"Soviet Union\" treaty") == "('russia' | ('soviet' <-> 'union')) & 'treaty'")
    }

    @Test func exclusionsByNotAndMinus() throws {
        #expect(try tsquery("treaty NOT draft") == "'treaty' & !'draft'")
        #expect(try tsquery("treaty -draft") == "'treaty' & !'draft'")
        #expect(try tsquery("treaty -\"peace talks\"") == "'treaty' & !('peace' <-> 'talks')")
    }

    @Test func prefixes() throws {
        #expect(try tsquery("declar*") == "'declar':*")
        #expect(try tsquery("\"joint decl\"*") == "('joint' <-> 'decl':*)")
    }

    @Test func punctuationAloneIsIgnored() throws {
        #expect(try tsquery("treaty -- !") == "'treaty'")
    }

    @Test func lexemesAreQuotedForTsqueryText() {
        #expect(SearchDocument.quoted("o'brien") == "'o''brien'")
        #expect(SearchDocument.quoted("a\\b") == "'a\\\\b'")
    }

    /// The answer of the test server to `sql` about the one vector `$1[1]`.
    private func ask(_ sql: String, about vector: [UInt8]) throws -> PGResult {
        let connection = try PGConnection(try ConnectionString(try TestPostgresServer.uri()), statementTimeout: 0)
        defer { connection.close() }
        return try connection.query(sql, [.tsvectorArray([vector])])
    }

    /// The vector as the server reads it, in its text form (lexemes sorted, each with its positions).
    private func vectorText(title: String, summary: String?, body: String?) throws -> String {
        let vector = SearchDocument.tsvector(title: title, summary: summary, body: body)
        return try ask("SELECT ($1::tsvector[])[1]::text", about: vector).text(0, 0) ?? ""
    }

    @Test func vectorsKeepPositionsAndAGapBetweenFields() throws {
        let vector = try vectorText(title: "Joint declaration", summary: "A joint statement", body: nil)
        #expect(vector == "'a':4 'declaration':2 'joint':1,5 'statement':6")
    }

    @Test func aPhraseDoesNotRunFromOneFieldIntoTheNext() throws {
        // "declaration" ends the title and "a" starts the summary: positions 2 and 4, not adjacent.
        let vector = try vectorText(title: "Joint declaration", summary: "A statement", body: nil)
        #expect(vector.contains("'declaration':2") && vector.contains("'a':4"))
    }

    @Test func foldedAndNonASCIIWordsReachTheServer() throws {
        let vector = try vectorText(title: "Łódź lodz lo l O'Brien ab a b", summary: nil, body: "東京 naïve")
        #expect(vector == "'a':8 'ab':7 'b':9 'brien':6 'l':4 'lo':3 'lodz':2 'naive':12 'o':5 'łodz':1 '東京':11")
    }

    /// The lexemes of a binary vector, in the order they are sent.
    private func sentLexemes(_ vector: [UInt8]) -> [[UInt8]] {
        var lexemes: [[UInt8]] = []
        var index = 4
        while index < vector.count {
            let end = vector[index...].firstIndex(of: 0)!
            lexemes.append(Array(vector[index..<end]))
            let positions = Int(vector[end + 1]) << 8 | Int(vector[end + 2])
            index = end + 3 + 2 * positions
        }
        return lexemes
    }

    @Test func lexemesAreSentInTheServersOrderSoItNeedNotSort() {
        let vector = SearchDocument.tsvector(title: "Łódź lodz lo l O'Brien ab a b", summary: nil, body: "東京 naïve lodz")
        let lexemes = sentLexemes(vector)
        #expect(lexemes.count == 11)
        let count = vector[0..<4].reduce(0) { $0 << 8 | Int($1) }
        #expect(count == 11)
        // Bytewise, and a lexeme before the longer ones it begins ("l", "lo", "lodz").
        #expect(lexemes == lexemes.sorted { $0.lexicographicallyPrecedes($1) })
        #expect(lexemes.map { String(decoding: $0, as: UTF8.self) } == ["a", "ab", "b", "brien", "l", "lo", "lodz", "naive", "o", "łodz", "東京"])
    }

    @Test func positionsStopAtPostgreSQLsLimit() throws {
        let body = Array(repeating: "word", count: SearchDocument.maxPosition + 10).joined(separator: " ")
        let vector = try vectorText(title: "Title", summary: nil, body: body)
        let positions = vector.split(separator: " ").first { $0.hasPrefix("'word'") }!.dropFirst("'word':".count).split(separator: ",")
        #expect(positions.count == SearchDocument.maxPositionsPerLexeme)
        #expect(vector.split(separator: " ").allSatisfy { entry in
            entry.split(separator: ":").last!.split(separator: ",").allSatisfy { Int($0)! <= SearchDocument.maxPosition }
        })
    }

    /// A body of the largest size an event may have (1 MiB) in distinct short words lays out to about twice the
    /// server's limit on a vector (lexemes and positions, `MAXSTRPOS`): the words past it are left out, and the
    /// server takes the vector instead of failing the event's whole batch.
    @Test func aBodyOfDistinctWordsStaysWithinTheServersLimitOnAVector() throws {
        var body = ""
        var number = 0
        while body.utf8.count < EventLimits.standard.body - 8 {
            body += "w" + String(number, radix: 36) + " "
            number += 1
        }
        let vector = SearchDocument.tsvector(title: "Title", summary: nil, body: body)
        let lexemes = try ask("SELECT length(($1::tsvector[])[1])", about: vector).int64(0, 0)
        #expect(lexemes > 50_000 && lexemes < Int64(number), "\(lexemes) of \(number) words")
    }
}
