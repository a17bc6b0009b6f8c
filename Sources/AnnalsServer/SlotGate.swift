import Synchronization

/// A counting gate that never blocks: `tryAcquire` takes one of `capacity` slots or says no at once.
final class SlotGate: Sendable {
    private let capacity: Int
    private let taken = Atomic<Int>(0)

    init(capacity: Int) { self.capacity = capacity }

    /// Takes a slot if one is free.
    func tryAcquire() -> Bool {
        var current = taken.load(ordering: .relaxed)
        while current < capacity {
            let (exchanged, original) = taken.compareExchange(expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// Gives back a slot taken by `tryAcquire`.
    func release() { taken.subtract(1, ordering: .releasing) }
}
