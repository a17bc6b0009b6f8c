extension Event {
    /// A stable 64-bit hash of what the event says, ignoring what the store assigns (recorded, revision):
    /// equal content gives equal hashes across runs and machines. Each field is fed with a tag and its
    /// length, so moving text between fields changes the hash. Cheaper than hashing the encoded log line.
    public var contentHash: UInt64 {
        var h = ContentHasher()
        h.add(1, id)
        h.add(2, date.canonical)
        h.add(3, kind.rawValue)
        h.add(4, title)
        h.add(5, summary)
        h.add(6, body)
        for actor in actors {
            h.add(7, actor.name)
            h.add(8, actor.code)
            h.add(9, actor.role)
        }
        for place in places { h.add(10, place) }
        for tag in tags { h.add(11, tag) }
        for source in sources {
            h.add(12, source.url)
            h.add(13, source.publisher)
            h.add(14, source.published)
        }
        for reference in references {
            h.add(15, reference.id)
            h.add(16, reference.relation.rawValue)
        }
        return h.value
    }
}

extension Retraction {
    /// A stable hash of the retraction's id and reason.
    public var contentHash: UInt64 {
        var h = ContentHasher()
        h.add(1, id)
        h.add(17, reason)
        return h.value
    }
}

/// FNV-1a over tagged, length-prefixed fields.
struct ContentHasher {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    private mutating func byte(_ b: UInt8) {
        value ^= UInt64(b)
        value &*= 0x100_0000_01b3
    }

    mutating func add(_ tag: UInt8, _ text: String?) {
        guard var text else {
            byte(tag | 0x80)
            return
        }
        byte(tag)
        var length = text.utf8.count
        for _ in 0..<4 {
            byte(UInt8(truncatingIfNeeded: length))
            length >>= 8
        }
        var v = value
        text.withUTF8 { buffer in
            for b in buffer {
                v ^= UInt64(b)
                v &*= 0x100_0000_01b3
            }
        }
        value = v
    }
}
