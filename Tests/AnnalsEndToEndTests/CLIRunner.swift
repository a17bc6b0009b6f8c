import AnnalsCore
import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What a run of the `annals` binary gave.
struct CLIResult: Sendable, CustomStringConvertible {
    var status: Int32
    /// True when the process was ended by a signal (`status` is then the signal number).
    var signaled: Bool
    var stdoutData: Data
    var stderrData: Data
    var timedOut: Bool

    var stdout: String { String(decoding: stdoutData, as: UTF8.self) }
    var stderr: String { String(decoding: stderrData, as: UTF8.self) }
    /// The non-empty lines of standard output.
    var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
    /// The non-empty lines of standard error.
    var stderrLines: [String] { stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }

    var description: String {
        "status \(status)\(signaled ? " (signal)" : "")\(timedOut ? " (timed out)" : "")\n--- stdout:\n\(stdout.prefix(4000))\n--- stderr:\n\(stderr.prefix(4000))"
    }
}

/// Runs the real `annals` binary built next to the test bundle.
///
/// The environment is the test process's, minus ANNALS_ADDR, NO_COLOR and COLUMNS, plus `environment`;
/// a value of nil in `environment` removes the variable.
struct CLIRunner: Sendable {
    /// `127.0.0.1:<port>` for ANNALS_ADDR, or nil for no ANNALS_ADDR.
    var address: String?
    var environment: [String: String?] = [:]
    var timeout: Double = 60

    init(address: String?, environment: [String: String?] = [:], timeout: Double = 60) {
        self.address = address
        self.environment = environment
        self.timeout = timeout
    }

    init(server: ServerProcess, environment: [String: String?] = [:], timeout: Double = 60) {
        self.init(address: "127.0.0.1:\(server.port)", environment: environment, timeout: timeout)
    }

    static var executable: URL { ServerProcess.binDirectory.appendingPathComponent("annals") }

    /// The environment a child gets.
    func childEnvironment(_ extra: [String: String?] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for key in ["ANNALS_ADDR", "NO_COLOR", "COLUMNS", "ANNALS_REGENERATE_GOLDEN"] { env[key] = nil }
        if let address { env["ANNALS_ADDR"] = address }
        for (key, value) in environment.merging(extra, uniquingKeysWith: { _, b in b }) { env[key] = value }
        return env
    }

    /// Runs `annals arguments…`, feeding `stdin` (or nothing: standard input is /dev/null), and waits.
    @discardableResult
    func run(_ arguments: [String], stdin: Data? = nil, environment extra: [String: String?] = [:], timeout: Double? = nil) throws -> CLIResult {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.environment = childEnvironment(extra)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = stdin.map { _ in Pipe() }
        if let input { process.standardInput = input } else { process.standardInput = FileHandle.nullDevice }
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()

        let collected = Mutex<(out: Data, err: Data)>((Data(), Data()))
        let readers = DispatchGroup()
        for (pipe, isOut) in [(out, true), (err, false)] {
            readers.enter()
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                collected.withLock { if isOut { $0.out = data } else { $0.err = data } }
                readers.leave()
            }
        }
        if let stdin, let input {
            DispatchQueue.global().async {
                try? input.fileHandleForWriting.write(contentsOf: stdin)
                try? input.fileHandleForWriting.close()
            }
        }
        var timedOut = false
        if exited.wait(timeout: .now() + (timeout ?? self.timeout)) == .timedOut {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            exited.wait()
        }
        _ = readers.wait(timeout: .now() + 10)
        let (stdoutData, stderrData) = collected.withLock { ($0.out, $0.err) }
        return CLIResult(
            status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
            stdoutData: stdoutData, stderrData: stderrData, timedOut: timedOut
        )
    }

    /// Runs and records an issue unless the exit status is `expected`.
    @discardableResult
    func expect(_ expected: Int32, _ arguments: [String], stdin: Data? = nil, environment extra: [String: String?] = [:],
                sourceLocation: SourceLocation = #_sourceLocation) throws -> CLIResult {
        let result = try run(arguments, stdin: stdin, environment: extra)
        #expect(result.status == expected && !result.signaled && !result.timedOut,
                "annals \(arguments.joined(separator: " ")): \(result)", sourceLocation: sourceLocation)
        return result
    }

    /// Runs and expects success (status 0).
    @discardableResult
    func ok(_ arguments: [String], stdin: Data? = nil, environment extra: [String: String?] = [:],
            sourceLocation: SourceLocation = #_sourceLocation) throws -> CLIResult {
        try expect(0, arguments, stdin: stdin, environment: extra, sourceLocation: sourceLocation)
    }

    /// Runs with standard output on a pseudo-terminal (so `isatty(1)` is true) and returns what it printed.
    /// The terminal adds CR before each LF (ONLCR); those are removed.
    func runOnTerminal(_ arguments: [String], environment extra: [String: String?] = [:]) throws -> CLIResult {
        // posix_openpt and friends are not visible to Swift through Glibc; their ioctls are the same
        // on every Linux architecture: TIOCSPTLCK = _IOW('T', 0x31, int), TIOCGPTN = _IOR('T', 0x30, unsigned).
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard master >= 0 else { throw TestFailure("cannot open /dev/ptmx: errno \(errno)") }
        defer { close(master) }
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard ioctl(master, 0x4004_5431, &unlock) == 0, ioctl(master, 0x8004_5430, &number) == 0 else {
            throw TestFailure("cannot set up the pseudo-terminal: errno \(errno)")
        }
        let slave = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard slave >= 0 else { throw TestFailure("cannot open the pseudo-terminal's slave: errno \(errno)") }
        var size = winsize(ws_row: 50, ws_col: 100, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(slave, UInt(TIOCSWINSZ), &size)

        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.environment = childEnvironment(extra)
        let slaveHandle = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
        process.standardOutput = slaveHandle
        let err = Pipe()
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            close(slave)
            throw error
        }
        // Our copy of the slave must go, or reading the master never ends.
        close(slave)

        let collected = Mutex<Data>(Data())
        let reader = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = read(master, &buffer, buffer.count)
                if n <= 0 { break }  // EIO once the child has closed the slave
                collected.withLock { $0.append(contentsOf: buffer[0..<n]) }
            }
            reader.signal()
        }
        var timedOut = false
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            exited.wait()
        }
        _ = reader.wait(timeout: .now() + 10)
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        let text = String(decoding: collected.withLock { $0 }, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        return CLIResult(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                         stdoutData: Data(text.utf8), stderrData: stderrData, timedOut: timedOut)
    }

    /// Starts `annals arguments…` in the background, collecting its output as it comes.
    func start(_ arguments: [String]) throws -> BackgroundCLI {
        try BackgroundCLI(arguments: arguments, environment: childEnvironment())
    }
}

