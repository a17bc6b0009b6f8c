import CAnnalsZlib
import Foundation
import ZIPFoundation

/// zlib's own compression, for gzip fixtures and raw deflate.
enum Zlib {
    /// `bytes` compressed with deflate: a gzip member (windowBits 31) or raw (-15).
    static func deflate(_ bytes: [UInt8], windowBits: Int32) -> [UInt8] {
        var stream = z_stream()
        precondition(cannals_deflateInit2(&stream, 6, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY) == Z_OK)
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 64)
        var input = bytes
        let written: Int = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                precondition(CAnnalsZlib.deflate(&stream, Z_FINISH) == Z_STREAM_END)
                return outBuffer.count - Int(stream.avail_out)
            }
        }
        return Array(output.prefix(written))
    }

    static func gzip(_ bytes: [UInt8]) -> [UInt8] { deflate(bytes, windowBits: 31) }

    static func crc(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
    }
}

/// Zip archives for the tests: written by ZIPFoundation, or by hand for a streamed entry.
enum Zipper {
    /// An archive of `files`, written by ZIPFoundation.
    static func zip(_ files: [(String, [UInt8])], method: CompressionMethod) throws -> [UInt8] {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (name, bytes) in files {
            let data = Data(bytes)
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: method) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return Array(archive.data ?? Data())
    }

    /// One deflated entry written as a stream writes it: sizes and CRC left out of the local header
    /// (flag bit 3) and given in a data descriptor after the data.
    static func streamedZip(name: String, _ bytes: [UInt8]) -> [UInt8] {
        let compressed = Zlib.deflate(bytes, windowBits: -15)
        let crc = Zlib.crc(bytes)
        let nameBytes = Array(name.utf8)
        var out: [UInt8] = []
        func le16(_ v: Int) { out += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func le32(_ v: UInt32) { out += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }
        le32(0x0403_4B50); le16(20); le16(8); le16(8); le16(0); le16(0x21)
        le32(0); le32(0); le32(0); le16(nameBytes.count); le16(0)
        out += nameBytes + compressed
        le32(0x0807_4B50); le32(crc); le32(UInt32(compressed.count)); le32(UInt32(bytes.count))
        let directory = out.count
        le32(0x0201_4B50); le16(20); le16(20); le16(8); le16(8); le16(0); le16(0x21)
        le32(crc); le32(UInt32(compressed.count)); le32(UInt32(bytes.count)); le16(nameBytes.count)
        le16(0); le16(0); le16(0); le16(0); le32(0); le32(0)
        out += nameBytes
        let directorySize = out.count - directory
        le32(0x0605_4B50); le16(0); le16(0); le16(1); le16(1); le32(UInt32(directorySize)); le32(UInt32(directory)); le16(0)
        return out
    }
}
