import AnnalsCore
import AnnalsStore
import Synchronization

/// The clock every test store runs on: it starts at 2019-01-28T00:00:00Z and moves one second each time it is
/// read, so `recorded` stamps are the same on every run and every engine (an engine reads it once per entry it
/// writes without a `recorded` of its own).
public enum PinnedClock {
    /// A fresh clock, starting over.
    public static func make() -> @Sendable () -> Timestamp {
        let tick = Mutex<Int64>(1_548_633_600_000)
        return {
            tick.withLock { value in
                value += 1000
                return Timestamp(milliseconds: value)
            }
        }
    }
}

extension SQLiteEventStore.Options {
    /// The options of a test store: the pinned clock, and no dictionary training behind the test's back.
    public static var pinned: Self {
        var options = Self()
        options.dictionaryTrainingThreshold = 0
        options.clock = PinnedClock.make()
        return options
    }
}
