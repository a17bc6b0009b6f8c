import AnnalsClient
import AnnalsProtocol
import AnnalsCore
import Dispatch
import Foundation
import Synchronization

/// Replays event logs: reads lines, sends them in pipelined atomic batches, and keeps the tally.
///
/// A batch with a rejected line writes nothing on the server; the session reports the rejected lines
/// and sends the others again without them, so one bad line costs only itself.
final class ReplaySession: @unchecked Sendable {
    struct LineError: Sendable {
        var file: String
        var line: Int
        var code: String
        var message: String
    }

    struct Summary {
        var accepted = 0
        var duplicates = 0
        var errors: [LineError] = []
        var rejected: Int { errors.count }

        var json: String {
            let object: [String: Any] = [
                "accepted": accepted, "duplicates": duplicates, "rejected": rejected,
                "errors": errors.map { ["file": $0.file, "line": $0.line, "code": $0.code, "message": $0.message] },
            ]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// An entry and where it came from.
    private struct Line {
        var file: String
        var number: Int
        var entry: LogEntry
    }

    private let connection: AnnalsConnection
    private let batchSize: Int
    private let strict: Bool
    private let rate: Double?
    private let progress: ProgressBar?
    private let slots: DispatchSemaphore
    private let inFlight = DispatchGroup()
    private let state = Mutex(State())
    private var batch: [Line] = []
    private var sent = 0
    private let started = DispatchTime.now()

    private struct State {
        var summary = Summary()
        var retry: [Line] = []
        var stop = false
        var failure: ClientError?
    }

    init(connection: AnnalsConnection, batchSize: Int, pipeline: Int, strict: Bool, rate: Double?, progress: ProgressBar?) {
        self.connection = connection
        self.batchSize = rate.map { max(1, min(batchSize, Int($0 / 10))) } ?? batchSize
        self.strict = strict
        self.rate = rate
        self.progress = progress
        self.slots = DispatchSemaphore(value: pipeline)
    }

    var stopped: Bool { state.withLock { $0.stop } }
    var summary: Summary { state.withLock { $0.summary } }

    /// Reads and sends one file (or standard input for "-").
    func replay(file: String) throws {
        let handle: FileHandle
        if file == "-" {
            handle = FileHandle.standardInput
        } else {
            guard let opened = FileHandle(forReadingAtPath: file) else { throw CLIError(.unreadableFile, "cannot read \(file)") }
            handle = opened
        }
        let name = file == "-" ? "<stdin>" : file
        var reader = LineReader(handle: handle)
        while let (number, bytes) = reader.next() {
            if stopped { return }
            progress?.advance(bytes: bytes.count + 1)
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            do {
                let entry = try EventLogCodec.decode(line: bytes)
                try EventValidator().validate(entry)
                batch.append(Line(file: name, number: number, entry: entry))
                if batch.count >= batchSize { try sendBatch() }
            } catch let error as EventError {
                record(LineError(file: name, line: number, code: error.code.name, message: Self.message(error)))
            }
        }
        if let error = reader.error { throw CLIError(.unreadableFile, "reading \(name): \(error)") }
    }

    /// Sends what is left, waits for every response, and resends batches that held a rejected line.
    func finish() throws {
        if !batch.isEmpty { try sendBatch() }
        inFlight.wait()
        while true {
            let retry = state.withLock { state -> [Line] in
                defer { state.retry.removeAll() }
                return state.stop ? [] : state.retry
            }
            if retry.isEmpty { break }
            for chunk in stride(from: 0, to: retry.count, by: batchSize) {
                batch = Array(retry[chunk..<min(chunk + batchSize, retry.count)])
                try sendBatch()
            }
            inFlight.wait()
        }
        progress?.finish()
        if let failure = state.withLock({ $0.failure }) { throw CLIError(failure) }
    }

    private func sendBatch() throws {
        let lines = batch
        batch.removeAll(keepingCapacity: true)
        if let rate {
            let due = Double(sent) / rate
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
            if due > elapsed { Thread.sleep(forTimeInterval: due - elapsed) }
        }
        sent += lines.count
        slots.wait()
        inFlight.enter()
        connection.append(lines.map(\.entry)) { [self] result in
            defer {
                slots.signal()
                inFlight.leave()
            }
            switch result {
            case .failure(let error):
                state.withLock { state in
                    state.failure = state.failure ?? error
                    state.stop = true
                }
            case .success(let outcomes):
                handle(outcomes, for: lines)
            }
        }
        if let failure = state.withLock({ $0.failure }) { throw CLIError(failure) }
    }

    private func handle(_ outcomes: [AppendOutcome], for lines: [Line]) {
        var accepted = 0, duplicates = 0
        var errors: [LineError] = []
        var retry: [Line] = []
        for (line, outcome) in zip(lines, outcomes) {
            switch outcome {
            case .accepted: accepted += 1
            case .duplicate: duplicates += 1
            case .rejected(let error) where error.code == .batchAborted: retry.append(line)
            case .rejected(let error):
                errors.append(LineError(file: line.file, line: line.number, code: error.code.name, message: Self.message(error)))
            }
        }
        progress?.count(accepted + duplicates)
        state.withLock { state in
            state.summary.accepted += accepted
            state.summary.duplicates += duplicates
            state.summary.errors += errors
            if strict && !errors.isEmpty { state.stop = true }
            state.retry += retry
        }
    }

    /// The message of a line error, with the field at fault.
    static func message(_ error: EventError) -> String {
        error.field.map { "\($0): \(error.message)" } ?? error.message
    }

    private func record(_ error: LineError) {
        state.withLock { state in
            state.summary.errors.append(error)
            if strict { state.stop = true }
        }
    }
}

/// Reads a file line by line in large chunks; lines are numbered from 1.
struct LineReader {
    let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var number = 0
    private var eof = false
    private(set) var error: String?
    /// Lines longer than this are returned truncated; the codec then rejects them.
    static let maxLine = 16 << 20

