import AnnalsProtocol
#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP socket for the client: connect with a timeout, send all, receive some. Public for tools
/// that speak the protocol frame by frame (the benchmark's raw ping and its latency clients).
public struct ClientSocket: Sendable {
    /// The connected descriptor (TCP_NODELAY set); the caller closes it.
    public let fd: Int32

    /// Connects to `address` within `timeout` seconds.
    public static func connect(to address: ServerAddress, timeout: Double) throws(ClientError) -> ClientSocket {
        switch address {
        case .tcp(let host, let port): try connect(host: host, port: port, timeout: timeout)
        case .unix(let path): try connect(unixPath: path)
        }
    }

    /// Connects to a Unix-domain socket at `path` (a local annalsd started with `--socket`).
    public static func connect(unixPath path: String) throws(ClientError) -> ClientSocket {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else { throw .cannotConnect("the socket path \(path) is longer than \(capacity - 1) bytes") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .cannotConnect("\(path): \(String(cString: strerror(errno)))") }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else {
            let code = errno
            Glibc.close(fd)
            throw .cannotConnect("\(path): \(String(cString: strerror(code)))")
        }
        return ClientSocket(fd: fd)
    }

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
    /// - Parameter peer: how to name the server in errors, e.g. `127.0.0.1:7355`.
    /// - Returns: the server's hello, and the decoder holding any bytes that arrived after it.
    /// - Throws: `ClientError.server` when the server refuses (unsupported version, bad token…);
    ///   `.cannotConnect` when the peer answers in something else than the Annals protocol (an HTTP or SSH
    ///   server, say: judged from its first bytes, at once) or not at all within `timeout`.
    public func handshake(_ hello: ClientHello, timeout: Double, peer: String = "the server") throws(ClientError) -> (ServerHello, FrameDecoder) {
        try sendAll(Request.hello(hello).encode(requestID: Self.helloRequestID))
        var decoder = FrameDecoder(maxFrameSize: ServerLimits.defaultMaxFrameSize)
        var buffer = [UInt8](repeating: 0, count: 4096)
        var first: [UInt8] = []
        var frame: Frame?
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        defer {
            var none = timeval(tv_sec: 0, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, socklen_t(MemoryLayout<timeval>.size))
        }
        while frame == nil {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    throw .cannotConnect("\(peer) accepted the connection but did not answer hello within \(Int(timeout.rounded(.up))) s: is annalsd listening there? (annalsd answers at once)")
                }
                throw .disconnected("receive failed during the handshake: \(String(cString: strerror(errno)))")
            }
            guard n > 0 else {
                throw .cannotConnect("\(peer) closed the connection without answering hello: is annalsd listening there?")
            }
            if first.count < 64 { first += buffer[0..<min(n, 64 - first.count)] }
            if let sent = Self.foreignGreeting(first) {
                throw .cannotConnect("\(peer) does not speak the Annals protocol (it sent \(sent)): is this annalsd's port?")
            }
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

    /// The request id of the hello: its bytes are CR LF CR LF, which end an HTTP request's head, so an HTTP
    /// server that reads the hello as a request answers at once (with an error) instead of waiting for more,
    /// and `foreignGreeting` can tell the user at once that the port is not annalsd's.
    public static let helloRequestID: UInt32 = 0x0D0A_0D0A

    /// When the first bytes a peer sent cannot start an annalsd answer to hello (a `hello` or `error` frame of
    /// plausible length with flags 0), what they look like: their first line if they are text, else hex.
    static func foreignGreeting(_ bytes: [UInt8]) -> String? {
        guard !bytes.isEmpty else { return nil }
        var plausible = true
        if bytes.count >= 4 {
            let length = bytes[0..<4].reduce(0) { $0 << 8 | Int($1) }
            plausible = length >= Frame.headerSize && length <= 64 << 20
        }
        if bytes.count >= 5 {
            plausible = plausible && (bytes[4] == MessageType.helloReply.rawValue || bytes[4] == MessageType.error.rawValue)
        }
        if bytes.count >= 6 { plausible = plausible && bytes[5] == 0 }
        // A length prefix of a real answer starts with a zero byte; text never does.
        if bytes[0] != 0 { plausible = false }
        guard !plausible else { return nil }
        let line = bytes.prefix { $0 != 0x0A && $0 != 0x0D }
        if line.count >= 3 && line.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            return "'" + String(decoding: line.prefix(60), as: UTF8.self) + (line.count > 60 ? "…" : "") + "'"
        }
        return "bytes " + bytes.prefix(8).map { String($0, radix: 16).leftPadded(to: 2) }.joined(separator: " ")
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

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
