/// Size limits on event fields, in UTF-8 bytes or element counts. Documented in the README.
public struct EventLimits: Sendable, Hashable {
    public var title = 500
    public var summary = 8 * 1024
    public var body = 1024 * 1024
    public var name = 200
    public var actors = 64
    public var places = 64
    public var tags = 64
    public var tag = 64
    public var sources = 32
    public var url = 2048
    public var references = 256
    public var reason = 2000

    public init() {}

    /// The limits Annals enforces by default.
    public static let standard = EventLimits()
}
