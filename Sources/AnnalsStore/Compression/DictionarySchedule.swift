import Dispatch
import Synchronization

/// When a store trains its next compression dictionary: the first once the log holds `threshold` entries, then
/// each time the log has grown tenfold since the last one; one training at a time.
package final class DictionarySchedule: Sendable {
    private struct State {
        var running = false
        var trainedAtSeq: Int64 = 0
    }

    private let state = Mutex(State())
    private let threshold: Int64

    /// - Parameter threshold: entries before the first dictionary; 0 disables automatic training.
    package init(threshold: Int64) {
        self.threshold = threshold
    }

    /// The log length the newest dictionary was trained at (0: none yet).
    package var trainedAtSeq: Int64 { state.withLock { $0.trainedAtSeq } }

    /// The log length the next dictionary is due at.
    package var dueAtSeq: Int64 {
        state.withLock { $0.trainedAtSeq == 0 ? threshold : $0.trainedAtSeq * 10 }
    }

    /// Records that the newest dictionary was trained at log length `seq`.
    package func trained(at seq: Int64) {
        state.withLock { $0.trainedAtSeq = seq }
    }

    /// Whether a training is due at `lastSeq` and none runs; if so it counts as running until `finished`.
    package func shouldStart(lastSeq: Int64) -> Bool {
        guard threshold > 0 else { return false }
        return state.withLock { state -> Bool in
            let due = state.trainedAtSeq == 0 ? threshold : state.trainedAtSeq * 10
            guard !state.running, lastSeq >= due else { return false }
            state.running = true
            return true
        }
    }

    /// Runs `train` on `queue` when a training is due at `lastSeq` and none runs.
    package func startIfDue(lastSeq: Int64, on queue: DispatchQueue, _ train: @escaping @Sendable () -> Void) {
        guard shouldStart(lastSeq: lastSeq) else { return }
        queue.async {
            train()
            self.finished()
        }
    }

    /// The training started by `shouldStart` is over.
    package func finished() {
        state.withLock { $0.running = false }
    }
}
