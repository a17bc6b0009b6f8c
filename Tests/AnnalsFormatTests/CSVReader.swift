/// A strict RFC 4180 reader for checking `CSVRenderer` output: rows end with CRLF, a field is either
/// plain (no comma, quote, CR or LF) or quoted with inner quotes doubled.
enum CSVReader {
    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    /// The rows of `text`; throws on anything RFC 4180 does not allow (a bare LF, a stray quote…).
    static func rows(_ text: String) throws -> [[String]] {
        let scalars = Array(text.unicodeScalars)
        var rows: [[String]] = []
        var row: [String] = []
        var field = String.UnicodeScalarView()
        var i = 0
        var atFieldStart = true
        func endField() {
            row.append(String(field))
            field = String.UnicodeScalarView()
        }
        while i < scalars.count {
            let c = scalars[i]
            if atFieldStart && c == "\"" {
                // Quoted field.
                i += 1
                while true {
                    guard i < scalars.count else { throw Malformed(description: "unterminated quoted field") }
                    if scalars[i] == "\"" {
                        if i + 1 < scalars.count && scalars[i + 1] == "\"" {
                            field.append("\"")
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    field.append(scalars[i])
                    i += 1
                }
                atFieldStart = false
                guard i < scalars.count else { throw Malformed(description: "no CRLF after the last row") }
                guard scalars[i] == "," || scalars[i] == "\r" else {
                    throw Malformed(description: "'\(scalars[i])' after a closing quote")
                }
                continue
            }
            switch c {
            case ",":
                endField()
                atFieldStart = true
                i += 1
            case "\r":
                guard i + 1 < scalars.count, scalars[i + 1] == "\n" else { throw Malformed(description: "CR without LF") }
                endField()
                rows.append(row)
                row = []
                atFieldStart = true
                i += 2
            case "\n":
                throw Malformed(description: "bare LF outside quotes")
            case "\"":
                throw Malformed(description: "quote inside an unquoted field")
            default:
                field.append(c)
                atFieldStart = false
                i += 1
            }
        }
        guard row.isEmpty, field.isEmpty, atFieldStart else { throw Malformed(description: "no CRLF after the last row") }
        return rows
    }
}
