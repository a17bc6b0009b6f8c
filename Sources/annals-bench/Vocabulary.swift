/// The fixed vocabularies of the synthetic corpus: countries with ISO 3166 alpha-3 codes, leaders, places,
/// tags, and a large word list of real diplomatic words followed by pseudo-words built from syllables.
enum Vocabulary {
    /// Countries, roughly in order of how often they appear in diplomatic records (Zipf-drawn by rank).
    static let countries: [(name: String, code: String)] = [
        ("United States", "USA"), ("United Kingdom", "GBR"), ("France", "FRA"), ("Russia", "RUS"), ("China", "CHN"),
        ("Germany", "DEU"), ("Japan", "JPN"), ("Italy", "ITA"), ("India", "IND"), ("Canada", "CAN"),
        ("Turkey", "TUR"), ("Iran", "IRN"), ("Brazil", "BRA"), ("Spain", "ESP"), ("Poland", "POL"),
        ("Israel", "ISR"), ("Egypt", "EGY"), ("Pakistan", "PAK"), ("South Korea", "KOR"), ("North Korea", "PRK"),
        ("Mexico", "MEX"), ("Australia", "AUS"), ("Saudi Arabia", "SAU"), ("Ukraine", "UKR"), ("Netherlands", "NLD"),
        ("Belgium", "BEL"), ("Austria", "AUT"), ("Sweden", "SWE"), ("Greece", "GRC"), ("Argentina", "ARG"),
        ("Indonesia", "IDN"), ("Vietnam", "VNM"), ("Iraq", "IRQ"), ("Syria", "SYR"), ("South Africa", "ZAF"),
        ("Nigeria", "NGA"), ("Switzerland", "CHE"), ("Norway", "NOR"), ("Denmark", "DNK"), ("Portugal", "PRT"),
        ("Hungary", "HUN"), ("Czechia", "CZE"), ("Romania", "ROU"), ("Serbia", "SRB"), ("Cuba", "CUB"),
        ("Chile", "CHL"), ("Peru", "PER"), ("Colombia", "COL"), ("Venezuela", "VEN"), ("Philippines", "PHL"),
        ("Thailand", "THA"), ("Malaysia", "MYS"), ("Singapore", "SGP"), ("Afghanistan", "AFG"), ("Jordan", "JOR"),
        ("Lebanon", "LBN"), ("Kuwait", "KWT"), ("Qatar", "QAT"), ("United Arab Emirates", "ARE"), ("Oman", "OMN"),
        ("Yemen", "YEM"), ("Libya", "LBY"), ("Algeria", "DZA"), ("Morocco", "MAR"), ("Tunisia", "TUN"),
        ("Ethiopia", "ETH"), ("Kenya", "KEN"), ("Ghana", "GHA"), ("Senegal", "SEN"), ("Congo", "COD"),
        ("Angola", "AGO"), ("Mozambique", "MOZ"), ("Zimbabwe", "ZWE"), ("Sudan", "SDN"), ("Somalia", "SOM"),
        ("Finland", "FIN"), ("Ireland", "IRL"), ("Bulgaria", "BGR"), ("Croatia", "HRV"), ("Slovakia", "SVK"),
        ("Slovenia", "SVN"), ("Lithuania", "LTU"), ("Latvia", "LVA"), ("Estonia", "EST"), ("Belarus", "BLR"),
        ("Georgia", "GEO"), ("Armenia", "ARM"), ("Azerbaijan", "AZE"), ("Kazakhstan", "KAZ"), ("Uzbekistan", "UZB"),
        ("Mongolia", "MNG"), ("Myanmar", "MMR"), ("Bangladesh", "BGD"), ("Sri Lanka", "LKA"), ("Nepal", "NPL"),
        ("New Zealand", "NZL"), ("Bolivia", "BOL"), ("Ecuador", "ECU"), ("Uruguay", "URY"), ("Paraguay", "PRY"),
        ("Panama", "PAN"), ("Nicaragua", "NIC"), ("Guatemala", "GTM"), ("Haiti", "HTI"), ("Iceland", "ISL"),
        ("Luxembourg", "LUX"), ("Malta", "MLT"), ("Cyprus", "CYP"), ("Albania", "ALB"), ("Moldova", "MDA"),
        ("Cambodia", "KHM"), ("Laos", "LAO"), ("Tanzania", "TZA"), ("Uganda", "UGA"), ("Rwanda", "RWA"),
        ("Cameroon", "CMR"), ("Mali", "MLI"), ("Niger", "NER"), ("Chad", "TCD"), ("Bahrain", "BHR"),
    ]

