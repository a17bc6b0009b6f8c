import Foundation

/// Text normalisation shared by matching, id derivation and validation.
public enum Text {
    /// Lower-cases `text`, strips diacritics and collapses runs of whitespace, so that
    /// "Ichirō  HATOYAMA" and "ichiro hatoyama" have the same key.
    public static func foldedKey(_ text: String) -> String {
        if let ascii = asciiFoldedKey(text) { return ascii }
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .enclosingMark, .spacingMark:
                continue
            default:
                break
            }
            if scalar.properties.isWhitespace {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace {
                out.append(" ")
                pendingSpace = false
            }
            out.append(contentsOf: String(scalar).lowercased().unicodeScalars)
        }
        return String(out)
    }

    /// The folded key of pure-ASCII text without Foundation's Unicode decomposition (most names, codes
    /// and tags are ASCII; this path is about 20 times faster); nil when `text` has a non-ASCII byte.
    private static func asciiFoldedKey(_ text: String) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for byte in text.utf8 {
            guard byte < 0x80 else { return nil }
            // Unicode's White_Space within ASCII: tab, LF, VT, FF, CR and space.
            if byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) {
                pendingSpace = !bytes.isEmpty
                continue
            }
            if pendingSpace {
                bytes.append(0x20)
                pendingSpace = false
            }
            bytes.append(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A URL-safe slug of `text`: folded, ASCII letters and digits, single hyphens, at most `limit` bytes.
    /// Returns an empty string when `text` has no ASCII letters or digits (e.g. Japanese script).
    public static func slug(_ text: String, limit: Int = 80) -> String {
        var out = ""
        var pendingHyphen = false
        for scalar in foldedKey(text).unicodeScalars {
            let isWordChar = scalar.isASCII && (("a"..."z").contains(scalar) || ("0"..."9").contains(scalar))
            if isWordChar {
                if pendingHyphen && !out.isEmpty {
                    if out.utf8.count + 1 >= limit { break }
                    out.append("-")
                }
                pendingHyphen = false
                if out.utf8.count >= limit { break }
                out.unicodeScalars.append(scalar)
            } else {
                pendingHyphen = true
            }
        }
        return out
    }

    /// Whether `text` holds a control character (C0, DEL or C1), tabs and newlines included.
    public static func hasControlCharacter(_ text: String) -> Bool {
        controlCharacter(in: text, allowingWhitespace: false)
    }

    /// Whether `text` holds a control character other than tab, line feed and carriage return.
    public static func hasControlCharacterBesidesWhitespace(_ text: String) -> Bool {
        controlCharacter(in: text, allowingWhitespace: true)
    }

    /// A scan of the UTF-8 bytes: C0 and DEL are single bytes, C1 (U+0080–U+009F) is 0xC2 0x80–0x9F.
    /// Bodies run to a megabyte, so this avoids Unicode scalar properties (about 40 times slower).
    private static func controlCharacter(in text: String, allowingWhitespace: Bool) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var previous: UInt8 = 0
            for byte in bytes {
                if byte < 0x20 || byte == 0x7F {
                    if !(allowingWhitespace && (byte == 0x09 || byte == 0x0A || byte == 0x0D)) { return true }
                } else if previous == 0xC2 && byte >= 0x80 && byte <= 0x9F {
                    return true
                }
                previous = byte
            }
            return false
        }
    }

    /// FNV-1a 64-bit hash of the UTF-8 bytes: stable across runs and platforms (unlike `hashValue`).
    public static func stableHash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return hash
    }
}
