#if canImport(Glibc)
import Glibc
#endif

/// Encoded frames waiting to be sent on one connection, written with `writev` without copying them
/// into one buffer.
struct OutputBuffer {
    private var chunks: [[UInt8]] = []
    private var head = 0
    /// Bytes of `chunks[head]` already sent.
    private var offset = 0
    /// Bytes waiting.
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func append(_ frame: [UInt8]) {
        guard !frame.isEmpty else { return }
        chunks.append(frame)
        count += frame.count
    }

    /// Sends as much as the socket takes.
    /// - Returns: `.drained` when empty, `.wouldBlock` when the socket is full, or `.failed(errno)`.
    mutating func flush(to fd: Int32) -> FlushResult {
        while head < chunks.count {
            let iovecCount = min(64, chunks.count - head)
            var iovecs: [iovec] = []
            iovecs.reserveCapacity(iovecCount)
            // The chunk arrays stay alive and unmodified during the call.
            for i in head..<head + iovecCount {
                chunks[i].withUnsafeBytes { raw in
                    let start = i == head ? offset : 0
                    iovecs.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress! + start), iov_len: raw.count - start))
                }
            }
            var message = msghdr()
            let sent = iovecs.withUnsafeMutableBufferPointer { buffer -> Int in
                message.msg_iov = buffer.baseAddress
                message.msg_iovlen = buffer.count
                return sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { return .wouldBlock }
                return .failed(errno)
            }
            consume(sent)
        }
        return .drained
    }

    private mutating func consume(_ sent: Int) {
        var left = sent
        count -= sent
        while left > 0 {
            let available = chunks[head].count - offset
            if left >= available {
                left -= available
                head += 1
                offset = 0
            } else {
                offset += left
                left = 0
            }
        }
        if head == chunks.count {
            chunks.removeAll(keepingCapacity: chunks.count < 1024)
            head = 0
        } else if head > 256 {
            chunks.removeFirst(head)
            head = 0
        }
    }

    enum FlushResult {
        case drained
        case wouldBlock
        case failed(Int32)
    }
}
