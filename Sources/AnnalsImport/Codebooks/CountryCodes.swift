import AnnalsCore
import Foundation

/// ISO 3166-1 alpha-3 country codes (as CAMEO uses them: JPN, RUS) from the names and numbers the
/// datasets give: ICEWS's Source/Target Country, ACLED's country names inside actor names and `iso`.
public enum CountryCodes {
    /// The alpha-3 code of a country name, matched without regard to case and diacritics
    /// ("Russian Federation", "Russia" → RUS; "Côte d'Ivoire", "Ivory Coast" → CIV).
    public static func code(forName name: String) -> String? {
        byName[Text.foldedKey(name)]
    }

    /// The alpha-3 code of an ISO 3166-1 numeric code (392 → JPN).
    public static func code(forNumber number: Int) -> String? {
        byNumber[number]
    }

    /// The country an ACLED actor name belongs to, by ACLED's naming conventions: state forces
    /// "Military Forces of Sudan (2019-)", "Government of the Democratic Republic of Congo (2019-)", and
    /// other actors "Protesters (Sudan)". Nil when the name names no country.
    public static func code(inActorName name: String) -> String? {
        var words = Substring(name)
        // A trailing "(Country)"; "(2019-)" names years, not a country.
        if words.hasSuffix(")"), let open = words.lastIndex(of: "(") {
            let inside = words[words.index(after: open)..<words.index(before: words.endIndex)]
            if let code = code(forName: String(inside)) { return code }
            words = words[..<open]
        }
        // "... of Country" (the first " of " whose rest is a country).
        var rest = words[...]
        while let range = rest.range(of: " of ") {
            var country = rest[range.upperBound...]
            if let paren = country.range(of: " (") { country = country[..<paren.lowerBound] }
            country = country.trimmingSuffix(" ")
            if country.hasPrefix("the ") { country = country.dropFirst(4) }
            if let code = code(forName: String(country)) { return code }
            rest = rest[range.upperBound...]
        }
        return nil
    }
}

extension Substring {
    fileprivate func trimmingSuffix(_ character: Character) -> Substring {
        var out = self
        while out.last == character { out = out.dropLast() }
        return out
    }
}
