/// Making stored text safe to print on a terminal.
enum TerminalText {
    /// Whether the character is a control character (C0, DEL, C1) other than whitespace.
    ///
    /// Such characters are never printed: an ESC in a title could otherwise change colours or move
    /// the cursor of whoever reads the timeline.
    static func isControl(_ character: Character) -> Bool {
        if character.isWhitespace { return false }
        return character.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    /// `text` on one line: whitespace runs (newlines and tabs included) become one space, control
    /// characters are dropped, and leading and trailing spaces are trimmed.
    static func singleLine(_ text: String) -> String {
        TextWrapper.words(of: text).joined(separator: " ")
    }
}
