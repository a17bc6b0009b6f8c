import AnnalsCore

extension TimelinePicture {
    static let margin = 24.0
    static let titleFont = 20.0
    static let subtitleFont = 13.0
    static let legendFont = 12.0
    static let laneFont = 13.0
    static let labelFont = 12.0
    static let stubFont = 10.5
    /// Height of a line holding a mark and its label.
    static let rowHeight = 16.0
    /// Extra height of a line of smaller text under it (a stub, or a label moved under its bar).
    static let lineHeight = 14.0
    static let markRadius = 5.0
    /// Bare marks (events without a label room) are smaller and stacked in at most `stripRows` rows.
    static let stripRadius = 3.0
    static let stripPitch = 8.0
    static let stripRows = 4
    static let lanePadding = 10.0

    /// Lays out `records` (drawn in the order given, which is also the keyboard order).
    public init(records: [EventRecord], options: Options) {
        let width = Double(min(max(options.width, Options.widthRange.lowerBound), Options.widthRange.upperBound))
        let m = Self.margin
        let assignment = LaneAssignment(records: records, mode: options.lanes, actors: options.actors)
        let (first, last) = Self.extent(records)
        let (lo, hi) = Self.domain(first, last)

        title = Self.label(options.title, x: m, baseline: 34, maxWidth: width - 2 * m, fontSize: Self.titleFont, bold: true)
        let years = DateDisplay.year(CalendarDay(dayNumber: Int64(first)).year)
        let lastYear = DateDisplay.year(CalendarDay(dayNumber: Int64(last) - 1).year)
        let span = records.isEmpty ? "" : years == lastYear ? ", \(years)" : ", \(years) \u{2013} \(lastYear)"
        let count = records.count
        let defaultSubtitle = "\(count) event\(count == 1 ? "" : "s")\(span)"
        subtitle = Self.label(options.subtitle ?? defaultSubtitle, x: m, baseline: 56, maxWidth: width - 2 * m, fontSize: Self.subtitleFont)

        // The legend: one swatch per colour family present, naming its kinds, flowing onto new lines.
        var legend: [LegendEntry] = []
        var lx = m, baseline = 82.0
        let kinds = Set(records.map(\.event.kind))
        for family in KindFamily.allCases {
            let names = EventKind.allCases.filter { KindFamily($0) == family && kinds.contains($0) }.map(\.rawValue)
            guard !names.isEmpty else { continue }
            let text = names.joined(separator: ", ")
            let w = 16 + TextMetrics.width(text, fontSize: Self.legendFont)
            if lx > m, lx + w > width - m { lx = m; baseline += 18 }
            legend.append(LegendEntry(family: family, text: text, x: lx, baseline: baseline))
            lx += w + 20
        }
        self.legend = legend

        let named = assignment.names.count > 1 || assignment.names.first.map { !$0.isEmpty } ?? false
        let widestName = assignment.names.map { TextMetrics.width($0, fontSize: Self.laneFont) * TextMetrics.boldFactor }.max() ?? 0
        laneColumnWidth = named ? min(max(widestName + 20, 80), 200) : 0
        let plotLeft = m + laneColumnWidth, plotRight = width - m
        let axis = TimeAxis(start: lo, end: hi, left: plotLeft, right: plotRight)
        self.axis = axis
        headingsTop = baseline + 16
        ticksBaseline = headingsTop + 22 + 14
        lanesTop = ticksBaseline + 8
        self.width = width

        // Items, lane by lane.
        var items = records.enumerated().map { index, record in
            Self.item(record, index: index, lane: assignment.laneOfRecord[index], axis: axis)
        }
        let references = Self.references(&items, knownEvents: options.knownEvents)
        links = references
        let incoming = references.reduce(into: [Int: Int]()) { $0[$1.to, default: 0] += 1 }
        let members = assignment.names.indices.map { lane in items.indices.filter { items[$0].lane == lane } }
        let budget = Double(options.labelRows) * (Self.rowHeight + 2)
        let needs = members.map { lane in
            let boxes = lane.map { Placement(items[$0], plotLeft: plotLeft - 6, limit: width - 6).box }
            let tops = LabelStacker(maxHeight: budget).stack(boxes)
            return zip(boxes, tops).map { box, top in (top ?? 0) + box.height }.max() ?? 0
        }
        let shares = Self.share(budget, among: needs, minimum: 3 * (Self.rowHeight + 2))
        var lanes: [Lane] = []
        var top = lanesTop
        for (laneIndex, name) in assignment.names.enumerated() {
            let members = members[laneIndex]
            let height = Self.stackLane(
                members, items: &items, top: top, maxLabelHeight: shares[laneIndex], incoming: incoming,
                plotLeft: plotLeft - 6, limit: width - 6
            )
            let unlabelled = members.filter { items[$0].label == nil }.count
            lanes.append(Lane(name: name, top: top, height: height, count: members.count, unlabelled: unlabelled))
            top += height
        }
        self.lanes = lanes
        self.items = items
        lanesBottom = top
        ticksBelow = top - lanesTop > 480
        height = (top + (ticksBelow ? 26 : 0) + 18).rounded(.up)
    }

