import Synchronization

/// Compresses and decompresses stored text with the store's versioned preset dictionaries.
///
/// Thread-safe. Compression runs on the caller's thread (so many connections compress in parallel, off
/// the writer): each batch borrows a `Deflater` primed with the current dictionary from a pool.
package final class TextCodec: Sendable {
    private struct State {
        var dictionaries: [Int64: [UInt8]] = [0: []]
        var current: Int64 = 0
        var pool: [Deflater] = []
    }

    private let state = Mutex(State())
    private let level: Int32

    package init(level: Int32 = 6) {
        self.level = level
    }

    /// Makes `bytes` known as dictionary `id`, and the current one when `current` is set.
    package func install(dictionary id: Int64, bytes: [UInt8], current: Bool) {
        state.withLock { state in
            state.dictionaries[id] = bytes
            if current && id >= state.current {
                state.current = id
                state.pool.removeAll()
            }
        }
    }

    /// Runs `body` with one deflater primed with the current dictionary, borrowed from the pool for the
    /// whole run (a batch): the pool's lock is taken twice per batch, not per text. With many connections
    /// compressing at once, per-text borrowing made that lock a quarter of annalsd's CPU
    /// (Scripts/bench-results/2026-11-29T100708Z/profile.md §1).
    package func withSession<T>(_ body: (CompressionSession) -> T) -> T {
        let session = CompressionSession(deflater: Result { () throws(CompressionError) in try borrow() })
        defer { if case .success(let deflater) = session.deflater { giveBack(deflater) } }
        return body(session)
    }

    /// Compresses one text with the current dictionary (a session of one).
    /// - Returns: the raw-deflate bytes and the dictionary version used.
    package func compress(_ text: String) throws(CompressionError) -> (bytes: [UInt8], dictionary: Int64) {
        try withSession { session in
            Result { () throws(CompressionError) in (try session.compress(text), session.dictionary) }
        }.get()
    }

    /// The text that `bytes` holds, compressed with dictionary `dictionary`.
    package func decompress(_ bytes: UnsafeRawBufferPointer, dictionary: Int64, length: Int) throws(CompressionError) -> String {
        guard let dict = state.withLock({ $0.dictionaries[dictionary] }) else {
            throw CompressionError("record names dictionary \(dictionary), which the store does not have")
        }
        return try Inflater.inflateText(bytes, dictionary: dict, originalLength: length)
    }

    /// The UTF-8 bytes that `bytes` holds, compressed with dictionary `dictionary`.
    package func decompressBytes(_ bytes: UnsafeRawBufferPointer, dictionary: Int64, length: Int) throws(CompressionError) -> [UInt8] {
        guard let dict = state.withLock({ $0.dictionaries[dictionary] }) else {
            throw CompressionError("record names dictionary \(dictionary), which the store does not have")
        }
        return try Inflater.inflate(bytes, dictionary: dict, originalLength: length)
    }

    /// Whether dictionary `id` is installed (another process sharing the database may have trained a newer one).
    package func hasDictionary(_ id: Int64) -> Bool {
        state.withLock { $0.dictionaries[id] != nil }
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

/// Compression on one thread for one batch, with the deflater `TextCodec.withSession` borrowed.
package struct CompressionSession {
    fileprivate let deflater: Result<Deflater, CompressionError>

    /// The dictionary version this session compresses with (0: none, or no deflater could be made).
    package var dictionary: Int64 { (try? deflater.get())?.dictionaryID ?? 0 }

    /// Raw-deflate bytes of `text` with the session's dictionary.
    package func compress(_ text: String) throws(CompressionError) -> [UInt8] {
        try deflater.get().compress(text)
    }
}
