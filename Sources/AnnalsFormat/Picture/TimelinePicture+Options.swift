import AnnalsCore

extension TimelinePicture {
    /// What a timeline picture shows and how wide it is.
    public struct Options: Sendable {
        /// The heading of the picture (and the page's and SVG's `<title>`).
        public var title: String
        /// The line under the title; by default the number of events and the years they span.
        public var subtitle: String?
        /// The picture's width in pixels (`widthRange`).
        public var width: Int
        /// How events are split into lanes.
        public var lanes: LaneMode
        /// The actors asked for (`--actor`), for actor lanes.
        public var actors: [String]
        /// Date and title of events that references may point to, by id, besides the records drawn:
        /// a reference to one of them becomes a stub with its title.
        public var knownEvents: [String: (HistoricalDate, String)]
        /// Rows of labels the lanes share at most; the events beyond are drawn as bare marks.
        public var labelRows: Int

        /// Widths a picture may have, in pixels.
        public static let widthRange = 480...10_000

        public init(
            title: String = "Annals timeline", subtitle: String? = nil, width: Int = 1200, lanes: LaneMode = .kind,
            actors: [String] = [], knownEvents: [String: (HistoricalDate, String)] = [:], labelRows: Int = 64
        ) {
            self.title = title
            self.subtitle = subtitle
            self.width = width
            self.lanes = lanes
            self.actors = actors
            self.knownEvents = knownEvents
            self.labelRows = labelRows
        }
    }
}
