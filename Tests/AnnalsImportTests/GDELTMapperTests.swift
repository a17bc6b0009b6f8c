import AnnalsCore
import AnnalsImport
import Testing

@Suite struct GDELTMapperTests {
    @Test func theColumnsAreTheCodebooks() {
        #expect(GDELTMapper.columns2 == Codebook.gdelt2)
        #expect(GDELTMapper.columns2.count == 61)
        #expect(GDELTMapper.columns1 == Codebook.gdelt1WithURL)
        #expect(Codebook.gdelt1.count == 57)
    }

    @Test func aGDELT2RowBecomesAnEvent() throws {
        let row = try event(Codebook.gdelt(), .gdelt)
        let e = row.event
        #expect(e.id == "gdelt-829461390")
        #expect(e.date.canonical == "2019-01-28")
        #expect(e.kind == .meeting)
        #expect(e.title == "Japan consults Russia")
        #expect(e.actors == [Actor(name: "Japan", code: "JPN", role: "source"), Actor(name: "Russia", code: "RUS", role: "target")])
        #expect(e.places == ["Moscow, Moskva, Russia", "Japan", "Russia"])
        #expect(e.tags == ["gdelt", "cameo:040", "quad:verbal-cooperation"])
        #expect(e.sources == [Source(url: "https://news.example.com/japan-russia")])
        #expect(e.summary == "CAMEO 040: Consult. Goldstein scale 1, quad class 1 (verbal cooperation), average tone -2.56. "
            + "Seen in 10 mentions, 2 sources, 8 articles. CAMEO actor codes: JPNGOV, RUS. Action at Moscow, Moskva, Russia (55.7522, 37.6156).")
        #expect(row.actorCodes == ["JPNGOV", "JPN", "GOV", "RUS"])
        #expect(row.cameoCode == "040")
        try EventValidator().validate(e)
    }

    @Test func gdelt1RowsWithAndWithoutSourceURL() throws {
        let with = try event(Codebook.gdelt(["GLOBALEVENTID": "252001", "SQLDATE": "20130715"], columns: Codebook.gdelt1WithURL), .gdelt)
        #expect(with.event.id == "gdelt-252001")
        #expect(with.event.date.canonical == "2013-07-15")
        #expect(with.event.sources.map(\.url) == ["https://news.example.com/japan-russia"])
        #expect(with.event.places.first == "Moscow, Moskva, Russia")
        let without = try event(Codebook.gdelt(["GLOBALEVENTID": "1", "SQLDATE": "19790101"], columns: Codebook.gdelt1), .gdelt)
        #expect(without.event.date.canonical == "1979-01-01")
        #expect(without.event.sources.isEmpty)
        #expect(without.event.title == "Japan consults Russia")
    }

    @Test func emptyActorFields() throws {
        let noSource = try event(Codebook.gdelt(["Actor1Code": "", "Actor1Name": "", "Actor1CountryCode": "", "Actor1Type1Code": ""]), .gdelt)
        #expect(noSource.event.title == "Unidentified actor consults Russia")
        #expect(noSource.event.actors == [Actor(name: "Russia", code: "RUS", role: "target")])
        #expect(noSource.actorCodes == ["RUS"])
        let noTarget = try event(Codebook.gdelt(["Actor2Code": "", "Actor2Name": "", "Actor2CountryCode": "", "EventCode": "042"]), .gdelt)
        #expect(noTarget.event.title == "Japan makes a visit")
        #expect(noTarget.event.kind == .visit)
        let nobody = try event(Codebook.gdelt([
            "Actor1Code": "", "Actor1Name": "", "Actor1CountryCode": "", "Actor1Type1Code": "",
            "Actor2Code": "", "Actor2Name": "", "Actor2CountryCode": "", "EventCode": "0231",
        ]), .gdelt)
        #expect(nobody.event.title == "Unidentified actor appeals for aid")
        #expect(nobody.event.actors.isEmpty)
        #expect(nobody.event.tags.contains("cameo:0231"))
        #expect(nobody.event.summary?.hasPrefix("CAMEO 0231: Appeal for economic aid.") == true)
        for row in [noSource, noTarget, nobody] { try EventValidator().validate(row.event) }
    }

    @Test func theSameActorOnBothSidesIsOneActor() throws {
        let row = try event(Codebook.gdelt(["Actor2Code": "JPN", "Actor2Name": "JAPAN", "EventCode": "0233"]), .gdelt)
        #expect(row.event.actors == [Actor(name: "Japan", code: "JPN", role: "source and target")])
        #expect(row.event.title == "Japan appeals to Japan for aid")
        try EventValidator().validate(row.event)
    }

    @Test func namesInCapitalsAreTitleCasedAndOthersKept() throws {
        let row = try event(Codebook.gdelt(["Actor1Name": "MINISTRY OF FOREIGN AFFAIRS", "Actor2Name": "Guinea-Bissau"]), .gdelt)
        #expect(row.event.title == "Ministry of Foreign Affairs consults Guinea-Bissau")
        let hyphen = try event(Codebook.gdelt(["Actor2Name": "GUINEA-BISSAU"]), .gdelt)
        #expect(hyphen.event.actors.last?.name == "Guinea-Bissau")
    }

    @Test func anActorWithoutACountryKeepsItsFullCode() throws {
        let row = try event(Codebook.gdelt(["Actor2Code": "IGOUNO", "Actor2Name": "UNITED NATIONS", "Actor2CountryCode": "",
                                            "Actor2KnownGroupCode": "UNO", "Actor2Type1Code": "IGO"]), .gdelt)
        #expect(row.event.actors.last == Actor(name: "United Nations", code: "IGOUNO", role: "target"))
        #expect(row.actorCodes == ["JPNGOV", "JPN", "GOV", "IGOUNO", "UNO", "IGO"])
        let tooLong = try event(Codebook.gdelt(["Actor2Code": "IGOUNOAAAAAAAAAAAAAAAAAAA", "Actor2CountryCode": ""]), .gdelt)
        #expect(tooLong.event.actors.last?.code == nil)
        try EventValidator().validate(tooLong.event)
    }

    @Test func numbersAsGDELTWritesThem() throws {
        let row = try event(Codebook.gdelt(["AvgTone": "-4.195067756e-05", "GoldsteinScale": "-10"]), .gdelt)
        #expect(row.event.summary?.contains("Goldstein scale -10, quad class 1 (verbal cooperation), average tone 0.") == true)
    }

    @Test func aSourceThatIsNoURLIsNamedInTheSummary() throws {
        let row = try event(Codebook.gdelt(["SOURCEURL": "BBC Monitoring"]), .gdelt)
        #expect(row.event.sources.isEmpty)
        #expect(row.event.summary?.hasSuffix("Source: BBC Monitoring.") == true)
    }

    @Test func kindsFollowTheCameoCode() throws {
        let cases: [(String, EventKind)] = [
            ("010", .statement), ("043", .summit), ("044", .summit), ("046", .negotiation), ("057", .agreement),
            ("163", .sanction), ("190", .war), ("1951", .war), ("0871", .other), ("20", .other),
        ]
        for (code, kind) in cases {
            #expect(try event(Codebook.gdelt(["EventCode": code]), .gdelt).event.kind == kind, "\(code)")
        }
    }

    @Test func unreadableRowsSayWhy() throws {
        let bad: [(String, EventError.Code, String)] = [
            (Codebook.gdelt(["SQLDATE": "20190230"]), .malformedDate, "SQLDATE"),
            (Codebook.gdelt(["SQLDATE": "2019-01-28"]), .malformedDate, "SQLDATE"),
            (Codebook.gdelt(["EventCode": "999"]), .malformedLine, "EventCode"),
            (Codebook.gdelt(["EventCode": ""]), .malformedLine, "EventCode"),
            (Codebook.gdelt(["GLOBALEVENTID": "12ab"]), .invalidID, "GLOBALEVENTID"),
            (Codebook.gdelt(["GoldsteinScale": "high"]), .wrongType, "GoldsteinScale"),
            (Codebook.gdelt(["QuadClass": "7"]), .wrongType, "QuadClass"),
            (Codebook.gdelt(["AvgTone": "n/a"]), .wrongType, "AvgTone"),
            (Codebook.gdelt(["AvgTone": "nan"]), .wrongType, "AvgTone"),
            (Codebook.gdelt(["GoldsteinScale": "inf"]), .wrongType, "GoldsteinScale"),
        ]
        for (line, code, field) in bad {
            let error = rowError(line, .gdelt)
            #expect(error?.code == code, "\(field): \(String(describing: error))")
            #expect(error?.field == field)
        }
        let short = rowError(Codebook.gdelt().split(separator: "\t", omittingEmptySubsequences: false).dropLast().joined(separator: "\t"), .gdelt)
        #expect(short?.code == .malformedLine)
        #expect(short?.message == "60 columns; GDELT event rows have 57 or 58 (GDELT 1.0) or 61 (GDELT 2.0)")
    }

    @Test func invalidUTF8IsARowError() {
        var reader = DelimitedReader(dialect: .tabSeparated)
        reader.append(Array(Codebook.gdelt().utf8).map { $0 == UInt8(ascii: "J") ? 0xFF : $0 })
        reader.finish()
        var mapper = GDELTMapper()
        guard case .success(let record)? = reader.next() else {
            Issue.record("no record")
            return
        }
        #expect(throws: EventError(.invalidUTF8, "the row is not valid UTF-8")) { try mapper.map(record) }
    }

    @Test func aHeaderRowIsSkipped() throws {
        let text = Codebook.gdelt2.joined(separator: "\t") + "\n" + Codebook.gdelt() + "\n"
        let rows = mapRows(text, .gdelt)
        #expect(rows.count == 2)
        #expect(try rows[0].result.get() == nil)
        #expect(try rows[1].result.get()?.event.id == "gdelt-829461390")
    }

    @Test func aLongNameFailsValidationNotMapping() throws {
        // Limits are Annals' validation's business: the sender reports the row with the field at fault.
        let row = try event(Codebook.gdelt(["Actor1Name": String(repeating: "A", count: 201)]), .gdelt)
        #expect(throws: EventError.self) { try EventValidator().validate(row.event) }
    }
}
