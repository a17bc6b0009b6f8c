import AnnalsFormat
import Testing

@Suite("LabelStacker")
struct LabelStackerTests {
    /// Whether two placed boxes come closer than the gaps allow.
    static func clash(_ a: (LabelStacker.Box, Double), _ b: (LabelStacker.Box, Double), _ stacker: LabelStacker) -> Bool {
        a.0.x1 < b.0.x2 + stacker.horizontalGap && b.0.x1 < a.0.x2 + stacker.horizontalGap
            && a.1 < b.1 + b.0.height + stacker.verticalGap && b.1 < a.1 + a.0.height + stacker.verticalGap
    }

    @Test func placedBoxesNeverClash() {
        var seed: UInt64 = 7
        func random(_ bound: Double) -> Double {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1
            return Double(seed >> 11) / Double(1 << 53) * bound
        }
        let boxes = (0..<500).map { _ in
            let x = random(1000)
            return LabelStacker.Box(x1: x, x2: x + 20 + random(250), height: random(1) < 0.2 ? 28 : 16)
        }
        let stacker = LabelStacker(horizontalGap: 8, verticalGap: 2, maxHeight: 400)
        let tops = stacker.stack(boxes)
        let placed = zip(boxes, tops).compactMap { box, top in top.map { (box, $0) } }
        #expect(placed.count > 100 && placed.count < 500, "some placed, some left over: \(placed.count)")
        for i in placed.indices {
            #expect(placed[i].1 >= 0 && placed[i].1 + placed[i].0.height <= 400)
            for j in placed.indices where j > i {
                #expect(!Self.clash(placed[i], placed[j], stacker), "\(placed[i]) and \(placed[j])")
            }
        }
    }

    @Test func eachBoxGoesAsHighAsItCan() {
        let stacker = LabelStacker(horizontalGap: 8, verticalGap: 2)
        let boxes = [
            LabelStacker.Box(x1: 0, x2: 100, height: 16),
            LabelStacker.Box(x1: 50, x2: 150, height: 16),  // overlaps the first: under it
            LabelStacker.Box(x1: 108, x2: 200, height: 16),  // 8 px right of the first: beside it, above the second
            LabelStacker.Box(x1: 300, x2: 400, height: 16),  // free: on top
            LabelStacker.Box(x1: 0, x2: 40, height: 28),  // under the first, left of the second
        ]
        #expect(stacker.stack(boxes) == [0, 18, 0, 0, 18])
    }

    @Test func boxesBeyondTheHeightAreLeftOutInOrder() {
        let stacker = LabelStacker(horizontalGap: 0, verticalGap: 0, maxHeight: 32)
        let same = Array(repeating: LabelStacker.Box(x1: 0, x2: 10, height: 16), count: 4)
        #expect(stacker.stack(same) == [0, 16, nil, nil], "the first given keep their places")
    }
}
