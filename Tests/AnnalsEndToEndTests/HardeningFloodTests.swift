import AnnalsClient
import AnnalsCore
import AnnalsProtocol
import Foundation
import Testing

/// annalsd started through a wrapper command (e.g. `prlimit --nofile=64:64 --`), which `ServerProcess`
/// cannot do. Same ready-line handshake; the wrapper must exec annalsd (so the pid is annalsd's).
final class WrappedServer: @unchecked Sendable {
    let directory: URL
    let process = Process()
    let port: UInt16
    let stderrPath: String

    init(wrapper: [String], arguments: [String]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("annals-hard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        stderrPath = directory.appendingPathComponent("annalsd.log").path
        let annalsd = ServerProcess.binDirectory.appendingPathComponent("annalsd").path
        process.executableURL = URL(fileURLWithPath: wrapper[0])
        process.arguments = Array(wrapper.dropFirst()) + [annalsd, "--db", directory.appendingPathComponent("annals.sqlite").path,
                                                          "--port", "0", "--log-level", "debug"] + arguments
        let out = Pipe()
        process.standardOutput = out
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
        var line = Data()
        let fd = out.fileHandleForReading.fileDescriptor
        let deadline = Date().addingTimeInterval(30)
        var byte: UInt8 = 0
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) == 1 else { continue }
            guard read(fd, &byte, 1) == 1, byte != UInt8(ascii: "\n") else { break }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let colon = text.lastIndex(of: ":"), let bound = UInt16(text[text.index(after: colon)...]) else {
            throw TestFailure("annalsd did not start: '\(text)'")
        }
        port = bound
    }

    var pid: Int32 { process.processIdentifier }
    var log: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }
}

extension HardeningTests {
    @Suite("Hardening: connection floods", .serialized)
    struct HardeningFloodTests {
        /// Opens `count` connections; half send hello at once. Each must be answered 'server busy' and closed
        /// (or, with `allowAdmitted`, be admitted: its hello answered), all before one generous deadline: a
        /// connection left in the backlog never is. Returns (refused, admitted, slowest close, failures); the
        /// slowest close is a figure for `Scripts/stress`.
        static func flood(port: UInt16, count: Int, allowAdmitted: Bool) throws -> (refused: Int, admitted: [HardeningSocket], slowest: Double, failures: [String]) {
            var sockets: [(HardeningSocket, Date)] = []
            for i in 0..<count {
                let socket = try HardeningSocket(port: port)
                if i % 2 == 0 || allowAdmitted { socket.send(Request.hello(ClientHello(clientName: "flood")).encode(requestID: 1)) }
                sockets.append((socket, Date()))
            }
            var refused = 0, slowest = 0.0
            var admitted: [HardeningSocket] = []
            var failures: [String] = []
            let deadline = Hardening.deadline()
            for (i, (socket, opened)) in sockets.enumerated() {
                socket.deadline = deadline
                defer { socket.deadline = nil }
                switch socket.next() {
                case .frame(let frame):
                    switch try? Response(frame: frame) {
                    case .error(let error)? where error.code == .serverBusy && frame.requestID == 0:
                        if socket.closesSoon() {
                            refused += 1
                            slowest = max(slowest, Date().timeIntervalSince(opened))
                        } else {
                            failures.append("\(i): left open after server-busy")
                        }
                    case .hello? where allowAdmitted:
                        admitted.append(socket)
                    case let other:
                        failures.append("\(i): unexpected \(String(describing: other))")
                    }
                case .closed: failures.append("\(i): closed without server-busy")
                case .timedOut: failures.append("\(i): left hanging, no answer in \(Int(Hardening.patience)) s")
                }
            }
            return (refused, admitted, slowest, failures)
        }

