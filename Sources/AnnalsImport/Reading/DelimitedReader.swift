/// Splits tab- or comma-separated bytes into records, fed in chunks of any size.
///
/// - Tab-separated (GDELT, ICEWS): a record is a line, fields are split at every tab; quotes are data.
/// - Comma-separated (ACLED, RFC 4180): a field may be quoted, and then holds commas, line breaks and
///   doubled quotes. A closing quote followed by anything but a comma or the end of the line makes the
///   record malformed; a quote inside an unquoted field is data.
///
/// Lines end with LF or CRLF; blank lines are skipped. Every record knows the line it starts on. A
/// record longer than `maxRecordBytes` (an unclosed quote swallowing the file, say) is reported as a
/// failure and reading resumes at the next line, so one bad record never costs the rest of the file.
///
/// ```swift
/// var reader = DelimitedReader(dialect: .commaSeparated)
/// reader.append(chunk)            // as often as chunks arrive; then:
/// reader.finish()
/// while let record = reader.next() { … }   // nil: needs more input, or the end after finish()
/// ```
public struct DelimitedReader: Sendable {
    /// How fields are separated and quoted.
    public enum Dialect: Sendable {
        /// Tab-separated, no quoting.
        case tabSeparated
        /// Comma-separated with RFC 4180 quoting.
        case commaSeparated
    }

    /// A record that could not be read, and the line it starts on.
    public struct Failure: Error, Sendable, Equatable {
        public var line: Int
        public var message: String
    }

    /// The longest record read, in bytes, unless another limit is given.
    public static let defaultMaxRecordBytes = 1 << 20

    private let delimiter: UInt8
    private let quoting: Bool
    private let maxRecordBytes: Int
    private var buffer: [UInt8] = []
    /// Where the next record starts in `buffer`.
    private var start = 0
    /// The line `start` is on.
    private var line = 1
    private var ended = false
    /// After an over-long record: skipping to the end of its line.
    private var skipping = false

    public init(dialect: Dialect, maxRecordBytes: Int = DelimitedReader.defaultMaxRecordBytes) {
        delimiter = dialect == .tabSeparated ? 0x09 : 0x2C
        quoting = dialect == .commaSeparated
        self.maxRecordBytes = maxRecordBytes
    }

    /// Adds the next bytes of the input.
    public mutating func append(_ chunk: some Sequence<UInt8>) {
        if start > 0 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        buffer.append(contentsOf: chunk)
    }

    /// Says that no more input comes: the last record need not end with a line break.
    public mutating func finish() {
        ended = true
    }

    private enum State {
        case fieldStart, unquoted, quoted, afterQuote
    }

    private static let lf: UInt8 = 0x0A, cr: UInt8 = 0x0D, quote: UInt8 = 0x22

    /// The next record, or a failure for one that cannot be read; nil when more input is needed, or at
    /// the end once `finish()` was called.
    public mutating func next() -> Result<DelimitedRecord, Failure>? {
        while true {
            if skipping {
                guard let newline = buffer[start...].firstIndex(of: Self.lf) else {
                    start = buffer.count
                    if ended { skipping = false }
                    return nil
                }
                line += 1
                start = newline + 1
                skipping = false
            }
            guard start < buffer.count else { return nil }
            switch scan() {
            case .needMore:
                return nil
            case .blank:
                continue
            case .record(let record):
                return .success(record)
            case .failure(let failure):
                return .failure(failure)
            }
        }
    }

    private enum Scan {
        case needMore, blank, record(DelimitedRecord), failure(Failure)
    }

    /// Reads the record at `start`, advancing past it unless more input is needed.
    private mutating func scan() -> Scan {
        let recordLine = line
        var out: [UInt8] = []
        var ends: [Int] = []
        var state = State.fieldStart
        var malformed: String?
        var lines = 0
        var quoted = false
        let delimiter = self.delimiter, quoting = self.quoting, limit = maxRecordBytes, from = start
        let stop: Int? = buffer.withUnsafeBufferPointer { bytes -> Int? in
            var i = from
            while i < bytes.count {
                let b = bytes[i]
                switch state {
                case .fieldStart, .unquoted:
                    if b == delimiter {
                        ends.append(out.count)
                        state = .fieldStart
                    } else if b == Self.lf {
                        if out.last == Self.cr && out.count > (ends.last ?? 0) { out.removeLast() }
                        return i
                    } else if b == Self.quote && quoting && state == .fieldStart {
                        state = .quoted
                        quoted = true
                    } else {
                        out.append(b)
                        state = .unquoted
                    }
                case .quoted:
                    if b == Self.quote {
                        state = .afterQuote
                    } else {
                        if b == Self.lf { lines += 1 }
                        out.append(b)
                    }
                case .afterQuote:
                    if b == Self.quote {
                        out.append(b)
                        state = .quoted
                    } else if b == delimiter {
                        ends.append(out.count)
                        state = .fieldStart
                    } else if b == Self.lf {
                        return i
                    } else if b != Self.cr {
                        malformed = malformed ?? "text after a closing quote"
                        out.append(b)
                        state = .unquoted
                    }
                }
                if i - from >= limit { return -1 }
                i += 1
            }
            return nil
        }
        if stop == -1 {
            // Resume after the first line of the record: the best guess at where the next one starts.
            skipping = true
            return .failure(Failure(line: recordLine, message: "a record longer than \(limit) bytes (an unclosed quote?)"))
        }
        let end: Int
        if let stop {
            end = stop + 1
            lines += 1
        } else {
            guard ended else { return .needMore }
            if state == .quoted {
                line += lines
                start = buffer.count
                return .failure(Failure(line: recordLine, message: "a quoted field is not closed before the end of the file"))
            }
            if out.last == Self.cr && state != .afterQuote && out.count > (ends.last ?? 0) { out.removeLast() }
            end = buffer.count
        }
        start = end
        line += lines
        if ends.isEmpty && out.isEmpty && !quoted { return .blank }
        if let malformed { return .failure(Failure(line: recordLine, message: malformed)) }
        ends.append(out.count)
        return .record(DelimitedRecord(line: recordLine, bytes: out, ends: ends))
    }
}