    init(handle: FileHandle) {
        self.handle = handle
    }

    mutating func next() -> (Int, ArraySlice<UInt8>)? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                let line = buffer[start..<newline]
                start = newline + 1
                number += 1
                return (number, line.last == 0x0D ? line.dropLast() : line)
            }
            if eof {
                guard start < buffer.count else { return nil }
                let line = buffer[start...]
                start = buffer.count
                number += 1
                return (number, line)
            }
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            } catch {
                self.error = "\(error)"
                chunk = Data()
            }
            if chunk.isEmpty { eof = true } else { buffer.append(contentsOf: chunk) }
        }
    }
}

/// A one-line progress bar on standard error: count, rate and ETA.
final class ProgressBar: @unchecked Sendable {
    private let totalBytes: Int64?
    private let lock = NSLock()
    private var bytes: Int64 = 0
    private var events = 0
    private var lastDraw = DispatchTime(uptimeNanoseconds: 0)
    private let started = DispatchTime.now()

    init(totalBytes: Int64?) {
        self.totalBytes = totalBytes
    }

    func advance(bytes count: Int) {
        lock.lock()
        bytes += Int64(count)
        lock.unlock()
        draw()
    }

    func count(_ n: Int) {
        lock.lock()
        events += n
        lock.unlock()
        draw()
    }

    private func draw(force: Bool = false) {
        lock.lock()
        defer { lock.unlock() }
        let now = DispatchTime.now()
        guard force || now.uptimeNanoseconds - lastDraw.uptimeNanoseconds > 100_000_000 else { return }
        lastDraw = now
        let elapsed = max(0.001, Double(now.uptimeNanoseconds - started.uptimeNanoseconds) / 1e9)
        let rate = Double(events) / elapsed
        var line = "\r"
        if let totalBytes, totalBytes > 0 {
            let fraction = min(1, Double(bytes) / Double(totalBytes))
            let filled = Int(fraction * 30)
            line += "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: 30 - filled) + "] "
            line += String(format: "%3.0f%%  ", fraction * 100)
            if fraction > 0.01 && fraction < 1 {
                let eta = Int(elapsed / fraction * (1 - fraction))
                line += String(format: "ETA %d:%02d  ", eta / 60, eta % 60)
            }
        }
        line += "\(events) events  \(Int(rate))/s"
        Terminal.writeError(line + "\u{1B}[K")
    }

    func finish() {
        draw(force: true)
        Terminal.writeError("\n")
    }
}
