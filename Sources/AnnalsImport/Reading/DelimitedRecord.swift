/// One row of a tab- or comma-separated file: its fields as UTF-8 bytes and the line it starts on.
///
/// The fields are decoded only when asked for, so a mapper pays for the columns it reads.
public struct DelimitedRecord: Sendable, Hashable {
    /// The physical line the record starts on, from 1 (a quoted field may run over several lines).
    public let line: Int
    /// The bytes of every field, one after another (quotes removed, doubled quotes undoubled).
    private let bytes: [UInt8]
    /// Where each field ends in `bytes`.
    private let ends: [Int]

    /// A record from its fields' bytes and their ends; `ends` must be ascending and within `bytes`.
    public init(line: Int, bytes: [UInt8], ends: [Int]) {
        self.line = line
        self.bytes = bytes
        self.ends = ends
    }

    /// A record from strings (for tests and generators).
    public init(line: Int, fields: [String]) {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for field in fields {
            bytes += field.utf8
            ends.append(bytes.count)
        }
        self.init(line: line, bytes: bytes, ends: ends)
    }

    /// The number of fields.
    public var count: Int { ends.count }

    /// Field `index`, decoded as UTF-8 (`isValidUTF8` says whether that is lossless); "" past the end.
    public subscript(index: Int) -> String {
        guard index >= 0, index < ends.count else { return "" }
        let start = index == 0 ? 0 : ends[index - 1]
        return String(decoding: bytes[start..<ends[index]], as: UTF8.self)
    }

    /// Every field, decoded.
    public var fields: [String] { (0..<count).map { self[$0] } }

    /// Whether every field is well-formed UTF-8. Delimiters are ASCII, so no field boundary can split
    /// a valid sequence: checking all the bytes at once checks each field.
    public var isValidUTF8: Bool {
        if !bytes.contains(where: { $0 >= 0x80 }) { return true }
        return bytes.withUnsafeBufferPointer { String(validating: $0, as: UTF8.self) } != nil
    }
}
