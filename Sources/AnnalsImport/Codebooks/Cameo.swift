import AnnalsCore

/// The CAMEO event taxonomy (Conflict and Mediation Event Observations) as GDELT and ICEWS code it:
/// 20 root codes (`01`–`20`), 3-digit codes under them and 4-digit codes under those.
public enum Cameo {
    /// The root codes, `01` to `20`.
    public static let roots: [String] = (1...20).map { $0 < 10 ? "0\($0)" : "\($0)" }

    /// Whether `code` is a CAMEO event code: 2 to 4 digits under a root from 01 to 20.
    public static func isEventCode(_ code: String) -> Bool {
        let utf8 = code.utf8
        guard (2...4).contains(utf8.count), utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        return roots.contains(String(code.prefix(2)))
    }

    /// The root code of an event code: its first two digits.
    public static func root(of code: String) -> String { String(code.prefix(2)) }

    /// The codebook's name of `code`, else of its 3-digit base, else of its root.
    public static func name(of code: String) -> String? {
        names[code] ?? names[String(code.prefix(3))] ?? names[root(of: code)]
    }

    /// The Annals kind of an event code, from the kinds' CAMEO codes (see `EventKind`): 01x statement,
    /// 042 visit, 043 and 044 summit, 046 negotiation, the rest of 04 meeting, 057 agreement,
    /// 163 sanction, 19x war; everything else `other`.
    public static func kind(of code: String) -> EventKind {
        switch String(code.prefix(3)) {
        case "042": return .visit
        case "043", "044": return .summit
        case "046": return .negotiation
        case "057": return .agreement
        case "163": return .sanction
        default: break
        }
        switch root(of: code) {
        case "01": return .statement
        case "04": return .meeting
        case "19": return .war
        default: return .other
        }
    }

    /// The quad class of an event code by its root, as GDELT assigns them: 1 verbal cooperation
    /// (01–05), 2 material cooperation (06–08), 3 verbal conflict (09–13), 4 material conflict (14–20).
    public static func quadClass(of code: String) -> Int {
        switch Int(root(of: code)) ?? 0 {
        case ...5: 1
        case 6...8: 2
        case 9...13: 3
        default: 4
        }
    }

    /// A title: the source, the code's verb phrase and the target, e.g. "Japan consults Russia".
    /// A missing source reads "Unidentified actor"; a missing target drops the phrase's target part.
    public static func title(code: String, source: String?, target: String?) -> String {
        let template = verbs[String(code.prefix(3))] ?? verbs[root(of: code)] ?? "acts [toward {t}]"
        return (source ?? "Unidentified actor") + " " + phrase(template, target: target)
    }

    /// Fills in a verb template: `[...]` holds the target part, `{t}` the target.
    static func phrase(_ template: String, target: String?) -> String {
        var out = ""
        var inBrackets = false
        var rest = Substring(template)
        while let c = rest.first {
            rest = rest.dropFirst()
            switch c {
            case "[": inBrackets = true
            case "]": inBrackets = false
            case "{":
                rest = rest.drop { $0 != "}" }.dropFirst()
                if let target { out += target }
            default:
                if !inBrackets || target != nil { out.append(c) }
            }
        }
        // Dropping a bracket leaves a double or trailing space.
        return out.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}
