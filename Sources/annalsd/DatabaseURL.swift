/// A PostgreSQL database named on the command line (`--db postgresql://…`), and where a password is written in
/// it, so that annalsd can hide it from `ps` (`ArgumentMemory`) and never print it.
///
/// The text goes to libpq unchanged, which reads it by its own rules (`host=/run/postgresql`, `sslmode`, the
/// `PG*` environment variables, `~/.pgpass`); this type only finds the password's bytes. It looks in the same
/// two places libpq does: the user information (`postgresql://user:SECRET@host/db`) and a `password` query
/// parameter (`?password=SECRET`, the key possibly percent-encoded). Where the two readings of a URI could
/// differ (an unencoded `@` inside the password), it takes the wider range, so nothing of a password shows.
struct DatabaseURL: Sendable {
    /// The URL as given.
    let text: String
    /// Byte offsets in `text`'s UTF-8 that hold a password, in order, not overlapping.
    let passwordRanges: [Range<Int>]

    /// The schemes that select the PostgreSQL engine (libpq's own).
    static let schemes = ["postgresql://", "postgres://"]

    /// Whether `--db`'s value names a PostgreSQL database rather than a SQLite file.
    static func names(_ value: String) -> Bool {
        schemes.contains { value.hasPrefix($0) }
    }

    init(_ text: String) {
        self.text = text
        passwordRanges = Self.findPasswords(Array(text.utf8))
    }

    /// `text` with each password replaced by `***`: safe to print.
    var redacted: String {
        var bytes = Array(text.utf8)
        for range in passwordRanges.reversed() { bytes.replaceSubrange(range, with: Array("***".utf8)) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether the URL holds a password.
    var hasPassword: Bool { !passwordRanges.isEmpty }

    private static func findPasswords(_ bytes: [UInt8]) -> [Range<Int>] {
        guard let schemeEnd = find(Array("://".utf8), in: bytes) else { return [] }
        let start = schemeEnd + 3
        var ranges: [Range<Int>] = []
        // libpq reads user information up to the first '@' before the first '/'; the last '@' before it covers
        // that and a password holding an unencoded '@'.
        let slash = bytes[start...].firstIndex(of: UInt8(ascii: "/")) ?? bytes.endIndex
        var queryFrom = start
        if let at = bytes[start..<slash].lastIndex(of: UInt8(ascii: "@")) {
            if let colon = bytes[start..<at].firstIndex(of: UInt8(ascii: ":")), colon + 1 < at {
                ranges.append(colon + 1..<at)
            }
            queryFrom = at
        }
        // The query: key=value pairs after the first '?' past the user information, separated by '&'.
        guard let question = bytes[queryFrom...].firstIndex(of: UInt8(ascii: "?")) else { return ranges }
        var position = question + 1
        while position < bytes.endIndex {
            let end = bytes[position...].firstIndex(of: UInt8(ascii: "&")) ?? bytes.endIndex
            if let equals = bytes[position..<end].firstIndex(of: UInt8(ascii: "=")),
               percentDecoded(bytes[position..<equals]).lowercasedASCII == Array("password".utf8), equals + 1 < end {
                ranges.append(equals + 1..<end)
            }
            position = end + 1
        }
        return ranges
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        return (0...(bytes.count - needle.count)).first { bytes[$0..<$0 + needle.count].elementsEqual(needle) }
    }

    /// `%XX` sequences decoded; a malformed one is kept as it is.
    private static func percentDecoded(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var i = bytes.startIndex
        while i < bytes.endIndex {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.endIndex,
               let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2]) {
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension [UInt8] {
    /// ASCII letters in lower case (libpq's keywords are lower case; a key in another case is still hidden).
    fileprivate var lowercasedASCII: [UInt8] {
        map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 + 32 : $0 }
    }
}
