import AnnalsClient
import AnnalsProtocol
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Raw protocol sockets: the ping driver (one thread, epoll, one ping in flight per connection, like
/// `redis-benchmark -t ping` without -P) and the idle-connection test.
enum PingCommand {
    /// A blocking loopback connection that has done the handshake.
    static func connect(_ address: ServerAddress, clientName: String = "annals-bench-raw") throws(BenchError) -> ClientSocket {
        let socket: ClientSocket
        do { socket = try ClientSocket.connect(to: address, timeout: 10) } catch {
            throw BenchError("connect to \(address): \(error)")
        }
        do { _ = try socket.handshake(ClientHello(clientName: clientName), timeout: 10) } catch {
            socket.close()
            throw BenchError("handshake with \(address): \(error)")
        }
        return socket
    }

    static func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    static func run(_ args: Args) throws(BenchError) {
        let address = try args.server()
        let count = try args.int("connections", default: 1)
        let seconds = try args.double("seconds", default: 5)
        var fds: [Int32] = []
        for _ in 0..<count { fds.append(try connect(address).fd) }
        var decoders: [FrameDecoder] = Array(repeating: FrameDecoder(), count: fds.count)
        var polls: [pollfd] = []
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            polls.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
        }
        var requestID: UInt32 = 1
        func ping(_ fd: Int32) -> Bool {
            requestID = requestID == UInt32.max ? 1 : requestID + 1
            return sendAll(fd, Request.ping(nonce: UInt64(requestID)).encode(requestID: requestID))
        }
        let start = DispatchTime.now()
        let deadline = start.uptimeNanoseconds + UInt64(seconds * 1e9)
        for fd in fds { guard ping(fd) else { throw BenchError("send failed") } }
        var pongs = 0
        var buffer = [UInt8](repeating: 0, count: 65536)
        var open = fds.count
        while open > 0 {
            let n = poll(&polls, nfds_t(polls.count), 100)
            if n < 0 && errno == EINTR { continue }
            if DispatchTime.now().uptimeNanoseconds >= deadline + 2_000_000_000 { break }
            for k in polls.indices where polls[k].revents != 0 && polls[k].fd >= 0 {
                let fd = polls[k].fd
                let got = recv(fd, &buffer, buffer.count, 0)
                if got < 0 && (errno == EAGAIN || errno == EINTR) { continue }
                if got <= 0 { throw BenchError("the server closed a ping connection") }
                decoders[k].append(buffer[0..<got])
                while let frame = try? decoders[k].next() {
                    if frame.type == MessageType.pong { pongs += 1 }
                    if DispatchTime.now().uptimeNanoseconds < deadline {
                        guard ping(fd) else { throw BenchError("send failed") }
                    } else {
                        polls[k].fd = -1
                        open -= 1
                    }
                }
            }
        }
        let wall = elapsed(since: start)
        for fd in fds { close(fd) }
        printJSON(["transport": address.transport, "connections": count, "seconds": wall, "round_trips": pongs, "round_trips_per_second": Double(pongs) / wall])
    }

    /// `idle --port P --connections N --pid annalsd`: RSS of annalsd before and with N idle connections.
    static func idle(_ args: Args) throws(BenchError) {
        let address = try args.server()
        let count = try args.int("connections", default: 1000)
        let pid = try args.int("pid")
        let settle = try args.double("settle", default: 2)
        let before = ProcessStatus.kib("VmRSS", pid: pid)
        var fds: [Int32] = []
        for _ in 0..<count { fds.append(try connect(address).fd) }
        usleep(useconds_t(settle * 1e6))
        let with = ProcessStatus.kib("VmRSS", pid: pid)
        // Every connection still answers.
        var alive = 0
        for fd in fds.prefix(10) {
            if sendAll(fd, Request.ping(nonce: 7).encode(requestID: 9)) {
                var buffer = [UInt8](repeating: 0, count: 256)
                if recv(fd, &buffer, buffer.count, 0) > 0 { alive += 1 }
            }
        }
        for fd in fds { close(fd) }
        printJSON(["transport": address.transport, "connections": count, "rss_before_kib": before, "rss_with_kib": with,
                   "per_connection_kib": Double(with - before) / Double(max(1, count)), "answered_of_10": alive])
    }
}
