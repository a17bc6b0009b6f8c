import AnnalsCore

/// Collects the `page` frames of one timeline response into a `TimelinePage`: the records of frames with `more`
/// set are kept until the last frame (`more` clear), which carries the next cursor.
///
/// ```swift
/// var assembler = PageAssembler()
/// while let frame = try nextFrame(for: id) {
///     if let page = try assembler.add(frame) { return page }
/// }
/// ```
public struct PageAssembler: Sendable {
    /// The records received so far.
    public private(set) var records: [EventRecord] = []
    /// The number of frames received so far.
    public private(set) var frameCount = 0

    public init() {}

    /// Adds one frame of the response.
    /// - Returns: the whole page when `frame` is the last one, else nil.
    /// - Throws: the error an `error` frame carries (the stream ends there; the records so far are dropped), or
    ///   `malformedFrame` when the frame is not a `page`.
    public mutating func add(_ frame: Frame) throws(ProtocolError) -> TimelinePage? {
        switch try Response(frame: frame) {
        case .page(let records, let nextCursor):
            return add(records: records, nextCursor: nextCursor, more: frame.more)
        case .error(let error):
            self = PageAssembler()
            throw error
        case let other:
            throw .malformed("expected a page frame in a timeline response, got \(other.type)")
        }
    }

    /// Adds the records of one decoded `page` frame.
    /// - Returns: the whole page when `more` is false, else nil.
    public mutating func add(records: [EventRecord], nextCursor: String?, more: Bool) -> TimelinePage? {
        frameCount += 1
        if more {
            self.records.append(contentsOf: records)
            return nil
        }
        let all = self.records.isEmpty ? records : self.records + records
        self = PageAssembler()
        return TimelinePage(records: all, nextCursor: nextCursor)
    }
}
