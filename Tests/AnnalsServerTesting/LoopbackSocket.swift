import Foundation

/// A blocking TCP socket connected to 127.0.0.1:`port`, whose reads wait at most `timeout` seconds: the start of
/// every bare test client (`RawConnection`, and the end-to-end tests' own).
/// - Parameter receiveBuffer: a small socket receive buffer, for a client that stops reading.
public func connectToLoopback(port: UInt16, receiveBuffer: Int32? = nil, timeout: Double) throws(RawConnectionError) -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw RawConnectionError("socket failed: errno \(errno)") }
    if var size = receiveBuffer {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let rc = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard rc == 0 else {
        let code = errno
        close(fd)
        throw RawConnectionError("connect to port \(port) failed: errno \(code)")
    }
    setReceiveTimeout(fd, seconds: timeout)
    return fd
}

/// Makes blocking reads on `fd` wait at most `seconds`.
public func setReceiveTimeout(_ fd: Int32, seconds: Double) {
    var limit = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1e6))
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
}
