import AnnalsCore

/// JSON Lines in the event log's format: one `EventLogCodec.encode(_:)` line per record.
///
/// The output can be imported again as a log. Each line ends with a newline; no records give an
/// empty string.
public struct JSONLinesRenderer: EventListRenderer {
    public init() {}

    /// One line per record, each newline-terminated.
    public func render(_ records: [EventRecord]) -> String {
        records.map { EventLogCodec.encode($0.event) + "\n" }.joined()
    }
}
