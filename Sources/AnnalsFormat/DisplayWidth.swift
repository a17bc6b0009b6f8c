/// How many terminal columns text takes, so columns line up and lines fit a width.
///
/// The rules follow the usual `wcwidth` conventions, without a dependency:
/// - East Asian wide and fullwidth characters (CJK ideographs, kana, Hangul syllables, fullwidth
///   forms) and emoji shown as pictures take 2 columns.
/// - Combining marks (Unicode categories Mn and Me), format characters (Cf, such as the zero-width
///   joiner), Hangul medial vowels and final consonants, variation selectors and control
///   characters take 0.
/// - Everything else takes 1.
///
/// A `Character` (a grapheme cluster) takes as many columns as its widest scalar, so "é" written
/// as "e" and a combining acute takes 1, and an emoji sequence joined by zero-width joiners takes 2.
public enum DisplayWidth {
    /// The columns `text` takes on a terminal.
    /// - Complexity: O(*n*) in the number of Unicode scalars.
    public static func of(_ text: some StringProtocol) -> Int {
        var total = 0
        for character in text {
            total += of(character)
        }
        return total
    }

    /// The columns one grapheme cluster takes: 0, 1 or 2.
    public static func of(_ character: Character) -> Int {
        if character.isASCII {
            // Fast path; "\r\n" is one Character and takes no column.
            guard let scalar = character.unicodeScalars.first else { return 0 }
            return scalar.value >= 0x20 && scalar.value != 0x7F ? 1 : 0
        }
        var widest = 0
        for scalar in character.unicodeScalars {
            if scalar.value == 0xFE0F {
                // Emoji presentation selector: the cluster is shown as a picture.
                return 2
            }
            widest = max(widest, of(scalar))
        }
        return widest
    }

    /// The columns one scalar takes on its own: 0, 1 or 2.
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }
        if v < 0x300 { return 1 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control:
            return 0
        default:
            break
        }
        if (0x1160...0x11FF).contains(v) || (0xFE00...0xFE0F).contains(v) || (0xE0100...0xE01EF).contains(v) {
            return 0
        }
        return isWide(v) ? 2 : 1
    }

    /// Whether the code point is East Asian Wide or Fullwidth, or an emoji with default picture presentation.
    static func isWide(_ v: UInt32) -> Bool {
        if v < 0x1100 { return false }
        if scalarIsEmojiPresentation(v) { return true }
        switch v {
        case 0x1100...0x115F,  // Hangul Jamo initial consonants
             0x231A...0x231B, 0x2329...0x232A,
             0x2E80...0x303E,  // CJK radicals, Kangxi, ideographic description, CJK symbols and punctuation
             0x3041...0x33FF,  // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, Kanbun, CJK strokes
             0x3400...0x4DBF,  // CJK extension A
             0x4E00...0x9FFF,  // CJK unified ideographs
             0xA000...0xA4CF,  // Yi
             0xA960...0xA97F,  // Hangul Jamo extended A
             0xAC00...0xD7A3,  // Hangul syllables
             0xF900...0xFAFF,  // CJK compatibility ideographs
             0xFE10...0xFE19,  // vertical forms
             0xFE30...0xFE6F,  // CJK compatibility forms, small form variants
             0xFF00...0xFF60,  // fullwidth forms
             0xFFE0...0xFFE6,
             0x16FE0...0x16FE4, 0x17000...0x18CFF,  // Tangut
             0x1B000...0x1B2FF,  // Kana supplement and extensions, Nushu
             0x1F200...0x1F2FF,  // enclosed ideographic supplement
             0x20000...0x2FFFD,  // CJK extensions B–F
             0x30000...0x3FFFD:  // CJK extension G and later
            return true
        default:
            return false
        }
    }

    /// Emoji that terminals draw two columns wide even without a variation selector.
    private static func scalarIsEmojiPresentation(_ v: UInt32) -> Bool {
        guard v >= 0x2300, let scalar = Unicode.Scalar(v) else { return false }
        return scalar.properties.isEmojiPresentation
    }
}