/// A long-running `annals` process (e.g. `tail`) whose output is read while it runs.
final class BackgroundCLI: @unchecked Sendable {
    let process = Process()
    private final class Output: Sendable {
        let data = Mutex<(out: Data, err: Data)>((Data(), Data()))
    }

    private let output = Output()
    private let exited = DispatchSemaphore(value: 0)
    private let ended = Mutex(false)
    private let readers = DispatchGroup()

    init(arguments: [String], environment: [String: String]) throws {
        process.executableURL = CLIRunner.executable
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.terminationHandler = { [exited] _ in exited.signal() }
        try cliRunWithSignalsUnblocked(process)
        for (pipe, isOut) in [(out, true), (err, false)] {
            readers.enter()
            let handle = pipe.fileHandleForReading
            DispatchQueue.global().async { [output, readers] in
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    output.data.withLock { if isOut { $0.out.append(chunk) } else { $0.err.append(chunk) } }
                }
                readers.leave()
            }
        }
    }

    var stdout: String { String(decoding: output.data.withLock { $0.out }, as: UTF8.self) }
    var stderr: String { String(decoding: output.data.withLock { $0.err }, as: UTF8.self) }

    /// Waits until `condition` holds for the output so far; false on timeout or when the process ended first.
    func waitForOutput(timeout: Double = 30, _ condition: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(stdout) { return true }
            if !process.isRunning { return condition(stdout) }
            usleep(20_000)
        }
        return false
    }

    /// Waits for the process to end by itself; false if it did not within `timeout`.
    func waitForExit(timeout: Double) -> Bool {
        guard exited.wait(timeout: .now() + timeout) == .success else { return false }
        exited.signal()  // `stop` waits on it too
        _ = readers.wait(timeout: .now() + 5)
        return true
    }

    /// Sends `signal` and waits for the process to end; false if it did not within `timeout`.
    @discardableResult
    func stop(signal: Int32 = SIGINT, timeout: Double = 10) -> Bool {
        if ended.withLock({ $0 }) { return true }
        if process.isRunning { kill(process.processIdentifier, signal) }
        var inTime = true
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            inTime = false
            kill(process.processIdentifier, SIGKILL)
            exited.wait()
        }
        ended.withLock { $0 = true }
        _ = readers.wait(timeout: .now() + 5)
        return inTime
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

// MARK: - Fixtures for the CLI tests

