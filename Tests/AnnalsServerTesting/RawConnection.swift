import AnnalsProtocol
import Foundation

/// A bare blocking TCP client that sends frames as bytes and reads frames one by one, for tests that must
/// see exactly what the server sends (flags, request ids, the end of the stream).
public final class RawConnection {
    public let fd: Int32
    private var decoder = FrameDecoder()

    /// Connects to 127.0.0.1:`port`; reads wait at most `timeout` seconds.
    /// - Parameter receiveBuffer: a small socket receive buffer, for a client that stops reading.
    public init(port: UInt16, timeout: Int = 30, receiveBuffer: Int32? = nil) throws {
        fd = try connectToLoopback(port: port, receiveBuffer: receiveBuffer, timeout: Double(timeout))
    }

    deinit { close(fd) }

    /// Sends `requests` in one write, each with its request id.
    public func send(_ requests: [(Request, UInt32)]) throws {
        try send(requests.flatMap { $0.0.encode(requestID: $0.1) })
    }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress.map { $0 + offset }, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw RawConnectionError("send failed: errno \(errno)") }
            offset += n
        }
    }

    /// Says hello and reads the answer.
    @discardableResult
    public func hello(token: String? = nil) throws -> Response? {
        try send([(.hello(ClientHello(clientName: "raw", token: token)), 1)])
        return try next().map { try Response(frame: $0) }
    }

    /// The next frame, or nil when the server closed the connection.
    /// - Throws: when nothing arrives within the timeout, or the bytes are not a frame.
    public func next() throws -> Frame? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if let frame = try decoder.next() { return frame }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 || (n < 0 && errno == ECONNRESET) { return nil }
            guard n > 0 else { throw RawConnectionError("no frame within the timeout (errno \(errno))") }
            decoder.append(buffer[0..<n])
        }
    }
}

public struct RawConnectionError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
