import AnnalsClient

extension ServerAddress {
    /// How a result line names its transport: `unix` (a Unix-domain socket) or `tcp` (loopback TCP).
    var transport: String {
        switch self {
        case .tcp: "tcp"
        case .unix: "unix"
        }
    }
}
