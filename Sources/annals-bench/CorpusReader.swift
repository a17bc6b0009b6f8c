import AnnalsCore
import Dispatch
import Foundation

/// Reads a JSON Lines corpus into events, decoding lines on both cores.
enum CorpusReader {
    static func read(_ path: String, limit: Int = .max) throws(BenchError) -> [Event] {
        guard let data = FileManager.default.contents(atPath: path) else { throw BenchError("cannot read \(path)") }
        var ranges: [Range<Int>] = []
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            for i in 0..<bytes.count where bytes[i] == 0x0A {
                if i > start { ranges.append(start..<i) }
                start = i + 1
                if ranges.count >= limit { break }
            }
            if start < bytes.count && ranges.count < limit { ranges.append(start..<bytes.count) }
        }
        let parts = 16
        let slots = Mutex8<[Event]>(parts)
        let failures = Mutex8<String?>(parts)
        let lineRanges = ranges
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            var events: [Event] = []
            var failure: String?
            let lo = lineRanges.count * part / parts, hi = lineRanges.count * (part + 1) / parts
            events.reserveCapacity(hi - lo)
            data.withUnsafeBytes { raw in
                let bytes = raw.bindMemory(to: UInt8.self)
                for k in lo..<hi {
                    let r = lineRanges[k]
                    do {
                        if case .event(let e) = try EventLogCodec.decode(line: UnsafeBufferPointer(rebasing: bytes[r])) {
                            events.append(e)
                        }
                    } catch {
                        if failure == nil { failure = "line \(k + 1): \(error)" }
                    }
                }
            }
            slots.set(part, events)
            failures.set(part, failure)
        }
        if let failure = failures.values.compactMap({ $0 }).first { throw BenchError("\(path): \(failure)") }
        return slots.values.flatMap { $0 }
    }

    /// The texts the store compresses: every body, and summaries over its 512-byte threshold.
    static func compressedTexts(_ event: Event) -> [String] {
        var out: [String] = []
        if let summary = event.summary, summary.utf8.count > 512 { out.append(summary) }
        if let body = event.body { out.append(body) }
        return out
    }
}

/// Seconds since `start`.
func elapsed(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}
