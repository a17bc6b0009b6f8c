import AnnalsCore

/// An event read from a dataset row, with what the import filters look at besides the event.
public struct ImportedRow: Sendable, Hashable {
    /// The event, ready to send (it is validated by the sender).
    public var event: Event
    /// Every code the row gives its actors (full CAMEO codes and their parts, country codes), for
    /// `--actor-code`.
    public var actorCodes: Set<String>
    /// The row's CAMEO event code (GDELT, ICEWS), for `--cameo-root`.
    public var cameoCode: String?

    public init(event: Event, actorCodes: Set<String> = [], cameoCode: String? = nil) {
        self.event = event
        self.actorCodes = actorCodes
        self.cameoCode = cameoCode
    }
}

/// Turns the records of one dataset's file into events.
public protocol RowMapper {
    /// The event `record` describes; nil for a record that holds none (a header row).
    /// - Throws: `EventError` naming the column at fault, for a row that cannot be imported;
    ///   `ImportError` when the file as a whole is not of the format.
    mutating func map(_ record: DelimitedRecord) throws -> ImportedRow?
}

/// A problem with an import as a whole rather than one row: a file not of the format asked for (an
/// ACLED file without its header row), a filter that means nothing.
public struct ImportError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