    // MARK: - Pieces

    /// The first and last day number of the records' known bounds (the last exclusive).
    static func extent(_ records: [EventRecord]) -> (Double, Double) {
        var lo = Double.infinity, hi = -Double.infinity
        for record in records {
            for day in [record.event.date.lower, record.event.date.upper].compactMap({ $0 }) {
                lo = min(lo, Double(day.dayNumber))
                hi = max(hi, Double(day.dayNumber) + 1)
            }
        }
        return lo.isFinite ? (lo, hi) : (0, 365)
    }

    /// Heights for lanes that need `needs`, sharing `budget`: a lane that needs less than an even share
    /// gets what it needs, and the rest is shared among the others; every lane gets at least `minimum`.
    static func share(_ budget: Double, among needs: [Double], minimum: Double) -> [Double] {
        var shares = needs.map { _ in minimum }
        var remaining = budget
        for (k, lane) in needs.indices.sorted(by: { needs[$0] < needs[$1] }).enumerated() {
            let fair = remaining / Double(needs.count - k)
            shares[lane] = max(minimum, min(needs[lane], fair))
            remaining -= shares[lane]
        }
        return shares
    }

    /// First and last day number to show (the last exclusive): the extent with a little room on either side.
    static func domain(_ first: Double, _ last: Double) -> (Double, Double) {
        var (lo, hi) = (first, last)
        if hi - lo < 14 {
            let centre = (lo + hi) / 2
            (lo, hi) = (centre - 7, centre + 7)
        }
        let pad = (hi - lo) * 0.02 + 1
        return ((lo - pad).rounded(.down), (hi + pad).rounded(.up))
    }

    /// A line of text shortened to fit `maxWidth`.
    static func label(_ text: String, x: Double, baseline: Double, maxWidth: Double, fontSize: Double, bold: Bool = false) -> Label {
        let scale = bold ? TextMetrics.boldFactor : 1
        let shown = TextMetrics.truncated(text, toWidth: maxWidth / scale, fontSize: fontSize)
        return Label(text: shown, x: x, baseline: baseline, width: TextMetrics.width(shown, fontSize: fontSize) * scale, fontSize: fontSize)
    }

    /// An event's horizontal geometry and label, before it is stacked (vertical positions relative to 0).
    static func item(_ record: EventRecord, index: Int, lane: Int, axis: TimeAxis) -> Item {
        let date = record.event.date
        let lower = date.lower.map { Double($0.dayNumber) } ?? axis.start
        let upper = date.upper.map { Double($0.dayNumber + 1) } ?? axis.end
        let x1 = axis.x(lower), upperX = axis.x(upper)
        let shape: Shape = upperX - x1 >= 2 * markRadius ? .bar : .dot
        let title = (record.retraction == nil ? "" : "[retracted] ") + record.event.title
        let maxWidth = min(360, (axis.right - axis.left) * 0.4)
        return Item(
            record: record, index: index, lane: lane, shape: shape, x1: x1, x2: shape == .dot ? x1 : upperX, upperX: upperX,
            y: 0, radius: markRadius,
            label: label(title, x: 0, baseline: 0, maxWidth: maxWidth, fontSize: labelFont), stub: nil, outside: [],
            ends: DateReading.Ends(date), imprecise: !date.isInterval && shape == .bar
        )
    }

    /// Links between items, and each item's references to events not drawn (with its stub text).
    static func references(_ items: inout [Item], knownEvents: [String: (HistoricalDate, String)]) -> [Link] {
        var position: [String: Int] = [:]
        for (i, item) in items.enumerated() where position[item.record.event.id] == nil { position[item.record.event.id] = i }
        var links: [Link] = []
        for i in items.indices {
            for reference in items[i].record.event.references {
                if let j = position[reference.id], j != i {
                    links.append(Link(from: i, to: j, relation: reference.relation))
                } else {
                    let known = knownEvents[reference.id]
                    items[i].outside.append((reference.relation, reference.id, known?.1, known?.0))
                }
            }
            if let first = items[i].outside.first {
                var text = "\u{2192} \(first.relation.rawValue) "
                if let title = first.title, let date = first.date {
                    text += "\(title), \(DateDisplay.text(date))"
                } else {
                    text += "\(first.id) (not recorded)"
                }
                if items[i].outside.count > 1 { text += " (+\(items[i].outside.count - 1))" }
                items[i].stub = label(text, x: 0, baseline: 0, maxWidth: 300, fontSize: stubFont)
            }
        }
        return links
    }

