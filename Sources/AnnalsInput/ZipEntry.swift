#if canImport(Glibc)
import Glibc
#endif

/// The one file of a zip archive, read as it streams by: its local header, then its data (deflated or
/// stored), then its data descriptor if it has one. The CRC-32 of the data is checked at the end, and
/// a second local header there means the archive holds more than one file.
struct ZipEntry {
    let name: String
    let deflated: Bool
    private let hasDescriptor: Bool
    private let zip64: Bool
    private let expectedChecksum: UInt32
    /// For a stored entry, the bytes of data not read yet.
    var remainingStored: Int
    /// The CRC-32 of the data read so far.
    var checksum: UInt32 = 0

    private static let localHeader: UInt32 = 0x0403_4B50
    private static let descriptor: UInt32 = 0x0807_4B50
    private static let endOfDirectory: UInt32 = 0x0605_4B50

    /// Reads the local header at the start of `raw`.
    static func readHeader(_ raw: RawInput) throws(InputError) -> ZipEntry {
        let header = Array(try raw.take(30))
        guard header.count == 30 else { throw InputError("cannot read \(raw.name): the zip header is cut short") }
        let flags = le16(header, 6), method = le16(header, 8)
        let nameLength = Int(le16(header, 26)), extraLength = Int(le16(header, 28))
        let nameBytes = Array(try raw.take(nameLength))
        let extra = Array(try raw.take(extraLength))
        guard nameBytes.count == nameLength, extra.count == extraLength else {
            throw InputError("cannot read \(raw.name): the zip header is cut short")
        }
        let name = String(decoding: nameBytes, as: UTF8.self)
        if flags & 1 != 0 { throw InputError("cannot read \(raw.name): '\(name)' in the zip archive is encrypted") }
        guard method == 0 || method == 8 else {
            throw InputError("cannot read \(raw.name): '\(name)' in the zip archive is compressed with method \(method); only deflate and stored entries are read (unzip it first)")
        }
        var compressedSize = UInt64(le32(header, 18))
        var zip64 = false
        // A ZIP64 extra field (id 1) holds the sizes when the header's are 0xFFFFFFFF.
        var at = 0
        while at + 4 <= extra.count {
            let id = le16(extra, at), size = Int(le16(extra, at + 2))
            if id == 1 {
                zip64 = true
                if size >= 16, at + 20 <= extra.count { compressedSize = UInt64(le32(extra, at + 12)) | UInt64(le32(extra, at + 16)) << 32 }
            }
            at += 4 + size
        }
        let hasDescriptor = flags & 8 != 0
        if method == 0 && hasDescriptor && compressedSize == 0 {
            throw InputError("cannot read \(raw.name): '\(name)' is stored without its size; unzip it first")
        }
        return ZipEntry(
            name: name, deflated: method == 8, hasDescriptor: hasDescriptor, zip64: zip64,
            expectedChecksum: le32(header, 14), remainingStored: method == 0 ? Int(clamping: compressedSize) : 0
        )
    }

    /// After the data: checks the CRC-32 (from the data descriptor if there is one) and that no second
    /// file follows.
    func finish(_ raw: RawInput) throws(InputError) {
        var expected = expectedChecksum
        if hasDescriptor {
            var descriptor = Array(try raw.peek(4))
            if descriptor.count == 4 && Self.le32(descriptor, 0) == Self.descriptor { _ = try raw.take(4) }
            descriptor = Array(try raw.take(zip64 ? 20 : 12))
            guard descriptor.count >= 4 else { throw InputError("cannot read \(raw.name): the zip data descriptor is cut short") }
            expected = Self.le32(descriptor, 0)
        }
        guard checksum == expected else {
            throw InputError("cannot read \(raw.name): '\(name)' fails its CRC-32 check (damaged archive?)")
        }
        let next = Array(try raw.peek(4))
        if next.count == 4 && Self.le32(next, 0) == Self.localHeader {
            throw InputError("cannot read \(raw.name): the zip archive holds more than one file; unzip it and import the file you want")
        }
    }

    /// The number of entries the central directory of a zip file on disk records; nil when it cannot be
    /// found (the entries are then counted as they stream by).
    static func entryCount(fd: Int32, size: Int64) -> Int? {
        // The end-of-central-directory record: 22 bytes plus a comment of up to 65,535.
        let length = Int(min(size, 22 + 65_535))
        guard length >= 22 else { return nil }
        var tail = [UInt8](repeating: 0, count: length)
        let n = tail.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { pread(fd, $0, length, off_t(size - Int64(length))) } ?? -1
        }
        guard n == length else { return nil }
        var at = length - 22
        while at >= 0 {
            if le32(tail, at) == endOfDirectory {
                let count = Int(le16(tail, at + 10))
                return count == 0xFFFF ? nil : count
            }
            at -= 1
        }
        return nil
    }

    private static func le16(_ bytes: [UInt8], _ at: Int) -> UInt16 {
        UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    private static func le32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }
}
