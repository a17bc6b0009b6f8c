import AnnalsClient
import AnnalsProtocol
import AnnalsCore
import ArgumentParser

/// `annals add`: one event from flags.
struct AddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Record one event; prints its id.",
        discussion: "Example: annals add --date 2019-01-28 --kind speech --title 'Policy speech to the Diet' --actor 'Shinzo Abe::speaker' --actor Japan:JPN --ref 1956-10-19-soviet-japanese-joint-declaration:invokes"
    )

    @OptionGroup var server: ServerOptions
    @Option(help: "The id (default: derived from the date and title).")
    var id: String?
    @OptionGroup var fields: EventFieldOptions

    func validate() throws {
        guard fields.date != nil else { throw ValidationError("--date is required") }
        guard fields.title != nil else { throw ValidationError("--title is required") }
    }

    func run() throws {
        try runReportingErrors {
            guard let date = try fields.parsedDate(), let title = fields.title else { return }
            var event = Event(id: id ?? EventID.derive(date: date, title: title), date: date, kind: try fields.parsedKind() ?? .other, title: title)
            try fields.apply(to: &event)
            try EventValidator().validate(event)
            let connection = try server.connect()
            defer { connection.close() }
            let outcomes: [AppendOutcome]
            outcomes = try connection.append([.event(event)])
            switch outcomes.first {
            case .accepted?, .duplicate?:
                Terminal.write(event.id + "\n")
            case .rejected(let error)?:
                throw CLIError(error.code == .conflict ? .conflict : .invalidInput, "\(error)")
            case nil:
                throw CLIError(.internal, "annalsd returned no outcome")
            }
        }
    }
}
