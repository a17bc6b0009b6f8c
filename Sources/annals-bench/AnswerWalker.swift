import AnnalsProtocol

/// What the latency client does with a page, by default: what pgbench's libpq does with a result, which splits
/// each row into its fields and builds no typed values. Every field of every record is stepped over with its
/// length checked against what is left (PROTOCOL.md §4.3), nothing is decoded into Swift values; `--decode`
/// decodes the records into `EventRecord`s instead, as a client application would.
enum AnswerWalker {
    /// The number of records in a `page` frame's payload (a count, the records, an optional cursor).
    static func pageRecords(_ payload: [UInt8]) throws(ProtocolError) -> Int {
        try payload.withUnsafeBytes { bytes in
            Result { () throws(ProtocolError) -> Int in
                var cursor = Cursor(bytes: bytes)
                let count = try cursor.u32()
                for _ in 0..<count { try cursor.skipRecord() }
                try cursor.skipOptional { (c) throws(ProtocolError) in try c.skipString() }
                guard cursor.offset == bytes.count else { throw ProtocolError(.malformedFrame, "page: \(bytes.count - cursor.offset) bytes after the records") }
                return count
            }
        }.get()
    }

    private struct Cursor {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        mutating func skip(_ n: Int) throws(ProtocolError) {
            guard n >= 0, n <= bytes.count - offset else { throw ProtocolError(.malformedFrame, "page: truncated at byte \(offset)") }
            offset += n
        }

        mutating func u32() throws(ProtocolError) -> Int {
            try skip(4)
            return (offset - 4..<offset).reduce(0) { $0 << 8 | Int(bytes[$1]) }
        }

        mutating func skipString() throws(ProtocolError) { try skip(try u32()) }

        mutating func skipOptional(_ value: (inout Cursor) throws(ProtocolError) -> Void) throws(ProtocolError) {
            try skip(1)
            if bytes[offset - 1] != 0 { try value(&self) }
        }

        mutating func skipList(_ item: (inout Cursor) throws(ProtocolError) -> Void) throws(ProtocolError) {
            for _ in 0..<(try u32()) { try item(&self) }
        }

        /// An EventRecord: an event, its log position, its optional retraction.
        mutating func skipRecord() throws(ProtocolError) {
            try skipString()  // id
            try skipString()  // date
            try skip(1)  // kind
            try skipString()  // title
            try skipOptional { (c) throws(ProtocolError) in try c.skipString() }  // summary
            try skipOptional { (c) throws(ProtocolError) in try c.skipString() }  // body
            try skipList { (c) throws(ProtocolError) in try c.skipNameAndTwoOptionals() }  // actors
            try skipList { (c) throws(ProtocolError) in try c.skipString() }  // places
            try skipList { (c) throws(ProtocolError) in try c.skipString() }  // tags
            try skipList { (c) throws(ProtocolError) in try c.skipNameAndTwoOptionals() }  // sources
            try skipList { (c) throws(ProtocolError) in  // references
                try c.skipString()
                try c.skip(1)
            }
            try skipOptional { (c) throws(ProtocolError) in try c.skip(8) }  // recorded
            try skipOptional { (c) throws(ProtocolError) in try c.skip(4) }  // revision
            try skip(8)  // seq
            try skipOptional { (c) throws(ProtocolError) in  // retraction
                try c.skipString()
                try c.skipString()
                try c.skipOptional { (c) throws(ProtocolError) in try c.skip(8) }
                try c.skipOptional { (c) throws(ProtocolError) in try c.skip(4) }
            }
        }

        /// An actor (name, code, role) or a source (url, publisher, published).
        mutating func skipNameAndTwoOptionals() throws(ProtocolError) {
            try skipString()
            try skipOptional { (c) throws(ProtocolError) in try c.skipString() }
            try skipOptional { (c) throws(ProtocolError) in try c.skipString() }
        }
    }
}
