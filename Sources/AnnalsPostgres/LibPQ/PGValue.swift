/// A statement parameter, always bound (never spliced into SQL) and sent in PostgreSQL's binary format: integers
/// as big-endian bytes, text and bytea as their bytes, arrays in the binary array layout, so a batch of
/// compressed bodies goes to the server as it is, without hex or escaping.
enum PGValue: Sendable, Equatable {
    case int64(Int64)
    case bool(Bool)
    case text(String)
    case bytea([UInt8])
    case int64Array([Int64?])
    case textArray([String?])
    case byteaArray([[UInt8]?])
    /// Vectors in `tsvectorrecv`'s binary form (`SearchDocument`).
    case tsvectorArray([[UInt8]?])
    case null(UInt32)

    /// PostgreSQL type OIDs of the values we send (pg_type.h).
    enum Oid {
        static let bool: UInt32 = 16
        static let bytea: UInt32 = 17
        static let int8: UInt32 = 20
        static let int2: UInt32 = 21
        static let int4: UInt32 = 23
        static let text: UInt32 = 25
        static let int8Array: UInt32 = 1016
        static let textArray: UInt32 = 1009
        static let byteaArray: UInt32 = 1001
        static let tsvector: UInt32 = 3614
        static let tsvectorArray: UInt32 = 3643
    }

    /// The type the server is told the parameter has.
    var oid: UInt32 {
        switch self {
        case .int64: Oid.int8
        case .bool: Oid.bool
        case .text: Oid.text
        case .bytea: Oid.bytea
        case .int64Array: Oid.int8Array
        case .textArray: Oid.textArray
        case .byteaArray: Oid.byteaArray
        case .tsvectorArray: Oid.tsvectorArray
        case .null(let oid): oid
        }
    }

    /// The binary form; nil for SQL NULL.
    var binary: [UInt8]? {
        switch self {
        case .int64(let value): Self.bigEndian(value)
        case .bool(let value): [value ? 1 : 0]
        case .text(let value): Array(value.utf8)
        case .bytea(let value): value
        case .int64Array(let values): Self.array(of: Oid.int8, values, size: { _ in 8 }) { Self.append($0, to: &$1) }
        case .textArray(let values): Self.array(of: Oid.text, values, size: \.utf8.count) { $1.append(contentsOf: $0.utf8) }
        case .byteaArray(let values): Self.array(of: Oid.bytea, values, size: \.count) { $1.append(contentsOf: $0) }
        case .tsvectorArray(let values): Self.array(of: Oid.tsvector, values, size: \.count) { $1.append(contentsOf: $0) }
        case .null: nil
        }
    }

    static func bigEndian(_ value: Int64) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    private static func append(_ value: Int32, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
    }

    private static func append(_ value: Int64, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
    }

    /// A one-dimensional array in the binary layout of `array_send`: dimensions, a has-null flag, the element
    /// type, the length and lower bound 1, then each element as a length (-1 for NULL) and its bytes (`size` of
    /// them, written by `write`), all into one buffer.
    static func array<Element>(of elementType: UInt32, _ elements: [Element?], size: (Element) -> Int,
                               write: (Element, inout [UInt8]) -> Void) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(20 + elements.reduce(0) { $0 + 4 + ($1.map(size) ?? 0) })
        append(Int32(elements.isEmpty ? 0 : 1), to: &out)
        append(Int32(elements.contains { $0 == nil } ? 1 : 0), to: &out)
        append(Int32(bitPattern: elementType), to: &out)
        guard !elements.isEmpty else { return out }
        append(Int32(elements.count), to: &out)
        append(Int32(1), to: &out)
        for element in elements {
            if let element {
                append(Int32(size(element)), to: &out)
                write(element, &out)
            } else {
                append(Int32(-1), to: &out)
            }
        }
        return out
    }
}
