import AnnalsClient
import AnnalsCore
import AnnalsImport
import AnnalsProtocol
import ArgumentParser
import Foundation

/// `annals import --from gdelt|icews|acled FILE...`: loads machine-coded event datasets.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import GDELT, ICEWS or ACLED event data, in pipelined batches.",
        discussion: """
            Reads GDELT event exports (1.0 or 2.0, told by their column count), ICEWS coded event data or \
            ACLED exports: plain, gzip or a zip holding one file (- for standard input). Each row becomes an \
            event with the dataset's id (gdelt-<GLOBALEVENTID>, icews-<Event ID>, acled-<event_id_cnty>), so \
            importing a file twice changes nothing. The README's "Importing event datasets" has the mapping.
            --from names the format and, given a second time, the earliest date to keep. Rows that cannot \
            be read or fail validation are reported with file, line and reason, and the rest go on (--strict \
            stops at the first). Exit code 2 when some rows were rejected.
            Example: annals import --from gdelt 20190128.export.CSV.zip --actor-code JPN --actor-code RUS
            """
    )

    @OptionGroup var server: ServerOptions
    @Argument(help: "Dataset files: plain, .gz or single-entry .zip (- for standard input).")
    var files: [String] = []
    // `.unconditional`: a year before 1 starts with a minus (-0660) and is still a value.
    @Option(name: .customLong("from"), parsing: .unconditionalSingleValue, help: ArgumentHelp(
        "The format: gdelt, icews or acled. Given again, an EDTF date: rows overlapping it or later.", valueName: "format|edtf"))
    var fromValues: [String] = []
    @Option(parsing: .unconditional, help: ArgumentHelp("Rows overlapping this EDTF date or earlier.", valueName: "edtf"))
    var to: String?
    @Option(name: .customLong("actor-code"), help: ArgumentHelp(
        "Rows with an actor carrying this code, e.g. JPN or GOV (repeatable; any matches).", valueName: "code"))
    var actorCodes: [String] = []
    @Flag(name: .customLong("all-actor-codes"), help: "Require every --actor-code, not just one.")
    var allActorCodes = false
    @Option(name: .customLong("cameo-root"), help: ArgumentHelp(
        "Rows whose CAMEO event code is under this root, 01 to 20 (repeatable; GDELT and ICEWS).", valueName: "root"))
    var cameoRoots: [String] = []
    @Flag(help: "Stop at the first rejected row.")
    var strict = false
    @Flag(help: "No progress bar.")
    var quiet = false
    @Flag(help: "Print the summary as one JSON object: accepted, duplicates, rejected, filtered, errors.")
    var json = false
    @Option(name: .customLong("batch-size"), help: "Events per append (capped by the server's limit).")
    var batchSize = 500
    @Option(help: "Appends in flight at once.")
    var pipeline = 8

    /// The format among the --from values, the rest being the date.
    private var format: ImportFormat? { fromValues.lazy.compactMap { ImportFormat(rawValue: $0.lowercased()) }.first }
    private var fromDates: [String] { fromValues.filter { ImportFormat(rawValue: $0.lowercased()) == nil } }

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one file, or - for standard input") }
        let formats = fromValues.filter { ImportFormat(rawValue: $0.lowercased()) != nil }
        let names = ImportFormat.allCases.map(\.rawValue).joined(separator: ", ")
        if formats.isEmpty, let unknown = fromValues.first(where: { (try? HistoricalDate(parsing: $0)) == nil }) {
            throw ValidationError("unknown format '\(unknown)': use --from gdelt, icews or acled")
        }
        guard formats.count == 1, let format else {
            throw ValidationError(formats.isEmpty ? "name the format with --from: \(names)" : "give one format, not \(formats.joined(separator: " and "))")
        }
        let dates = fromDates
        if dates.count > 1 { throw ValidationError("--from takes the format and at most one date, not \(dates.joined(separator: " and "))") }
        if allActorCodes && actorCodes.isEmpty { throw ValidationError("--all-actor-codes needs --actor-code") }
        if !format.hasCameoCodes && !cameoRoots.isEmpty {
            throw ValidationError("--cameo-root applies to gdelt and icews: \(format.rawValue) rows have no CAMEO codes")
        }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard pipeline >= 1 else { throw ValidationError("--pipeline must be at least 1") }
        // A bad value is invalid input (exit code 65), as for the timeline's filters.
        do {
            _ = try filter()
        } catch {
            Terminal.printError("\(error)")
            throw ExitCode(CLIError.Exit.invalidInput.rawValue)
        }
    }

    /// The filter the options describe.
    private func filter() throws -> ImportFilter {
        func date(_ option: String, _ text: String?) throws -> HistoricalDate? {
            guard let text else { return nil }
            do {
                return try HistoricalDate(parsing: text)
            } catch {
                let hint = option == "--from" ? " nor a format (\(ImportFormat.allCases.map(\.rawValue).joined(separator: ", ")))" : ""
                throw CLIError(.invalidInput, "\(option) '\(text)' is not an EDTF date\(hint): \(error.message)")
            }
        }
        return ImportFilter(
            actorCodes: actorCodes, allActorCodes: allActorCodes, from: try date("--from", fromDates.first),
            to: try date("--to", to), cameoRoots: Set(try cameoRoots.map { try ImportFilter.cameoRoot($0) })
        )
    }

    func run() throws {
        try runReportingErrors {
            guard let format else { throw CLIError(.failure, "no format") }
            let filter = try filter()
            // Every file is opened before anything is sent, so a missing file or a zip of several
            // files stops the import before it writes anything (standard input is opened last).
            for file in files where file != "-" { _ = try DatasetInput(path: file, format: format, filter: filter, progress: nil) }
            let connection = try server.connect()
            defer { connection.close() }
            let showProgress = !quiet && !json && Terminal.stderrIsTerminal
            let progress = showProgress ? ProgressBar(totalBytes: files.contains("-") ? nil : ReplayCommand.totalBytes(files)) : nil
            let sender = BatchSender(
                connection: connection, batchSize: min(batchSize, connection.serverHello.limits.maxEventsPerBatch),
                // --strict sends a batch only once the one before is known to be written.
                pipeline: strict ? 1 : pipeline, strict: strict, rate: nil, progress: progress
            )
            var filtered = 0
            for file in files {
                var input = try DatasetInput(path: file, format: format, filter: filter, progress: progress)
                try sender.send(&input)
                filtered += input.filtered
                if sender.stopped { break }
            }
            try sender.finish()
            var summary = sender.summary
            summary.filtered = filtered
            if json {
                Terminal.write(summary.json + "\n")
            } else {
                for error in summary.errors {
                    Terminal.writeError("\(error.file):\(error.line): \(error.code): \(error.message)\n")
                }
                Terminal.writeError("imported: \(summary.accepted) accepted, \(summary.duplicates) duplicates, \(summary.rejected) rejected, \(filtered) filtered out\n")
            }
            if summary.rejected > 0 { throw ExitCode(CLIError.Exit.rejectedLines.rawValue) }
        }
    }
}
