/// The first frame of every connection, from the client.
public struct ClientHello: Sendable, Hashable {
    /// The protocol version the client speaks; `ProtocolVersion.current`.
    public var protocolVersion: UInt16
    /// Who is connecting, for the server's log, e.g. `annals-cli/0.1`.
    public var clientName: String
    /// The shared secret, when the server requires one.
    public var token: String?

    public init(protocolVersion: UInt16 = ProtocolVersion.current, clientName: String, token: String? = nil) {
        self.protocolVersion = protocolVersion
        self.clientName = clientName
        self.token = token
    }
}
