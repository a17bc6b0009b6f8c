import AnnalsCore
import AnnalsProtocol
import Foundation

/// A seeded mutator of valid frames, and the harness that feeds its output to the frame and payload decoders.
/// The same mutator (with libFuzzer as the alternative engine) is in `Sources/annals-fuzz`; keep them alike.
enum HardeningFrameFuzz {
    /// The golden frames of `Protocol/vectors/`, decoded from their annotated hex.
    static func seeds(directory: URL) throws -> [[UInt8]] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".txt") }.sorted()
        return try files.map { name in
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            return try hexFrame(text, name: name)
        }
    }

    static func hexFrame(_ text: String, name: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let digits = line.filter { !$0.isWhitespace }
            var index = digits.startIndex
            while index < digits.endIndex {
                let next = digits.index(index, offsetBy: 2, limitedBy: digits.endIndex) ?? digits.endIndex
                guard let byte = UInt8(digits[index..<next], radix: 16) else { throw TestFailure("bad hex in \(name)") }
                bytes.append(byte)
                index = next
            }
        }
        return bytes
    }

    static let interesting32: [UInt32] = [0, 1, 2, 5, 6, 7, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x1_0000, 0x00FF_FFFF, 0x0100_0000,
                                          0x0100_0001, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF]
    static let badUTF8: [[UInt8]] = [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80]]

    /// One mutation of `seed` (sometimes spliced with `other`); the length prefix is fixed up most of the
    /// time so that the payload decoders, not only the length check, see the damage.
    static func mutate(_ seed: [UInt8], other: [UInt8], random: inout SeededRandom) -> [UInt8] {
        var bytes = seed
        let rounds = Int.random(in: 1...4, using: &random)
        for _ in 0..<rounds {
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
                let end = min(bytes.count, position + Int.random(in: 1...32, using: &random))
                bytes.removeSubrange(position..<end)
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
                // A flag or type byte.
                let at = Int.random(in: 4...5, using: &random)
                bytes[at] = UInt8.random(in: 0...255, using: &random)
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

    /// What one input did.
    struct Tally {
        var inputs = 0
        var frames = 0
        var requests = 0
        var responses = 0
        var errors: [String: Int] = [:]
        var failures: [String] = []
    }

    /// Feeds `bytes` (in chunks) to a decoder, and every frame to both payload decoders. Decoded values must
    /// survive a round trip. Anything but a `ProtocolError` would crash the process (typed throws).
    static func exercise(_ bytes: [UInt8], chunk: Int, tally: inout Tally) {
        tally.inputs += 1
        var decoder = FrameDecoder(maxFrameSize: 1 << 20)
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + max(1, chunk))
            decoder.append(bytes[offset..<end])
            offset = end
            while true {
                let frame: Frame?
                do {
                    frame = try decoder.next()
                } catch {
                    tally.errors[error.code.name, default: 0] += 1
                    return
                }
                guard let frame else { break }
                tally.frames += 1
                check(frame, tally: &tally)
            }
        }
    }

    static func check(_ frame: Frame, tally: inout Tally) {
        do {
            let request = try Request(frame: frame)
            tally.requests += 1
            let again = try Request(frame: request.frame(requestID: frame.requestID))
            if again != request { tally.failures.append("request round trip differs: \(request) vs \(again)") }
        } catch {
            tally.errors[error.code.name, default: 0] += 1
        }
        do {
            let response = try Response(frame: frame)
            tally.responses += 1
            let again = try Response(frame: response.frame(requestID: frame.requestID, more: frame.more))
            if again != response { tally.failures.append("response round trip differs: \(response) vs \(again)") }
        } catch {
            tally.errors[error.code.name, default: 0] += 1
        }
    }
}
