import AnnalsProtocol
import AnnalsServerTesting
import Foundation

/// A bare TCP client that sends arbitrary bytes, for malformed-input tests.
final class RawClient {
    let fd: Int32
    private var decoder = FrameDecoder()

    init(port: UInt16) throws {
        fd = try connectToLoopback(port: port, timeout: 10)
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw TestFailure("send failed: errno \(errno)") }
            offset += n
        }
    }

    /// The next frame; nil at end of stream when `allowEOF`.
    func readFrame(allowEOF: Bool = false) throws -> Frame? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if let frame = try decoder.next() { return frame }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 {
                if allowEOF && (n == 0 || errno == ECONNRESET) { return nil }
                throw TestFailure("connection ended (n=\(n), errno \(errno))")
            }
            decoder.append(buffer[0..<n])
        }
    }

    func readFrame() throws -> Frame {
        guard let frame = try readFrame(allowEOF: false) else { throw TestFailure("no frame") }
        return frame
    }
}
