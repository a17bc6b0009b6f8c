import AnnalsClient

/// A server a test talks to over loopback TCP: `InProcessServer` inside the test process, or the annalsd
/// binary started by the end-to-end tests. A test body written against it runs on either (as hummingbird's
/// `Application.test(.router)` and `.test(.live)` do).
public protocol TestServer: AnyObject, Sendable {
    /// The loopback port the server listens on.
    var port: UInt16 { get }
}

extension TestServer {
    /// A connected client that has said hello (with `token`, when given).
    public func connect(token: String? = nil) throws -> AnnalsConnection {
        try AnnalsConnection(host: "127.0.0.1", port: port, token: token, clientName: "annals-test")
    }
}
