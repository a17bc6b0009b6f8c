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
        var lexemes = LexemeTable()
        var position = 0
        for field in [title, summary, body] {
            guard let field else { continue }
            SearchTokenizer.forEachTokenUTF8(in: field) { token in
                position = min(position + 1, maxPosition)
                guard token.count <= maxLexemeBytes else { return }
                lexemes.add(token, at: position)
            }
            position = min(position + 1, maxPosition)  // the gap between fields
        }
        var text: [UInt8] = []
        text.reserveCapacity(lexemes.bytes.count * 2)
        for lexeme in lexemes.entries {
            if !text.isEmpty { text.append(UInt8(ascii: " ")) }
            appendQuoted(lexemes.bytes[lexeme.start..<lexeme.start + lexeme.count], to: &text)
            var separator = UInt8(ascii: ":")
            for position in lexeme.positions {
                text.append(separator)
                separator = UInt8(ascii: ",")
                appendDecimal(position, to: &text)
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The distinct lexemes of one document in order of first use, each with its positions: their bytes in one
    /// buffer, found again through an open-addressing table on an FNV-1a hash (no String per token).
    private struct LexemeTable {
        struct Entry {
            var start: Int
            var count: Int
            var hash: UInt64
            var positions: [Int]
        }

        private(set) var bytes: [UInt8] = []
        private(set) var entries: [Entry] = []
        private var slots = [Int32](repeating: -1, count: 256)

        mutating func add(_ token: UnsafeBufferPointer<UInt8>, at position: Int) {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in token { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] >= 0 {
                let index = Int(slots[slot])
                let entry = entries[index]
                if entry.hash == hash, entry.count == token.count, bytes[entry.start..<entry.start + entry.count].elementsEqual(token) {
                    if entry.positions.count < maxPositionsPerLexeme, entry.positions.last != position {
                        entries[index].positions.append(position)
                    }
                    return
                }
                slot = (slot + 1) & mask
            }
            guard bytes.count + token.count <= maxLexemeTotal else { return }
            slots[slot] = Int32(entries.count)
            entries.append(Entry(start: bytes.count, count: token.count, hash: hash, positions: [position]))
            bytes.append(contentsOf: token)
            if entries.count * 2 > slots.count { grow() }
        }

        private mutating func grow() {
            slots = [Int32](repeating: -1, count: slots.count * 2)
            let mask = slots.count - 1
            for (index, entry) in entries.enumerated() {
                var slot = Int(truncatingIfNeeded: entry.hash) & mask
                while slots[slot] >= 0 { slot = (slot + 1) & mask }
                slots[slot] = Int32(index)
            }
        }
    }

    /// A lexeme as tsvector and tsquery text read it: in single quotes, quotes and backslashes escaped.
    static func quoted(_ token: String) -> String {
        var text: [UInt8] = []
        appendQuoted(token.utf8, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    private static func appendQuoted(_ token: some Sequence<UInt8>, to text: inout [UInt8]) {
        text.append(UInt8(ascii: "'"))
        for byte in token {
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
