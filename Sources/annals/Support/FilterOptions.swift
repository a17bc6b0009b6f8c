import AnnalsCore
import ArgumentParser

/// The timeline filters shared by `timeline`, `export` and `tail`.
struct FilterOptions: ParsableArguments {
    // `.unconditional`: a year before 1 starts with a minus (-0660) and is still a value.
    @Option(parsing: .unconditional, help: ArgumentHelp("Events overlapping this EDTF date or later (e.g. 1945, 1956-10, 1950s as 195X).", valueName: "edtf"))
    var from: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Events overlapping this EDTF date or earlier.", valueName: "edtf"))
    var to: String?

    @Option(name: .customLong("actor"), help: ArgumentHelp("An actor's name or code (repeatable; any matches).", valueName: "name"))
    var actors: [String] = []

    @Flag(name: .customLong("all-actors"), help: "Require every --actor, not just one.")
    var allActors = false

    @Option(name: .customLong("kind"), help: ArgumentHelp("An event kind (repeatable): \(EventKind.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "kind"))
    var kinds: [String] = []

    @Option(name: .customLong("tag"), help: ArgumentHelp("A tag (repeatable; any matches).", valueName: "tag"))
    var tags: [String] = []

    @Option(help: ArgumentHelp("Full-text search over title, summary and body: words that must all occur, \"a phrase\", OR, NOT or -word, prefix*.", valueName: "text"))
    var search: String?

    @Option(help: ArgumentHelp("Only events that refer to this id.", valueName: "id"))
    var references: String?

    @Option(name: .customLong("referenced-by"), help: ArgumentHelp("Only events this id refers to.", valueName: "id"))
    var referencedBy: String?

    @Flag(name: .customLong("include-retracted"), help: "Show retracted events too.")
    var includeRetracted = false

    /// A bad kind, date, date range or search is invalid input (exit code 65, as for `add`), not a usage error.
    func validate() throws {
        for kind in kinds where EventKind(rawValue: kind) == nil {
            Terminal.printError("unknown kind '\(kind)': use one of \(EventKind.allCases.map(\.rawValue).joined(separator: ", "))")
            throw ExitCode(CLIError.Exit.invalidInput.rawValue)
        }
        for (name, value) in [("--from", from), ("--to", to)] {
            if let value {
                do {
                    _ = try HistoricalDate(parsing: value)
                } catch {
                    Terminal.printError("\(name): \(error)")
                    throw ExitCode(CLIError.Exit.invalidInput.rawValue)
                }
            }
        }
        do {
            try query().validate()
        } catch let error as QueryError {
            Terminal.printError(error.message)
            throw ExitCode(CLIError.Exit.invalidInput.rawValue)
        }
    }

    /// The query these filters describe.
    func query(limit: Int = 100, reverse: Bool = false) throws -> TimelineQuery {
        TimelineQuery(
            from: try from.map { try HistoricalDate(parsing: $0) }, to: try to.map { try HistoricalDate(parsing: $0) },
            actors: actors, allActors: allActors, kinds: kinds.compactMap(EventKind.init(rawValue:)), tags: tags,
            text: search, references: references, referencedBy: referencedBy, reverse: reverse, limit: limit,
            includeRetracted: includeRetracted
        )
    }
}