    static let leaders: [String] = [
        "Otto von Bismarck", "Benjamin Disraeli", "William Gladstone", "Abraham Lincoln", "Napoleon III",
        "Woodrow Wilson", "David Lloyd George", "Georges Clemenceau", "Vladimir Lenin", "Joseph Stalin",
        "Winston Churchill", "Franklin D. Roosevelt", "Charles de Gaulle", "Harry S. Truman", "Konrad Adenauer",
        "Jawaharlal Nehru", "Mao Zedong", "Zhou Enlai", "Gamal Abdel Nasser", "Nikita Khrushchev",
        "Dwight D. Eisenhower", "John F. Kennedy", "Willy Brandt", "Richard Nixon", "Henry Kissinger",
        "Leonid Brezhnev", "Anwar Sadat", "Menachem Begin", "Jimmy Carter", "Deng Xiaoping",
        "Margaret Thatcher", "Ronald Reagan", "Mikhail Gorbachev", "Helmut Kohl", "François Mitterrand",
        "Yitzhak Rabin", "Yasser Arafat", "Nelson Mandela", "Boris Yeltsin", "Bill Clinton",
        "Jacques Chirac", "Tony Blair", "Vladimir Putin", "George W. Bush", "Angela Merkel",
        "Hu Jintao", "Barack Obama", "Xi Jinping", "Shinzo Abe", "Narendra Modi",
        "Emmanuel Macron", "Recep Tayyip Erdoğan", "Joe Biden", "Olaf Scholz", "Volodymyr Zelenskyy",
        "Kim Il Sung", "Ho Chi Minh", "Sukarno", "Josip Broz Tito", "Fidel Castro",
        "Yoshida Shigeru", "Ichirō Hatoyama", "Kakuei Tanaka", "Mustafa Kemal Atatürk", "Haile Selassie",
    ]

    static let roles = ["signatory", "speaker", "host", "guest", "addressee", "subject", "mediator", "observer", "party"]

    static let places: [String] = [
        "Paris", "London", "Washington", "Moscow", "Beijing", "Tokyo", "Berlin", "Geneva", "Vienna", "Rome",
        "New York", "Brussels", "Helsinki", "Yalta", "Potsdam", "Versailles", "Camp David", "Oslo", "Madrid", "Delhi",
        "Cairo", "Istanbul", "Tehran", "Jerusalem", "Seoul", "Hanoi", "Havana", "Ottawa", "Canberra", "Pretoria",
        "Hague", "Locarno", "Munich", "Shimoda", "Portsmouth", "San Francisco", "Bandung", "Reykjavik", "Minsk", "Dayton",
    ]

    static let tags: [String] = {
        let base = [
            "trade", "border", "nuclear", "ceasefire", "alliance", "recognition", "sanctions", "territory",
            "arms-control", "humanitarian", "refugees", "maritime", "energy", "climate", "debt", "tariffs",
            "peace-treaty", "normalization", "embassy", "extradition", "fisheries", "aviation", "investment",
            "human-rights", "decolonization", "independence", "mandate", "reparations", "occupation", "annexation",
            "mediation", "summitry", "cultural", "scientific", "space", "health", "migration", "water",
            "oil", "gas", "grain", "shipping", "railway", "telegraph", "postal", "customs", "currency", "loan",
        ]
        var rng = SeededRandom(seed: 0x7A65)
        var out = base
        var seen = Set(base)
        while out.count < 400 {
            let tag = Vocabulary.pseudoWord(&rng, syllables: rng.int(2...3))
            if seen.insert(tag).inserted { out.append(tag) }
        }
        return out
    }()

    /// Frequent real words first (they get the top Zipf ranks), so bodies read like text and compress like it.
    static let commonWords: [String] = """
        the of and to in a that for on was with by as at is from it which this be were had its an not their \
        government minister treaty foreign talks agreement said would have been delegation two both also after \
        relations between state states president prime ambassador visit against war peace meeting signed joint \
        declaration conference council security economic military border trade nations national international \
        they he his but or are will who all has more than other into under over new first time support \
        committee parliament envoy mission negotiations accord protocol convention statement communique summit \
        cooperation sovereignty independence recognition dispute claims troops forces navy army alliance pact \
        withdrawal ceasefire sanctions embargo aid loan debt tariff treaty's ministry officials spokesman press \
        week month year days later earlier since until during while when where whose whom whether however
        """.split(separator: " ").map(String.init)

    private static let onsets = ["", "b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z",
                                 "br", "ch", "dr", "gr", "kh", "pr", "sh", "st", "tr", "th", "sk", "pl", "gl"]
    private static let nuclei = ["a", "e", "i", "o", "u", "ai", "ei", "ou", "ia", "y"]
    private static let codas = ["", "", "", "n", "r", "s", "l", "m", "t", "k", "nd", "rt", "st", "v"]

    static func pseudoWord(_ rng: inout SeededRandom, syllables: Int) -> String {
        var word = ""
        for _ in 0..<syllables {
            word += onsets[rng.int(0...(onsets.count - 1))]
            word += nuclei[rng.int(0...(nuclei.count - 1))]
            word += codas[rng.int(0...(codas.count - 1))]
        }
        return word
    }

    /// `count` distinct words: the common words, then pseudo-words made from syllables (deterministic).
    static func words(count: Int) -> [String] {
        var rng = SeededRandom(seed: 0x5EED_0F_70_4D5)
        var out = commonWords
        var seen = Set(out)
        while out.count < count {
            let word = pseudoWord(&rng, syllables: rng.weighted([(1, 0.1), (2, 0.45), (3, 0.35), (4, 0.1)]))
            if word.count >= 3, seen.insert(word).inserted { out.append(word) }
        }
        return out
    }
}
