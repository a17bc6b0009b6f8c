import Foundation

/// Splits text into the folded tokens full-text search compares, as SQLite's FTS5 `unicode61` tokenizer with
/// `remove_diacritics 2` does (the store's index), so that live filters and stores agree on what matches.
///
/// A token is a run of letters, digits and private-use characters (Unicode categories L*, N*, Co); every other
/// character separates tokens. Tokens are lower-cased, and Latin letters lose their diacritics (`Ichirō` →
/// `ichiro`, `Łódź` → `łodz`); Greek and Cyrillic keep theirs, as in FTS5. Where FTS5 does otherwise (case
/// folding such as `ς` → `σ`, letters newer than its tables, marks it takes for separators), `FTS5Exceptions`
/// says what it does, so both give the same words (the PostgreSQL engine indexes these).
public enum SearchTokenizer {
    /// The tokens of `text`, in order.
    public static func tokens(of text: String) -> [String] {
        var tokens: [String] = []
        forEachToken(in: text) { tokens.append($0) }
        return tokens
    }

    /// Calls `body` with each token of `text`, in order.
    public static func forEachToken(in text: String, _ body: (String) -> Void) {
        forEachTokenUTF8(in: text) { body(String(decoding: $0, as: UTF8.self)) }
    }

    /// Calls `body` with the UTF-8 bytes of each token of `text`, in order (valid only during the call). The
    /// text is read as UTF-8 bytes: an ASCII word already in lower case, nearly every word of most text, is
    /// passed as it stands in the text; other words are built in one reused buffer.
    public static func forEachTokenUTF8(in text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var text = text
        text.withUTF8 { input in
            var token: [UInt8] = []
            token.reserveCapacity(64)
            func end() {
                guard !token.isEmpty else { return }
                token.withUnsafeBufferPointer(body)
                token.removeAll(keepingCapacity: true)
            }
            var index = 0
            while index < input.count {
                let byte = input[index]
                if byte < 0x80 {
                    let start = index
                    var lowercase = true
                    while index < input.count, let kind = asciiWordByte(input[index]) {
                        lowercase = lowercase && kind
                        index += 1
                    }
                    if index == start {  // an ASCII separator
                        end()
                        index += 1
                    } else if token.isEmpty, lowercase, index == input.count || input[index] < 0x80 {
                        body(UnsafeBufferPointer(rebasing: input[start..<index]))
                    } else {
                        for byte in input[start..<index] { token.append(byte | (byte >= 0x41 && byte <= 0x5A ? 0x20 : 0)) }
                    }
                    continue
                }
                let (scalar, length) = decodeScalar(input, at: index)
                index += length
                if let rule = FTS5Exceptions.rule(for: scalar) {
                    switch rule {
                    case .separator: end()
                    case .kept: UTF8.encode(scalar) { token.append($0) }
                    case .mapped(let folded): UTF8.encode(folded) { token.append($0) }
                    }
                } else if isCombiningDiacritic(scalar.value) {
                    continue  // part of the token, and removed
                } else if isTokenCharacter(scalar) {
                    appendFolded(scalar, to: &token)
                } else {
                    end()
                }
            }
            end()
        }
    }

    /// For an ASCII letter or digit, whether it is already lower case (digits are); nil for any other byte.
    @inline(__always)
    private static func asciiWordByte(_ byte: UInt8) -> Bool? {
        if (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) { return true }
        if byte >= 0x41 && byte <= 0x5A { return false }
        return nil
    }

    /// The scalar whose UTF-8 (valid, as a String's is) starts at a non-ASCII byte `index`, and its length.
    private static func decodeScalar(_ input: UnsafeBufferPointer<UInt8>, at index: Int) -> (Unicode.Scalar, Int) {
        let lead = UInt32(input[index])
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        var value = lead & (0x7F >> length)
        for offset in 1..<length { value = value << 6 | UInt32(input[index + offset] & 0x3F) }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }

    private static func isTokenCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber, .privateUse:
            return true
        default:
            return false
        }
    }

    private static func isCombiningDiacritic(_ value: UInt32) -> Bool {
        (0x0300...0x036F).contains(value)
    }

    /// Appends a non-ASCII character lower-cased, and a Latin letter without its diacritics.
    private static func appendFolded(_ scalar: Unicode.Scalar, to token: inout [UInt8]) {
        var single = scalar
        if scalar.properties.changesWhenLowercased {
            let lower = scalar.properties.lowercaseMapping.unicodeScalars
            if lower.count == 1 { single = lower.first! }
        }
        if let base = latinBases[single.value] {
            token.append(contentsOf: base)
        } else {
            UTF8.encode(single) { token.append($0) }
        }
    }

    /// The UTF-8 of each Latin letter (U+00C0–U+024F, U+1E00–U+1EFF) without its diacritics, from its canonical
    /// decomposition; letters that do not decompose map to themselves.
    private static let latinBases: [UInt32: [UInt8]] = {
        var table: [UInt32: [UInt8]] = [:]
        for value in Array(0x00C0...0x024F) + Array(0x1E00...0x1EFF) {
            guard let scalar = Unicode.Scalar(UInt32(value)) else { continue }
            var base = String.UnicodeScalarView()
            base.append(contentsOf: String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars.filter { !isCombiningDiacritic($0.value) })
            if base.isEmpty { base.append(scalar) }
            table[UInt32(value)] = Array(String(base).utf8)
        }
        return table
    }()
}
