import AnnalsCore
import Foundation
import AnnalsClient
import AnnalsProtocol
import ArgumentParser

/// `annals retract ID --reason TEXT`.
struct RetractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retract", abstract: "Retract an event: hidden from timelines, kept with its revisions.")

    @OptionGroup var server: ServerOptions
    @Argument(help: "The event's id.")
    var id: String
    @Option(help: "Why it is retracted (required).")
    var reason: String

    func validate() throws {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must not be empty") }
    }

    func run() throws {
        try runReportingErrors {
            let connection = try server.connect()
            defer { connection.close() }
            let record = try connection.retract(id: id, reason: reason)
            Terminal.write("\(id) retracted (revision \(record.retraction?.revision ?? 0))\n")
        }
    }
}
