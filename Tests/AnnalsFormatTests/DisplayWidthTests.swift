@testable import AnnalsFormat
import Testing

@Suite struct DisplayWidthTests {
    @Test func asciiTakesOneColumnEach() {
        #expect(DisplayWidth.of("Treaty of Shimoda") == 17)
        #expect(DisplayWidth.of("") == 0)
    }

    @Test func eastAsianWideTakesTwo() {
        #expect(DisplayWidth.of("日ソ共同宣言") == 12)
        #expect(DisplayWidth.of("ひらがな") == 8)
        #expect(DisplayWidth.of("한국") == 4)
        #expect(DisplayWidth.of("ＡＢ") == 4)  // fullwidth forms
        #expect(DisplayWidth.of("Hatoyama 鳩山") == 13)
    }

    @Test func combiningMarksTakeNone() {
        let decomposed = "Ichiro\u{0304}"  // ō as o + combining macron
        #expect(DisplayWidth.of(decomposed) == 6)
        #expect(DisplayWidth.of("Ichirō") == 6)
        #expect(DisplayWidth.of(Character("e\u{0301}")) == 1)
        #expect(DisplayWidth.of(Unicode.Scalar(0x0301)!) == 0)
    }

    @Test func formatAndControlCharactersTakeNone() {
        #expect(DisplayWidth.of("a\u{200D}b") == 2)  // zero-width joiner
        #expect(DisplayWidth.of("a\u{1B}b") == 2)
        #expect(DisplayWidth.of("\u{7F}") == 0)
    }

    @Test func emojiTakeTwo() {
        #expect(DisplayWidth.of("🇯🇵") == 2)
        #expect(DisplayWidth.of("🤝") == 2)
        #expect(DisplayWidth.of("👨‍👩‍👧") == 2)
        #expect(DisplayWidth.of("☺\u{FE0F}") == 2)
    }

    @Test func narrowPunctuationAndDrawing() {
        #expect(DisplayWidth.of("–—…→●│█") == 7)
    }

    @Test func wrappingRespectsDisplayWidth() {
        let lines = TextWrapper.wrap("日本国とソヴィエト社会主義共和国連邦との共同宣言 Soviet–Japanese Joint Declaration", width: 12)
        #expect(!lines.isEmpty)
        for line in lines {
            #expect(DisplayWidth.of(line) <= 12, "\(line)")
        }
        #expect(lines.joined().filter { !$0.isWhitespace } == "日本国とソヴィエト社会主義共和国連邦との共同宣言Soviet–JapaneseJointDeclaration")
    }

    @Test func wrappingBreaksWordsOnlyWhenTheyDoNotFit() {
        #expect(TextWrapper.wrap("the quick brown fox", width: 10) == ["the quick", "brown fox"])
        #expect(TextWrapper.wrap("abcdefghij klm", width: 4) == ["abcd", "efgh", "ij", "klm"])
        #expect(TextWrapper.wrap("  spaced \n\t out  ", width: 40) == ["spaced out"])
        #expect(TextWrapper.wrap("", width: 10).isEmpty)
    }

    @Test func wrappingDropsControlCharacters() {
        #expect(TextWrapper.wrap("red\u{1B}[31m alert\u{7}", width: 40) == ["red[31m alert"])
    }
}
