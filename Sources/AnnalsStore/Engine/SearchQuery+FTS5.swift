import AnnalsCore

extension SearchQuery {
    /// The search as an FTS5 MATCH expression over the `fts` table.
    ///
    /// Every term becomes a quoted FTS5 string, which FTS5 tokenizes like the indexed text (a word with inner
    /// punctuation becomes the phrase of its parts) and never reads as an operator or a column filter; `OR`
    /// groups are parenthesized, since FTS5's OR binds looser than its AND; excluded terms follow as `NOT`.
    var fts5Expression: String {
        func quoted(_ term: Term) -> String {
            "\"" + term.text.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\"" + (term.prefix ? "*" : "")
        }
        let groups = required.map { group in
            group.count == 1 ? quoted(group[0]) : "(" + group.map(quoted).joined(separator: " OR ") + ")"
        }
        var expression = groups.joined(separator: " AND ")
        if !excluded.isEmpty {
            expression = "(" + expression + ")" + excluded.map { " NOT " + quoted($0) }.joined()
        }
        return expression
    }
}
