import AnnalsCore
import AnnalsImport
import Testing

@Suite struct ACLEDMapperTests {
    private let header = Codebook.csv(Codebook.acled)

    private func acled(_ values: [String: String] = [:]) throws -> ImportedRow {
        try event(header + "\r\n" + Codebook.csv(Codebook.acledFields(values)) + "\r\n", .acled)
    }

    @Test func aRowBecomesAnEvent() throws {
        let row = try acled()
        let e = row.event
        #expect(e.id == "acled-SDN12345")
        #expect(e.date.canonical == "2023-04-15")
        #expect(e.kind == .war)
        #expect(e.title == "Armed clash between Military Forces of Sudan (2019-) and Rapid Support Forces in Khartoum")
        #expect(e.actors == [
            Actor(name: "Military Forces of Sudan (2019-)", code: "SDN", role: "source"),
            Actor(name: "Rapid Support Forces", role: "target"),
        ])
        #expect(e.places == ["Khartoum, Sudan"])
        #expect(e.tags == ["acled", "disorder-type:political-violence", "event-type:battles", "sub-event-type:armed-clash"])
        #expect(e.summary == "On 15 April 2023, the SAF and the RSF clashed in Khartoum. Fatalities: 3. "
            + "Source: Sudan Tribune; Radio Dabanga (national scale). ACLED interaction: 12. At (15.5518, 32.5324), geo precision 1.")
        #expect(row.actorCodes == ["SDN"])
        #expect(row.cameoCode == nil)
        try EventValidator().validate(e)
    }

    @Test func timePrecisionGivesADayAnUncertainDayOrAMonth() throws {
        #expect(try acled(["time_precision": "1"]).event.date.canonical == "2023-04-15")
        #expect(try acled(["time_precision": "2"]).event.date.canonical == "2023-04-15?")
        #expect(try acled(["time_precision": "3"]).event.date.canonical == "2023-04")
        #expect(try acled(["time_precision": ""]).event.date.canonical == "2023-04-15")
        #expect(try acled(["event_date": "16 May 2025"]).event.date.canonical == "2025-05-16")
        #expect(try acled(["event_date": "06-January-2020"]).event.date.canonical == "2020-01-06")
        #expect(try acled(["event_date": "31/12/2019", "time_precision": "3"]).event.date.canonical == "2019-12")
    }

    @Test func quotedNotesWithCommasQuotesAndLineBreaksReachTheSummary() throws {
        let notes = "On 15 April, fighting broke out\nin \"several\" districts, including Bahri."
        let text = header + "\n" + Codebook.csv(Codebook.acledFields(["notes": notes, "event_id_cnty": "SDN1"])) + "\n"
            + Codebook.csv(Codebook.acledFields(["event_id_cnty": "SDN2"])) + "\n"
        let rows = mapRows(text, .acled)
        #expect(rows.map(\.line) == [1, 2, 4])
        let first = try rows[1].result.get()
        #expect(first?.event.summary?.hasPrefix(notes + " Fatalities: 3.") == true)
        #expect(try rows[2].result.get()?.event.id == "acled-SDN2")
        if let event = first?.event { try EventValidator().validate(event) }
    }

    @Test func kindsAndTitlesByEventType() throws {
        let protest = try acled([
            "event_type": "Protests", "sub_event_type": "Peaceful protest", "actor1": "Protesters (Sudan)", "actor2": "",
            "disorder_type": "Demonstrations", "fatalities": "0",
        ])
        #expect(protest.event.kind == .other)
        #expect(protest.event.title == "Peaceful protest by Protesters (Sudan) in Khartoum")
        #expect(protest.event.actors == [Actor(name: "Protesters (Sudan)", code: "SDN", role: "source")])
        let agreement = try acled(["event_type": "Strategic developments", "sub_event_type": "Agreement"])
        #expect(agreement.event.kind == .agreement)
        #expect(agreement.event.title.hasPrefix("Agreement between "))
        let strike = try acled(["event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike",
                                "actor2": "Civilians (Sudan)", "civilian_targeting": "Civilian targeting"])
        #expect(strike.event.kind == .war)
        #expect(strike.event.title == "Air/drone strike by Military Forces of Sudan (2019-) against Civilians (Sudan) in Khartoum")
        #expect(strike.event.tags.contains("event-type:explosions-remote-violence"))
        #expect(strike.event.tags.contains("civilian-targeting"))
        let violence = try acled(["event_type": "Violence against civilians", "sub_event_type": "Attack"])
        #expect(violence.event.kind == .other)
    }

    @Test func associatedActorsAreListedOnce() throws {
        let row = try acled([
            "assoc_actor_1": "Militia (Pro-Government); Rapid Support Forces",
            "actor2": "Military Forces of the Democratic Republic of Congo (2019-)",
            "assoc_actor_2": "Civilians (Democratic Republic of Congo)",
        ])
        #expect(row.event.actors.map(\.name) == [
            "Military Forces of Sudan (2019-)", "Military Forces of the Democratic Republic of Congo (2019-)",
            "Militia (Pro-Government)", "Rapid Support Forces", "Civilians (Democratic Republic of Congo)",
        ])
        #expect(row.event.actors.map(\.role) == ["source", "target", "associated with source", "associated with source", "associated with target"])
        #expect(row.actorCodes == ["SDN", "COD"])
        try EventValidator().validate(row.event)
    }

    @Test func olderExportsAreReadByColumnName() throws {
        // Before March 2023: data_id, iso3 and event_id_no_cnty, no disorder_type; columns in another order.
        let columns = ["data_id", "iso", "event_id_cnty", "event_id_no_cnty", "event_date", "year", "time_precision",
                       "event_type", "sub_event_type", "actor1", "actor2", "country", "location", "notes", "fatalities", "iso3"]
        let values = ["99", "729", "SDN7", "7", "15 April 2019", "2019", "1", "Riots", "Violent demonstration",
                      "Rioters (Sudan)", "", "Sudan", "Omdurman", "Riot, with \"stones\".", "0", "SDN"]
        let row = try event(Codebook.csv(columns) + "\n" + Codebook.csv(values) + "\n", .acled)
        #expect(row.event.id == "acled-SDN7")
        #expect(row.event.date.canonical == "2019-04-15")
        #expect(row.event.title == "Violent demonstration by Rioters (Sudan) in Omdurman")
        #expect(row.event.summary == "Riot, with \"stones\". Fatalities: 0.")
    }

    @Test func unreadableRowsSayWhy() throws {
        let cases: [([String: String], String)] = [
            (["event_date": "2023-02-30"], "event_date"), (["event_date": "yesterday"], "event_date"),
            (["time_precision": "4"], "time_precision"), (["event_id_cnty": ""], "event_id_cnty"),
            (["event_id_cnty": "SDN 1"], "event_id_cnty"), (["fatalities": "many"], "fatalities"),
        ]
        for (values, field) in cases {
            let text = header + "\n" + Codebook.csv(Codebook.acledFields(values)) + "\n"
            #expect(rowError(text, .acled)?.field == field, "\(values)")
        }
        let short = rowError(header + "\nSDN1,2023-01-01\n", .acled)
        #expect(short?.message == "2 fields; the header has 31")
    }

    @Test func aFileWithoutTheHeaderIsNotACLED() {
        let rows = mapRows(Codebook.csv(Codebook.acledFields()) + "\n", .acled)
        guard case .failure(let error) = rows.first?.result else {
            Issue.record("expected a file error")
            return
        }
        #expect(error is ImportError)
        #expect("\(error)".contains("is not an ACLED header"))
    }
}
