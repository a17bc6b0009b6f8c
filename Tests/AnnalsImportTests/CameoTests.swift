import AnnalsCore
@testable import AnnalsImport
import Testing

@Suite struct CameoTests {
    @Test func eventCodes() {
        for code in ["01", "20", "040", "0233", "196"] { #expect(Cameo.isEventCode(code), "\(code)") }
        for code in ["00", "21", "4", "99", "04a", "12345", "", "０４"] { #expect(!Cameo.isEventCode(code), "\(code)") }
    }

    @Test func everyRootAndThreeDigitCodeHasANameAndAVerb() {
        let codes = Cameo.names.keys.filter { $0.count <= 3 }
        #expect(codes.count == 20 + 147)
        for code in codes {
            #expect(Cameo.verbs[code] != nil, "no verb for \(code) \(Cameo.names[code] ?? "")")
        }
        #expect(Set(Cameo.verbs.keys) == Set(codes))
        for (code, verb) in Cameo.verbs {
            #expect(verb.filter { $0 == "[" }.count == 1 && verb.filter { $0 == "]" }.count == 1, "\(code): \(verb)")
            #expect(verb.contains("{t}"), "\(code): \(verb)")
        }
        #expect(Cameo.name(of: "043") == "Host a visit")
        #expect(Cameo.name(of: "04") == "Consult")
        #expect(Cameo.name(of: "0459") == "Mediate")
    }

    @Test func titlesReadAsSentences() {
        #expect(Cameo.title(code: "040", source: "Japan", target: "Russia") == "Japan consults Russia")
        #expect(Cameo.title(code: "043", source: "Japan", target: "Russia") == "Japan hosts a visit by Russia")
        #expect(Cameo.title(code: "0231", source: "Japan", target: "Russia") == "Japan appeals to Russia for aid")
        #expect(Cameo.title(code: "0231", source: "Japan", target: nil) == "Japan appeals for aid")
        #expect(Cameo.title(code: "184", source: "Rebels", target: "Civilians") == "Rebels uses Civilians as human shields")
        #expect(Cameo.title(code: "184", source: "Rebels", target: nil) == "Rebels uses human shields")
        #expect(Cameo.title(code: "163", source: nil, target: "Iran") == "Unidentified actor imposes an embargo, boycott or sanctions on Iran")
        #expect(Cameo.title(code: "19", source: "A", target: "B") == "A fights B")
    }

    @Test func kindsAndQuadClasses() {
        #expect(Cameo.kind(of: "010") == .statement)
        #expect(Cameo.kind(of: "018") == .statement)
        #expect(Cameo.kind(of: "040") == .meeting)
        #expect(Cameo.kind(of: "041") == .meeting)
        #expect(Cameo.kind(of: "042") == .visit)
        #expect(Cameo.kind(of: "043") == .summit)
        #expect(Cameo.kind(of: "046") == .negotiation)
        #expect(Cameo.kind(of: "057") == .agreement)
        #expect(Cameo.kind(of: "163") == .sanction)
        #expect(Cameo.kind(of: "19") == .war)
        #expect(Cameo.kind(of: "1951") == .war)
        #expect(Cameo.kind(of: "051") == .other)
        #expect(Cameo.kind(of: "204") == .other)
        #expect(["05", "06", "08", "09", "13", "14", "20"].map(Cameo.quadClass(of:)) == [1, 2, 2, 3, 3, 4, 4])
    }

    @Test func countryCodes() {
        #expect(CountryCodes.code(forName: "Russian Federation") == "RUS")
        #expect(CountryCodes.code(forName: "russia") == "RUS")
        #expect(CountryCodes.code(forName: "Côte d'Ivoire") == "CIV")
        #expect(CountryCodes.code(forName: "Ivory Coast") == "CIV")
        #expect(CountryCodes.code(forName: "Occupied Palestinian Territory") == "PSE")
        #expect(CountryCodes.code(forName: "Democratic Republic of Congo") == "COD")
        #expect(CountryCodes.code(forName: "Atlantis") == nil)
        #expect(CountryCodes.code(forNumber: 392) == "JPN")
        #expect(CountryCodes.code(inActorName: "Military Forces of Sudan (2019-)") == "SDN")
        #expect(CountryCodes.code(inActorName: "Government of the Democratic Republic of Congo (2019-)") == "COD")
        #expect(CountryCodes.code(inActorName: "Police Forces of Russia (2000-) Prison Guards") == "RUS")
        #expect(CountryCodes.code(inActorName: "Protesters (Ukraine)") == "UKR")
        #expect(CountryCodes.code(inActorName: "Rapid Support Forces") == nil)
        #expect(CountryCodes.code(inActorName: "Rioters (International)") == nil)
    }
}
