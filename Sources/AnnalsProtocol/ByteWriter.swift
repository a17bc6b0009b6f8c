/// Appends the primitives of the Annals wire format to a growing byte array, big-endian.
///
/// Strings and byte arrays are a `u32` length and the bytes; optionals a `u8` 0 or 1 and the value; lists a
/// `u32` count and the items. Lengths above `UInt32.max` cannot be sent (no frame is that large).
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// An empty writer with room for `capacity` bytes before it must grow.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// The number of bytes written.
    public var count: Int { bytes.count }

    /// Makes room for `additional` more bytes, growing geometrically (an exact `reserveCapacity` on every call
    /// would reallocate on every call).
    public mutating func reserve(_ additional: Int) {
        let needed = bytes.count + additional
        if needed > bytes.capacity { bytes.reserveCapacity(max(needed, 2 * bytes.capacity)) }
    }

    /// One byte.
    public mutating func writeU8(_ value: UInt8) {
        bytes.append(value)
    }

    /// Two bytes, big-endian.
    public mutating func writeU16(_ value: UInt16) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Four bytes, big-endian.
    public mutating func writeU32(_ value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Eight bytes, big-endian.
    public mutating func writeU64(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Eight bytes, two's complement, big-endian.
    public mutating func writeI64(_ value: Int64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// A `u8` 1 for true, 0 for false.
    public mutating func writeBool(_ value: Bool) {
        bytes.append(value ? 1 : 0)
    }

    /// A `u32` byte length, then the UTF-8 bytes.
    public mutating func writeString(_ value: String) {
        let utf8 = value.utf8
        let count = utf8.count
        writeU32(UInt32(clamping: count))
        if utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil {
            bytes.append(contentsOf: utf8)
        }
    }

    /// A `u32` length, then the bytes.
    public mutating func writeBytes(_ value: [UInt8]) {
        writeU32(UInt32(clamping: value.count))
        bytes.append(contentsOf: value)
    }

    /// The bytes as they are, without a length.
    public mutating func writeBytesWithoutLength(_ value: some Collection<UInt8>) {
        bytes.append(contentsOf: value)
    }

    /// A `u8` 0 for nil, else a `u8` 1 then the value written by `write`.
    public mutating func writeOptional<T>(_ value: T?, _ write: (inout ByteWriter, T) -> Void) {
        if let value {
            bytes.append(1)
            write(&self, value)
        } else {
            bytes.append(0)
        }
    }

    /// An optional string.
    public mutating func writeOptionalString(_ value: String?) {
        if let value {
            bytes.append(1)
            writeString(value)
        } else {
            bytes.append(0)
        }
    }

    /// A `u32` count, then each item written by `write`.
    public mutating func writeList<C: Collection>(_ items: C, _ write: (inout ByteWriter, C.Element) -> Void) {
        writeU32(UInt32(clamping: items.count))
        for item in items { write(&self, item) }
    }

    /// A list of strings.
    public mutating func writeStringList(_ items: [String]) {
        writeU32(UInt32(clamping: items.count))
        for item in items { writeString(item) }
    }

    /// Overwrites the four bytes at `index` with `value`, e.g. a count or length known only later.
    public mutating func patchU32(_ value: UInt32, at index: Int) {
        bytes[index] = UInt8(truncatingIfNeeded: value >> 24)
        bytes[index + 1] = UInt8(truncatingIfNeeded: value >> 16)
        bytes[index + 2] = UInt8(truncatingIfNeeded: value >> 8)
        bytes[index + 3] = UInt8(truncatingIfNeeded: value)
    }

    /// Drops everything from `index` on.
    mutating func truncate(to index: Int) {
        bytes.removeSubrange(index...)
    }
}

extension ByteWriter {
    /// Overwrites the byte at `index`.
    mutating func patchU8(_ value: UInt8, at index: Int) {
        bytes[index] = value
    }
}
