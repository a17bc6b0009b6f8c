import AnnalsProtocol
#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP socket for the client: connect with a timeout, send all, receive some. Public for tools
/// that speak the protocol frame by frame (the benchmark's raw ping and its latency clients).
public struct ClientSocket: Sendable {
    /// The connected descriptor (TCP_NODELAY set); the caller closes it.
    public let fd: Int32

    /// Connects to `host:port` within `timeout` seconds.
    public static func connect(host: String, port: UInt16, timeout: Double) throws(ClientError) -> ClientSocket {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var info: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &info)
        guard rc == 0, let first = info else {
            throw .cannotConnect("cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(info) }
        var lastError: Int32 = ECONNREFUSED
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let address = candidate {
            candidate = address.pointee.ai_next
            let fd = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { lastError = errno; continue }
            // Non-blocking connect with a deadline, then back to blocking.
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            var result = Glibc.connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen)
            if result != 0 && errno == EINPROGRESS {
                var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                if poll(&poller, 1, Int32(timeout * 1000)) == 1 {
                    var error: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
                    result = error == 0 ? 0 : -1
                    if error != 0 { errno = error }
                } else {
                    errno = ETIMEDOUT
                }
            }
            if result == 0 {
                _ = fcntl(fd, F_SETFL, flags)
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return ClientSocket(fd: fd)
            }
            lastError = errno
            Glibc.close(fd)
        }
        throw .cannotConnect("\(host):\(port): \(String(cString: strerror(lastError)))")
    }

    /// Sends `hello` and waits up to `timeout` seconds for the server's answer.
    /// - Returns: the server's hello, and the decoder holding any bytes that arrived after it.
    /// - Throws: `ClientError.server` when the server refuses (unsupported version, bad token…).
    public func handshake(_ hello: ClientHello, timeout: Double) throws(ClientError) -> (ServerHello, FrameDecoder) {
        try sendAll(Request.hello(hello).encode(requestID: 1))
        var decoder = FrameDecoder(maxFrameSize: ServerLimits.defaultMaxFrameSize)
        var buffer = [UInt8](repeating: 0, count: 4096)
        var frame: Frame?
        var limit = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        defer {
            var none = timeval(tv_sec: 0, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, socklen_t(MemoryLayout<timeval>.size))
        }
        while frame == nil {
            let n = try receive(into: &buffer)
            guard n > 0 else { throw .disconnected("the server closed the connection during the handshake") }
            decoder.append(buffer[0..<n])
            do { frame = try decoder.next() } catch { throw .protocolViolation(error.message) }
        }
        let response: Response
        do { response = try Response(frame: frame!) } catch { throw .protocolViolation(error.message) }
        switch response {
        case .hello(let hello): return (hello, decoder)
        case .error(let error): throw .server(error)
        default: throw .protocolViolation("expected hello, got \(response.type)")
        }
    }

    /// Sends every byte, retrying partial writes.
    public func sendAll(_ bytes: [UInt8]) throws(ClientError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .disconnected("send failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    /// Receives up to `buffer.count` bytes; 0 at end of stream.
    public func receive(into buffer: inout [UInt8]) throws(ClientError) -> Int {
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw .disconnected("receive failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Stops both directions (wakes a thread blocked in `receive`).
    func shutdownBoth() { shutdown(fd, Int32(SHUT_RDWR)) }

    /// Closes the descriptor.
    public func close() { Glibc.close(fd) }
}
