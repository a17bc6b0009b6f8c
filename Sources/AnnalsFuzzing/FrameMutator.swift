/// Mutates valid frames into hostile ones: bit flips, interesting integers (lengths and counts that lie),
/// inserted and removed bytes, truncation, splices and invalid UTF-8, with the length prefix usually fixed up
/// so the payload decoders, not only the length check, see the damage.
public enum FrameMutator {
    public static let interesting32: [UInt32] = [0, 1, 2, 5, 6, 7, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x1_0000, 0x00FF_FFFF, 0x0100_0000,
                                          0x0100_0001, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF]
    public static let badUTF8: [[UInt8]] = [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80]]

    /// One mutation of `seed` (sometimes spliced with `other`), the length prefix fixed up most of the time.
    public static func mutate(_ seed: [UInt8], other: [UInt8], random: inout SeededRandom) -> [UInt8] {
        var bytes = seed
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<11, using: &random) {
            case 0 where !bytes.isEmpty:
                bytes[position] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &random)
            case 1 where !bytes.isEmpty:
                bytes[position] = [0, 1, 2, 0x7F, 0x80, 0xFE, 0xFF, UInt8.random(in: 0...255, using: &random)].randomElement(using: &random)!
            case 2 where bytes.count >= 4:
                let at = Int.random(in: 0...(bytes.count - 4), using: &random)
                var value = interesting32.randomElement(using: &random)!
                if Bool.random(using: &random) { value = UInt32(clamping: bytes.count - at - 4 + Int.random(in: -2...2, using: &random)) }
                for k in 0..<4 { bytes[at + k] = UInt8(truncatingIfNeeded: value >> (24 - 8 * UInt32(k))) }
            case 3:
                let count = Int.random(in: 1...16, using: &random)
                bytes.insert(contentsOf: (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }, at: position)
            case 4 where bytes.count > 1:
                bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...32, using: &random)))
            case 5:
                bytes = Array(bytes.prefix(position))
            case 6 where !bytes.isEmpty:
                let end = min(bytes.count, position + Int.random(in: 1...64, using: &random))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            case 7 where !other.isEmpty:
                let from = Int.random(in: 0..<other.count, using: &random)
                let piece = other[from..<min(other.count, from + Int.random(in: 1...128, using: &random))]
                bytes.replaceSubrange(position..<min(bytes.count, position + piece.count), with: piece)
            case 8:
                bytes.insert(contentsOf: badUTF8.randomElement(using: &random)!, at: position)
            case 9 where bytes.count > 5:
                bytes[Int.random(in: 4...5, using: &random)] = UInt8.random(in: 0...255, using: &random)
            default:
                bytes += (0..<Int.random(in: 1...8, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            }
        }
        if bytes.count >= 4 && Int.random(in: 0..<10, using: &random) < 7 {
            let length = UInt32(clamping: bytes.count - 4)
            for k in 0..<4 { bytes[k] = UInt8(truncatingIfNeeded: length >> (24 - 8 * UInt32(k))) }
        }
        return bytes
    }
}
