/// Where the record of an event comes from.
public struct Source: Sendable, Hashable {
    /// An absolute http(s) URL.
    public var url: String
    /// Who published it, e.g. "TASS".
    public var publisher: String?
    /// When it was published: an EDTF date, usually a day.
    public var published: String?

    public init(url: String, publisher: String? = nil, published: String? = nil) {
        self.url = url
        self.publisher = publisher
        self.published = published
    }
}
