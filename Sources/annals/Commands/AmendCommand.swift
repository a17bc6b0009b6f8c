import AnnalsClient
import AnnalsProtocol
import AnnalsCore
import ArgumentParser

/// `annals amend ID …`: a new revision with the given fields changed.
struct AmendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amend", abstract: "Record a new revision of an event; earlier revisions stay readable.",
        discussion: "Fields given replace the current ones (a list flag replaces the whole list). Example: annals amend 2019-01-28-abe-policy-speech-to-the-diet --tag peace-treaty --tag north-korea"
    )

    @OptionGroup var server: ServerOptions
    @Argument(help: "The event's id.")
    var id: String
    @OptionGroup var fields: EventFieldOptions

    func validate() throws {
        guard !fields.isEmpty else { throw ValidationError("give at least one field to change, e.g. --summary or --tag") }
    }

    func run() throws {
        try runReportingErrors {
            let connection = try server.connect()
            defer { connection.close() }
            var event = try connection.get(id: id).current.event
            try fields.apply(to: &event)
            event.revision = nil
            event.recorded = nil
            try EventValidator().validate(event)
            let record = try connection.amend(event)
            Terminal.write("\(id) revision \(record.event.revision ?? 0)\n")
        }
    }
}