    /// Places a lane's labels (chronologically when all fit, else the most referred-to and weightiest
    /// kinds first), then its bare marks; returns the lane's height.
    static func stackLane(
        _ members: [Int], items: inout [Item], top: Double, maxLabelHeight: Double, incoming: [Int: Int],
        plotLeft: Double, limit: Double
    ) -> Double {
        var placements: [Int: Placement] = [:]
        for i in members { placements[i] = Placement(items[i], plotLeft: plotLeft, limit: limit) }
        let stacker = LabelStacker(horizontalGap: 8, verticalGap: 2, maxHeight: maxLabelHeight)
        var order = members
        var tops = stacker.stack(order.compactMap { placements[$0]?.box })
        if tops.contains(where: { $0 == nil }) {
            order = members.sorted { a, b in
                let wa = (incoming[a] ?? 0) * 3 + weight(items[a].record.event.kind)
                let wb = (incoming[b] ?? 0) * 3 + weight(items[b].record.event.kind)
                return wa != wb ? wa > wb : a < b
            }
            tops = stacker.stack(order.compactMap { placements[$0]?.box })
        }
        let contentTop = top + lanePadding
        var labelled = 0.0
        var bare: [Int] = []
        for (i, y) in zip(order, tops) {
            guard let y, let placement = placements[i] else { bare.append(i); continue }
            placement.apply(to: &items[i], top: contentTop + y)
            labelled = max(labelled, y + placement.box.height)
        }
        // Bare marks under the labels, stacked in a few rows (past those, marks may overlap marks).
        var strip = 0.0
        if !bare.isEmpty {
            bare.sort()
            let stripTop = contentTop + labelled + (labelled > 0 ? 8 : 0)
            for i in bare where items[i].upperX - items[i].x1 >= 2 * stripRadius {
                items[i].shape = .bar
                items[i].x2 = items[i].upperX
            }
            let boxes = bare.map { i in
                items[i].shape == .dot
                    ? LabelStacker.Box(x1: items[i].x1 - stripRadius, x2: items[i].x1 + stripRadius, height: 2 * stripRadius)
                    : LabelStacker.Box(x1: items[i].x1, x2: items[i].x2, height: 2 * stripRadius)
            }
            let rows = LabelStacker(horizontalGap: 1, verticalGap: stripPitch - 2 * stripRadius, maxHeight: Double(stripRows) * stripPitch)
                .stack(boxes)
            for (i, y) in zip(bare, rows) {
                items[i].imprecise = !items[i].record.event.date.isInterval && items[i].shape == .bar
                items[i].label = nil
                items[i].stub = nil
                items[i].radius = stripRadius
                items[i].y = stripTop + (y ?? 0) + stripRadius
                strip = max(strip, (y ?? 0) + 2 * stripRadius)
            }
            strip += labelled > 0 ? 8 : 0
        }
        return max(34, 2 * lanePadding + labelled + strip)
    }

    /// Kinds that usually matter more get their labels first when room runs out.
    static func weight(_ kind: EventKind) -> Int {
        switch kind {
        case .treaty, .declaration, .agreement, .war, .summit: 2
        default: 1
        }
    }

    /// Where an item's mark, label and stub go relative to the top of its box, and the box.
    ///
    /// The label goes right of the mark, else left of it, else (a bar nearly as wide as the picture)
    /// on a line under the bar, shortened if need be; the stub goes on a line under that.
    struct Placement {
        var box: LabelStacker.Box
        var markY: Double
        var label: Label?
        var stub: Label?

        init(_ item: Item, plotLeft: Double, limit: Double) {
            let r = TimelinePicture.markRadius
            let markLeft = item.shape == .dot ? item.x1 - r : item.x1
            let markRight = item.shape == .dot ? item.x1 + r : item.x2
            var x1 = markLeft, x2 = markRight
            var bottom = TimelinePicture.rowHeight
            markY = TimelinePicture.rowHeight / 2
            if var label = item.label {
                if markRight + 5 + label.width <= limit {
                    label.x = markRight + 5
                    label.baseline = 12
                } else if markLeft - 5 - label.width >= plotLeft {
                    label.x = markLeft - 5 - label.width
                    label.baseline = 12
                } else {
                    markY = r + 1
                    label = TimelinePicture.label(label.text, x: 0, baseline: 0, maxWidth: limit - plotLeft, fontSize: label.fontSize)
                    label.x = min(max(markLeft, plotLeft), limit - label.width)
                    label.baseline = 2 * r + 2 + 11
                    bottom = 2 * r + 2 + TimelinePicture.lineHeight + 1
                }
                x1 = min(x1, label.x)
                x2 = max(x2, label.x + label.width)
                self.label = label
            }
            if var stub = item.stub {
                stub.x = min(max(self.label?.x ?? markLeft, plotLeft), limit - stub.width)
                stub.baseline = bottom + 9
                bottom += TimelinePicture.lineHeight - 2
                x1 = min(x1, stub.x)
                x2 = max(x2, stub.x + stub.width)
                self.stub = stub
            }
            box = LabelStacker.Box(x1: x1, x2: x2, height: bottom)
        }

        /// Puts `item` at `top` (absolute).
        func apply(to item: inout Item, top: Double) {
            item.y = top + markY
            item.label = label.map { var l = $0; l.baseline += top; return l }
            item.stub = stub.map { var l = $0; l.baseline += top; return l }
        }
    }
}
