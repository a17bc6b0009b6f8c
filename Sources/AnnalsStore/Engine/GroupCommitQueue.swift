import AnnalsCore
import Dispatch
import Synchronization

/// The batches waiting for a store's single writer, handed to it in groups that share one transaction (group
/// commit), and the hand-over between callers' threads and the writer's queue. Every engine's writer drains it
/// the same way: `enqueue` says when to start draining, `takeGroup` gives the next group (and stops the drain
/// when none is left), `close` refuses later batches.
package final class GroupCommitQueue<Entry: Sendable>: Sendable {
    /// Called once a batch is durable (or failed), on the writer's thread.
    package typealias Completion = @Sendable (Result<[AppendOutcome], StoreError>) -> Void
    /// Batches taken together, each with its completion.
    package typealias Group = [(entries: [Entry], completion: Completion)]

    private struct Pending {
        var batches: Group = []
        var draining = false
        var closed = false
    }

    private let pending: Mutex<Pending>
    private let maxGroupEntries: Int

    /// - Parameter maxGroupEntries: the most entries one group takes (a larger batch still goes alone).
    package init(maxGroupEntries: Int) {
        self.maxGroupEntries = maxGroupEntries
        pending = Mutex(Pending())
    }

    /// Queues a batch.
    /// - Returns: true when the writer was idle and the caller must start a drain on the writer's queue; false
    ///   when a drain is running (it will take the batch). When the queue is closed, `completion` gets `.closed`
    ///   at once and the result is false.
    package func enqueue(_ batch: [Entry], completion: @escaping Completion) -> Bool {
        let shouldStart = pending.withLock { state -> Bool? in
            if state.closed { return nil }
            state.batches.append((batch, completion))
            if state.draining { return false }
            state.draining = true
            return true
        }
        guard let shouldStart else {
            completion(.failure(StoreError(.closed, "the store is closed")))
            return false
        }
        return shouldStart
    }

    /// The next group: pending batches up to `limit` entries (at least one batch); nil, and the drain over, when
    /// none is pending.
    package func takeGroup(upTo limit: Int = .max) -> Group? {
        let limit = min(limit, maxGroupEntries)
        return pending.withLock { state -> Group? in
            var taken = 0, total = 0
            while taken < state.batches.count && (total == 0 || total + state.batches[taken].entries.count <= limit) {
                total += state.batches[taken].entries.count
                taken += 1
            }
            guard taken > 0 else {
                state.draining = false
                return nil
            }
            let group = Array(state.batches.prefix(taken))
            state.batches.removeFirst(taken)
            return group
        }
    }

    /// Refuses later batches (those queued already are still taken).
    /// - Returns: whether the queue was open.
    package func close() -> Bool {
        pending.withLock { state -> Bool in
            defer { state.closed = true }
            return !state.closed
        }
    }

    /// Blocks the calling thread (never the writer's) until an asynchronous write started by `start` completes.
    package static func wait(_ start: (@escaping Completion) -> Void) throws(StoreError) -> [AppendOutcome] {
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<Result<[AppendOutcome], StoreError>?>(nil)
        start { outcome in
            result.withLock { $0 = outcome }
            done.signal()
        }
        done.wait()
        return try result.withLock { $0! }.get()
    }
}
