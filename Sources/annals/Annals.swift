import ArgumentParser

/// annals: the command-line client of Annals.
@main
struct Annals: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "annals",
        abstract: "Record diplomatic events and read them as chronological timelines.",
        discussion: """
            Talks to annalsd at --host/--port, or ANNALS_ADDR=host:port (default 127.0.0.1:7355).
            Exit codes: 0 ok, 1 error, 2 replay or import rejected some lines, 3 cannot connect, 4 unauthorized,
            5 not found, 6 conflict, 7 server busy or shutting down, 64 usage, 65 invalid input (a bad
            date, event or query), 66 unreadable file, 70 internal or protocol error.
            """,
        version: "0.1.0",
        subcommands: [
            PingCommand.self, AddCommand.self, ReplayCommand.self, ImportCommand.self, TimelineCommand.self,
            ShowCommand.self, AmendCommand.self, RetractCommand.self, ExportCommand.self, TailCommand.self,
            StatsCommand.self, DateCommand.self,
        ]
    )
}
