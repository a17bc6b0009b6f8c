/// The limits a server announces in its `hello`; a client must stay within them.
public struct ServerLimits: Sendable, Hashable {
    /// The largest frame length (the length prefix: header plus payload) either side may send.
    public var maxFrameSize: Int
    /// The most entries one `append` may carry.
    public var maxEventsPerBatch: Int
    /// The largest `TimelineQuery.limit` accepted.
    public var maxTimelinePage: Int
    /// Seconds without a frame from the client after which the server sends `timeout` and closes; 0 for never.
    public var idleTimeoutSeconds: Int

    /// The default max frame size: 16 MiB.
    public static let defaultMaxFrameSize = 16 << 20
    /// The smallest max frame size a server may announce: 4 MiB, so that any one valid event (body up to 1 MiB
    /// of UTF-8) fits in a frame with room to spare.
    public static let minimumMaxFrameSize = 4 << 20

    public init(
        maxFrameSize: Int = ServerLimits.defaultMaxFrameSize, maxEventsPerBatch: Int = 1_000,
        maxTimelinePage: Int = 10_000, idleTimeoutSeconds: Int = 300
    ) {
        self.maxFrameSize = maxFrameSize
        self.maxEventsPerBatch = maxEventsPerBatch
        self.maxTimelinePage = maxTimelinePage
        self.idleTimeoutSeconds = idleTimeoutSeconds
    }

    /// The defaults: 16 MiB frames, 1000 entries per batch, pages of up to 10 000 records, 300 s idle timeout.
    public static let `default` = ServerLimits()
}
