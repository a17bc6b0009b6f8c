import CAnnalsZlib
#if canImport(Glibc)
import Glibc
#endif

/// An input file read as a stream of bytes, whatever it is stored as: plain, gzip (one member or
/// several, as `cat a.gz b.gz` gives) or a zip archive holding a single file. The kind is told by the
/// first bytes, not the name, so standard input works too.
///
/// ```swift
/// let file = try InputFile.open("20190128.export.CSV.zip")   // "-" for standard input
/// while let chunk = try file.read() { … }
/// ```
public final class InputFile {
    /// How the file is stored.
    public enum Storage: Sendable, Equatable {
        case plain
        case gzip
        /// A zip archive; the name of its one entry.
        case zip(entry: String)
    }

    /// The name errors and reports use: the path, or `<stdin>` for "-".
    public var name: String { raw.name }
    /// How the file is stored.
    public private(set) var storage: Storage
    /// Bytes read from the file itself (compressed, for a compressed file), for progress.
    public var bytesRead: Int64 { raw.bytesRead }

    private let raw: RawInput
    private var inflation: Inflation?
    private var zip: ZipEntry?
    private var finished = false
    private static let chunkSize = 1 << 20

    private init(raw: RawInput) throws(InputError) {
        self.raw = raw
        let magic = Array(try raw.peek(4))
        if magic.starts(with: [0x1F, 0x8B]) {
            storage = .gzip
            inflation = try Inflation(windowBits: 15 + 16)
        } else if magic == [0x50, 0x4B, 0x05, 0x06] {
            throw InputError("cannot read \(raw.name): it is an empty zip archive")
        } else if magic == [0x50, 0x4B, 0x03, 0x04] {
            let entry = try ZipEntry.readHeader(raw)
            storage = .zip(entry: entry.name)
            zip = entry
            if entry.deflated { inflation = try Inflation(windowBits: -15) }
        } else {
            storage = .plain
        }
    }

    /// Opens `path` ("-" for standard input) and looks at its first bytes.
    /// - Throws: `InputError` when it cannot be opened, is a directory, or is a zip with other than one
    ///   file in it (seen at once for a file on disk, from its central directory).
    public static func open(_ path: String) throws(InputError) -> InputFile {
        if path == "-" { return try stream(fd: STDIN_FILENO, name: "<stdin>", closes: false) }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputError("cannot read \(path): \(String(cString: strerror(errno)))") }
        let raw = RawInput(fd: fd, name: path, closes: true)
        var info = stat()
        if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            throw InputError("cannot read \(path): it is a directory")
        }
        let file = try InputFile(raw: raw)
        if case .zip = file.storage, (info.st_mode & S_IFMT) == S_IFREG, let count = ZipEntry.entryCount(fd: fd, size: Int64(info.st_size)), count != 1 {
            throw InputError("cannot read \(path): the zip archive holds \(count) files; unzip it and import the file you want")
        }
        return file
    }

    /// Reads an open descriptor (standard input, a pipe) as it streams by: a second file in a zip archive
    /// is found only when the first has been read.
    static func stream(fd: Int32, name: String, closes: Bool) throws(InputError) -> InputFile {
        try InputFile(raw: RawInput(fd: fd, name: name, closes: closes))
    }

    /// The next bytes of the content (decompressed); nil at the end.
    /// - Throws: `InputError` for a read error, damaged or truncated compressed data, or a second file
    ///   in a zip archive read from standard input.
    public func read() throws(InputError) -> [UInt8]? {
        while true {
            guard let chunk = try readSome() else { return nil }
            if !chunk.isEmpty { return chunk }
        }
    }

    /// The next bytes, possibly none (between two gzip members); nil at the end.
    private func readSome() throws(InputError) -> [UInt8]? {
        if finished { return nil }
        switch storage {
        case .plain:
            let chunk = try raw.takeAvailable()
            if chunk.isEmpty { finished = true }
            return chunk.isEmpty ? nil : Array(chunk)
        case .gzip:
            guard let inflation else { return nil }
            let (bytes, ended) = try inflation.inflate(from: raw, capacity: Self.chunkSize, what: "gzip")
            if ended {
                // Another gzip member may follow; anything else after the end is ignored, as gzip does.
                if try raw.peek(2).elementsEqual([0x1F, 0x8B]) { inflation.reset() } else { finished = true }
            }
            return bytes.isEmpty && finished ? nil : bytes
        case .zip:
            guard var entry = zip else { return nil }
            defer { zip = entry }
            let bytes: [UInt8]
            let ended: Bool
            if let inflation {
                (bytes, ended) = try inflation.inflate(from: raw, capacity: Self.chunkSize, what: "zip")
            } else {
                bytes = Array(try raw.take(min(Self.chunkSize, entry.remainingStored)))
                entry.remainingStored -= bytes.count
                if bytes.isEmpty && entry.remainingStored > 0 {
                    throw InputError("cannot read \(raw.name): the zip data ends early (is the file complete?)")
                }
                ended = entry.remainingStored == 0
            }
            entry.checksum = bytes.withUnsafeBufferPointer { UInt32(crc32(uLong(entry.checksum), $0.baseAddress, uInt($0.count))) }
            if ended {
                finished = true
                try entry.finish(raw)
            }
            return bytes.isEmpty && finished ? nil : bytes
        }
    }
}
