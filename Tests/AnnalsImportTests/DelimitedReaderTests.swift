import AnnalsImport
import Testing

@Suite struct DelimitedReaderTests {
    /// (line, fields) of each record, or (line, message) of each failure.
    private func summary(_ results: [Result<DelimitedRecord, DelimitedReader.Failure>]) -> [String] {
        results.map { result in
            switch result {
            case .success(let record): "\(record.line): " + record.fields.joined(separator: "|")
            case .failure(let failure): "\(failure.line)! \(failure.message)"
            }
        }
    }

    @Test func tabSeparatedLinesWithCRLFAndBlankLines() {
        let text = "a\tb\tc\r\n\n1\t\t3\n\r\n\"quoted\"\tx\"y\tlast"
        #expect(summary(readRecords(text, .tabSeparated)) == ["1: a|b|c", "3: 1||3", "5: \"quoted\"|x\"y|last"])
    }

    @Test func commaSeparatedQuotedFieldsWithCommasNewlinesAndQuotes() {
        let text = """
            id,notes,n\r
            A1,"Clashes in Khartoum, Omdurman and
            Bahri; ""heavy"" fighting",3\r
            A2,plain,4
            A3,"",
            """
        #expect(summary(readRecords(text, .commaSeparated)) == [
            "1: id|notes|n",
            "2: A1|Clashes in Khartoum, Omdurman and\nBahri; \"heavy\" fighting|3",
            "4: A2|plain|4",
            "5: A3||",
        ])
    }

    @Test func everyChunkBoundaryGivesTheSameRecords() {
        let text = "h1,h2\r\n\"a,\r\nb\",\"c\"\"d\"\n\ne,f\r\n"
        let whole = summary(readRecords(text, .commaSeparated))
        #expect(whole == ["1: h1|h2", "2: a,\r\nb|c\"d", "5: e|f"])
        for chunk in 1...8 {
            #expect(summary(readRecords(text, .commaSeparated, chunk: chunk)) == whole, "chunks of \(chunk) bytes")
        }
    }

    @Test func malformedQuotingIsReportedAndReadingGoesOn() {
        let text = "a,\"b\"x,c\nd,e,f\ng,\"unclosed\nh,i"
        #expect(summary(readRecords(text, .commaSeparated)) == [
            "1! text after a closing quote",
            "2: d|e|f",
            "3! a quoted field is not closed before the end of the file",
        ])
    }

    @Test func anOverlongRecordIsReportedAndReadingResumesOnTheNextLine() {
        // An unclosed quote would swallow the rest of the file; the limit stops it after 64 bytes.
        let text = "1,\"runaway\n" + String(repeating: "x,y,z\n", count: 20) + "2,ok\n"
        let results = summary(readRecords(text, .commaSeparated, chunk: 7, maxRecordBytes: 64))
        #expect(results.first == "1! a record longer than 64 bytes (an unclosed quote?)")
        #expect(results.dropFirst().first == "2: x|y|z")
        #expect(results.last == "22: 2|ok")
        let tsv = String(repeating: "x", count: 100) + "\nshort\tline\n"
        #expect(summary(readRecords(tsv, .tabSeparated, chunk: 16, maxRecordBytes: 64)) == [
            "1! a record longer than 64 bytes (an unclosed quote?)", "2: short|line",
        ])
    }

    @Test func invalidUTF8IsFlaggedPerRecord() {
        var reader = DelimitedReader(dialect: .tabSeparated)
        reader.append(Array("ok\tJosé\n".utf8) + [0x62, 0x61, 0x64, 0xC3, 0x28, 0x09, 0x78, 0x0A])
        reader.finish()
        let first = try? reader.next()?.get(), second = try? reader.next()?.get()
        #expect(first?.isValidUTF8 == true)
        #expect(first?[1] == "José")
        #expect(second?.isValidUTF8 == false)
        #expect(second?.line == 2)
        #expect(reader.next() == nil)
    }

    @Test func noInputGivesNoRecord() {
        #expect(readRecords("", .commaSeparated).isEmpty)
        #expect(readRecords("\n\r\n\n", .tabSeparated).isEmpty)
    }
}
