/// A full-text search as a person types it, read the same way by every engine and by live filters.
///
/// Syntax (documented in the README and PROTOCOL.md §4.4):
/// - words separated by spaces must all occur, in any order: `peace treaty`;
/// - a word with inner punctuation is the phrase of its parts: `Jong-un` is `jong un`, `Abe's` is `abe s`,
///   `U.S.` is `u s`; punctuation alone is ignored;
/// - `"…"` is a phrase: its words in that order;
/// - `OR` (upper case) between words or phrases: either matches (`OR` binds tighter than the spaces);
/// - `NOT word` or `-word` (also before a phrase): events containing it are left out;
/// - `word*` (or `"…"*`) matches any word starting with it.
///
/// Matching ignores case and Latin diacritics (`SearchTokenizer`).
public struct SearchQuery: Sendable, Hashable {
    /// A word or a phrase: tokens that must occur in this order, next to one another, in one field.
    public struct Term: Sendable, Hashable {
        /// The text as the user wrote it (without quotes, `-` and `*`).
        public var text: String
        /// `text` as the tokenizer reads it: folded tokens (one for a plain word).
        public var tokens: [String]
        /// The last token matches any token it starts.
        public var prefix: Bool

        public init(text: String, prefix: Bool = false) {
            self.text = text
            self.tokens = SearchTokenizer.tokens(of: text)
            self.prefix = prefix
        }
    }

    /// Every group must match; a group matches when any of its terms does.
    public var required: [[Term]]
    /// No term may match.
    public var excluded: [Term]

    /// The longest search accepted, in UTF-8 bytes.
    public static let maxBytes = 2_000
    /// The most words and phrases in one search.
    public static let maxTerms = 32

    /// Reads `text`.
    /// - Throws: `SearchError` saying what cannot be read (an unmatched quote, a dangling OR or NOT, nothing
    ///   to look for, too long).
    public init(parsing text: String) throws(SearchError) {
        guard text.utf8.count <= Self.maxBytes else {
            throw SearchError(text, "it is \(text.utf8.count) bytes long; a search may have at most \(Self.maxBytes)")
        }
        var parser = Parser(text: text)
        let items = try parser.items()
        var required: [[Term]] = []
        var excluded: [Term] = []
        var index = 0
        while index < items.count {
            let item = items[index]
            switch item {
            case .or:
                throw SearchError(text, "OR must stand between two words or phrases")
            case .term(let term, let negated):
                let joinsNext = index + 1 < items.count && items[index + 1] == .or
                if negated {
                    if joinsNext { throw SearchError(text, "OR cannot join an excluded word ('-\(term.text)')") }
                    if !term.tokens.isEmpty { excluded.append(term) }
                    index += 1
                    continue
                }
                var group = [term]
                index += 1
                while index < items.count, items[index] == .or {
                    guard index + 1 < items.count, case .term(let next, let nextNegated) = items[index + 1] else {
                        throw SearchError(text, "OR must stand between two words or phrases")
                    }
                    if nextNegated { throw SearchError(text, "OR cannot join an excluded word ('-\(next.text)')") }
                    group.append(next)
                    index += 2
                }
                let meaningful = group.filter { !$0.tokens.isEmpty }
                if meaningful.count < group.count && group.count > 1 {
                    throw SearchError(text, "OR must stand between two words or phrases, not punctuation alone")
                }
                if !meaningful.isEmpty { required.append(meaningful) }
            }
        }
        guard !required.isEmpty else {
            throw SearchError(text, excluded.isEmpty
                ? "it has no words to look for"
                : "it only excludes words: give at least one word that must occur")
        }
        guard required.joined().count + excluded.count <= Self.maxTerms else {
            throw SearchError(text, "it has \(required.joined().count + excluded.count) words and phrases; a search may have at most \(Self.maxTerms)")
        }
        self.required = required
        self.excluded = excluded
    }

