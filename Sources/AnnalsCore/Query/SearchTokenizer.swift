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
        var current = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if !scalar.isASCII, let rule = FTS5Exceptions.rule(for: scalar) {
                switch rule {
                case .separator:
                    if !current.isEmpty {
                        tokens.append(String(current))
                        current = String.UnicodeScalarView()
                    }
                case .kept: current.append(scalar)
                case .mapped(let folded): current.append(folded)
                }
                continue
            }
            if isCombiningDiacritic(scalar) {
                continue  // part of the token, and removed
            }
            if isTokenCharacter(scalar) {
                current.append(contentsOf: fold(scalar))
            } else if !current.isEmpty {
                tokens.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { tokens.append(String(current)) }
        return tokens
    }

    private static func isTokenCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let v = scalar.value
            return (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A)
        }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber, .privateUse:
            return true
        default:
            return false
        }
    }

    private static func isCombiningDiacritic(_ scalar: Unicode.Scalar) -> Bool {
        (0x0300...0x036F).contains(scalar.value)
    }

    /// Lower-cases one character and strips the diacritics of a Latin letter.
    private static func fold(_ scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        if scalar.isASCII {
            let v = scalar.value
            return [v >= 0x41 && v <= 0x5A ? Unicode.Scalar(UInt8(v + 0x20)) : scalar]
        }
        let lower = scalar.properties.lowercaseMapping.unicodeScalars
        let single = lower.count == 1 ? lower.first! : scalar
        guard isLatin(single) else { return [single] }
        let base = Array(String(single).decomposedStringWithCanonicalMapping.unicodeScalars.filter { !isCombiningDiacritic($0) })
        return base.isEmpty ? [single] : base
    }

    private static func isLatin(_ scalar: Unicode.Scalar) -> Bool {
        (0x00C0...0x024F).contains(scalar.value) || (0x1E00...0x1EFF).contains(scalar.value)
    }
}
