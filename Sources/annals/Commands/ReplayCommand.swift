import AnnalsClient
import AnnalsProtocol
import AnnalsCore
import ArgumentParser
import Foundation

/// `annals replay FILE...`: loads JSON Lines event logs.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay", abstract: "Replay JSON Lines event logs in order, in pipelined batches.",
        discussion: """
            Each line is an event (or a retraction). Lines that fail are reported with file, line number, \
            error code and message, and the rest go on (--strict stops at the first). Replaying the same log \
            twice changes nothing: identical lines are duplicates. Exit code 2 when some lines were rejected.

            Example: annals replay Scripts/samples/japan-relations.jsonl
            """
    )

    @OptionGroup var server: ServerOptions
    @Argument(help: "Event log files (- for standard input).")
    var files: [String]
    @Flag(help: "Stop at the first rejected line.")
    var strict = false
    @Flag(help: "No progress bar.")
    var quiet = false
    @Flag(help: "Print the summary as one JSON object: accepted, duplicates, rejected, errors.")
    var json = false
    @Option(parsing: .unconditional, help: ArgumentHelp("Pace the replay at this many events per second (for testing live subscribers).", valueName: "n"))
    var rate: Double?
    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Events per append (capped by the server's limit).")
    var batchSize = 500
    @Option(parsing: .unconditional, help: "Appends in flight at once.")
    var pipeline = 8

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one file, or - for standard input") }
        if let rate, rate <= 0 { throw ValidationError("--rate must be positive") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard pipeline >= 1 else { throw ValidationError("--pipeline must be at least 1") }
    }

    func run() throws {
        try runReportingErrors {
            for file in files where file != "-" {
                var isDirectory: ObjCBool = false
                guard FileManager.default.isReadableFile(atPath: file),
                      FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue
                else {
                    throw CLIError(.unreadableFile, "cannot read \(file)\(isDirectory.boolValue ? ": it is a directory" : "")")
                }
            }
            let connection = try server.connect()
            defer { connection.close() }
            let showProgress = !quiet && !json && Terminal.stderrIsTerminal
            let progress = showProgress ? ProgressBar(totalBytes: files.contains("-") ? nil : Self.totalBytes(files)) : nil
            let sender = BatchSender(
                connection: connection, batchSize: min(batchSize, connection.serverHello.limits.maxEventsPerBatch),
                // --strict sends a batch only once the one before is known to be written.
                pipeline: rate == nil && !strict ? pipeline : 1, strict: strict, rate: rate, progress: progress
            )
            for file in files {
                var input = try JSONLinesInput(path: file, progress: progress)
                try sender.send(&input)
                if sender.stopped { break }
            }
            try sender.finish()
            let summary = sender.summary
            if json {
                Terminal.write(summary.json + "\n")
            } else {
                for error in summary.errors {
                    Terminal.writeError("\(error.file):\(error.line): \(error.code): \(error.message)\n")
                }
                Terminal.writeError("replayed: \(summary.accepted) accepted, \(summary.duplicates) duplicates, \(summary.rejected) rejected\n")
            }
            if summary.rejected > 0 { throw ExitCode(CLIError.Exit.rejectedLines.rawValue) }
        }
    }

    static func totalBytes(_ files: [String]) -> Int64 {
        files.reduce(0) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int64) ?? 0)
        }
    }
}
