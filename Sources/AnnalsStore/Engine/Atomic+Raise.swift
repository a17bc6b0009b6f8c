import Synchronization

package extension Atomic where Value == Int64 {
    /// Raises the value to `value` unless it is already at least that: a high-water mark shared by threads
    /// (sequentially consistent, as a compare-and-exchange on x86-64 is anyway).
    func raise(to value: Int64) {
        var current = load(ordering: .sequentiallyConsistent)
        while current < value {
            let (exchanged, original) = compareExchange(expected: current, desired: value, ordering: .sequentiallyConsistent)
            if exchanged { return }
            current = original
        }
    }
}
