import AnnalsCore

extension SearchQuery {
    /// The search as PostgreSQL `tsquery` text, matched against `SearchDocument` vectors with `@@`.
    ///
    /// The words are already folded by `SearchTokenizer` (as the SQLite engine's FTS5 `unicode61` tokenizer
    /// folds them, and as `SearchDocument` folds the text), so the query is cast from text, not parsed by a
    /// text search configuration: each token is a quoted lexeme; a phrase (or a word with inner punctuation)
    /// is its tokens joined by `<->`; `*` becomes `:*` on the last token; an `OR` group is `|` in
    /// parentheses; the groups are joined by `&`; excluded terms follow as `& !…`.
    var tsquery: String {
        let groups = required.map { group in
            group.count == 1 ? Self.tsquery(group[0]) : "(" + group.map(Self.tsquery).joined(separator: " | ") + ")"
        }
        return (groups + excluded.map { "!" + Self.tsquery($0) }).joined(separator: " & ")
    }

    /// One word or phrase: `'word'`, `'word':*`, `('jong' <-> 'un')`.
    private static func tsquery(_ term: Term) -> String {
        let lexemes = term.tokens.enumerated().map { index, token in
            SearchDocument.quoted(token) + (term.prefix && index == term.tokens.count - 1 ? ":*" : "")
        }
        return lexemes.count == 1 ? lexemes[0] : "(" + lexemes.joined(separator: " <-> ") + ")"
    }
}
