import AnnalsClient
import AnnalsServerTesting
import Foundation

/// A real annalsd started on a loopback port picked by the kernel, with a fresh database, for one test.
final class ServerProcess: @unchecked Sendable {
    let directory: URL
    let databasePath: String
    private(set) var process: Process
    private(set) var port: UInt16 = 0
    private let extraArguments: [String]
    private let stderrPath: String

    /// The directory holding the built annalsd and annals binaries (next to the test bundle).
    static var binDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["ANNALS_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    init(arguments: [String] = [], databasePath: String? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("annals-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.databasePath = databasePath ?? directory.appendingPathComponent("annals.sqlite").path
        extraArguments = arguments
        stderrPath = directory.appendingPathComponent("annalsd.log").path
        process = Process()
        try launch(port: 0)
    }

    /// Starts annalsd and waits for its ready line.
    private func launch(port: UInt16) throws {
        process = Process()
        process.executableURL = Self.binDirectory.appendingPathComponent("annalsd")
        process.arguments = ["--db", databasePath, "--port", String(port), "--log-level", "debug"] + extraArguments
        let out = Pipe()
        process.standardOutput = out
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
        let line = try Self.readLine(out.fileHandleForReading, timeout: 30)
        guard let range = line.range(of: "listening on "), let colon = line[range.upperBound...].lastIndex(of: ":"),
              let bound = UInt16(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        else { throw TestFailure("annalsd did not print its ready line; got '\(line)'; log: \(log)") }
        self.port = bound
    }

    /// Restarts annalsd on the same database (and port).
    func restart() throws {
        try stop()
        try launch(port: port)
    }

    /// A connected client.
    func connect(token: String? = nil) throws -> AnnalsConnection {
        try AnnalsConnection(host: "127.0.0.1", port: port, token: token, clientName: "e2e-test")
    }

    /// Sends SIGTERM and waits for exit; returns the exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) throws -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        guard !process.isRunning else { throw TestFailure("annalsd did not exit after signal \(signal)") }
        return process.terminationStatus
    }

    var pid: Int32 { process.processIdentifier }
    var log: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Resident memory of annalsd in KiB (VmRSS).
    var residentKiB: Int { Hardening.statusKiB(pid, "VmRSS") }

    /// The most memory annalsd has held resident so far, in KiB (VmHWM).
    var peakResidentKiB: Int { Hardening.statusKiB(pid, "VmHWM") }

    /// Open file descriptors of annalsd.
    var openFileDescriptors: Int { Hardening.openFileDescriptors(pid) }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    private static func readLine(_ handle: FileHandle, timeout: Double) throws -> String {
        var data = Data()
        let deadline = Date().addingTimeInterval(timeout)
        let fd = handle.fileDescriptor
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) == 1 else { continue }
            var byte: UInt8 = 0
            guard read(fd, &byte, 1) == 1 else { break }
            if byte == UInt8(ascii: "\n") { return String(decoding: data, as: UTF8.self) }
            data.append(byte)
        }
        return String(decoding: data, as: UTF8.self)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension ServerProcess: TestServer {}
