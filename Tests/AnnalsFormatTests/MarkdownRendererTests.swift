import AnnalsCore
import AnnalsFormat
import Testing

@Suite struct MarkdownRendererTests {
    @Test func headingsAndBullets() {
        let text = MarkdownRenderer(title: "Japan and Russia").render(Array(Samples.japanRussia.prefix(3)))
        #expect(text == """
            # Japan and Russia

            ## 1855

            - **7 Feb 1855** — *treaty* — Treaty of Shimoda between Japan and Russia (Japan, Russia, Yevfimy Putyatin, Masanori Tsutsui, Toshiakira Kawaji)

            ## 1875

            - **7 May 1875** — *treaty* — Treaty of Saint Petersburg: Sakhalin exchanged for the Kuril Islands (Japan, Russia, Takeaki Enomoto, Alexander Gorchakov)

            ## 1895

            - **23 Apr 1895** — *statement* — Triple Intervention: Russia, Germany and France press Japan to return Liaodong (Japan, Russia, Germany, France, China)

            """)
    }

    @Test func oneHeadingPerYear() {
        let records = Samples.japanRelations
        let text = MarkdownRenderer().render(records)
        let headings = text.split(separator: "\n").filter { $0.hasPrefix("## ") }
        #expect(headings.count == Set(headings).count)
        #expect(headings.contains("## 1945"))
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("- **") }.count == records.count)
    }

    @Test func escapesMarkup() {
        #expect(MarkdownRenderer.escape("*bold* _it_ [link](x) <b> a|b `code` \\ ~s~ & $x$ #1")
            == "\\*bold\\* \\_it\\_ \\[link\\](x) \\<b\\> a\\|b \\`code\\` \\\\ \\~s\\~ \\& \\$x\\$ \\#1")
        #expect(MarkdownRenderer.escape("two\nlines") == "two lines")
        let record = Samples.event(
            "x", "1956-10-19~", .declaration, "The *real* [deal]", actors: [Actor(name: "A_B")],
            retraction: Retraction(id: "x", reason: "wrong")
        )
        #expect(MarkdownRenderer().render([record]) == "## 1956\n\n- **c. 19 Oct 1956** — *declaration* — The \\*real\\* \\[deal\\] (A\\_B) *(retracted)*\n")
    }

    @Test func emptyInput() {
        #expect(MarkdownRenderer().render([]) == "")
        #expect(MarkdownRenderer(title: "T").render([]) == "# T\n")
    }
}
