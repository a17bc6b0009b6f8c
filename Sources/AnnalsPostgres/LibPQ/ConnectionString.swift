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
            throw StoreError(.io, "the database URL '\(Self.safeToShow(text))' cannot be read: \(Self.redacted(reason, secretOf: text))")
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

    /// `text` with any password replaced by `***`: the one in a URI's user information, `password` values in
    /// a URI's query (the key possibly percent-encoded or in another case), and `password=` values in a
    /// conninfo string.
    static func redacted(_ text: String) -> String {
        if let scheme = text.range(of: "://") { return redactedURI(text, authorityStart: scheme.upperBound) }
        return redactedConninfo(text)
    }

    private static func redactedURI(_ text: String, authorityStart: String.Index) -> String {
        var out = String(text[..<authorityStart])
        let rest = text[authorityStart...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var queryFrom = authorityStart
        if let at = rest[..<authorityEnd].lastIndex(of: "@") {
            if let colon = rest[..<at].firstIndex(of: ":") {
                out += rest[..<colon] + ":***"
            } else {
                out += rest[..<at]
            }
            queryFrom = at
        }
        guard let question = text[queryFrom...].firstIndex(of: "?") else { return out + text[queryFrom...] }
        out += text[queryFrom...question]
        let parameters = text[text.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false)
        out += parameters.map { parameter -> String in
            guard let equals = parameter.firstIndex(of: "=") else { return String(parameter) }
            let key = parameter[..<equals].removingPercentEncoding?.lowercased() ?? String(parameter[..<equals]).lowercased()
            return key == "password" ? parameter[...equals] + "***" : String(parameter)
        }.joined(separator: "&")
        return out
    }

    private static func redactedConninfo(_ text: String) -> String {
        var result = ""
        var remaining = Substring(text)
        while let found = remaining.range(of: "password=") {
            let before = found.lowerBound == remaining.startIndex ? nil : remaining[remaining.index(before: found.lowerBound)]
            result += remaining[..<found.upperBound]
            remaining = remaining[found.upperBound...]
            let atWordStart = before.map { $0 == " " || $0 == "\t" } ?? (result.count == "password=".count)
            guard atWordStart else { continue }
            var end = remaining.startIndex
            if remaining.first == "'" {
                end = remaining.index(after: end)
                while end < remaining.endIndex && remaining[end] != "'" {
                    if remaining[end] == "\\" { end = remaining.index(after: end) }
                    if end < remaining.endIndex { end = remaining.index(after: end) }
                }
                if end < remaining.endIndex { end = remaining.index(after: end) }
            } else {
                while end < remaining.endIndex && remaining[end] != " " && remaining[end] != "\t" { end = remaining.index(after: end) }
            }
            result += "***"
            remaining = remaining[end...]
        }
        return result + remaining
    }

    /// A connection string safe to show: `redacted`, and when that finds no password where libpq reads one (a
    /// form it does not know, such as `password = 'x'`), every occurrence of that password masked.
    static func safeToShow(_ text: String) -> String {
        let structural = redacted(text)
        guard structural == text, let password = parsedPassword(text) else { return structural }
        return text.replacingOccurrences(of: password, with: "***")
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

    /// The passwords written in `text`: as `redacted` finds them, and as libpq reads the string (decoded, so a
    /// percent-encoded or `password = 'quoted'` one is found too).
    private static func passwords(in text: String) -> [String] {
        var found: [String] = []
        if let parsed = parsedPassword(text) { found.append(parsed) }
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
        return found.sorted { $0.count > $1.count }
    }

    /// The password libpq reads from `text`, if it holds one.
    private static func parsedPassword(_ text: String) -> String? {
        guard let options = PQconninfoParse(text, nil) else { return nil }
        defer { PQconninfoFree(options) }
        var option = options
        while let keyword = option.pointee.keyword {
            if String(cString: keyword) == "password", let value = option.pointee.val {
                let password = String(cString: value)
                return password.isEmpty ? nil : password
            }
            option += 1
        }
        return nil
    }
}

extension ConnectionString {
    /// Makes connections to this database, each with `statement_timeout` set to `statementTimeout` seconds.
    func connector(statementTimeout: Double) -> @Sendable () throws(PGError) -> PGConnection {
        { () throws(PGError) in try PGConnection(self, statementTimeout: statementTimeout) }
    }

    /// The first connection a store makes with `connect`, which tells whether the database can be used at all.
    /// - Throws: `StoreError`, one line in the user's terms (`PGErrorMapping.connectError`).
    func firstConnection(_ connect: () throws(PGError) -> PGConnection) throws(StoreError) -> PGConnection {
        do {
            return try connect()
        } catch {
            throw PGErrorMapping.connectError(error, to: self)
        }
    }
}
