import AnnalsStore
import CAnnalsPQ
import Foundation

/// A libpq connection string (`postgresql://…` URI or `key=value` conninfo), kept whole for libpq, which
/// applies its own rules to it (`host=/run/postgresql`, `sslmode`, the `PG*` environment variables,
/// `~/.pgpass`), and shown to people only redacted: never with its password.
struct ConnectionString: Sendable {
    /// The text libpq gets.
    let text: String
    /// Where it points, for messages: "database 'annals' on /run/postgresql as 'annals'".
    let place: String
    /// The role it logs in as, when the string names one.
    let user: String?
    let database: String?

    /// Reads `text` with libpq's own parser, so a string libpq would refuse is refused here, with a clear line.
    /// - Throws: `StoreError` (`.io`) saying what cannot be read, the password replaced by `***`.
    init(_ text: String) throws(StoreError) {
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(text, &error) else {
            let reason = error.map { PGError.firstLine(String(cString: $0)) } ?? "libpq cannot read it"
            if let error { PQfreemem(error) }
            throw StoreError(.io, "the database URL '\(Self.redacted(text))' cannot be read: \(Self.redacted(reason, secretOf: text))")
        }
        defer { PQconninfoFree(options) }
        var values: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { values[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        self.text = text
        user = values["user"]
        database = values["dbname"] ?? values["user"]
        let host = values["host"] ?? values["hostaddr"]
        var place = database.map { "database '\($0)'" } ?? "the default database"
        place += " on " + (host.map { $0.isEmpty ? "the local socket" : $0 } ?? "the local socket")
        if let port = values["port"], !port.isEmpty { place += ":\(port)" }
        if let user { place += " as '\(user)'" }
        self.place = place
    }

    /// `text` with any password replaced by `***`: the one in a URI's user information, and `password=` values
    /// in a URI's query or a conninfo string.
    static func redacted(_ text: String) -> String {
        var out = text
        if let scheme = out.range(of: "://") {
            let rest = out[scheme.upperBound...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") {
                out.replaceSubrange(out.index(after: colon)..<at, with: "***")
            }
        }
        var result = ""
        var remaining = Substring(out)
        while let found = remaining.range(of: "password=") {
            let before = found.lowerBound == remaining.startIndex ? nil : remaining[remaining.index(before: found.lowerBound)]
            result += remaining[..<found.upperBound]
            remaining = remaining[found.upperBound...]
            guard before == nil || [" ", "?", "&", "\t"].contains(before!) else { continue }
            var end = remaining.startIndex
            if remaining.first == "'" {
                end = remaining.index(after: end)
                while end < remaining.endIndex && remaining[end] != "'" {
                    if remaining[end] == "\\" { end = remaining.index(after: end) }
                    if end < remaining.endIndex { end = remaining.index(after: end) }
                }
                if end < remaining.endIndex { end = remaining.index(after: end) }
            } else {
                while end < remaining.endIndex && !["&", " ", "\t"].contains(remaining[end]) { end = remaining.index(after: end) }
            }
            result += "***"
            remaining = remaining[end...]
        }
        return result + remaining
    }

    /// `message` with every password `connectionString` holds replaced by `***` (libpq may quote a part of the
    /// string it could not read).
    static func redacted(_ message: String, secretOf connectionString: String) -> String {
        var out = redacted(message)
        for secret in passwords(in: connectionString) where secret.count >= 1 {
            out = out.replacingOccurrences(of: secret, with: "***")
        }
        return out
    }

    /// The passwords written in `text`, as `redacted` finds them.
    private static func passwords(in text: String) -> [String] {
        var found: [String] = []
        let redactedText = redacted(text)
        // Walk both strings: where they differ, the original holds a password.
        var a = text.startIndex, b = redactedText.startIndex
        while a < text.endIndex, b < redactedText.endIndex {
            if text[a] == redactedText[b] {
                a = text.index(after: a)
                b = redactedText.index(after: b)
                continue
            }
            // redactedText has "***" here; the password runs in text to the next character after "***".
            let afterMask = redactedText.index(b, offsetBy: 3, limitedBy: redactedText.endIndex) ?? redactedText.endIndex
            let next = afterMask < redactedText.endIndex ? redactedText[afterMask] : nil
            var end = a
            while end < text.endIndex, text[end] != next { end = text.index(after: end) }
            found.append(String(text[a..<end]))
            a = end
            b = afterMask
        }
        return found
    }
}
