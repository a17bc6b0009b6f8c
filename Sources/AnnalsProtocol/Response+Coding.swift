import AnnalsCore

extension Response {
    /// One frame carrying this response, whatever its size.
    /// - Parameters:
    ///   - requestID: the id of the request answered (of the `subscribe`, for `subscribed` and `pushed`).
    ///   - more: sets the `more` flag; only for `page`, `subscribed` and `pushed` frames (see `PROTOCOL.md`).
    public func encode(requestID: UInt32, more: Bool = false) -> [UInt8] {
        var writer = ByteWriter.frame(type, flags: more ? .more : [], requestID: requestID, capacity: 64)
        writePayload(to: &writer)
        writer.finishFrame()
        return writer.bytes
    }

    /// One frame carrying this response, as a value.
    public func frame(requestID: UInt32, more: Bool = false) -> Frame {
        var writer = ByteWriter(capacity: 64)
        writePayload(to: &writer)
        return Frame(type: type, flags: more ? .more : [], requestID: requestID, payload: writer.bytes)
    }

    /// The frames carrying this response, none longer than `maxFrameSize` (the length prefix's value).
    ///
    /// A `page` whose records do not fit in one frame is split between records: every frame but the last has the
    /// `more` flag and no cursor, the last has the cursor. Other responses are one frame.
    /// - Throws: `responseTooLarge` when one frame cannot hold the response (or a single record of a page).
    public func encodeFrames(requestID: UInt32, maxFrameSize: Int) throws(ProtocolError) -> [[UInt8]] {
        if case .page(let records, let nextCursor) = self {
            var encoded = EncodedRecords()
            for record in records { encoded.append(record) }
            return try Response.encodePage(encoded, nextCursor: nextCursor, requestID: requestID, maxFrameSize: maxFrameSize)
        }
        if case .encodedPage(let records, let nextCursor) = self {
            return try Response.encodePage(records, nextCursor: nextCursor, requestID: requestID, maxFrameSize: maxFrameSize)
        }
        let frame = encode(requestID: requestID)
        guard frame.count - Frame.lengthPrefixSize <= maxFrameSize else {
            throw Response.tooLarge(type, size: frame.count - Frame.lengthPrefixSize, maxFrameSize: maxFrameSize)
        }
        return [frame]
    }

    private static func tooLarge(_ type: MessageType, size: Int, maxFrameSize: Int) -> ProtocolError {
        ProtocolError(
            .responseTooLarge,
            "the \(type) response needs a frame of \(size) bytes, more than the max frame size of \(maxFrameSize); ask for less"
        )
    }

    /// Copies encoded records into frames, starting a new frame at the record that would overflow one.
    /// - Complexity: O(total bytes): each byte is copied once.
    private static func encodePage(
        _ records: EncodedRecords, nextCursor: String?, requestID: UInt32, maxFrameSize: Int
    ) throws(ProtocolError) -> [[UInt8]] {
        let countIndex = Frame.lengthPrefixSize + Frame.headerSize
        // Room kept at the end of every frame for the cursor of the last one.
        let trailerBytes = nextCursor.map { 1 + 4 + $0.utf8.count } ?? 1
        let limit = Frame.lengthPrefixSize + maxFrameSize - trailerBytes
        var frames: [[UInt8]] = []

        func start(capacity: Int) -> ByteWriter {
            var writer = ByteWriter.frame(.page, requestID: requestID, capacity: min(limit + trailerBytes, capacity))
            writer.writeU32(0)
            return writer
        }
        var writer = start(capacity: countIndex + 4 + records.bytes.count + trailerBytes)
        var countInFrame: UInt32 = 0
        var recordStart = 0
        var oversized: Int?
        records.bytes.withUnsafeBytes { all in
            for end in records.ends {
                let record = UnsafeRawBufferPointer(rebasing: all[recordStart..<end])
                recordStart = end
                if writer.count + record.count > limit && countInFrame > 0 {
                    writer.patchU32(countInFrame, at: countIndex)
                    writer.writeU8(0)  // no cursor on a frame with `more`
                    writer.patchU8(FrameFlags.more.rawValue, at: 5)
                    writer.finishFrame()
                    frames.append(writer.bytes)
                    writer = start(capacity: countIndex + 4 + (records.bytes.count - end + record.count) + trailerBytes)
                    countInFrame = 0
                }
                writer.writeBytesWithoutLength(record)
                countInFrame += 1
                // Only a record alone in its frame can overflow it: nothing smaller than the frame can hold it.
                if writer.count > limit && oversized == nil { oversized = Frame.headerSize + 4 + record.count + trailerBytes }
            }
        }
        if let oversized { throw tooLarge(.page, size: oversized, maxFrameSize: maxFrameSize) }
        writer.patchU32(countInFrame, at: countIndex)
        writer.writeOptionalString(nextCursor)
        writer.finishFrame()
        guard writer.count - Frame.lengthPrefixSize <= maxFrameSize else {
            throw tooLarge(.page, size: writer.count - Frame.lengthPrefixSize, maxFrameSize: maxFrameSize)
        }
        frames.append(writer.bytes)
        return frames
    }

