import AnnalsProtocol

/// Why a client call failed: the server answered with an error, or the connection failed.
public enum ClientError: Error, Sendable, CustomStringConvertible {
    /// The server answered with this error (its code, message and, for events, the validation error).
    case server(ProtocolError)
    /// No server could be reached at the address.
    case cannotConnect(String)
    /// The connection broke or was closed; in-flight requests fail with this.
    case disconnected(String)
    /// The server sent something this client cannot read.
    case protocolViolation(String)
    /// No answer arrived in time.
    case timeout(String)

    public var description: String {
        switch self {
        case .server(let error): "server error \(error.code.name) (\(error.code.number)): \(error.message)"
        case .cannotConnect(let message): "cannot connect: \(message)"
        case .disconnected(let message): "disconnected: \(message)"
        case .protocolViolation(let message): "protocol violation: \(message)"
        case .timeout(let message): "timed out: \(message)"
        }
    }

    /// The server's error code, when the server sent one.
    public var serverCode: ProtocolError.Code? {
        if case .server(let error) = self { return error.code }
        return nil
    }
}
