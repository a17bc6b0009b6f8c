import AnnalsCore
import AnnalsStore
import CAnnalsZlib
import Dispatch
import Foundation

/// Plain zlib measurements (no preset dictionary) to set the store's dictionary compression against.
enum Zlib {
    /// Raw deflate (as the store writes, without zlib's 6-byte wrapper) of `text` at `level`: compressed size.
    static func rawDeflateSize(_ text: String, level: Int32 = 6) -> Int {
        var stream = z_stream()
        guard cannals_deflateInit2(&stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK else { return 0 }
        defer { deflateEnd(&stream) }
        var text = text
        return text.withUTF8 { input -> Int in
            let bound = Int(deflateBound(&stream, uLong(input.count))) + 16
            var out = [UInt8](repeating: 0, count: bound)
            return out.withUnsafeMutableBufferPointer { o -> Int in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = o.baseAddress
                stream.avail_out = uInt(o.count)
                return deflate(&stream, Z_FINISH) == Z_STREAM_END ? Int(stream.total_out) : 0
            }
        }
    }

    /// gzip of the concatenation of `texts` as one stream: the bound a whole-log compressor reaches.
    static func gzipSize(_ texts: [String], level: Int32 = 6) -> Int {
        var stream = z_stream()
        guard cannals_deflateInit2(&stream, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) == Z_OK else { return 0 }
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: 1 << 20)
        var total = 0
        func pump(_ flush: Int32) -> Int32 {
            var rc: Int32 = Z_OK
            repeat {
                rc = out.withUnsafeMutableBufferPointer { o -> Int32 in
                    stream.next_out = o.baseAddress
                    stream.avail_out = uInt(o.count)
                    return deflate(&stream, flush)
                }
                total += out.count - Int(stream.avail_out)
            } while stream.avail_out == 0 && rc == Z_OK
            return rc
        }
        for var text in texts {
            text.withUTF8 { input in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = uInt(input.count)
                _ = pump(Z_NO_FLUSH)
            }
        }
        stream.next_in = nil
        stream.avail_in = 0
        _ = pump(Z_FINISH)
        return total
    }

    /// Per-record raw deflate of every text, on both cores: (text bytes, compressed bytes).
    static func perRecord(_ texts: [String], level: Int32 = 6) -> (Int, Int) {
        let parts = 8
        let slots = Mutex8<(Int, Int)>(parts)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            var plain = 0, packed = 0
            var i = part
            while i < texts.count {
                plain += texts[i].utf8.count
                packed += rawDeflateSize(texts[i], level: level)
                i += parts
            }
            slots.set(part, (plain, packed))
        }
        return slots.values.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
    }
}

/// `annals-bench compression --file corpus.jsonl`: per-record zlib (several levels) and whole-log gzip -6 of
/// exactly the texts the store compresses.
enum CompressionCommand {
    static func run(_ args: Args) throws(BenchError) {
        let events = try CorpusReader.read(try args.string("file"))
        let texts = events.flatMap(CorpusReader.compressedTexts)
        var result: [String: Any] = ["events": events.count, "records": texts.count]
        let levels = args.string("levels", default: "6").split(separator: ",").compactMap { Int32($0) }
        for level in levels {
            let start = DispatchTime.now()
            let (plain, packed) = Zlib.perRecord(texts, level: level)
            result["text_bytes"] = plain
            result["zlib\(level)_bytes"] = packed
            result["zlib\(level)_ratio"] = Double(plain) / Double(max(1, packed))
            result["zlib\(level)_seconds"] = elapsed(since: start)
        }
        let start = DispatchTime.now()
        let gzip = Zlib.gzipSize(texts)
        result["gzip6_bytes"] = gzip
        result["gzip6_ratio"] = Double(result["text_bytes"] as? Int ?? 0) / Double(max(1, gzip))
        result["gzip6_seconds"] = elapsed(since: start)
        printJSON(result)
    }
}

/// `annals-bench control --files a,b,… --dir tmp`: compression on real English prose, cut into ~1 KB records.
///
/// The store's figure is held out: the first half of the records is stored without a dictionary, a dictionary
/// is trained from the store (as the store does on its own), and the ratio is that of the second half.
enum ControlCommand {
    static func records(_ text: String, size: Int = 1024) -> [String] {
        var out: [String] = []
        var current = ""
        for paragraph in text.components(separatedBy: "\n\n") {
            let p = paragraph.trimmingCharacters(in: .whitespacesAndNewlines)
            if p.isEmpty { continue }
            current += current.isEmpty ? p : "\n\n" + p
            while current.utf8.count >= size {
                // Cut long text near `size` bytes at a space.
                var cut = current.utf8.index(current.utf8.startIndex, offsetBy: min(current.utf8.count, size + size / 4))
                if current.utf8.count > size + size / 4 {
                    while cut > current.startIndex && current.utf8[cut] != 0x20 { cut = current.utf8.index(before: cut) }
                    if cut == current.startIndex { cut = current.utf8.index(current.utf8.startIndex, offsetBy: size) }
                } else {
                    cut = current.endIndex
                }
                out.append(String(current[..<cut]))
                current = String(current[cut...]).trimmingCharacters(in: .whitespaces)
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    static func run(_ args: Args) throws(BenchError) {
        let files = try args.string("files").split(separator: ",").map(String.init)
        let dir = try args.string("dir")
        var records: [String] = []
        var sourceBytes = 0
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            let text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r", with: "")
                .replacingOccurrences(of: "\u{0C}", with: "\n")
            sourceBytes += data.count
            records += Self.records(text)
        }
        guard records.count >= 20 else { throw BenchError("the control corpus has only \(records.count) records: name more files") }
        let (plain, packed) = Zlib.perRecord(records)
        let gzip = Zlib.gzipSize(records)

        let path = dir + "/control.sqlite"
        for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
        var options = SQLiteEventStore.Options()
        options.dictionaryTrainingThreshold = 0
        let half = records.count / 2
        var heldOut: (text: Int64, compressed: Int64) = (0, 0)
        do {
            let store = try SQLiteEventStore(path: path, options: options)
            func append(_ range: Range<Int>) throws(StoreError) {
                var entries: [LogEntry] = []
                for i in range {
                    let date = try! HistoricalDate(parsing: "2000-01-01")
                    entries.append(.event(Event(id: "control-\(i)", date: date, kind: .other, title: "Control record \(i)", body: records[i])))
                }
                _ = try store.append(entries)
            }
            try append(0..<half)
            let before = try store.stats()
            _ = try store.trainDictionary()
            try append(half..<records.count)
            let after = try store.stats()
            heldOut = (after.textBytes - before.textBytes, after.compressedBytes - before.compressedBytes)
            store.close()
        } catch {
            throw BenchError("control store: \(error.message)")
        }
        let heldOutPlain = Zlib.perRecord(Array(records[half...]))
        printJSON([
            "files": files.count, "source_bytes": sourceBytes, "records": records.count,
            "record_median_bytes": records.map(\.utf8.count).sorted()[records.count / 2],
            "text_bytes": plain, "zlib6_bytes": packed, "zlib6_ratio": Double(plain) / Double(max(1, packed)),
            "gzip6_bytes": gzip, "gzip6_ratio": Double(plain) / Double(max(1, gzip)),
            "store_heldout_text_bytes": heldOut.text, "store_heldout_compressed_bytes": heldOut.compressed,
            "store_heldout_ratio": Double(heldOut.text) / Double(max(1, heldOut.compressed)),
            "zlib6_heldout_ratio": Double(heldOutPlain.0) / Double(max(1, heldOutPlain.1)),
        ])
    }
}
