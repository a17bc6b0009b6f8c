import AnnalsClient
import AnnalsCore
import AnnalsProtocol
import ArgumentParser
import Foundation

/// A failure the user caused or can act on: one line on stderr and a documented exit code.
struct CLIError: Error, CustomStringConvertible {
    /// Exit codes, documented in `annals --help` and the README.
    enum Exit: Int32 {
        case failure = 1
        case rejectedLines = 2
        case cannotConnect = 3
        case unauthorized = 4
        case notFound = 5
        case conflict = 6
        case busy = 7
        case usage = 64
        case invalidInput = 65
        case unreadableFile = 66
        case `internal` = 70
    }

    var exit: Exit
    var description: String

    init(_ exit: Exit, _ description: String) {
        self.exit = exit
        self.description = description
    }

    /// The CLI error for a client failure.
    init(_ error: ClientError) {
        switch error {
        case .cannotConnect(let message):
            self.init(.cannotConnect, "no annalsd reachable: \(message) (start it with `annalsd`, or set --host/--port or ANNALS_ADDR)")
        case .disconnected(let message):
            self.init(.failure, "the connection to annalsd broke: \(message)")
        case .protocolViolation(let message):
            self.init(.internal, "annalsd sent something unreadable: \(message)")
        case .timeout(let message):
            self.init(.failure, "timed out: \(message)")
        case .server(let error):
            let exit: Exit = switch error.code {
            case .unauthorized: .unauthorized
            case .notFound: .notFound
            case .conflict: .conflict
            case .serverBusy, .shuttingDown, .searchUnavailable, .storeUnavailable: .busy
            case .invalidEvent, .invalidQuery, .batchTooLarge: .invalidInput
            case .malformedFrame, .internal, .unknownOperation, .unsupportedVersion: .internal
            default: .failure
            }
            var text = error.message
            if error.code == .unauthorized { text += " (pass --token-file FILE or set ANNALS_TOKEN_FILE)" }
            if let eventError = error.eventError, !text.contains(eventError.message) { text += ": \(eventError)" }
            self.init(exit, "\(error.code.name): \(text)")
        }
    }
}

/// Runs a command body, turning every error into one line on stderr and its exit code.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as CLIError {
        Terminal.printError(error.description)
        throw ExitCode(error.exit.rawValue)
    } catch let error as ClientError {
        let cli = CLIError(error)
        Terminal.printError(cli.description)
        throw ExitCode(cli.exit.rawValue)
    } catch let error as DateError {
        Terminal.printError(error.description)
        throw ExitCode(CLIError.Exit.invalidInput.rawValue)
    } catch let error as EventError {
        Terminal.printError("invalid event: \(error)")
        throw ExitCode(CLIError.Exit.invalidInput.rawValue)
    } catch let error as ExitCode {
        throw error
    } catch {
        Terminal.printError("\(error)")
        throw ExitCode(CLIError.Exit.failure.rawValue)
    }
}
