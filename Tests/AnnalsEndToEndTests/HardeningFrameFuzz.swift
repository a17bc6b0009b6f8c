import AnnalsCore
import AnnalsFuzzing
import AnnalsProtocol
import Foundation

/// The harness that feeds mutated frames (`FrameMutator`, shared with `Sources/annals-fuzz`) to the frame and
/// payload decoders.
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
