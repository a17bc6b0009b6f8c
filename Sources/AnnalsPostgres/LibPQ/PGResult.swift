import CAnnalsPQ

/// The rows of one statement, in binary format, owned until the value goes away (`PQclear`).
///
/// Values are read in place: `withBytes` hands out a view of libpq's buffer, so a page of stored records is
/// copied once, into the page.
final class PGResult {
    private let handle: OpaquePointer

    /// Takes ownership of `handle`.
    init(_ handle: OpaquePointer) {
        self.handle = handle
    }

    deinit { PQclear(handle) }

    var rowCount: Int { Int(PQntuples(handle)) }

    /// The number of rows a statement without rows changed (`INSERT … 3` → 3).
    var affectedRows: Int { Int(String(cString: PQcmdTuples(handle))) ?? 0 }

    func isNull(_ row: Int, _ column: Int) -> Bool {
        PQgetisnull(handle, Int32(row), Int32(column)) == 1
    }

    /// The length of the value in bytes (0 for NULL).
    func length(_ row: Int, _ column: Int) -> Int {
        Int(PQgetlength(handle, Int32(row), Int32(column)))
    }

    /// The value's bytes, valid while the result lives; nil for NULL.
    func withBytes<T, E: Error>(_ row: Int, _ column: Int, _ body: (UnsafeRawBufferPointer) throws(E) -> T) throws(E) -> T? {
        guard !isNull(row, column), let pointer = PQgetvalue(handle, Int32(row), Int32(column)) else { return nil }
        return try body(UnsafeRawBufferPointer(start: pointer, count: length(row, column)))
    }

    /// An integer column (int2, int4, int8 or bool); 0 for NULL.
    func int64(_ row: Int, _ column: Int) -> Int64 {
        let type = PQftype(handle, Int32(column))
        return withBytes(row, column) { bytes -> Int64 in
            var value: Int64 = 0
            for byte in bytes { value = value << 8 | Int64(byte) }
            switch type {
            case PGValue.Oid.int4: return Int64(Int32(truncatingIfNeeded: value))
            case PGValue.Oid.int2: return Int64(Int16(truncatingIfNeeded: value))
            default: return value
            }
        } ?? 0
    }

    func int(_ row: Int, _ column: Int) -> Int { Int(int64(row, column)) }

    func bool(_ row: Int, _ column: Int) -> Bool { int64(row, column) != 0 }

    func text(_ row: Int, _ column: Int) -> String? {
        withBytes(row, column) { String(decoding: $0, as: UTF8.self) }
    }

    func bytes(_ row: Int, _ column: Int) -> [UInt8]? {
        withBytes(row, column) { Array($0) }
    }
}
