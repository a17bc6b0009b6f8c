import AnnalsCore

/// Builders for test events, and a small realistic set of them.
public enum Sample {
    /// A date from its EDTF text (the tests' own literals: a typo is a bug in the test).
    public static func date(_ text: String) -> HistoricalDate {
        try! HistoricalDate(parsing: text)
    }

    /// An event with the given fields; the title defaults to "Event ID".
    public static func event(
        _ id: String, _ date: String, kind: EventKind = .statement, title: String? = nil, summary: String? = nil,
        body: String? = nil, actors: [Actor] = [], places: [String] = [], tags: [String] = [], references: [Reference] = []
    ) -> Event {
        Event(id: id, date: Sample.date(date), kind: kind, title: title ?? "Event \(id)", summary: summary, body: body,
              actors: actors, places: places, tags: tags, references: references)
    }

    /// A small realistic store: the Japan–Russia thread and some others.
    public static let diplomacy: [Event] = [
        event("1855-treaty-of-shimoda", "1855-02-07", kind: .treaty, title: "Treaty of Shimoda",
              body: "Japan and Russia establish relations and draw a border between Etorofu and Urup.",
              actors: [Actor(name: "Japan", code: "JPN"), Actor(name: "Russian Empire", code: "RUS")], tags: ["border"]),
        event("1951-san-francisco", "1951-09-08", kind: .treaty, title: "San Francisco Peace Treaty",
              body: "Japan renounces claims to the Kuril Islands; the Soviet Union does not sign.",
              actors: [Actor(name: "Japan", code: "JPN"), Actor(name: "United States", code: "USA")], tags: ["peace-treaty"]),
        event("1956-10-19-soviet-japanese-joint-declaration", "1956-10-19", kind: .declaration,
              title: "Soviet–Japanese Joint Declaration",
              body: "The state of war ends and diplomatic relations are restored. Shikotan and the Habomai islands are to be handed over after a peace treaty.",
              actors: [Actor(name: "Japan", code: "JPN"), Actor(name: "Soviet Union", code: "SUN"), Actor(name: "Ichirō Hatoyama", role: "signatory")],
              tags: ["peace-treaty", "kuril-islands"]),
        event("1960-security-treaty", "1960-01-19", kind: .treaty, title: "Treaty of Mutual Cooperation and Security",
              body: "Japan and the United States sign a revised security treaty.",
              actors: [Actor(name: "Japan", code: "JPN"), Actor(name: "United States", code: "USA")], tags: ["security-alliance"],
              references: [Reference(id: "1951-san-francisco", relation: .follows)]),
        event("1993-tokyo-declaration", "1993-10-13", kind: .declaration, title: "Tokyo Declaration",
              body: "Yeltsin and Hosokawa agree to negotiate the attribution of the four islands.",
              actors: [Actor(name: "Japan", code: "JPN"), Actor(name: "Russia", code: "RUS")], tags: ["peace-treaty", "kuril-islands"],
              references: [Reference(id: "1956-10-19-soviet-japanese-joint-declaration", relation: .invokes)]),
        event("2002-pyongyang-declaration", "2002-09-17", kind: .declaration, title: "Japan–DPRK Pyongyang Declaration",
              body: "Koizumi and Kim Jong-il agree to work towards normalisation; the abductions are acknowledged.",
              actors: [Actor(name: "Japan", code: "JPN"), Actor(name: "North Korea", code: "PRK")], tags: ["normalization", "abductions"]),
        event("2018-11-14-singapore", "2018-11-14", kind: .meeting, title: "Abe and Putin meet in Singapore",
              body: "The leaders agree to speed up peace treaty talks on the basis of the 1956 declaration.",
              actors: [Actor(name: "Shinzo Abe"), Actor(name: "Vladimir Putin")], tags: ["peace-treaty"],
              references: [Reference(id: "1956-10-19-soviet-japanese-joint-declaration", relation: .invokes)]),
        event("2019-01-28-policy-speech", "2019-01-28", kind: .speech, title: "Policy speech to the Diet",
              summary: "Abe sets out peace treaty talks with Russia and readiness to meet Kim Jong-un.",
              body: "The prime minister calls the alliance with the United States the foundation of foreign policy, says relations with China are back to normal, and offers to meet Kim Jong-un.",
              actors: [Actor(name: "Shinzo Abe", role: "speaker"), Actor(name: "Japan", code: "JPN")], tags: ["peace-treaty", "nuclear"],
              references: [Reference(id: "1956-10-19-soviet-japanese-joint-declaration", relation: .invokes),
                           Reference(id: "2018-11-14-singapore", relation: .follows),
                           Reference(id: "2002-pyongyang-declaration", relation: .mentions)]),
        event("1950s-fisheries", "195X", kind: .negotiation, title: "Fisheries talks in the 1950s",
              actors: [Actor(name: "Japan", code: "JPN"), Actor(name: "Soviet Union", code: "SUN")], tags: ["fisheries"]),
        event("1956-approx-visit", "1956~", kind: .visit, title: "A delegation visits Moscow",
              actors: [Actor(name: "Japan", code: "JPN")]),
    ]
}
