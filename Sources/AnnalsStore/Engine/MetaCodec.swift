import AnnalsCore

/// The compact binary form of an event's small structured fields (actors, places, tags, sources,
/// references), stored uncompressed in `revisions.meta` so reading a timeline decompresses nothing.
///
/// Layout: version byte 1; then five lists, each a varint count followed by its items; strings are a
/// varint byte length and UTF-8; optional strings are a presence byte then the string. Actors are
/// (name, code?, role?), sources (url, publisher?, published?), references (id, relation code).
enum MetaCodec {
    static func encode(_ event: Event) -> [UInt8] {
        var out: [UInt8] = [1]
        out.reserveCapacity(64 + event.actors.count * 24 + event.tags.count * 12 + event.sources.count * 64)
        putCount(event.actors.count, &out)
        for actor in event.actors {
            putString(actor.name, &out)
            putOptional(actor.code, &out)
            putOptional(actor.role, &out)
        }
        putCount(event.places.count, &out)
        for place in event.places { putString(place, &out) }
        putCount(event.tags.count, &out)
        for tag in event.tags { putString(tag, &out) }
        putCount(event.sources.count, &out)
        for source in event.sources {
            putString(source.url, &out)
            putOptional(source.publisher, &out)
            putOptional(source.published, &out)
        }
        putCount(event.references.count, &out)
        for reference in event.references {
            putString(reference.id, &out)
            out.append(reference.relation.code)
        }
        return out
    }

    /// Fills the structured fields of `event` from `bytes`.
    /// - Throws: `StoreError.corrupt` when the bytes are damaged.
    static func decode(_ bytes: UnsafeRawBufferPointer, into event: inout Event) throws(StoreError) {
        var r = Reader(bytes: bytes)
        guard try r.byte() == 1 else { throw StoreError(.corrupt, "unknown meta version") }
        event.actors = try r.list { (r: inout Reader) throws(StoreError) in
            Actor(name: try r.string(), code: try r.optional(), role: try r.optional())
        }
        event.places = try r.list { (r: inout Reader) throws(StoreError) in try r.string() }
        event.tags = try r.list { (r: inout Reader) throws(StoreError) in try r.string() }
        event.sources = try r.list { (r: inout Reader) throws(StoreError) in
            Source(url: try r.string(), publisher: try r.optional(), published: try r.optional())
        }
        event.references = try r.list { (r: inout Reader) throws(StoreError) in
            let id = try r.string()
            guard let relation = Relation(code: try r.byte()) else { throw StoreError(.corrupt, "unknown relation code") }
            return Reference(id: id, relation: relation)
        }
    }

    private static func putCount(_ value: Int, _ out: inout [UInt8]) {
        var v = UInt64(value)
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    private static func putString(_ s: String, _ out: inout [UInt8]) {
        putCount(s.utf8.count, &out)
        out.append(contentsOf: s.utf8)
    }

    private static func putOptional(_ s: String?, _ out: inout [UInt8]) {
        if let s {
            out.append(1)
            putString(s, &out)
        } else {
            out.append(0)
        }
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        mutating func byte() throws(StoreError) -> UInt8 {
            guard offset < bytes.count else { throw StoreError(.corrupt, "truncated meta") }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func count() throws(StoreError) -> Int {
            var value = 0, shift = 0
            while true {
                let b = try byte()
                value |= Int(b & 0x7F) << shift
                if b < 0x80 { break }
                shift += 7
                guard shift < 35 else { throw StoreError(.corrupt, "bad length in meta") }
            }
            guard value <= bytes.count - offset || value == 0 else { throw StoreError(.corrupt, "length past end of meta") }
            return value
        }

        mutating func string() throws(StoreError) -> String {
            let n = try count()
            guard offset + n <= bytes.count else { throw StoreError(.corrupt, "truncated meta string") }
            defer { offset += n }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + n]), as: UTF8.self)
        }

        mutating func optional() throws(StoreError) -> String? {
            try byte() == 0 ? nil : try string()
        }

        mutating func list<T>(_ item: (inout Reader) throws(StoreError) -> T) throws(StoreError) -> [T] {
            let n = try count()
            var out: [T] = []
            out.reserveCapacity(n)
            for _ in 0..<n { out.append(try item(&self)) }
            return out
        }
    }
}
