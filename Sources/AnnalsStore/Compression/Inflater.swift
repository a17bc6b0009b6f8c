import CAnnalsZlib

/// Decompresses raw-deflate records written by `Deflater`, with the same dictionary.
enum Inflater {
    /// The `originalLength` bytes that `compressed` inflates to.
    /// - Throws: `CompressionError` when the data is damaged, the dictionary is wrong, or the length differs.
    static func inflate(_ compressed: UnsafeRawBufferPointer, dictionary: [UInt8], originalLength: Int) throws(CompressionError) -> [UInt8] {
        var stream = z_stream()
        guard cannals_inflateInit2(&stream, -15) == Z_OK else { throw CompressionError("inflateInit2 failed") }
        defer { inflateEnd(&stream) }
        if !dictionary.isEmpty {
            let rc = dictionary.withUnsafeBufferPointer { inflateSetDictionary(&stream, $0.baseAddress, uInt($0.count)) }
            guard rc == Z_OK else { throw CompressionError("inflateSetDictionary failed (\(rc))") }
        }
        var output = [UInt8](repeating: 0, count: originalLength)
        let rc: Int32 = output.withUnsafeMutableBufferPointer { out in
            stream.next_in = UnsafeMutablePointer(mutating: compressed.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(compressed.count)
            stream.next_out = out.baseAddress
            stream.avail_out = uInt(out.count)
            var rc = CAnnalsZlib.inflate(&stream, Z_FINISH)
            if rc == Z_BUF_ERROR && stream.avail_out == 0 && originalLength == 0 { rc = Z_STREAM_END }
            return rc
        }
        guard rc == Z_STREAM_END else {
            throw CompressionError("damaged record or wrong dictionary (inflate returned \(rc))")
        }
        guard Int(stream.total_out) == originalLength else {
            throw CompressionError("record inflated to \(stream.total_out) bytes, expected \(originalLength)")
        }
        return output
    }

    /// The text that `compressed` inflates to.
    static func inflateText(_ compressed: UnsafeRawBufferPointer, dictionary: [UInt8], originalLength: Int) throws(CompressionError) -> String {
        let bytes = try inflate(compressed, dictionary: dictionary, originalLength: originalLength)
        return String(decoding: bytes, as: UTF8.self)
    }
}
