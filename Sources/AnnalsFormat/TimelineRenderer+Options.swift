import AnnalsCore

extension TimelineRenderer {
    /// How a text timeline is laid out.
    public struct Options: Sendable {
        /// The terminal width in columns; no line is wider. Widths below 24 are taken as 24.
        public var width: Int
        /// Colour kinds and embolden titles with ANSI SGR codes.
        public var color: Bool
        /// Draw with ASCII only (`|`, `*`, `->`, `-` between range ends) instead of `│`, `●`, `→`, `–`.
        /// Event text (titles, names) is printed as it is.
        public var ascii: Bool
        /// Show one line per reference under each event.
        public var showReferences: Bool
        /// Date and title of events that references may point to, by id, besides the records being
        /// rendered (which are looked up first).
        public var knownEvents: [String: (HistoricalDate, String)]

        public init(
            width: Int = 80, color: Bool = false, ascii: Bool = false, showReferences: Bool = true,
            knownEvents: [String: (HistoricalDate, String)] = [:]
        ) {
            self.width = width
            self.color = color
            self.ascii = ascii
            self.showReferences = showReferences
            self.knownEvents = knownEvents
        }
    }
}
