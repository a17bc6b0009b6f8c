/// Stacks boxes that share a horizontal axis so that none overlaps another (after vis-timeline's
/// `Stack.js`): each box, in the order given, goes as high as it can without touching a box already
/// placed, keeping `horizontalGap` and `verticalGap` between them; a box that would reach below
/// `maxHeight` is not placed.
///
/// Boxes are given in priority order, so when space runs out the boxes that matter most have it.
public struct LabelStacker: Sendable {
    /// A box to place: its horizontal extent and its height.
    public struct Box: Sendable, Hashable {
        public var x1: Double
        public var x2: Double
        public var height: Double

        public init(x1: Double, x2: Double, height: Double) {
            self.x1 = min(x1, x2)
            self.x2 = max(x1, x2)
            self.height = height
        }
    }

    public var horizontalGap: Double
    public var verticalGap: Double
    /// No placed box reaches below this.
    public var maxHeight: Double

    public init(horizontalGap: Double = 8, verticalGap: Double = 2, maxHeight: Double = .infinity) {
        self.horizontalGap = horizontalGap
        self.verticalGap = verticalGap
        self.maxHeight = maxHeight
    }

    /// The top of each box, or nil for a box that found no room above `maxHeight`.
    /// - Complexity: O(*n* · (*n* + *k* log *k*)), where *k* is the most placed boxes one box overlaps
    ///   horizontally (few, since no box is placed below `maxHeight`).
    public func stack(_ boxes: [Box]) -> [Double?] {
        var placed: [(box: Box, y: Double)] = []
        var tops: [Double?] = []
        tops.reserveCapacity(boxes.count)
        for box in boxes {
            // The tops at which the box would touch a placed neighbour: an open interval per neighbour.
            let blocked = placed.compactMap { other -> (Double, Double)? in
                guard other.box.x1 < box.x2 + horizontalGap, box.x1 < other.box.x2 + horizontalGap else { return nil }
                return (other.y - box.height - verticalGap, other.y + other.box.height + verticalGap)
            }.sorted { $0.0 < $1.0 }
            var top = 0.0
            for (start, end) in blocked {
                if start >= top { break }  // every later interval starts lower still: `top` is free
                top = max(top, end)
            }
            if top + box.height <= maxHeight {
                placed.append((box, top))
                tops.append(top)
            } else {
                tops.append(nil)
            }
        }
        return tops
    }
}
