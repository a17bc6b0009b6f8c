import AnnalsCore
import Foundation
import Testing
@testable import AnnalsProtocol

/// Rough throughput figures, printed; run with `ANNALS_BENCH=1 swift test -c release --filter Throughput`.
/// Skipped otherwise, and `Scripts/test` reports it skipped (with this reason): figures assert nothing.
@Suite("Throughput", .enabled(if: ProcessInfo.processInfo.environment["ANNALS_BENCH"] == "1",
                              "a benchmark: ANNALS_BENCH=1 swift test -c release --filter Throughput"))
struct ThroughputTests {
    static func report(_ what: String, bytes: Int, _ duration: Duration) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        print("\(what): \(bytes) bytes in \(String(format: "%.3f", seconds)) s = \(String(format: "%.0f", Double(bytes) / seconds / 1e6)) MB/s")
    }

    @Test func appendBatch() throws {
        var event = try Samples.declaration()
        event.body = String(repeating: "The parties agree to end the state of war. ", count: 50)
        let entries = (0..<1000).map { index -> LogEntry in
            var copy = event
            copy.id = "event-\(index)"
            return .event(copy)
        }
        let clock = ContinuousClock()
        var bytes: [UInt8] = []
        let encode = clock.measure { for _ in 0..<20 { bytes = Request.append(entries).encode(requestID: 1) } }
        Self.report("encode append of 1000 events ×20", bytes: bytes.count * 20, encode)
        let decode = try clock.measure {
            for _ in 0..<20 {
                var decoder = FrameDecoder()
                decoder.append(bytes)
                _ = try Request(frame: try #require(try decoder.next()))
            }
        }
        Self.report("decode append of 1000 events ×20", bytes: bytes.count * 20, decode)
    }

    @Test func pages() throws {
        let record = try Samples.record()
        let records = (0..<10_000).map { EventRecord(event: record.event, seq: Int64($0)) }
        let clock = ContinuousClock()
        var frames: [[UInt8]] = []
        let encode = try clock.measure { frames = try Response.page(records: records, nextCursor: "c").encodeFrames(requestID: 1, maxFrameSize: 1 << 20) }
        let total = frames.reduce(0) { $0 + $1.count }
        Self.report("encode page of 10000 records in \(frames.count) frames", bytes: total, encode)
        let decode = try clock.measure {
            for _ in 0..<10 {
                var decoder = FrameDecoder()
                var assembler = PageAssembler()
                for frame in frames { decoder.append(frame) }
                while let frame = try decoder.next() { _ = try assembler.add(frame) }
            }
        }
        Self.report("decode page of 10000 records ×10", bytes: total * 10, decode)
    }
}
