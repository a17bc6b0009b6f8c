import AnnalsCore
import AnnalsPostgres
import AnnalsStore
import Dispatch
import Foundation

/// `annals-bench micro --file corpus.jsonl`: per-event CPU of the work annalsd does on every append outside the
/// store's writer (validation, the JSON encoding hashed for idempotency, folded facet keys, the search tokens, the
/// PostgreSQL engine's search vector, the body's compression at each engine's level with a dictionary trained from
/// the corpus), one thread, and of byte-level equivalents, as evidence for where ingest CPU goes.
enum MicroCommand {
    /// The same answer as `Text.hasControlCharacterBesidesWhitespace` (general category Cc is U+0000–U+001F and
    /// U+007F–U+009F), by scanning UTF-8 bytes.
    static func hasControlBytes(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var i = 0
            while i < bytes.count {
                let b = bytes[i]
                if b < 0x20 { if b != 0x09 && b != 0x0A && b != 0x0D { return true } }
                else if b == 0x7F { return true }
                else if b == 0xC2, i + 1 < bytes.count, bytes[i + 1] >= 0x80, bytes[i + 1] <= 0x9F { return true }
                i += 1
            }
            return false
        }
    }

    static func run(_ args: Args) throws(BenchError) {
        let events = try CorpusReader.read(try args.string("file"), limit: try args.int("limit", default: 20_000))
        func time(_ body: () -> Int) -> (us: Double, check: Int) {
            let start = DispatchTime.now()
            let check = body()
            return (elapsed(since: start) * 1e6 / Double(events.count), check)
        }
        let validator = EventValidator()
        let validate = time { events.reduce(0) { n, e in n + ((try? validator.validate(e)) == nil ? 1 : 0) } }
        let encode = time { events.reduce(0) { $0 + EventLogCodec.encode($1).utf8.count } }
        let control = time { events.reduce(0) { $0 + (Text.hasControlCharacterBesidesWhitespace($1.body ?? "") ? 1 : 0) } }
        let controlBytes = time { events.reduce(0) { $0 + (hasControlBytes($1.body ?? "") ? 1 : 0) } }
        let fold = time { events.reduce(0) { n, e in n + e.actors.reduce(0) { $0 + Text.foldedKey($1.name).utf8.count } } }
        let copy = time { events.reduce(0) { n, e in var s = ""; s.reserveCapacity(e.body?.utf8.count ?? 0); s += e.body ?? ""; return n + s.utf8.count } }
        let tokenize = time {
            events.reduce(0) { n, e in
                var count = 0
                for field in [e.title, e.summary, e.body] { SearchTokenizer.forEachTokenUTF8(in: field ?? "") { count += $0.count } }
                return n + count
            }
        }
        let dictionary = DictionaryTrainer.train(samples: events.prefix(2_000).compactMap(\.body))
        func compressAll(level: Int32) -> (us: Double, check: Int) {
            let codec = TextCodec(level: level)
            codec.install(dictionary: 1, bytes: dictionary, current: true)
            return time { codec.withSession { session in events.reduce(0) { $0 + ((try? session.compress($1.body ?? ""))?.count ?? 0) } } }
        }
        let compress = compressAll(level: SQLiteEventStore.Options().compressionLevel)
        let compressPostgres = compressAll(level: PostgresEventStore.Options().compressionLevel)
        let vector = time { events.reduce(0) { $0 + SearchDocument.tsvector(title: $1.title, summary: $1.summary, body: $1.body).count } }
        printJSON(["events": events.count,
                   "validate_us": validate.us, "encode_us": encode.us,
                   "body_control_check_us": control.us, "body_control_check_bytes_us": controlBytes.us,
                   "control_checks_agree": control.check == controlBytes.check,
                   "fold_actor_names_us": fold.us, "body_copy_us": copy.us,
                   "search_tokens_us": tokenize.us, "search_vector_us": vector.us,
                   "compress_body_us": compress.us, "compressed_body_bytes": compress.check / events.count,
                   "compress_body_postgresql_us": compressPostgres.us,
                   "compressed_body_postgresql_bytes": compressPostgres.check / events.count])
    }
}