    /// Whether a document whose fields are `fields` matches: the in-memory reading of the search, the same
    /// as the stores' (a phrase must lie within one field).
    public func matches(fields: [String]) -> Bool {
        let tokenized = fields.map(SearchTokenizer.tokens(of:))
        func found(_ term: Term) -> Bool { tokenized.contains { Self.contains($0, term) } }
        return required.allSatisfy { $0.contains(where: found) } && !excluded.contains(where: found)
    }

    private static func contains(_ tokens: [String], _ term: Term) -> Bool {
        let wanted = term.tokens
        guard !wanted.isEmpty, tokens.count >= wanted.count else { return false }
        for start in 0...(tokens.count - wanted.count) {
            var matched = true
            for (offset, token) in wanted.enumerated() {
                let candidate = tokens[start + offset]
                let last = offset == wanted.count - 1
                if !(candidate == token || (last && term.prefix && candidate.hasPrefix(token))) {
                    matched = false
                    break
                }
            }
            if matched { return true }
        }
        return false
    }

    // MARK: Reading the text

    private enum Item: Equatable {
        case term(Term, negated: Bool)
        case or
    }

    private struct Parser {
        let text: String
        var scalars: [Unicode.Scalar]
        var position = 0

        init(text: String) {
            self.text = text
            self.scalars = Array(text.unicodeScalars)
        }

        mutating func items() throws(SearchError) -> [Item] {
            var items: [Item] = []
            while true {
                skipSpaces()
                guard position < scalars.count else { break }
                var negated = false
                if scalars[position] == "-", position + 1 < scalars.count, !scalars[position + 1].properties.isWhitespace {
                    negated = true
                    position += 1
                }
                if scalars[position] == "\"" {
                    items.append(.term(try phrase(), negated: negated))
                    continue
                }
                let word = bareWord()
                if !negated && word == "OR" {
                    items.append(.or)
                } else if !negated && word == "NOT" {
                    skipSpaces()
                    guard position < scalars.count else { throw SearchError(text, "NOT must come before a word or phrase") }
                    if scalars[position] == "\"" {
                        items.append(.term(try phrase(), negated: true))
                    } else {
                        let next = bareWord()
                        if next == "OR" || next == "NOT" { throw SearchError(text, "NOT must come before a word or phrase, not \(next)") }
                        items.append(.term(Self.term(next), negated: true))
                    }
                } else {
                    items.append(.term(Self.term(word), negated: negated))
                }
            }
            return items
        }

        /// A word up to the next space or double quote.
        private mutating func bareWord() -> String {
            var word = String.UnicodeScalarView()
            while position < scalars.count, !scalars[position].properties.isWhitespace, scalars[position] != "\"" {
                word.append(scalars[position])
                position += 1
            }
            return String(word)
        }

        /// A quoted phrase, with an optional `*` right after the closing quote.
        private mutating func phrase() throws(SearchError) -> Term {
            position += 1
            var content = String.UnicodeScalarView()
            while position < scalars.count, scalars[position] != "\"" {
                content.append(scalars[position])
                position += 1
            }
            guard position < scalars.count else {
                throw SearchError(text, "a double quote opens a phrase that is never closed")
            }
            position += 1
            var prefix = false
            if position < scalars.count, scalars[position] == "*" {
                prefix = true
                position += 1
            }
            return Term(text: String(content), prefix: prefix)
        }

        private static func term(_ word: String) -> Term {
            var word = word
            var prefix = false
            while word.hasSuffix("*") {
                word.removeLast()
                prefix = true
            }
            return Term(text: word, prefix: prefix && !SearchTokenizer.tokens(of: word).isEmpty)
        }

        private mutating func skipSpaces() {
            while position < scalars.count, scalars[position].properties.isWhitespace { position += 1 }
        }
    }
}

/// Why a search cannot be read.
public struct SearchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The search as given (at most 80 characters of it).
    public var input: String
    /// What is wrong, in words.
    public var message: String

    public init(_ input: String, _ message: String) {
        self.input = String(input.prefix(80))
        self.message = message
    }

    /// `cannot read the search '<input>': <message>`.
    public var description: String { "cannot read the search '\(input)': \(message)" }
}
