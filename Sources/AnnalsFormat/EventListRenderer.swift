import AnnalsCore

/// Something that turns a list of event records into text: a timeline, JSON, CSV, Markdown or TimelineJS.
///
/// The CLI picks one by `--format` and prints what `render(_:)` returns. Records are rendered in the
/// order given; renderers never sort or filter.
public protocol EventListRenderer: Sendable {
    /// The records as one text, ending with a newline unless it is empty.
    func render(_ records: [EventRecord]) -> String
}
