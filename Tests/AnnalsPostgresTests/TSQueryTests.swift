@testable import AnnalsPostgres
import AnnalsCore
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

    @Test func vectorsKeepPositionsAndAGapBetweenFields() {
        let vector = SearchDocument.tsvector(title: "Joint declaration", summary: "A joint statement", body: nil)
        #expect(vector == "'joint':1,5 'declaration':2 'a':4 'statement':6")
    }

    @Test func aPhraseDoesNotRunFromOneFieldIntoTheNext() {
        // "declaration" ends the title and "a" starts the summary: positions 2 and 4, not adjacent.
        let vector = SearchDocument.tsvector(title: "Joint declaration", summary: "A statement", body: nil)
        #expect(vector.contains("'declaration':2") && vector.contains("'a':4"))
    }

    @Test func positionsStopAtPostgreSQLsLimit() {
        let body = Array(repeating: "word", count: SearchDocument.maxPosition + 10).joined(separator: " ")
        let vector = SearchDocument.tsvector(title: "Title", summary: nil, body: body)
        let positions = vector.split(separator: " ").first { $0.hasPrefix("'word'") }!.dropFirst("'word':".count).split(separator: ",")
        #expect(positions.count == SearchDocument.maxPositionsPerLexeme)
        #expect(vector.split(separator: " ").allSatisfy { entry in
            entry.split(separator: ":").last!.split(separator: ",").allSatisfy { Int($0)! <= SearchDocument.maxPosition }
        })
    }
}
