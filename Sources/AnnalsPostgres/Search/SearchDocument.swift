import AnnalsCore
import Foundation

/// The `tsvector` of an event's title, summary and body, built from `SearchTokenizer`'s tokens, the same
/// folded words FTS5's `unicode61 remove_diacritics 2` tokenizer gives the SQLite engine, so both engines
/// find the same events. It is sent in PostgreSQL's binary form, which the server takes as given: no parsing,
/// and no sorting, since the lexemes come in the server's order.
///
/// Each field's positions follow the previous field's with a gap of one, so a phrase never runs from one
/// field into the next (FTS5 phrases stay within a column). PostgreSQL's limits apply: positions stop at
/// 16,383 (a phrase further into a long body is not found; words still are), a lexeme keeps at most 256
/// positions, lexemes longer than 2,046 bytes are left out, and the lexemes of one event with their positions
/// may take at most a megabyte as the server lays them out (the rest of a body larger than that in distinct
/// words is not indexed).
package enum SearchDocument {
    static let maxPosition = 16_383
    static let maxPositionsPerLexeme = 256
    static let maxLexemeBytes = 2_046
    /// The server's limit on a vector's lexemes and positions as it stores them (`MAXSTRPOS`).
    static let maxDataBytes = 1_048_575

    /// The vector in the binary form `tsvectorrecv` reads: the number of lexemes, then each lexeme in the server's
    /// order (bytewise, a prefix before the longer lexeme) as its bytes, a zero byte, the number of its positions
    /// and each position; integers big-endian.
    package static func tsvector(title: String, summary: String?, body: String?) -> [UInt8] {
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
        return lexemes.binary
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
        /// The bytes the server's layout gives the vector so far: each lexeme padded to an even length, the
        /// count of its positions and each position, two bytes each.
        private var dataBytes = 0

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
                    if entry.positionCount < maxPositionsPerLexeme, positions[last].value != position, dataBytes + 2 <= maxDataBytes {
                        dataBytes += 2
                        positions[last].next = Int32(positions.count)
                        entries[index].lastPosition = Int32(positions.count)
                        entries[index].positionCount += 1
                        positions.append(Position(value: Int32(position), next: -1))
                    }
                    return
                }
                slot = (slot + 1) & mask
            }
            let size = (token.count + 1) / 2 * 2 + 4
            guard dataBytes + size <= maxDataBytes else { return }
            dataBytes += size
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

        /// The vector's binary form (`tsvector(title:summary:body:)`).
        var binary: [UInt8] {
            let size = 4 + bytes.count + 3 * entries.count + 2 * positions.count
            return [UInt8](unsafeUninitializedCapacity: size) { out, count in
                var end = 0
                func put(_ value: Int, bytes: Int) {
                    for index in 0..<bytes { out[end + index] = UInt8(truncatingIfNeeded: value >> (8 * (bytes - 1 - index))) }
                    end += bytes
                }
                put(entries.count, bytes: 4)
                bytes.withUnsafeBufferPointer { bytes in
                    for entry in serverOrder(bytes) {
                        let start = Int(entry.start), count = Int(entry.count)
                        UnsafeMutableRawPointer(out.baseAddress! + end).copyMemory(from: bytes.baseAddress! + start, byteCount: count)
                        out[end + count] = 0
                        end += count + 1
                        put(Int(entry.positionCount), bytes: 2)
                        var index = Int(entry.firstPosition)
                        while index >= 0 {
                            put(Int(positions[index].value), bytes: 2)
                            index = Int(positions[index].next)
                        }
                    }
                }
                count = end
            }
        }

        /// The entries in the server's order: bytewise, a lexeme before the longer ones it begins. Sorted by
        /// their first eight bytes as one integer (zero-padded: a token holds no zero byte), the rest compared
        /// only between entries those bytes do not tell apart.
        private func serverOrder(_ bytes: UnsafeBufferPointer<UInt8>) -> [Entry] {
            var keyed = entries.map { entry -> (key: UInt64, entry: Entry) in
                var key: UInt64 = 0
                for index in 0..<8 {
                    key <<= 8
                    if index < entry.count { key |= UInt64(bytes[Int(entry.start) + index]) }
                }
                return (key, entry)
            }
            keyed.sort { a, b in
                if a.key != b.key { return a.key < b.key }
                let order = memcmp(bytes.baseAddress! + Int(a.entry.start), bytes.baseAddress! + Int(b.entry.start),
                                   Int(min(a.entry.count, b.entry.count)))
                return order != 0 ? order < 0 : a.entry.count < b.entry.count
            }
            return keyed.map(\.entry)
        }
    }

    /// A lexeme as tsquery text reads it: in single quotes, quotes and backslashes escaped.
    static func quoted(_ token: String) -> String {
        var text = "'"
        for character in token.unicodeScalars {
            if character == "'" || character == "\\" { text.unicodeScalars.append(character) }
            text.unicodeScalars.append(character)
        }
        return text + "'"
    }
}
