import CAnnalsMalloc
import Dispatch
import Synchronization

/// Gives memory freed after writes back to the system, once a second while the store is being written and for
/// a few seconds after (the full-text index lets go of the text of the last writes once it has indexed them).
///
/// glibc keeps memory freed by a thread in that thread's arena for reuse; after a bulk load through many
/// connection threads, annalsd held 625 MB of which some 400 MB was free (`malloc_trim(0)` brought it to
/// 229 MB). Reads allocate and free in small, short-lived pieces and need no help.
final class MemoryTrimmer: Sendable {
    /// Ticks left to trim at: set when something is committed.
    private let ticksLeft = Atomic<Int>(0)
    /// How many ticks after the last commit trimming goes on.
    static let ticksAfterCommit = 5
    private let queue = DispatchQueue(label: "annals.memory-trim", qos: .utility)
    private let interval: Double

    private let whenIdle: @Sendable () -> Void

    /// - Parameter whenIdle: runs once writes have stopped for `ticksAfterCommit` ticks, before the last trim
    ///   (the store gives back its write caches there).
    init(interval: Double = 1, whenIdle: @escaping @Sendable () -> Void = {}) {
        self.interval = interval
        self.whenIdle = whenIdle
    }

    /// Call when the store committed something.
    func noteCommit() { ticksLeft.store(Self.ticksAfterCommit, ordering: .relaxed) }

    /// Starts trimming; runs for the life of the process.
    func start() {
        queue.asyncAfter(deadline: .now() + interval) { [self] in
            if ticksLeft.load(ordering: .relaxed) > 0 {
                // The next-to-last tick lets the store give back its caches; the last trims what they freed.
                if ticksLeft.subtract(1, ordering: .relaxed).newValue == 1 { whenIdle() }
                malloc_trim(0)
            }
            start()
        }
    }
}