/// A fresh temporary directory, removed on deinit.
final class CLITemporaryDirectory: @unchecked Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("annals-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Writes `text` to a file in the directory and returns its path.
    func file(_ name: String, _ text: String) throws -> String {
        let path = url.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// The store the read-only CLI suites share: the sample log, then `CLIFixtures.extraLines`.
enum CLIFixtures {
    static let sampleLines: [String] = {
        let text = (try? String(contentsOfFile: Fixtures.samplePath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }()

    /// Events the sample lacks: qualified and unspecified dates, an open interval, a BC year, text that
    /// CSV must quote, and a retracted event.
    static let extraLines: [String] = [
        #"{"id":"extra-approximate-statement","date":"1956~","kind":"statement","title":"Approximate statement, \"quoted\", with commas","summary":"First line, with a comma;\nsecond line with \"quotes\".","actors":[{"name":"Japan","code":"JPN","role":"speaker"}],"tags":["cli-fixture"],"references":[{"id":"1956-10-19-soviet-japanese-joint-declaration","relation":"mentions"}]}"#,
        #"{"id":"extra-uncertain-meeting","date":"1957?","kind":"meeting","title":"Uncertain meeting of fishery negotiators","actors":["Japan","Soviet Union"],"tags":["cli-fixture","fisheries"]}"#,
        #"{"id":"extra-decade-trade","date":"195X","kind":"other","title":"Trade grows through the 1950s","tags":["cli-fixture","trade"]}"#,
        #"{"id":"extra-open-occupation","date":"1945-08/..","kind":"other","title":"Soviet administration of the southern Kurils begins","actors":[{"name":"Soviet Union","code":"SUN"}],"tags":["cli-fixture","kuril-islands"]}"#,
        #"{"id":"extra-legendary-founding","date":"-0660-02-11","kind":"other","title":"Legendary founding of Japan by Emperor Jimmu","actors":["Japan"],"tags":["cli-fixture"]}"#,
        #"{"id":"extra-retracted-rumour","date":"1957-03-01","kind":"statement","title":"A rumoured statement that never happened","tags":["cli-fixture"]}"#,
        #"{"op":"retract","id":"extra-retracted-rumour","reason":"no source confirms it"}"#,
    ]

    static var allLines: [String] { sampleLines + extraLines }

    /// Every entry of the shared store, decoded.
    static let entries: [LogEntry] = (sampleLines + extraLines).map { try! EventLogCodec.decode(line: $0) }

    /// The events of the shared store by id (retracted ones included).
    static let events: [String: Event] = {
        var out: [String: Event] = [:]
        for case .event(let event) in entries { out[event.id] = event }
        return out
    }()

    static let retractedIDs: Set<String> = Set(entries.compactMap { if case .retraction(let r) = $0 { r.id } else { nil } })

    /// Ids of the visible (not retracted) events.
    static var visibleIDs: Set<String> { Set(events.keys).subtracting(retractedIDs) }
}

/// A server holding the `CLIFixtures` store, started once per suite that carries `.cliSharedStore`.
final class CLISharedStore: Sendable {
    @TaskLocal static var current: CLISharedStore?

    let server: ServerProcess
    let cli: CLIRunner
    let directory: CLITemporaryDirectory

    init() throws {
        server = try ServerProcess()
        cli = CLIRunner(server: server)
        directory = try CLITemporaryDirectory()
        let path = try directory.file("fixture.jsonl", CLIFixtures.allLines.joined(separator: "\n") + "\n")
        let result = try cli.run(["replay", "--quiet", path])
        guard result.status == 0 else { throw TestFailure("loading the CLI fixture failed: \(result)") }
    }

    /// The store of the running suite.
    static func get() throws -> CLISharedStore {
        guard let current else { throw TestFailure("no shared store: add .cliSharedStore to the suite") }
        return current
    }
}

/// Starts one `CLISharedStore` around a whole suite.
struct CLISharedStoreTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        if CLISharedStore.current != nil {
            try await function()
            return
        }
        let store = try CLISharedStore()
        try await CLISharedStore.$current.withValue(store) {
            try await function()
        }
        _ = try? store.server.stop()
    }
}

extension Trait where Self == CLISharedStoreTrait {
    /// One annalsd with the sample log and the CLI fixtures for the whole suite.
    static var cliSharedStore: CLISharedStoreTrait { CLISharedStoreTrait() }
}

// MARK: - Parsing helpers

enum CLIParse {
    /// Whitespace runs collapsed to single spaces, for text that a renderer may have wrapped.
    static func flattened(_ text: String) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).joined(separator: " ")
    }

    /// A JSON value parsed from text (fragments allowed).
    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    /// The keys of a JSON object, in the order the text gives them (top level of `text` only).
    static func keysInOrder(ofObject text: String) -> [String] {
        var keys: [String] = []
        var depth = 0
        var inString = false
        var escaped = false
        var current = ""
        var lastString: String?
        for character in text {
            if inString {
                if escaped { escaped = false; current.append(character); continue }
                if character == "\\" { escaped = true; current.append(character); continue }
                if character == "\"" { inString = false; lastString = current; continue }
                current.append(character)
                continue
            }
            switch character {
            case "\"":
                inString = true
                current = ""
            case "{", "[":
                depth += 1
                lastString = nil
            case "}", "]":
                depth -= 1
                lastString = nil
            case ":":
                if depth == 1, let key = lastString { keys.append(key) }
                lastString = nil
            case ",":
                lastString = nil
            default:
                break
            }
        }
        return keys
    }

    /// The elements of a top-level JSON array as their own text (objects only, as the JSON renderer writes them).
    static func arrayElements(_ text: String) -> [String] {
        var elements: [String] = []
        var depth = 0
        var inString = false
        var escaped = false
        var start: String.Index?
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
            } else {
                switch character {
                case "\"": inString = true
                case "{", "[":
                    depth += 1
                    if depth == 2 && character == "{" { start = index }
                case "}", "]":
                    if depth == 2, character == "}", let s = start {
                        elements.append(String(text[s...index]))
                        start = nil
                    }
                    depth -= 1
                default: break
                }
            }
            index = text.index(after: index)
        }
        return elements
    }

    /// RFC 4180 CSV: fields separated by commas, records by CRLF, fields with commas, quotes or line
    /// breaks quoted with quotes doubled. Throws on anything else (a bare LF, a stray quote, a missing
    /// final CRLF).
    static func csv(_ text: String) throws -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        let scalars = Array(text.unicodeScalars)
        var i = 0
        var atFieldStart = true
        while i < scalars.count {
            let c = scalars[i]
            if atFieldStart && c == "\"" {
                // A quoted field.
                i += 1
                while true {
                    guard i < scalars.count else { throw TestFailure("CSV: unterminated quoted field") }
                    if scalars[i] == "\"" {
                        if i + 1 < scalars.count && scalars[i + 1] == "\"" {
                            field.unicodeScalars.append("\"")
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    field.unicodeScalars.append(scalars[i])
                    i += 1
                }
                atFieldStart = false
                guard i < scalars.count else { throw TestFailure("CSV: the last record does not end with CRLF") }
                guard scalars[i] == "," || scalars[i] == "\r" else { throw TestFailure("CSV: text after a closing quote") }
                continue
            }
            switch c {
            case ",":
                record.append(field)
                field = ""
                atFieldStart = true
                i += 1
            case "\r":
                guard i + 1 < scalars.count, scalars[i + 1] == "\n" else { throw TestFailure("CSV: CR without LF") }
                record.append(field)
                records.append(record)
                record = []
                field = ""
                atFieldStart = true
                i += 2
            case "\n":
                throw TestFailure("CSV: bare LF outside a quoted field")
            case "\"":
                throw TestFailure("CSV: quote inside an unquoted field")
            default:
                field.unicodeScalars.append(c)
                atFieldStart = false
                i += 1
            }
        }
        guard record.isEmpty && field.isEmpty && atFieldStart else { throw TestFailure("CSV: the last record does not end with CRLF") }
        return records
    }

    /// Ids of a JSON Lines timeline, in order.
    static func ids(ofJSONLines text: String) throws -> [String] {
        try text.split(separator: "\n").map { line in
            guard let object = try json(String(line)) as? [String: Any], let id = object["id"] as? String else {
                throw TestFailure("not an event line: \(line.prefix(200))")
            }
            return id
        }
    }
}

/// The port of a loopback socket that was just closed: nothing listens there.
func cliClosedLoopbackPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    guard bound == 0 else { throw TestFailure("bind failed") }
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { throw TestFailure("getsockname failed") }
    return UInt16(bigEndian: address.sin_port)
}

/// Starts `process` with no signal blocked. A child inherits the signal mask of the thread that spawns
/// it, and the test runner's worker threads block SIGINT: without this, `annals tail` would never see
/// the SIGINT a test sends it.
func cliRunWithSignalsUnblocked(_ process: Process) throws {
    var all = sigset_t(), previous = sigset_t()
    sigfillset(&all)
    pthread_sigmask(SIG_UNBLOCK, &all, &previous)
    defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
    try process.run()
}
