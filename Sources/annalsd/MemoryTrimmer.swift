import CAnnalsMalloc
import Dispatch
import Synchronization

/// Gives memory freed after writes back to the system, once a second while the store is being written.
///
/// glibc keeps memory freed by a thread in that thread's arena for reuse; after a bulk load through many
/// connection threads, annalsd held 625 MB of which some 400 MB was free (`malloc_trim(0)` brought it to
/// 229 MB). Reads allocate and free in small, short-lived pieces and need no help.
final class MemoryTrimmer: Sendable {
    private let written = Atomic<Bool>(false)
    private let queue = DispatchQueue(label: "annals.memory-trim", qos: .utility)
    private let interval: Double

    init(interval: Double = 1) { self.interval = interval }

    /// Call when the store committed something.
    func noteCommit() { written.store(true, ordering: .relaxed) }

    /// Starts trimming; runs for the life of the process.
    func start() {
        queue.asyncAfter(deadline: .now() + interval) { [self] in
            if written.exchange(false, ordering: .relaxed) {
                malloc_trim(0)
            }
            start()
        }
    }
}