        @Test func connectionsBeyondTheLimitGetServerBusyAndAreClosed() throws {
            Hardening.raiseFileLimit(to: 4096)
            let limit = 20
            let server = try ServerProcess(arguments: ["--max-connections", "\(limit)", "--idle-timeout", "120"])
            let warm = try server.connect()
            _ = try warm.append(HardeningCorpus.entries(count: 20, prefix: "flood"))
            _ = try warm.timeline(TimelineQuery())
            let fdsWarm = server.openFileDescriptors
            warm.close()
            // The base: once the server has closed the warm connection's socket.
            #expect(Hardening.waitUntil(timeout: Hardening.patience) { server.openFileDescriptors < fdsWarm }, "the warm connection is released")
            let fdsBase = server.openFileDescriptors
            let admitted = try (0..<limit).map { _ in try server.connect() }
            let fdsAdmitted = server.openFileDescriptors
            let waves = Hardening.setting("FLOOD_WAVES", short: 3, large: 20)
            var refused = 0, slowest = 0.0
            for wave in 0..<waves {
                let result = try Self.flood(port: server.port, count: 100, allowAdmitted: false)
                #expect(result.failures.count == 0, "wave \(wave): \(result.failures.prefix(5))")
                refused += result.refused
                slowest = max(slowest, result.slowest)
                for client in admitted.prefix(3) { #expect(Hardening.answersPing(client), "admitted clients are served during the flood") }
                if !result.failures.isEmpty { break }  // failed already: more waves would each wait out their deadline
            }
            #expect(refused == waves * 100)
            #expect(Hardening.waitUntil(timeout: Hardening.patience) { server.openFileDescriptors <= fdsAdmitted }, "refused descriptors released")
            for client in admitted { client.close() }
            #expect(Hardening.waitUntil(timeout: Hardening.patience) { server.openFileDescriptors <= fdsBase }, "all descriptors released")
            let fdsEnd = server.openFileDescriptors
            let again = try server.connect()
            #expect(Hardening.answersPing(again), "a new client is admitted once others left")
            again.close()
            Hardening.figure("flood.admitted", limit)
            Hardening.figure("flood.refused", refused)
            Hardening.bound("flood.slowest_refusal", String(format: "%.2fs", slowest), holds: slowest < 3, "< 3s")
            Hardening.figure("flood.fds", "base \(fdsBase), with \(limit) admitted \(fdsAdmitted), end \(fdsEnd)")
        }

        /// When annalsd runs out of file descriptors before --max-connections, waiting connections are refused
        /// with 'server busy' (not left hanging in the backlog), the server says so in its log without a line per
        /// refusal, and keeps serving. A listener that spun on EMFILE would leave the backlog waiting (each refusal
        /// drains one connection); its CPU time while out of descriptors is a figure `Scripts/stress` bounds.
        @Test func runningOutOfDescriptorsRefusesInsteadOfHanging() throws {
            guard FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit") else {
                Issue.record("prlimit (util-linux) is missing")
                return
            }
            let server = try WrappedServer(wrapper: ["/usr/bin/prlimit", "--nofile=64:64", "--"], arguments: ["--max-connections", "1000"])
            let warm = try AnnalsConnection(host: "127.0.0.1", port: server.port, clientName: "warm")
            _ = try warm.stats()
            let cpuBefore = Self.cpuSeconds(server.pid)
            let result = try Self.flood(port: server.port, count: 150, allowAdmitted: true)
            #expect(result.failures.count == 0, "\(result.failures.prefix(5))")
            #expect(result.refused > 0 && !result.admitted.isEmpty, "refused \(result.refused), admitted \(result.admitted.count)")
            #expect(result.refused + result.admitted.count == 150)
            let warnings = server.log.components(separatedBy: "out of file descriptors").count - 1
            #expect(warnings >= 1, "the server says it is out of file descriptors")
            // At most one a second: fewer lines than refusals unless the flood lasted about as many seconds.
            #expect(warnings < result.refused, "the warning is rate-limited, not one per refusal (\(warnings) lines, \(result.refused) refused)")
            #expect(Hardening.answersPing(warm), "the server still serves its clients")
            Hardening.figure("fdlimit.admitted", result.admitted.count)
            Hardening.figure("fdlimit.refused", result.refused)
            Hardening.bound("fdlimit.warnings", "\(warnings)", holds: warnings <= 5, "<= 5")
            if Hardening.figures {
                // The flood, then a second still out of descriptors with the admitted connections held open.
                Thread.sleep(forTimeInterval: 1)
                let cpu = Self.cpuSeconds(server.pid) - cpuBefore
                Hardening.bound("fdlimit.cpu_seconds", String(format: "%.2f", cpu), holds: cpu < 1.5, "< 1.5")
            }
        }

        /// User plus system CPU time of a process, in seconds.
        static func cpuSeconds(_ pid: Int32) -> Double {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return 0 }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // After the command: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
            guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
            return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
        }
    }
}
