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
        var slots: [String: Int] = [:]
        var lexemes: [(token: String, positions: [Int])] = []
        var total = 0
        var position = 0
        for field in [title, summary, body] {
            guard let field else { continue }
            SearchTokenizer.forEachToken(in: field) { token in
                position = min(position + 1, maxPosition)
                let bytes = token.utf8.count
                guard bytes <= maxLexemeBytes else { return }
                if let slot = slots[token] {
                    if lexemes[slot].positions.count < maxPositionsPerLexeme, lexemes[slot].positions.last != position {
                        lexemes[slot].positions.append(position)
                    }
                } else if total + bytes <= maxLexemeTotal {
                    total += bytes
                    slots[token] = lexemes.count
                    lexemes.append((token, [position]))
                }
            }
            position = min(position + 1, maxPosition)  // the gap between fields
        }
        var text: [UInt8] = []
        text.reserveCapacity(total + lexemes.count * 8)
        for (token, positions) in lexemes {
            if !text.isEmpty { text.append(UInt8(ascii: " ")) }
            appendQuoted(token, to: &text)
            var separator = UInt8(ascii: ":")
            for position in positions {
                text.append(separator)
                separator = UInt8(ascii: ",")
                appendDecimal(position, to: &text)
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// A lexeme as tsvector and tsquery text read it: in single quotes, quotes and backslashes escaped.
    static func quoted(_ token: String) -> String {
        var text: [UInt8] = []
        appendQuoted(token, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    private static func appendQuoted(_ token: String, to text: inout [UInt8]) {
        text.append(UInt8(ascii: "'"))
        for byte in token.utf8 {
            if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\\") { text.append(byte) }
            text.append(byte)
        }
        text.append(UInt8(ascii: "'"))
    }

    private static func appendDecimal(_ value: Int, to text: inout [UInt8]) {
        if value >= 10 { appendDecimal(value / 10, to: &text) }
        text.append(UInt8(ascii: "0") + UInt8(value % 10))
    }
}
