import AnnalsCore

/// One line of an input: the entry it holds, or why it cannot be one.
struct InputLine {
    /// The line the entry starts on, from 1.
    var number: Int
    var entry: Result<LogEntry, EventError>
}

/// A stream of log entries read from one input (a JSON Lines log, a dataset file), with their lines:
/// what `BatchSender` sends.
protocol EntryInput {
    /// The name line errors give: the path, or `<stdin>`.
    var name: String { get }
    /// The next line's entry, or why it cannot be one; nil at the end.
    /// - Throws: `CLIError` when the input itself cannot be read.
    mutating func next() throws -> InputLine?
}
