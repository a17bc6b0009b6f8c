import AnnalsProtocol
import Foundation
import Synchronization

/// A fake server on a loopback port that misbehaves on purpose: for each connection it reads frames and runs
/// `script` with each request, writing whatever bytes the script returns (or nothing).
final class ScriptedServer: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    private let script: @Sendable (Frame) -> [UInt8]?
    /// Bytes sent as soon as a connection is accepted (a banner), before any request.
    private let greeting: [UInt8]
    private let connections = Mutex<[Int32]>([])

    init(greeting: [UInt8] = [], script: @escaping @Sendable (Frame) -> [UInt8]?) throws {
        self.script = script
        self.greeting = greeting
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && Glibc.listen(listener, 16) == 0
                    && getsockname(listener, pointer, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
        port = UInt16(bigEndian: address.sin_port)
        Thread { [self] in acceptLoop() }.start()
    }

    /// A hello answer as annalsd gives it.
    static func hello(requestID: UInt32) -> [UInt8] {
        Response.hello(ServerHello(serverVersion: "0.0-fake", limits: ServerLimits(), tokenRequired: false)).encode(requestID: requestID)
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            connections.withLock { $0.append(fd) }
            Thread { [self] in serve(fd) }.start()
        }
    }

    private func serve(_ fd: Int32) {
        write(fd, greeting)
        var decoder = FrameDecoder()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            while let frame = try? decoder.next() {
                if let reply = script(frame) { write(fd, reply) }
            }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }
            decoder.append(buffer[0..<n])
        }
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in connections.withLock({ $0 }) {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
    }
}
