import Dispatch
import Synchronization

/// Spaces out attempts to reach a database server that is down: after a failed attempt the next may start
/// only after a delay that doubles from `initial` to `maximum`; meanwhile callers get the last failure at once
/// instead of each waiting for a connect to fail. A success resets it.
final class Backoff: Sendable {
    private struct State {
        var delay: Double = 0
        var notBefore: UInt64 = 0
        var lastFailure: PGError?
    }

    private let state = Mutex(State())
    private let initial: Double
    private let maximum: Double

    init(initial: Double = 0.1, maximum: Double = 5) {
        self.initial = initial
        self.maximum = maximum
    }

    /// Runs `connect` unless the last failure is too recent, and records its outcome.
    /// - Throws: `connect`'s failure, or the last one while waiting out the delay.
    func attempt<T>(_ connect: () throws(PGError) -> T) throws(PGError) -> T {
        let now = DispatchTime.now().uptimeNanoseconds
        if let waiting = state.withLock({ $0.notBefore > now ? $0.lastFailure : nil }) { throw waiting }
        do {
            let value = try connect()
            state.withLock { $0 = State() }
            return value
        } catch {
            state.withLock { state in
                state.delay = state.delay == 0 ? initial : min(maximum, state.delay * 2)
                state.notBefore = DispatchTime.now().uptimeNanoseconds + UInt64(state.delay * 1e9)
                state.lastFailure = error
            }
            throw error
        }
    }

    /// Seconds until the next attempt may start (0 when it may start now).
    var wait: Double {
        let now = DispatchTime.now().uptimeNanoseconds
        return state.withLock { $0.notBefore > now ? Double($0.notBefore - now) / 1e9 : 0 }
    }
}
