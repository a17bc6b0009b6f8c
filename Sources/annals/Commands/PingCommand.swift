import Foundation
import AnnalsClient
import AnnalsProtocol
import ArgumentParser

/// `annals ping`: is annalsd reachable, which version, how fast.
struct PingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ping", abstract: "Check that annalsd answers, and how fast.")

    @OptionGroup var server: ServerOptions

    @Option(parsing: .unconditional, help: "Pings to send.")
    var count = 1

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
    }

    func run() throws {
        try runReportingErrors {
            let connection = try server.connect()
            defer { connection.close() }
            let address = try server.address()
            var times: [Double] = []
            for _ in 0..<count {
                times.append(try connection.ping())
            }
            let hello = connection.serverHello
            let best = times.min() ?? 0
            let median = times.sorted()[times.count / 2]
            let timing = count == 1 ? String(format: "%.2f ms", best * 1000)
                : String(format: "median %.2f ms, best %.2f ms over %d pings", median * 1000, best * 1000, count)
            Terminal.write("annalsd \(hello.serverVersion) (protocol \(hello.protocolVersion)) at \(address): \(timing)\n")
        }
    }
}
