import AnnalsCore

/// A small fixed set of events for the golden timeline: every kind family, CJK and combining text,
/// ranges, an open end, a retraction, resolved and unresolved references.
enum TimelineFixtures {
    static let records: [EventRecord] = [
        Samples.event(
            "1855-02-07-treaty-of-shimoda", "1855-02-07", .treaty, "Treaty of Shimoda (日露和親条約)",
            actors: [Actor(name: "Japan", code: "JPN"), Actor(name: "Russia", code: "RUS"), Actor(name: "Yevfimy Putyatin")]
        ),
        Samples.event(
            "1904-02-08-russo-japanese-war", "1904-02-08/1905-09-05", .war, "Russo-Japanese War",
            actors: [Actor(name: "Japan"), Actor(name: "Russia")],
            references: [Reference(id: "1895-04-23-triple-intervention", relation: .follows)]
        ),
        Samples.event(
            "1905-09-05-treaty-of-portsmouth", "1905-09-05", .treaty,
            "Treaty of Portsmouth ends the Russo-Japanese War after mediation by Theodore Roosevelt",
            actors: [Actor(name: "Japan"), Actor(name: "Russia"), Actor(name: "Jutarō Komura"), Actor(name: "Sergei Witte")],
            references: [Reference(id: "1904-02-08-russo-japanese-war", relation: .follows)]
        ),
        Samples.event("1905-taft-katsura", "1905-07~", .meeting, "Taft–Katsura conversation", actors: [Actor(name: "United States"), Actor(name: "Japan")]),
        Samples.event(
            "1956-10-19-soviet-japanese-joint-declaration", "1956-10-19", .declaration, "Soviet–Japanese Joint Declaration",
            actors: [Actor(name: "Japan"), Actor(name: "Soviet Union"), Actor(name: "Ichirō Hatoyama"), Actor(name: "Nikolai Bulganin")],
            references: [Reference(id: "1905-09-05-treaty-of-portsmouth", relation: .mentions)]
        ),
        Samples.event("1956-talks", "1956-21/1956-23", .negotiation, "Fisheries talks", actors: [Actor(name: "Japan"), Actor(name: "Soviet Union")]),
        Samples.event(
            "2006-10-14-resolution-1718", "2006-10-14", .sanction, "UN Security Council Resolution 1718",
            actors: [Actor(name: "United Nations Security Council")],
            retraction: Retraction(id: "2006-10-14-resolution-1718", reason: "duplicate")
        ),
        Samples.event(
            "2019-01-28-abe-speech", "2019-01-28", .speech, "Shinzo Abe's policy speech to the Diet",
            actors: [Actor(name: "Shinzo Abe")],
            references: [
                Reference(id: "1956-10-19-soviet-japanese-joint-declaration", relation: .invokes),
                Reference(id: "2018-11-14-abe-putin-singapore-meeting", relation: .follows),
            ]
        ),
        Samples.event("2019-okinawa", "2019/..", .other, "Okinawa base relocation dispute", actors: [Actor(name: "Japan")]),
    ]
}
