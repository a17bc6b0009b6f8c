import AnnalsCore
import Foundation

/// Writes the corpus in the forms the peers load: psql COPY scripts and Redis RESP.
enum ExportCommand {
    /// Everything but the text, as JSON (the peers keep it in one column or field).
    static func meta(_ e: Event) -> String {
        EventLogCodec.encode(Event(id: e.id, date: e.date, kind: e.kind, title: "-", actors: e.actors, places: e.places,
                                   tags: e.tags, sources: e.sources, references: e.references))
    }

    /// The filter keys Annals indexes an event under (actor names and codes, tags, reference targets).
    static func facets(_ e: Event) -> [String] {
        var out: [String] = []
        var seen = Set<String>()
        func add(_ key: String) { if seen.insert(key).inserted { out.append(key) } }
        for actor in e.actors {
            add("a:" + Text.foldedKey(actor.name))
            if let code = actor.code { add("c:" + Text.foldedKey(code)) }
        }
        for tag in e.tags { add("t:" + Text.foldedKey(tag)) }
        for reference in e.references { add("r:" + reference.id) }
        return out
    }

    /// A value in PostgreSQL's COPY text format.
    static func copyField(_ s: String?) -> String {
        guard let s else { return "\\N" }
        var out = ""
        out.reserveCapacity(s.utf8.count + 8)
        for ch in s.unicodeScalars {
            switch ch {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// `pg-copy --file corpus.jsonl --out prefix --clients K [--batch 1000]`: K psql scripts, batches dealt round
    /// robin, each batch one transaction of COPY into events and event_facets.
    static func pgCopy(_ args: Args) throws(BenchError) {
        let events = try CorpusReader.read(try args.string("file"), limit: try args.int("limit", default: .max))
        let prefix = try args.string("out")
        let clients = try args.int("clients", default: 1), batch = try args.int("batch", default: 1000)
        var handles: [FileHandle] = []
        for c in 0..<clients {
            let path = "\(prefix).\(clients).\(c).sql"
            FileManager.default.createFile(atPath: path, contents: nil)
            guard let h = FileHandle(forWritingAtPath: path) else { throw BenchError("cannot write \(path)") }
            handles.append(h)
        }
        var b = 0
        while b * batch < events.count {
            let slice = events[(b * batch)..<min(events.count, (b + 1) * batch)]
            var text = "BEGIN;\nCOPY events(id, date, lower, upper, kind, title, summary, body, meta) FROM STDIN;\n"
            var facetText = "COPY event_facets(facet, lower, upper, event) FROM STDIN;\n"
            for e in slice {
                let lower = e.date.lower?.dayNumber ?? -1_000_000_000, upper = e.date.upper?.dayNumber ?? 1_000_000_000
                text += [copyField(e.id), copyField(e.date.canonical), "\(lower)", "\(upper)", "\(e.kind.code)",
                         copyField(e.title), copyField(e.summary), copyField(e.body), copyField(meta(e))].joined(separator: "\t")
                text += "\n"
                for facet in facets(e) { facetText += "\(copyField(facet))\t\(lower)\t\(upper)\t\(copyField(e.id))\n" }
            }
            text += "\\.\n" + facetText + "\\.\nCOMMIT;\n"
            handles[b % clients].write(Data(text.utf8))
            b += 1
        }
        for h in handles { try? h.close() }
        printJSON(["events": events.count, "clients": clients, "batches": b])
    }

    /// `resp --file corpus.jsonl --out prefix [--clients K]`: one XADD per event (fields id, date, kind, title,
    /// summary, body, meta) for `redis-cli --pipe`, 1000-event batches dealt round robin to K files `prefix.K.i`.
    static func resp(_ args: Args) throws(BenchError) {
        let events = try CorpusReader.read(try args.string("file"), limit: try args.int("limit", default: .max))
        let prefix = try args.string("out")
        let clients = try args.int("clients", default: 1)
        var handles: [FileHandle] = []
        for c in 0..<clients {
            let path = "\(prefix).\(clients).\(c)"
            FileManager.default.createFile(atPath: path, contents: nil)
            guard let h = FileHandle(forWritingAtPath: path) else { throw BenchError("cannot write \(path)") }
            handles.append(h)
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(4 << 20)
        func bulk(_ s: String) {
            buffer += Array("$\(s.utf8.count)\r\n".utf8)
            buffer += Array(s.utf8)
            buffer += [13, 10]
        }
        for (i, e) in events.enumerated() {
            let fields = ["XADD", "events", "*", "id", e.id, "date", e.date.canonical, "kind", e.kind.rawValue, "title", e.title,
                          "summary", e.summary ?? "", "body", e.body ?? "", "meta", meta(e)]
            buffer += Array("*\(fields.count)\r\n".utf8)
            for f in fields { bulk(f) }
            if (i + 1) % 1000 == 0 || i == events.count - 1 {
                handles[(i / 1000) % clients].write(Data(buffer))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        for h in handles { try? h.close() }
        printJSON(["events": events.count, "clients": clients])
    }
}
