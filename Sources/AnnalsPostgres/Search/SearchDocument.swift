import AnnalsCore

/// The `tsvector` of an event's title, summary and body, built from `SearchTokenizer`'s tokens, the same
/// folded words FTS5's `unicode61 remove_diacritics 2` tokenizer gives the SQLite engine, so both engines
/// find the same events. It is sent as text and cast (`$n::tsvector`), which takes lexemes as given.
///
/// Each field's positions follow the previous field's with a gap of one, so a phrase never runs from one
/// field into the next (FTS5 phrases stay within a column). PostgreSQL's limits apply: positions stop at
/// 16,383 (a phrase further into a long body is not found; words still are), a lexeme keeps at most 256
/// positions, lexemes longer than 2,046 bytes are left out, and the lexemes of one event may take at most
/// about a megabyte (the rest of a body larger than that in distinct words is not indexed).
enum SearchDocument {
    static let maxPosition = 16_383
    static let maxPositionsPerLexeme = 256
    static let maxLexemeBytes = 2_046
    static let maxLexemeTotal = 1_000_000

    /// The vector's text form: `'lexeme':1,4 'other':2`.
    static func tsvector(title: String, summary: String?, body: String?) -> String {
        var positions: [String: [Int]] = [:]
        var order: [String] = []
        var total = 0
        var position = 0
        for field in [title, summary, body] {
            guard let field else { continue }
            for token in SearchTokenizer.tokens(of: field) {
                position = min(position + 1, maxPosition)
                guard token.utf8.count <= maxLexemeBytes else { continue }
                if positions[token] == nil {
                    guard total + token.utf8.count <= maxLexemeTotal else { continue }
                    total += token.utf8.count
                    order.append(token)
                    positions[token] = [position]
                } else if positions[token]!.count < maxPositionsPerLexeme, positions[token]!.last != position {
                    positions[token]!.append(position)
                }
            }
            position = min(position + 1, maxPosition)  // the gap between fields
        }
        var text = ""
        text.reserveCapacity(total + order.count * 8)
        for token in order {
            if !text.isEmpty { text += " " }
            text += quoted(token)
            text += ":"
            text += positions[token]!.map(String.init).joined(separator: ",")
        }
        return text
    }

    /// A lexeme as tsvector and tsquery text read it: in single quotes, quotes and backslashes escaped.
    static func quoted(_ token: String) -> String {
        var out = "'"
        for character in token {
            if character == "'" || character == "\\" { out.append(character == "'" ? "'" : "\\") }
            out.append(character)
        }
        return out + "'"
    }
}
