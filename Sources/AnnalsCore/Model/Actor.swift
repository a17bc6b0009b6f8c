/// A participant in an event: a country, an organisation or a person.
public struct Actor: Sendable, Hashable {
    /// The display name, e.g. "Japan" or "Shinzo Abe".
    public var name: String
    /// A code such as an ISO 3166 alpha-3 country code ("JPN"); upper-case letters and digits.
    public var code: String?
    /// The actor's part in the event, e.g. speaker, signatory, addressee, subject.
    public var role: String?

    public init(name: String, code: String? = nil, role: String? = nil) {
        self.name = name
        self.code = code
        self.role = role
    }

    /// The key used to find an actor regardless of case and diacritics: "Ichirō" matches "ichiro".
    public var matchKeys: [String] {
        var keys = [Text.foldedKey(name)]
        if let code { keys.append(Text.foldedKey(code)) }
        return keys
    }
}
