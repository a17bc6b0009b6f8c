import CAnnalsZlib

/// Compresses records with raw deflate, optionally primed with a preset dictionary.
///
/// Priming a stream with a 32 KB dictionary costs as much as compressing a few KB, so a `Deflater`
/// primes one stream once and, for each record, copies it (`deflateCopy`) instead of priming again.
/// Not thread-safe: one thread at a time uses it (`TextCodec` pools them), hence `@unchecked Sendable`.
final class Deflater: @unchecked Sendable {
    /// The dictionary version this deflater is primed with (0 for none).
    let dictionaryID: Int64
    private var primed = z_stream()
    private var scratch = z_stream()
    private var scratchLive = false
    private let level: Int32
    private var output: [UInt8] = []

    /// - Parameters:
    ///   - dictionary: the preset dictionary bytes (empty for plain deflate).
    ///   - level: zlib level 1…9.
    init(dictionaryID: Int64, dictionary: [UInt8], level: Int32 = 6) throws(CompressionError) {
        self.dictionaryID = dictionaryID
        self.level = level
        let rc = cannals_deflateInit2(&primed, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY)
        guard rc == Z_OK else { throw CompressionError("deflateInit2 failed (\(rc))") }
        if !dictionary.isEmpty {
            let rc = dictionary.withUnsafeBufferPointer { buffer in
                deflateSetDictionary(&primed, buffer.baseAddress, uInt(buffer.count))
            }
            guard rc == Z_OK else { throw CompressionError("deflateSetDictionary failed (\(rc))") }
        }
    }

    deinit {
        deflateEnd(&primed)
        if scratchLive { deflateEnd(&scratch) }
    }

    /// The raw-deflate compression of `input`.
    func compress(_ input: UnsafeRawBufferPointer) throws(CompressionError) -> [UInt8] {
        if scratchLive {
            deflateEnd(&scratch)
            scratchLive = false
        }
        guard deflateCopy(&scratch, &primed) == Z_OK else { throw CompressionError("deflateCopy failed") }
        scratchLive = true
        let bound = Int(deflateBound(&scratch, uLong(input.count))) + 16
        if output.count < bound { output = [UInt8](repeating: 0, count: bound) }
        let rc: Int32 = output.withUnsafeMutableBufferPointer { out in
            scratch.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            scratch.avail_in = uInt(input.count)
            scratch.next_out = out.baseAddress
            scratch.avail_out = uInt(out.count)
            return deflate(&scratch, Z_FINISH)
        }
        guard rc == Z_STREAM_END else { throw CompressionError("deflate failed (\(rc))") }
        return Array(output[0..<Int(scratch.total_out)])
    }

    /// The compression of a string's UTF-8 bytes.
    func compress(_ text: String) throws(CompressionError) -> [UInt8] {
        var text = text
        let result: Result<[UInt8], CompressionError> = text.withUTF8 { buffer in
            Result { () throws(CompressionError) in try compress(UnsafeRawBufferPointer(buffer)) }
        }
        return try result.get()
    }
}
