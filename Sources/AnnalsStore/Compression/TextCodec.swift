import Synchronization

/// Compresses and decompresses stored text with the store's versioned preset dictionaries.
///
/// Thread-safe. Compression runs on the caller's thread (so many connections compress in parallel, off
/// the writer): each thread borrows a `Deflater` primed with the current dictionary from a pool.
final class TextCodec: Sendable {
    private struct State {
        var dictionaries: [Int64: [UInt8]] = [0: []]
        var current: Int64 = 0
        var pool: [Deflater] = []
    }

    private let state = Mutex(State())
    private let level: Int32

    init(level: Int32 = 6) {
        self.level = level
    }

    /// The dictionary version new records are compressed with (0: none).
    var currentDictionary: Int64 { state.withLock { $0.current } }

    /// Makes `bytes` known as dictionary `id`, and the current one when `current` is set.
    func install(dictionary id: Int64, bytes: [UInt8], current: Bool) {
        state.withLock { state in
            state.dictionaries[id] = bytes
            if current && id >= state.current {
                state.current = id
                state.pool.removeAll()
            }
        }
    }

    /// Compresses `text` with the current dictionary.
    /// - Returns: the raw-deflate bytes and the dictionary version used.
    func compress(_ text: String) throws(CompressionError) -> (bytes: [UInt8], dictionary: Int64) {
        let deflater = try borrow()
        defer { giveBack(deflater) }
        return (try deflater.compress(text), deflater.dictionaryID)
    }

    /// The text that `bytes` holds, compressed with dictionary `dictionary`.
    func decompress(_ bytes: UnsafeRawBufferPointer, dictionary: Int64, length: Int) throws(CompressionError) -> String {
        guard let dict = state.withLock({ $0.dictionaries[dictionary] }) else {
            throw CompressionError("record names dictionary \(dictionary), which the store does not have")
        }
        return try Inflater.inflateText(bytes, dictionary: dict, originalLength: length)
    }

    private func borrow() throws(CompressionError) -> Deflater {
        let (pooled, id, dict) = state.withLock { state -> (Deflater?, Int64, [UInt8]) in
            (state.pool.popLast(), state.current, state.dictionaries[state.current] ?? [])
        }
        if let pooled { return pooled }
        return try Deflater(dictionaryID: id, dictionary: dict, level: level)
    }

    private func giveBack(_ deflater: Deflater) {
        state.withLock { state in
            if deflater.dictionaryID == state.current && state.pool.count < 16 {
                state.pool.append(deflater)
            }
        }
    }
}
