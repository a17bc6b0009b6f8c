import AnnalsClient
import AnnalsProtocol
import AnnalsCore
import AnnalsFormat
import ArgumentParser

/// `annals show ID`: the whole event.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one event: body, sources, revisions and references both ways.")

    @OptionGroup var server: ServerOptions
    @Argument(help: "The event's id.")
    var id: String
    @Option(parsing: .unconditional, help: "Show this past revision.")
    var revision: Int?
    @Flag(help: "Print the event as one JSON Lines record instead.")
    var json = false
    @Flag(help: "Plain ASCII drawing characters.")
    var ascii = false
    @Option(help: "Colour: auto (on a terminal, unless NO_COLOR), always or never.")
    var color: String = "auto"
    @Option(parsing: .unconditional, help: "Wrap to this many columns (default: the terminal's width).")
    var width: Int?

    func validate() throws {
        if let revision, revision < 1 { throw ValidationError("--revision must be 1 or more, not \(revision)") }
        if let width, width < 40 { throw ValidationError("--width must be at least 40, not \(width)") }
    }

    func run() throws {
        try runReportingErrors {
            guard let choice = ColorChoice(rawValue: color) else { throw CLIError(.invalidInput, "--color must be auto, always or never") }
            let connection = try server.connect()
            defer { connection.close() }
            let detail: EventDetail
            detail = try connection.get(id: id, revision: revision)
            if json {
                Terminal.write(EventLogCodec.encode(detail.current.event) + "\n")
                return
            }
            let renderer = DetailRenderer(width: width ?? Terminal.width, color: Terminal.useColor(choice), ascii: ascii,
                                          requestedRevision: revision)
            Terminal.write(renderer.render(detail))
        }
    }
}
