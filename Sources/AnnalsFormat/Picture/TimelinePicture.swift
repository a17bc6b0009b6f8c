import AnnalsCore

/// The drawing of a timeline, in pixels: one model that both `TimelineSVGRenderer` and
/// `TimelineHTMLRenderer` write out, so the SVG and the page show the same picture.
///
/// From the top: the title and subtitle, the legend of kind colours, the time axis (headings over
/// ticks; see `TimeAxis`), then the lanes (see `LaneAssignment`), each with its events stacked so that
/// no label touches another label or a mark (see `LabelStacker`), and below them the events that found
/// no room for a label, as bare marks. References between shown events are links from mark to mark;
/// references to events not shown become a stub line under the label. Build one with
/// `init(records:options:)` (in `TimelinePicture+Layout.swift`).
public struct TimelinePicture: Sendable {
    /// How an event is drawn: a dot at its lower bound, or a bar from its lower to its upper bound.
    public enum Shape: String, Sendable, Hashable {
        case dot, bar
    }

    /// A line of text with the box it was given; `x` is where it starts, `baseline` its baseline.
    public struct Label: Sendable, Hashable {
        public var text: String
        public var x: Double
        public var baseline: Double
        public var width: Double
        public var fontSize: Double
    }

    /// One event as drawn.
    public struct Item: Sendable {
        /// The record drawn, and its place in the records given.
        public var record: EventRecord
        public var index: Int
        public var lane: Int
        public var shape: Shape
        /// The mark's extent: for a bar its ends, for a dot its centre (`x1 == x2`).
        public var x1: Double
        public var x2: Double
        /// Where the upper bound falls (for a dot, further right than the dot's centre).
        public var upperX: Double
        /// The vertical centre of the mark.
        public var y: Double
        /// Half the mark's height.
        public var radius: Double
        /// The title, when it found room; nil for an event drawn as a bare mark.
        public var label: Label?
        /// A line naming referenced events that are not in the picture.
        public var stub: Label?
        /// The references to events not in the picture: relation, id, and title and date when known.
        public var outside: [(relation: Relation, id: String, title: String?, date: HistoricalDate?)]
        public var ends: DateReading.Ends
        /// A single date whose bounds span more than a day at its precision (`1956`, `195X`), as opposed
        /// to an interval.
        public var imprecise: Bool
        public var family: KindFamily { KindFamily(record.event.kind) }
    }

    /// A horizontal lane of the picture.
    public struct Lane: Sendable, Hashable {
        public var name: String
        public var top: Double
        public var height: Double
        /// Events in the lane, and those of them drawn without a label.
        public var count: Int
        public var unlabelled: Int
    }

    /// A reference between two events in the picture, from the referring item to the referred one.
    public struct Link: Sendable, Hashable {
        public var from: Int
        public var to: Int
        public var relation: Relation
    }

    /// A legend entry: a family's colour and the kinds of it present.
    public struct LegendEntry: Sendable, Hashable {
        public var family: KindFamily
        public var text: String
        public var x: Double
        public var baseline: Double
    }

    public var title: Label
    public var subtitle: Label
    public var width: Double
    public var height: Double
    public var axis: TimeAxis
    /// Top of the headings band, and the baseline of the tick labels above the lanes.
    public var headingsTop: Double
    public var ticksBaseline: Double
    /// Where the lanes start and end.
    public var lanesTop: Double
    public var lanesBottom: Double
    /// Whether the tick labels are repeated under the lanes (for tall pictures).
    public var ticksBelow: Bool
    /// The width of the lane-name column at the left; 0 for a single unnamed lane.
    public var laneColumnWidth: Double
    public var legend: [LegendEntry]
    public var lanes: [Lane]
    /// The events in the order of the records given (chronological for a timeline).
    public var items: [Item]
    public var links: [Link]
}
