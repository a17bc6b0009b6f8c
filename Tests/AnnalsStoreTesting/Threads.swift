import Dispatch
import Foundation

/// Runs `body(0)` … `body(count - 1)` at once, each on a thread of its own (not the cooperative pool, which
/// blocking store calls would starve), and waits for all of them.
/// - Throws: the first error any of them threw.
public func withThrowingTaskGroupOnThreads(count: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws {
    let group = DispatchGroup()
    let errors = FirstError()
    for i in 0..<count {
        group.enter()
        Thread {
            defer { group.leave() }
            do { try body(i) } catch { errors.set(error) }
        }.start()
    }
    group.wait()
    if let error = errors.error { throw error }
}

/// The first error set from any thread.
private final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (any Error)?
    func set(_ error: any Error) { lock.lock(); stored = stored ?? error; lock.unlock() }
    var error: (any Error)? { lock.lock(); defer { lock.unlock() }; return stored }
}
