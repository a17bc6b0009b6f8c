/// How wide text will be drawn in the picture's sans-serif fonts, estimated without a browser.
///
/// The layout reserves a box for every label before any browser sees it, so the estimate must not
/// come out narrower than the text as drawn. Printable ASCII uses, per character, the wider of the
/// advance widths of DejaVu Sans (what `sans-serif` and `system-ui` are on a Debian desktop) and
/// Liberation Sans (metric-compatible with Arial and Helvetica), measured in Chromium: drawn in
/// either family, or in the narrower Arial, Helvetica, Segoe UI or Roboto, text takes at most the
/// width estimated. Beyond ASCII: wide East Asian characters, capital letters, symbols and arrows
/// count a full em, lower-case letters 0.7 em (wider than any accented Latin, Greek or Cyrillic
/// lower-case letter in these fonts), the en dash as a digit, combining marks nothing.
public enum TextMetrics {
    /// Advance widths of U+0020 … U+007E in thousandths of an em.
    private static let ascii: [UInt16] = [
        318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337,
        636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 556,
        1015, 684, 686, 722, 770, 667, 611, 778, 752, 295, 500, 667, 557, 863, 748, 787,
        667, 787, 722, 667, 611, 732, 684, 989, 685, 667, 685, 390, 337, 390, 838, 556,
        500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612,
        635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
    ]

    /// How much wider bold text is than regular text, at most (DejaVu Sans Bold against Book).
    public static let boldFactor = 1.15

    /// The width of `text` at `fontSize` pixels, in pixels (an upper estimate; see the type's notes).
    /// - Complexity: O(*n*) in the number of characters.
    public static func width(_ text: some StringProtocol, fontSize: Double) -> Double {
        var thousandths = 0
        for character in text { thousandths += width(of: character) }
        return Double(thousandths) * fontSize / 1000
    }

    /// `text` shortened with "…" so that it is at most `maxWidth` pixels wide; unchanged when it fits.
    public static func truncated(_ text: String, toWidth maxWidth: Double, fontSize: Double) -> String {
        guard width(text, fontSize: fontSize) > maxWidth else { return text }
        let budget = Int(maxWidth * 1000 / fontSize) - width(of: "…")
        var used = 0
        var out = ""
        for character in text {
            let w = width(of: character)
            if used + w > budget { break }
            used += w
            out.append(character)
        }
        while out.last == " " { out.removeLast() }
        return out + "…"
    }

    /// One character's width in thousandths of an em.
    private static func width(of character: Character) -> Int {
        if let scalar = character.unicodeScalars.first, character.unicodeScalars.count == 1,
           scalar.value >= 0x20, scalar.value < 0x7F {
            return Int(ascii[Int(scalar.value) - 0x20])
        }
        switch DisplayWidth.of(character) {
        case 0: return 0
        case 2: return 1000
        default:
            if character == "\u{2013}" { return 636 }
            return character.isLetter && character.isLowercase ? 700 : 1000
        }
    }
}
