import AnnalsCore
import AnnalsFormat
import Foundation
import Testing

/// One date and how it should read, with Unicode and with ASCII dashes.
struct DisplayCase: Sendable, CustomTestStringConvertible {
    let input: String
    let text: String
    var testDescription: String { input }

    init(_ input: String, _ text: String) {
        self.input = input
        self.text = text
    }
}

@Suite struct DateDisplayTests {
    static let precisions: [DisplayCase] = [
        DisplayCase("2019-01-28", "28 Jan 2019"),
        DisplayCase("1956-10-05", "5 Oct 1956"),
        DisplayCase("2019-01", "Jan 2019"),
        DisplayCase("2019", "2019"),
        DisplayCase("1956-21", "Spring 1956"),
        DisplayCase("1956-22", "Summer 1956"),
        DisplayCase("1956-23", "Autumn 1956"),
        DisplayCase("1956-24", "Winter 1956"),
        DisplayCase("195X", "1950s"),
        DisplayCase("19XX", "1900 – 1999"),
        DisplayCase("1985-04-12T23:20:30Z", "12 Apr 1985, 23:20:30 UTC"),
        DisplayCase("1985-04-12T23:20:30", "12 Apr 1985, 23:20:30"),
        DisplayCase("1985-04-12T23:20:30+04:30", "12 Apr 1985, 23:20:30 UTC+04:30"),
        DisplayCase("1985-04-12T23:20:30-04", "12 Apr 1985, 23:20:30 UTC-04"),
        DisplayCase("Y170000002", "170000002"),
    ]

    static let unspecified: [DisplayCase] = [
        DisplayCase("1956-XX", "1956"),
        DisplayCase("1956-XX-XX", "1956"),
        DisplayCase("1956-10-XX", "Oct 1956"),
    ]

    static let qualifiers: [DisplayCase] = [
        DisplayCase("1956~", "c. 1956"),
        DisplayCase("1956-01~", "c. Jan 1956"),
        DisplayCase("1956-10-19~", "c. 19 Oct 1956"),
        DisplayCase("1956?", "1956?"),
        DisplayCase("1956-10?", "Oct 1956?"),
        DisplayCase("1956%", "c. 1956?"),
        DisplayCase("195X~", "c. 1950s"),
        DisplayCase("1956-21?", "Spring 1956?"),
        DisplayCase("1956-XX~", "c. 1956"),
    ]

    static let eras: [DisplayCase] = [
        DisplayCase("-0660", "661 BC"),
        DisplayCase("0000", "1 BC"),
        DisplayCase("-0001", "2 BC"),
        DisplayCase("0033", "AD 33"),
        DisplayCase("0999", "AD 999"),
        DisplayCase("1000", "1000"),
        DisplayCase("-0660-03-01", "1 Mar 661 BC"),
        DisplayCase("-0660-03", "Mar 661 BC"),
        DisplayCase("-0660~", "c. 661 BC"),
        DisplayCase("-019X", "200 – 191 BC"),
        DisplayCase("-01XX", "200 – 101 BC"),
        DisplayCase("00XX", "1 BC – AD 99"),
        DisplayCase("Y-170000002", "170000003 BC"),
    ]

    static let intervals: [DisplayCase] = [
        DisplayCase("1956-10-19/1956-12-12", "19 Oct – 12 Dec 1956"),
        DisplayCase("1991-04-16/1991-04-19", "16 – 19 Apr 1991"),
        DisplayCase("1860-02/1860-11", "Feb – Nov 1860"),
        DisplayCase("1945-08-18/1945-09", "18 Aug – Sep 1945"),
        DisplayCase("1894-07-25/1895-04-17", "25 Jul 1894 – 17 Apr 1895"),
        DisplayCase("1904/1905", "1904 – 1905"),
        DisplayCase("1904-05/1905", "May 1904 – 1905"),
        DisplayCase("1945/..", "since 1945"),
        DisplayCase("1945-08/..", "since Aug 1945"),
        DisplayCase("../1945", "until 1945"),
        DisplayCase("1956-10-19/", "19 Oct 1956 – ?"),
        DisplayCase("/1945", "? – 1945"),
        DisplayCase("1956-10-19/1956-10-19", "19 Oct 1956"),
        DisplayCase("1904~/1905?", "c. 1904 – 1905?"),
        DisplayCase("1956-10-19~/1956-12-12", "c. 19 Oct 1956 – 12 Dec 1956"),
        DisplayCase("1945%/..", "since c. 1945?"),
        DisplayCase("2001-21/2002-23", "Spring 2001 – Autumn 2002"),
        DisplayCase("1956-21/1956-23", "Spring – Autumn 1956"),
        DisplayCase("1956-21/1956-10-19", "Spring – 19 Oct 1956"),
        DisplayCase("-0100/-0050", "101 – 51 BC"),
        DisplayCase("-0100/0050", "101 BC – AD 50"),
    ]

    @Test("precisions", arguments: precisions)
    func precision(_ example: DisplayCase) {
        #expect(DateDisplay.text(Samples.date(example.input)) == example.text)
    }

    @Test("unspecified digits lower the precision", arguments: unspecified)
    func unspecifiedDigits(_ example: DisplayCase) {
        #expect(DateDisplay.text(Samples.date(example.input)) == example.text)
    }

    @Test("qualifiers", arguments: qualifiers)
    func qualifier(_ example: DisplayCase) {
        #expect(DateDisplay.text(Samples.date(example.input)) == example.text)
    }

    @Test("BC and AD years", arguments: eras)
    func era(_ example: DisplayCase) {
        #expect(DateDisplay.text(Samples.date(example.input)) == example.text)
    }

    @Test("intervals", arguments: intervals)
    func interval(_ example: DisplayCase) {
        #expect(DateDisplay.text(Samples.date(example.input)) == example.text)
    }

    @Test("ASCII replaces the range dash and nothing else", arguments: intervals + eras)
    func ascii(_ example: DisplayCase) {
        let text = DateDisplay.text(Samples.date(example.input), ascii: true)
        #expect(text == example.text.replacingOccurrences(of: "\u{2013}", with: "-"))
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII })
    }

    @Test func years() {
        #expect(DateDisplay.year(1956) == "1956")
        #expect(DateDisplay.year(0) == "1 BC")
        #expect(DateDisplay.year(-660) == "661 BC")
        #expect(DateDisplay.year(33) == "AD 33")
    }

    @Test func everySampleDateReads() {
        for record in Samples.japanRelations {
            let text = DateDisplay.text(record.event.date)
            #expect(!text.isEmpty)
            #expect(!text.contains("/"), "\(record.event.date.canonical) reads \(text)")
            #expect(!text.contains("X"), "\(record.event.date.canonical) reads \(text)")
        }
    }
}
