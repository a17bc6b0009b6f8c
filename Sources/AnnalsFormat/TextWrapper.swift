/// Word wrapping measured in terminal columns (see `DisplayWidth`).
///
/// Words are separated by whitespace; runs of whitespace (newlines included) collapse to one space.
/// A word wider than the line is broken between characters, which is also how text without spaces
/// (Chinese, Japanese) wraps. Control characters other than whitespace are dropped, so text from a
/// store cannot move the cursor or change colours.
enum TextWrapper {
    /// `text` as lines of at most `width` columns; no line starts or ends with a space.
    ///
    /// Returns an empty array for text without visible characters. A width below 2 is taken as 2, so
    /// a wide character always fits.
    static func wrap(_ text: String, width: Int) -> [String] {
        let width = max(2, width)
        var lines: [String] = []
        var line = ""
        var lineWidth = 0
        for word in words(of: text) {
            let wordWidth = DisplayWidth.of(word)
            if lineWidth > 0, lineWidth + 1 + wordWidth <= width {
                line += " " + word
                lineWidth += 1 + wordWidth
                continue
            }
            if lineWidth > 0 {
                lines.append(line)
                line = ""
                lineWidth = 0
            }
            if wordWidth <= width {
                line = word
                lineWidth = wordWidth
                continue
            }
            // Break the long word between characters.
            for character in word {
                let w = DisplayWidth.of(character)
                if lineWidth + w > width, lineWidth > 0 {
                    lines.append(line)
                    line = ""
                    lineWidth = 0
                }
                line.append(character)
                lineWidth += w
            }
        }
        if lineWidth > 0 || !line.isEmpty { lines.append(line) }
        return lines
    }

    /// Whether `text` fits in `width` columns on one line as it stands.
    static func fits(_ text: String, width: Int) -> Bool {
        DisplayWidth.of(text) <= width
    }

    /// The whitespace-separated words of `text`, with control characters removed.
    static func words(of text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in text {
            if character.isWhitespace {
                if !current.isEmpty {
                    words.append(current)
                    current = ""
                }
            } else if !TerminalText.isControl(character) {
                current.append(character)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// `text` padded with spaces on the left to `width` columns (unchanged when wider).
    static func padLeft(_ text: String, to width: Int) -> String {
        let w = DisplayWidth.of(text)
        return w >= width ? text : String(repeating: " ", count: width - w) + text
    }

    /// `text` padded with spaces on the right to `width` columns (unchanged when wider).
    static func padRight(_ text: String, to width: Int) -> String {
        let w = DisplayWidth.of(text)
        return w >= width ? text : text + String(repeating: " ", count: width - w)
    }
}