    private func writePayload(to writer: inout ByteWriter) {
        switch self {
        case .hello(let hello):
            writer.writeString(hello.serverVersion)
            writer.writeU16(hello.protocolVersion)
            writer.writeU32(clamping: hello.limits.maxFrameSize)
            writer.writeU32(clamping: hello.limits.maxEventsPerBatch)
            writer.writeU32(clamping: hello.limits.maxTimelinePage)
            writer.writeU32(clamping: hello.limits.idleTimeoutSeconds)
            writer.writeBool(hello.tokenRequired)
        case .pong(let nonce):
            writer.writeU64(nonce)
        case .appendResult(let outcomes):
            writer.writeList(outcomes) { $0.write($1) }
        case .record(let record):
            writer.write(record)
        case .detail(let detail):
            writer.write(detail)
        case .encodedDetail(let payload):
            writer.writeBytesWithoutLength(payload)
        case .page(let records, let nextCursor):
            writer.writeList(records) { $0.write($1) }
            writer.writeOptionalString(nextCursor)
        case .encodedPage(let records, let nextCursor):
            writer.writeU32(UInt32(clamping: records.count))
            records.bytes.withUnsafeBytes { writer.writeBytesWithoutLength($0) }
            writer.writeOptionalString(nextCursor)
        case .subscribed(let lastSeq):
            writer.writeI64(lastSeq)
        case .pushed(let seq, let entry):
            writer.writeI64(seq)
            writer.write(entry)
        case .stats(let stats):
            writer.write(stats)
        case .goodbye, .unsubscribed:
            break
        case .logPage(let entries, let nextSeq, let end):
            writer.writeList(entries) {
                $0.writeI64($1.seq)
                $0.write($1.entry)
            }
            writer.writeI64(nextSeq)
            writer.writeBool(end)
        case .error(let error):
            writer.write(error)
        }
    }

    /// The response one frame carries (for a split page: this frame's records; see `PageAssembler`).
    /// - Throws: `unknownOperation` for a type that is not a known response; `malformedFrame` for a reserved flag,
    ///   `more` on a response that cannot be streamed, a cursor on a frame with `more`, or a payload that does not
    ///   decode exactly. An `error` frame decodes to `.error`, it is not thrown.
    public init(frame: Frame) throws(ProtocolError) {
        guard let type = frame.type, type.isResponse else {
            throw ProtocolError(.unknownOperation, "unknown response type 0x\(String(frame.typeCode, radix: 16))")
        }
        guard !frame.flags.hasReservedBits else {
            throw .malformed("reserved flag bits set (flags 0x\(String(frame.flags.rawValue, radix: 16)))")
        }
        var reader = ByteReader(frame.payload)
        switch type {
        case .helloReply:
            let serverVersion = try reader.readString("hello.serverVersion")
            let version = try reader.readU16("hello.protocolVersion")
            let limits = ServerLimits(
                maxFrameSize: try reader.readU32AsInt("hello.maxFrameSize"),
                maxEventsPerBatch: try reader.readU32AsInt("hello.maxEventsPerBatch"),
                maxTimelinePage: try reader.readU32AsInt("hello.maxTimelinePage"),
                idleTimeoutSeconds: try reader.readU32AsInt("hello.idleTimeoutSeconds")
            )
            let tokenRequired = try reader.readBool("hello.tokenRequired")
            self = .hello(ServerHello(
                serverVersion: serverVersion, protocolVersion: version, limits: limits, tokenRequired: tokenRequired
            ))
        case .pong:
            self = .pong(nonce: try reader.readU64("pong.nonce"))
        case .appendResult:
            self = .appendResult(try reader.readList("appendResult.outcomes", minimumItemSize: 8) {
                (r: inout ByteReader) throws(ProtocolError) in try r.readAppendOutcome()
            })
        case .record:
            self = .record(try reader.readEventRecord())
        case .detail:
            self = .detail(try reader.readEventDetail())
        case .page:
            let records = try reader.readList("page.records", minimumItemSize: 45) {
                (r: inout ByteReader) throws(ProtocolError) in try r.readEventRecord()
            }
            let nextCursor = try reader.readOptionalString("page.nextCursor")
            if frame.more && nextCursor != nil {
                throw .malformed("page.nextCursor: only the last frame of a page (more = 0) carries a cursor")
            }
            self = .page(records: records, nextCursor: nextCursor)
        case .subscribed:
            self = .subscribed(lastSeq: try reader.readI64("subscribed.lastSeq"))
        case .pushed:
            self = .pushed(seq: try reader.readI64("pushed.seq"), entry: try reader.readLogEntry())
        case .statsReply:
            self = .stats(try reader.readStoreStats())
        case .goodbyeReply:
            self = .goodbye
        case .unsubscribed:
            self = .unsubscribed
        case .logPage:
            let entries = try reader.readList("logPage.entries", minimumItemSize: 17) {
                (r: inout ByteReader) throws(ProtocolError) in
                SequencedEntry(seq: try r.readI64("logPage.entries.seq"), entry: try r.readLogEntry())
            }
            self = .logPage(entries: entries, nextSeq: try reader.readI64("logPage.nextSeq"), end: try reader.readBool("logPage.end"))
        case .error:
            self = .error(try reader.readProtocolError())
        default:
            throw ProtocolError(.unknownOperation, "unknown response type 0x\(String(frame.typeCode, radix: 16))")
        }
        if frame.more && !allowsMore {
            throw .malformed("a \(type) response cannot have the more flag; only page, subscribed and pushed can")
        }
        try reader.expectEnd("\(type) response")
    }
}

extension Response {
    /// The bytes one entry adds to a `logPage` payload (to fill a page up to a frame's size).
    public static func logPageEntrySize(_ entry: SequencedEntry) -> Int {
        var writer = ByteWriter(capacity: 256)
        writer.writeI64(entry.seq)
        writer.write(entry.entry)
        return writer.count
    }

    /// The bytes of a `logPage` frame besides its entries: length prefix, header, count, nextSeq and end.
    public static let logPageOverhead = Frame.lengthPrefixSize + Frame.headerSize + 4 + 8 + 1
}
