import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Headless Chromium (Debian's `chromium` package, which `Scripts/test` installs) for the picture tests.
///
/// Each run gets its own profile directory, so runs never share state; as root Chromium needs
/// `--no-sandbox`. A missing Chromium is a test failure, never a skip.
enum Chromium {
    /// The browser, from CHROMIUM or the PATH.
    static func executable() throws -> URL {
        if let given = ProcessInfo.processInfo.environment["CHROMIUM"], FileManager.default.isExecutableFile(atPath: given) {
            return URL(fileURLWithPath: given)
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") + ["/usr/bin"] {
            for name in ["chromium", "chromium-browser"] {
                let candidate = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return URL(fileURLWithPath: candidate) }
            }
        }
        throw TestFailure("chromium is not installed: Scripts/test installs Debian's chromium package (apt-get install chromium)")
    }

    /// What a page printed: the DOM after its scripts ran, and the console messages Chromium logged
    /// (every `console.*` call, uncaught error and refused request appears there).
    struct Page {
        var dom: String
        var console: [String]
        var stderr: String
    }

    /// Loads `file` and returns its DOM after scripts ran (`--dump-dom` with a virtual time budget).
    static func dumpDOM(_ file: URL, timeout: Double = 120) throws -> Page {
        let (out, err) = try run(["--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", "--dump-dom", file.absoluteString], timeout: timeout)
        let console = err.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
        return Page(dom: out, console: console, stderr: err)
    }

    /// Takes a `width`×`height` screenshot of `file` into `png`.
    static func screenshot(_ file: URL, png: URL, width: Int, height: Int) throws {
        _ = try run(["--hide-scrollbars", "--window-size=\(width),\(height)", "--screenshot=\(png.path)", file.absoluteString], timeout: 120)
    }

    private static func run(_ arguments: [String], timeout: Double) throws -> (String, String) {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("annals-chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: profile) }
        let process = Process()
        process.executableURL = try executable()
        process.arguments = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--user-data-dir=\(profile.path)",
        ] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        let collected = Collected()
        let readers = DispatchGroup()
        for (pipe, isOut) in [(out, true), (err, false)] {
            readers.enter()
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                collected.set(data, out: isOut)
                readers.leave()
            }
        }
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            exited.wait()
            throw TestFailure("chromium did not finish within \(Int(timeout)) s")
        }
        _ = readers.wait(timeout: .now() + 10)
        let (stdout, stderr) = collected.get()
        guard process.terminationStatus == 0 else {
            throw TestFailure("chromium exited with \(process.terminationStatus): \(stderr.suffix(2000))")
        }
        return (stdout, stderr)
    }

    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var out = Data(), err = Data()
        func set(_ data: Data, out isOut: Bool) { lock.withLock { if isOut { out = data } else { err = data } } }
        func get() -> (String, String) {
            lock.withLock { (String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self)) }
        }
    }
}
