@testable import AnnalsServer
import Testing

/// When a loop may poll for a lone client's next request (`SoleClient`, `LoopReadiness`).
@Suite("Sole client")
struct SoleClientTests {
    private static let ms: UInt64 = 1_000_000

    @Test func oneConnectionIsAloneOnceItWasTheOnlyOneForTheQuietTime() {
        let sole = SoleClient(quietNanoseconds: 10 * Self.ms)
        let start = 1_000 * Self.ms
        sole.serving(7, now: start)
        #expect(!sole.isAlone(now: start + 5 * Self.ms), "its first request starts the quiet time")
        sole.serving(7, now: start + 6 * Self.ms)
        #expect(sole.isAlone(now: start + 11 * Self.ms))
        #expect(sole.isAlone(now: start + 500 * Self.ms))
    }

    @Test func anotherConnectionEndsItUntilTheQuietTimeHasPassedAgain() {
        let sole = SoleClient(quietNanoseconds: 10 * Self.ms)
        let start = 1_000 * Self.ms
        sole.serving(7, now: start)
        #expect(sole.isAlone(now: start + 20 * Self.ms))
        sole.serving(8, now: start + 20 * Self.ms)
        #expect(!sole.isAlone(now: start + 21 * Self.ms))
        sole.serving(7, now: start + 22 * Self.ms)
        #expect(!sole.isAlone(now: start + 31 * Self.ms), "the switch back counts too")
        #expect(sole.isAlone(now: start + 33 * Self.ms))
    }

    @Test func aClockReadBeforeAnotherThreadsSwitchIsNotAlone() {
        let sole = SoleClient(quietNanoseconds: 10 * Self.ms)
        sole.serving(7, now: 0)
        sole.serving(8, now: 50 * Self.ms)
        #expect(!sole.isAlone(now: 49 * Self.ms))
    }
}
