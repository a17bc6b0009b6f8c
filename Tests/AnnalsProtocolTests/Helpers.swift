@testable import AnnalsProtocol

/// The code of the `ProtocolError` that `body` throws; nil when it does not throw one.
func errorCode<T>(_ body: () throws -> T) -> ProtocolError.Code? {
    do {
        _ = try body()
        return nil
    } catch let error as ProtocolError {
        return error.code
    } catch {
        return nil
    }
}

/// A request frame with a hand-made payload.
func requestFrame(_ type: MessageType, requestID: UInt32 = 1, flags: FrameFlags = [], _ payload: [UInt8]) -> Frame {
    Frame(type: type, flags: flags, requestID: requestID, payload: payload)
}

/// A payload written with `ByteWriter`.
func payload(_ write: (inout ByteWriter) -> Void) -> [UInt8] {
    var writer = ByteWriter()
    write(&writer)
    return writer.bytes
}

/// `bytes` as lower-case hex.
func hex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0xF)])
    }
    return String(decoding: out, as: UTF8.self)
}
