import Synchronization

/// Events handed to the store's writer and not yet committed, for all connections together.
///
/// Every event waiting for the writer holds its decoded and compressed form in memory, so without a bound
/// the server's memory grows with the number of batches clients pipeline (4 clients with 25 batches of 1,000
/// events each in flight: peak 550 MB without the budget, 296 MB with the default, at the same ingest rate).
/// A connection whose next batch does not fit stops reading until some of the budget comes back. A batch larger than the whole budget still
/// goes when nothing else is queued, so every valid batch passes.
final class AppendBudget: Sendable {
    private struct State {
        var queued = 0
        var waiting: [@Sendable () -> Void] = []
    }

    /// Events that may wait for the writer at once.
    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) { self.limit = max(1, limit) }

    /// Events taken and not given back (for tests and diagnostics).
    var queued: Int { state.withLock { $0.queued } }

    /// Takes `count` events of the budget; when they do not fit, registers `onFreed` to be called once, the
    /// next time some of the budget is given back, and returns false.
    func take(_ count: Int, orWhenFreed onFreed: @escaping @Sendable () -> Void) -> Bool {
        state.withLock { state in
            if state.queued == 0 || state.queued + count <= limit {
                state.queued += count
                return true
            }
            state.waiting.append(onFreed)
            return false
        }
    }

    /// Gives back `count` events taken by `take`, and wakes every connection waiting for room (in the order
    /// they started waiting; those whose batch still does not fit wait again).
    func giveBack(_ count: Int) {
        let waiting = state.withLock { state -> [@Sendable () -> Void] in
            state.queued -= count
            defer { state.waiting.removeAll() }
            return state.waiting
        }
        for wake in waiting { wake() }
    }
}
