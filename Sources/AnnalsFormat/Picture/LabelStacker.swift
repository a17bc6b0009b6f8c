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
    /// - Complexity: O(*n* · *k*²), where *k* is the most placed boxes one box overlaps horizontally.
    public func stack(_ boxes: [Box]) -> [Double?] {
        var placed: [(box: Box, y: Double)] = []
        var tops: [Double?] = []
        tops.reserveCapacity(boxes.count)
        for box in boxes {
            let neighbours = placed.filter {
                $0.box.x1 < box.x2 + horizontalGap && box.x1 < $0.box.x2 + horizontalGap
            }
            let candidates = ([0] + neighbours.map { $0.y + $0.box.height + verticalGap }).sorted()
            let top = candidates.first { y in
                !neighbours.contains { y < $0.y + $0.box.height + verticalGap && $0.y < y + box.height + verticalGap }
            }
            if let top, top + box.height <= maxHeight {
                placed.append((box, top))
                tops.append(top)
            } else {
                tops.append(nil)
            }
        }
        return tops
    }
}
