import AnnalsClient
import AnnalsProtocol
import AnnalsCore
import Dispatch
import Foundation
import Synchronization

/// Sends the entries of event logs and imported datasets in pipelined atomic batches, and keeps the tally.
///
/// Each input (`EntryInput`) yields entries with the line they come from, or why a line cannot be one;
/// every entry is validated before it is sent. A batch with a rejected line writes nothing on the
/// server; the sender reports the rejected lines and sends the others again without them, so one bad
/// line costs only itself. Batches sent after it may be written first, except that a batch touching an
/// event id of a line not yet written waits for it: the entries of one event (its revisions, its
/// retraction) keep the file's order.
///
/// With `strict`, the first rejected line ends the run: the lines before it are written, none after.
final class BatchSender: @unchecked Sendable {
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
        /// Rows an import's filters left out (nil for a replay, which has none).
        var filtered: Int?
        var rejected: Int { errors.count }

        var json: String {
            var object: [String: Any] = [
                "accepted": accepted, "duplicates": duplicates, "rejected": rejected,
                "errors": errors.map { ["file": $0.file, "line": $0.line, "code": $0.code, "message": $0.message] },
            ]
            if let filtered { object["filtered"] = filtered }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
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
    private let validator = EventValidator()
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
        /// Lines sent but not written or rejected yet (in flight, or waiting in `retry`), by event id.
        var unsettled: [String: Int] = [:]

        mutating func settle(_ line: Line) {
            let id = line.entry.id
            if let count = unsettled[id], count > 1 { unsettled[id] = count - 1 } else { unsettled[id] = nil }
        }
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

    /// The tally, errors in the order of the files and lines (the server's answers come in later than
    /// the errors found while reading).
    var summary: Summary {
        var summary = state.withLock { $0.summary }
        let order = fileOrder
        summary.errors.sort { (order[$0.file] ?? 0, $0.line) < (order[$1.file] ?? 0, $1.line) }
        return summary
    }

    /// The position of each file in the command line.
    private var fileOrder: [String: Int] = [:]

    /// Validates and sends every entry of `input`, until it ends or the sender stops.
    /// - Throws: `CLIError` when the input cannot be read or the connection fails.
    func send(_ input: inout some EntryInput) throws {
        let name = input.name
        if fileOrder[name] == nil { fileOrder[name] = fileOrder.count }
        while !stopped, let line = try input.next() {
            do {
                let entry = try line.entry.get()
                try validator.validate(entry)
                batch.append(Line(file: name, number: line.number, entry: entry))
                if batch.count >= batchSize { try sendBatch() }
            } catch let error as EventError {
                if strict {
                    // The lines before this one go first; one of them may be the first rejected line.
                    try sendBatch()
                    try settleAll()
                    if stopped { return }
                }
                record(LineError(file: name, line: line.number, code: error.code.name, message: Self.message(error)))
            }
        }
    }

    /// Sends what is left, waits for every response, and resends batches that held a rejected line.
    func finish() throws {
        if !batch.isEmpty { try sendBatch() }
        try settleAll()
        progress?.finish()
        if let failure = state.withLock({ $0.failure }) { throw CLIError(failure) }
    }

    /// Waits for every batch in flight and sends the lines of aborted batches again, until all are settled.
    private func settleAll() throws {
        while true {
            inFlight.wait()
            let retry = state.withLock { state -> [Line] in
                defer { state.retry.removeAll() }
                return state.failure == nil ? state.retry : []
            }
            if retry.isEmpty { return }
            for chunk in stride(from: 0, to: retry.count, by: batchSize) {
                try send(Array(retry[chunk..<min(chunk + batchSize, retry.count)]), resending: true)
            }
        }
    }

    private func sendBatch() throws {
        let lines = batch
        batch.removeAll(keepingCapacity: true)
        if lines.isEmpty { return }
        // A line about an event whose earlier line is not written yet waits for it.
        let waits = state.withLock { state in lines.contains { state.unsettled[$0.entry.id] != nil } }
        if waits { try settleAll() }
        try send(lines, resending: false)
    }

    /// Sends one batch. Lines sent again (`resending`) were counted as unsettled when first sent, and go
    /// even after a --strict stop: they come before the first rejected line.
    private func send(_ lines: [Line], resending: Bool) throws {
        if let rate {
            let due = Double(sent) / rate
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
            if due > elapsed { Thread.sleep(forTimeInterval: due - elapsed) }
        }
        slots.wait()
        let go = state.withLock { state -> Bool in
            guard state.failure == nil, resending || !state.stop else { return false }
            if !resending {
                for line in lines { state.unsettled[line.entry.id, default: 0] += 1 }
            }
            return true
        }
        guard go else {
            slots.signal()
            if let failure = state.withLock({ $0.failure }) { throw CLIError(failure) }
            return
        }
        sent += lines.count
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
                    for line in lines { state.settle(line) }
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
        var settled: [Line] = []
        var firstRejected: Int?
        for (index, (line, outcome)) in zip(lines, outcomes).enumerated() {
            if strict, let firstRejected, index > firstRejected {
                // Stop at the first rejected line: nothing after it is written or reported.
                settled.append(line)
                continue
            }
            switch outcome {
            case .accepted:
                accepted += 1
                settled.append(line)
            case .duplicate:
                duplicates += 1
                settled.append(line)
            case .rejected(let error) where error.code == .batchAborted:
                retry.append(line)
            case .rejected(let error):
                errors.append(LineError(file: line.file, line: line.number, code: error.code.name, message: Self.message(error)))
                settled.append(line)
                firstRejected = firstRejected ?? index
            }
        }
        progress?.count(accepted + duplicates)
        state.withLock { state in
            state.summary.accepted += accepted
            state.summary.duplicates += duplicates
            state.summary.errors += errors
            if strict && !errors.isEmpty { state.stop = true }
            state.retry += retry
            for line in settled { state.settle(line) }
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
