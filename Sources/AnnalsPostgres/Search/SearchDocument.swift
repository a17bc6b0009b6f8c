import AnnalsCore
import Foundation

/// The `tsvector` of an event's title, summary and body, built from `SearchTokenizer`'s tokens, the same
/// folded words FTS5's `unicode61 remove_diacritics 2` tokenizer gives the SQLite engine, so both engines
/// find the same events. It is sent as text and cast (`$n::tsvector`), which takes lexemes as given.
///
/// Each field's positions follow the previous field's with a gap of one, so a phrase never runs from one
/// field into the next (FTS5 phrases stay within a column). PostgreSQL's limits apply: positions stop at
/// 16,383 (a phrase further into a long body is not found; words still are), a lexeme keeps at most 256
/// positions, lexemes longer than 2,046 bytes are left out, and the lexemes of one event may take at most
/// about a megabyte (the rest of a body larger than that in distinct words is not indexed).
package enum SearchDocument {
    static let maxPosition = 16_383
    static let maxPositionsPerLexeme = 256
    static let maxLexemeBytes = 2_046
    static let maxLexemeTotal = 1_000_000

    /// The vector's text form: `'lexeme':1,4 'other':2`.
    package static func tsvector(title: String, summary: String?, body: String?) -> String {
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
        return lexemes.text
    }

    /// The distinct lexemes of one document in order of first use, each with its positions: their bytes in one
    /// buffer, found again through an open-addressing table on an FNV-1a hash, and their positions in one list
    /// linked lexeme by lexeme (no allocation per token or per lexeme).
    private struct LexemeTable {
        struct Entry {
            var start: Int32
            var count: Int32
            var hash: UInt32
            var positionCount: Int32
            var firstPosition: Int32
            var lastPosition: Int32
        }

        /// One position of a lexeme, and the index of the lexeme's next one (-1 after its last).
        struct Position {
            var value: Int32
            var next: Int32
        }

        private var bytes: [UInt8] = []
        private var entries: [Entry] = []
        private var positions: [Position] = []
        private var slots = [Int32](repeating: -1, count: 256)

        init() {
            bytes.reserveCapacity(2_048)
            entries.reserveCapacity(128)
            positions.reserveCapacity(512)
        }

        mutating func add(_ token: UnsafeBufferPointer<UInt8>, at position: Int) {
            var hash: UInt32 = 0x811c_9dc5
            for byte in token { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
            let mask = slots.count - 1
            var slot = Int(hash) & mask
            while true {
                let index = Int(slots[slot])
                if index < 0 { break }
                let entry = entries[index]
                if entry.hash == hash, entry.count == token.count, matches(entry, token) {
                    let last = Int(entry.lastPosition)
                    if entry.positionCount < maxPositionsPerLexeme, positions[last].value != position {
                        positions[last].next = Int32(positions.count)
                        entries[index].lastPosition = Int32(positions.count)
                        entries[index].positionCount += 1
                        positions.append(Position(value: Int32(position), next: -1))
                    }
                    return
                }
                slot = (slot + 1) & mask
            }
            guard bytes.count + token.count <= maxLexemeTotal else { return }
            slots[slot] = Int32(entries.count)
            let first = Int32(positions.count)
            entries.append(Entry(start: Int32(bytes.count), count: Int32(token.count), hash: hash,
                                 positionCount: 1, firstPosition: first, lastPosition: first))
            positions.append(Position(value: Int32(position), next: -1))
            bytes.append(contentsOf: token)
            if entries.count * 2 > slots.count { grow() }
        }

        private func matches(_ entry: Entry, _ token: UnsafeBufferPointer<UInt8>) -> Bool {
            bytes.withUnsafeBufferPointer { stored in
                memcmp(stored.baseAddress! + Int(entry.start), token.baseAddress!, token.count) == 0
            }
        }

        private mutating func grow() {
            slots = [Int32](repeating: -1, count: slots.count * 2)
            let mask = slots.count - 1
            for (index, entry) in entries.enumerated() {
                var slot = Int(entry.hash) & mask
                while slots[slot] >= 0 { slot = (slot + 1) & mask }
                slots[slot] = Int32(index)
            }
        }

        /// `'lexeme':1,4 'other':2`, lexemes in order of first use.
        var text: String {
            // Each lexeme's bytes at most doubled by escaping, two quotes, a space; each position at most six bytes.
            let capacity = bytes.count * 2 + entries.count * 3 + positions.count * 6
            return String(unsafeUninitializedCapacity: max(capacity, 1)) { out in
                var end = 0
                func put(_ byte: UInt8) { out[end] = byte; end += 1 }
                bytes.withUnsafeBufferPointer { bytes in
                    for entry in entries {
                        if end > 0 { put(UInt8(ascii: " ")) }
                        put(UInt8(ascii: "'"))
                        for byte in bytes[Int(entry.start)..<Int(entry.start + entry.count)] {
                            if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\\") { put(byte) }
                            put(byte)
                        }
                        put(UInt8(ascii: "'"))
                        var separator = UInt8(ascii: ":")
                        var index = Int(entry.firstPosition)
                        while index >= 0 {
                            put(separator)
                            separator = UInt8(ascii: ",")
                            end += writeDecimal(Int(positions[index].value), to: out.baseAddress! + end)
                            index = Int(positions[index].next)
                        }
                    }
                }
                return end
            }
        }
    }

    /// A lexeme as tsvector and tsquery text read it: in single quotes, quotes and backslashes escaped.
    static func quoted(_ token: String) -> String {
        var text = "'"
        for character in token.unicodeScalars {
            if character == "'" || character == "\\" { text.unicodeScalars.append(character) }
            text.unicodeScalars.append(character)
        }
        return text + "'"
    }

    /// Writes `value` (0…99,999) in decimal at `out`: the number of bytes written.
    private static func writeDecimal(_ value: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var digits = 1
        var rest = value / 10
        while rest > 0 { digits += 1; rest /= 10 }
        var value = value
        for offset in stride(from: digits - 1, through: 0, by: -1) {
            out[offset] = UInt8(ascii: "0") + UInt8(value % 10)
            value /= 10
        }
        return digits
    }
}
