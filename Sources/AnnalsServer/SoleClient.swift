import Synchronization

/// Whether one connection has had the server to itself lately: every request of the last `quietNanoseconds`
/// came from it. A loop may then poll for that client's next request instead of returning to Dispatch
/// (`LoopReadiness`): a client that sends its next request as soon as it has an answer, alone, gets it without
/// the wake-ups of a return through Dispatch, and a server with several clients never spends a core waiting.
final class SoleClient: Sendable {
    private let lastConnection = Atomic<UInt64>(0)
    /// When a request last came from another connection than the one before (uptime, nanoseconds).
    private let lastSwitch = Atomic<UInt64>(0)
    private let quietNanoseconds: UInt64

    init(quietNanoseconds: UInt64 = 10_000_000) {
        self.quietNanoseconds = quietNanoseconds
    }

    /// Notes that connection `id` is being served at `now`.
    func serving(_ id: UInt64, now: UInt64) {
        if lastConnection.exchange(id, ordering: .relaxed) != id { lastSwitch.store(now, ordering: .relaxed) }
    }

    /// Whether every connection served since `now - quietNanoseconds` was the same one.
    func isAlone(now: UInt64) -> Bool {
        let switched = lastSwitch.load(ordering: .relaxed)
        return now >= switched && now - switched > quietNanoseconds
    }
}
