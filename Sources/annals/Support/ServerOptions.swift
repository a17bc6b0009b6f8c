import AnnalsClient
import AnnalsProtocol
import ArgumentParser
import Foundation

/// Where annalsd is and how to authenticate: `--host`, `--port`, `--token-file`, or `ANNALS_ADDR`.
struct ServerOptions: ParsableArguments {
    @Option(help: "annalsd's host (default: from ANNALS_ADDR, else 127.0.0.1).")
    var host: String?

    @Option(help: "annalsd's port (default: from ANNALS_ADDR, else 7355).")
    var port: UInt16?

    @Option(name: .customLong("token-file"), help: ArgumentHelp("A file holding the server's shared secret.", valueName: "path"))
    var tokenFile: String?

    /// The address to use: flags first, then ANNALS_ADDR, then the default.
    func address() throws -> (host: String, port: UInt16) {
        var host = "127.0.0.1"
        var port: UInt16 = 7355
        if let value = ProcessInfo.processInfo.environment["ANNALS_ADDR"], !value.isEmpty {
            guard let colon = value.lastIndex(of: ":"), let parsed = UInt16(value[value.index(after: colon)...]) else {
                throw CLIError(.invalidInput, "ANNALS_ADDR must be host:port, not '\(value)'")
            }
            host = String(value[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            port = parsed
        }
        return (self.host ?? host, self.port ?? port)
    }

    /// Connects and performs the handshake.
    func connect() throws -> AnnalsConnection {
        let (host, port) = try address()
        var token: String?
        if let tokenFile {
            guard let data = FileManager.default.contents(atPath: tokenFile) else {
                throw CLIError(.unreadableFile, "cannot read the token file \(tokenFile)")
            }
            token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return try AnnalsConnection(host: host, port: port, token: token, clientName: "annals-cli/0.1.0")
    }
}
