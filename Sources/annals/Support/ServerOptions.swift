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

    @Option(help: ArgumentHelp("annalsd's Unix-domain socket on this machine (annalsd --socket), instead of TCP.", valueName: "path"))
    var socket: String?

    /// The address to use: flags first, then ANNALS_ADDR (`host:port` or `unix:/path`), then the default.
    func address() throws -> ServerAddress {
        if let socket { return .unix(path: socket) }
        var address = ServerAddress.tcp(host: "127.0.0.1", port: 7355)
        if let value = ProcessInfo.processInfo.environment["ANNALS_ADDR"], !value.isEmpty {
            guard let parsed = ServerAddress(parsing: value) else {
                throw CLIError(.usage, "ANNALS_ADDR must be host:port (such as 127.0.0.1:7355) or unix:/path/to/socket, not '\(value)'")
            }
            address = parsed
        }
        if host != nil || port != nil {
            if case .tcp(let envHost, let envPort) = address {
                return .tcp(host: host ?? envHost, port: port ?? envPort)
            }
            return .tcp(host: host ?? "127.0.0.1", port: port ?? 7355)
        }
        return address
    }

    /// The token file to use: `--token-file`, else ANNALS_TOKEN_FILE; nil for none.
    var tokenPath: String? {
        if let tokenFile { return tokenFile }
        if let value = ProcessInfo.processInfo.environment["ANNALS_TOKEN_FILE"], !value.isEmpty { return value }
        return nil
    }

    /// Connects and performs the handshake; with a token, checks at once that the server takes it.
    func connect() throws -> AnnalsConnection {
        let address = try address()
        let path = tokenPath
        let token = try path.map(Self.readToken)
        let connection = try AnnalsConnection(address: address, token: token, clientName: "annals-cli/0.1.0", timeout: 5)
        if connection.serverHello.tokenRequired {
            guard let path else {
                connection.close()
                throw CLIError(.unauthorized, "annalsd at \(address) needs a token: pass --token-file FILE or set ANNALS_TOKEN_FILE")
            }
            if let error = Self.failure(of: connection.ping), error.serverCode == .unauthorized {
                connection.close()
                throw CLIError(.unauthorized, "the token in \(path) is not the one annalsd at \(address) was started with")
            }
        }
        return connection
    }

    private static func failure(of call: () throws(ClientError) -> Double) -> ClientError? {
        do {
            _ = try call()
            return nil
        } catch {
            return error
        }
    }

    /// The token in the file at `path`: its content without surrounding whitespace.
    /// - Throws: `CLIError` saying why the file cannot be used (missing, unreadable, a folder, empty).
    static func readToken(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw CLIError(.unreadableFile, "cannot read the token file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw CLIError(.unreadableFile, "cannot read the token file \(path): it is a directory")
        }
        let (bytes, failure) = readAll(fd, limit: 64 * 1024)
        if let failure {
            throw CLIError(.unreadableFile, "cannot read the token file \(path): \(String(cString: strerror(failure)))")
        }
        guard bytes.count <= 64 * 1024 else { throw CLIError(.invalidInput, "the token file \(path) is over 64 KiB: is it the right file?") }
        let token = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw CLIError(.invalidInput, "the token file \(path) is empty") }
        return token
    }

    /// Reads `fd` to its end or past `limit` bytes; the errno of a failed read.
    private static func readAll(_ fd: Int32, limit: Int) -> (bytes: [UInt8], failure: Int32?) {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= limit {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return (bytes, errno) }
            if n == 0 { break }
            bytes += chunk[0..<n]
        }
        return (bytes, nil)
    }
}
