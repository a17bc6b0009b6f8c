import AnnalsCore

/// A JSON array of events with the keys of the event log: `[{"id":…,"date":…,…},…]` and a newline.
///
/// Each element is exactly the log line `EventLogCodec.encode(_:)` writes for the event, so keys come
/// in the log's fixed order and equal events give equal bytes. Retractions are not part of an event
/// line; pass only the records you want exported.
public struct JSONRenderer: EventListRenderer {
    public init() {}

    /// The array, newline-terminated; `[]` and a newline for no records.
    public func render(_ records: [EventRecord]) -> String {
        "[" + records.map { EventLogCodec.encode($0.event) }.joined(separator: ",") + "]\n"
    }
}
