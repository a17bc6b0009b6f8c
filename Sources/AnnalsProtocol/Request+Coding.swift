import AnnalsCore

extension Request {
    /// The whole frame (length prefix, header, payload) carrying this request.
    /// - Parameter requestID: the client's id for the request, not in use by an unanswered request or an active
    ///   subscription; should be 1 or more, since 0 is the id of errors that belong to no request.
    public func encode(requestID: UInt32) -> [UInt8] {
        var writer = ByteWriter.frame(type, requestID: requestID, capacity: 64)
        writePayload(to: &writer)
        writer.finishFrame()
        return writer.bytes
    }

    /// The frame carrying this request, as a value.
    public func frame(requestID: UInt32) -> Frame {
        var writer = ByteWriter(capacity: 64)
        writePayload(to: &writer)
        return Frame(type: type, requestID: requestID, payload: writer.bytes)
    }

    private func writePayload(to writer: inout ByteWriter) {
        switch self {
        case .hello(let hello):
            writer.writeU16(hello.protocolVersion)
            writer.writeString(hello.clientName)
            writer.writeOptionalString(hello.token)
        case .ping(let nonce):
            writer.writeU64(nonce)
        case .append(let entries):
            writer.writeList(entries) { $0.write($1) }
        case .amend(let event):
            writer.write(event)
        case .retract(let id, let reason):
            writer.writeString(id)
            writer.writeString(reason)
        case .get(let id, let revision):
            writer.writeString(id)
            writer.writeOptional(revision) { $0.writeU32(clamping: $1) }
        case .timeline(let query):
            writer.write(query)
        case .subscribe(let query, let fromSeq):
            writer.write(query)
            writer.writeI64(fromSeq)
        case .unsubscribe(let subscriptionID):
            writer.writeU32(subscriptionID)
        case .stats, .goodbye:
            break
        case .readLog(let query, let afterSeq, let limit):
            writer.write(query)
            writer.writeI64(afterSeq)
            writer.writeU32(clamping: limit)
        }
    }

    /// The request a frame carries.
    /// - Throws: `unknownOperation` for a type that is not a known request (the server answers it and carries
    ///   on); `unsupportedVersion` for a `hello` of another protocol version (the rest of its payload is not
    ///   read); `malformedFrame` for a set `more` or reserved flag, or a payload that does not decode exactly.
    public init(frame: Frame) throws(ProtocolError) {
        guard let type = frame.type, type.isRequest else {
            throw ProtocolError(
                .unknownOperation,
                "unknown request type 0x\(String(frame.typeCode, radix: 16)); this server speaks protocol version \(ProtocolVersion.current)"
            )
        }
        guard frame.flags.isEmpty else {
            throw .malformed("a \(type) request must have flags 0, not 0x\(String(frame.flags.rawValue, radix: 16))")
        }
        var reader = ByteReader(frame.payload)
        switch type {
        case .hello:
            let version = try reader.readU16("hello.protocolVersion")
            guard ProtocolVersion.supported.contains(version) else {
                throw ProtocolError(
                    .unsupportedVersion,
                    "protocol version \(version) is not supported; this server speaks version \(ProtocolVersion.current)"
                )
            }
            let name = try reader.readString("hello.clientName")
            let token = try reader.readOptionalString("hello.token")
            self = .hello(ClientHello(protocolVersion: version, clientName: name, token: token))
        case .ping:
            self = .ping(nonce: try reader.readU64("ping.nonce"))
        case .append:
            self = .append(try reader.readList("append.entries", minimumItemSize: 11) {
                (r: inout ByteReader) throws(ProtocolError) in try r.readLogEntry()
            })
        case .amend:
            self = .amend(try reader.readEvent())
        case .retract:
            self = .retract(id: try reader.readString("retract.id"), reason: try reader.readString("retract.reason"))
        case .get:
            self = .get(id: try reader.readString("get.id"), revision: try reader.readOptionalU32AsInt("get.revision"))
        case .timeline:
            self = .timeline(try reader.readTimelineQuery())
        case .subscribe:
            self = .subscribe(try reader.readTimelineQuery(), fromSeq: try reader.readI64("subscribe.fromSeq"))
        case .unsubscribe:
            self = .unsubscribe(subscriptionID: try reader.readU32("unsubscribe.subscriptionID"))
        case .stats:
            self = .stats
        case .goodbye:
            self = .goodbye
        case .readLog:
            self = .readLog(try reader.readTimelineQuery(), afterSeq: try reader.readI64("readLog.afterSeq"),
                            limit: try reader.readU32AsInt("readLog.limit"))
        default:
            throw ProtocolError(.unknownOperation, "unknown request type 0x\(String(frame.typeCode, radix: 16))")
        }
        try reader.expectEnd("\(type) request")
    }
}
