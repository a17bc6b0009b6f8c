/// The server's answer to a successful `hello`: who it is, the protocol version and the limits the client must
/// keep to.
public struct ServerHello: Sendable, Hashable {
    /// The server software and version, e.g. `annalsd/0.1.0`.
    public var serverVersion: String
    /// The protocol version in use; `ProtocolVersion.current`.
    public var protocolVersion: UInt16
    /// Frame, batch, page and idle limits.
    public var limits: ServerLimits
    /// Whether the server requires a token in `hello`.
    public var tokenRequired: Bool

    public init(
        serverVersion: String, protocolVersion: UInt16 = ProtocolVersion.current, limits: ServerLimits = .default,
        tokenRequired: Bool = false
    ) {
        self.serverVersion = serverVersion
        self.protocolVersion = protocolVersion
        self.limits = limits
        self.tokenRequired = tokenRequired
    }
}
