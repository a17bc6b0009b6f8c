import AnnalsCore

/// Builds a zlib preset dictionary from a sample of a store's own text.
///
/// zlib looks matches up in the last 32 KB before the data, and codes nearer matches more cheaply, so a
/// good dictionary is the store's most frequent phrases, the most valuable last. The trainer scores word
/// n-grams (1 to 4 words, with their spacing) by `(occurrences − 1) × length` across the sample, keeps the
/// best that fit, and writes them in ascending order of score.
package enum DictionaryTrainer {
    /// zlib's window: a longer dictionary is truncated to its last 32 KB.
    package static let maxSize = 32 * 1024

    /// A dictionary of at most `size` bytes trained from `samples`; empty when the sample is too small to help.
    package static func train(samples: [String], size: Int = maxSize) -> [UInt8] {
        var counts: [Substring: Int] = [:]
        for sample in samples {
            let words = sample.split(whereSeparator: { $0 == " " || $0 == "\n" })
            guard !words.isEmpty else { continue }
            // Each n-gram includes its leading space, as it will appear mid-text.
            var documentSeen = Set<Substring>()
            for n in 1...4 {
                if words.count < n { break }
                for start in 0...(words.count - n) {
                    let first = words[start], last = words[start + n - 1]
                    var lower = first.startIndex
                    if lower > sample.startIndex { lower = sample.index(before: lower) }
                    let phrase = sample[lower..<last.endIndex]
                    guard phrase.utf8.count >= 4, phrase.utf8.count <= 64 else { continue }
                    if documentSeen.insert(phrase).inserted {
                        counts[phrase, default: 0] += 1
                    }
                }
            }
        }
        // Phrases that occur in at least two documents, best score first.
        let scored = counts.compactMap { (phrase, count) -> (Substring, Int)? in
            count >= 2 ? (phrase, (count - 1) * phrase.utf8.count) : nil
        }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }

        var chosen: [(Substring, Int)] = []
        var total = 0
        for (phrase, score) in scored {
            let length = phrase.utf8.count
            if total + length > size { continue }
            chosen.append((phrase, score))
            total += length
            if total >= size - 4 { break }
        }
        guard total >= 256 else { return [] }
        // Least valuable first, so the best phrases sit closest to the data.
        var dictionary: [UInt8] = []
        dictionary.reserveCapacity(total)
        for (phrase, _) in chosen.reversed() { dictionary.append(contentsOf: phrase.utf8) }
        return dictionary
    }

    /// Summaries and bodies from the end of a log, newest first, until about `sampleBytes` of text: what a
    /// dictionary is trained on.
    /// - Parameter entries: reads up to `limit` log entries after a position (the store's `entries(after:limit:)`).
    package static func samples(lastSeq: Int64, sampleBytes: Int,
                                entries: (_ after: Int64, _ limit: Int) throws(StoreError) -> [SequencedEntry]) throws(StoreError) -> [String] {
        var texts: [String] = []
        var bytes = 0
        var before = lastSeq
        while bytes < sampleBytes && before > 0 {
            for entry in try entries(max(0, before - 200), 200) {
                if case .event(let event) = entry.entry {
                    for text in [event.summary, event.body].compactMap({ $0 }) {
                        texts.append(text)
                        bytes += text.utf8.count
                    }
                }
            }
            before -= 200
        }
        return texts
    }
}
