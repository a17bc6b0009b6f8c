import AnnalsClient
import Foundation

/// Minimal `--flag value` parsing for the bench subcommands (the target keeps to the dependencies it was given).
struct Args {
    private var values: [String: String] = [:]
    private var flags: Set<String> = []

    init(_ arguments: ArraySlice<String>) throws(BenchError) {
        var it = arguments.makeIterator()
        while let arg = it.next() {
            guard arg.hasPrefix("--") else { throw BenchError("unexpected argument '\(arg)': options are --name value") }
            let name = String(arg.dropFirst(2))
            if let eq = name.firstIndex(of: "=") {
                values[String(name[..<eq])] = String(name[name.index(after: eq)...])
            } else if ["sync-full", "reverse", "json", "decode"].contains(name) {
                flags.insert(name)
            } else if let value = it.next() {
                values[name] = value
            } else {
                throw BenchError("--\(name) needs a value")
            }
        }
    }

    func string(_ name: String) throws(BenchError) -> String {
        guard let value = values[name] else { throw BenchError("missing --\(name)") }
        return value
    }

    func string(_ name: String, default value: String) -> String { values[name] ?? value }

    /// annalsd's address: `--socket PATH` (a Unix-domain socket), else 127.0.0.1 and `--port`.
    func server() throws(BenchError) -> ServerAddress {
        if let path = values["socket"] { return .unix(path: path) }
        return .tcp(host: "127.0.0.1", port: UInt16(try int("port")))
    }

    /// Several annalsd (`--sockets A,B,C`, Unix-domain sockets; instances on one database), else `server()`.
    func servers() throws(BenchError) -> [ServerAddress] {
        if let list = values["sockets"] {
            let paths = list.split(separator: ",").map(String.init)
            guard !paths.isEmpty else { throw BenchError("--sockets needs a comma-separated list of socket paths") }
            return paths.map { .unix(path: $0) }
        }
        return [try server()]
    }

    func int(_ name: String, default value: Int? = nil) throws(BenchError) -> Int {
        guard let text = values[name] else {
            if let value { return value }
            throw BenchError("missing --\(name)")
        }
        guard let n = Int(text.replacingOccurrences(of: "_", with: "")) else { throw BenchError("--\(name) must be an integer, not '\(text)'") }
        return n
    }

    func double(_ name: String, default value: Double) throws(BenchError) -> Double {
        guard let text = values[name] else { return value }
        guard let d = Double(text) else { throw BenchError("--\(name) must be a number, not '\(text)'") }
        return d
    }

    func flag(_ name: String) -> Bool { flags.contains(name) }
}

/// A failure the bench reports as one line, exit status 1.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
