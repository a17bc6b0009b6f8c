import Synchronization
import Testing
@testable import AnnalsServer

@Suite("AppendBudget: events waiting for the writer, for all connections together")
struct AppendBudgetTests {
    @Test func takesWhatFitsAndWakesWaitersWhenSomeComesBack() {
        let budget = AppendBudget(limit: 100)
        let woken = Atomic<Int>(0)
        let wakeOne: @Sendable () -> Void = { woken.add(1, ordering: .relaxed) }
        let wakeTen: @Sendable () -> Void = { woken.add(10, ordering: .relaxed) }
        let took = [budget.take(60, orWhenFreed: wakeOne), budget.take(40, orWhenFreed: wakeOne)]
        #expect(took == [true, true])
        #expect(budget.queued == 100)
        // Full: two connections wait.
        let waited = [budget.take(1, orWhenFreed: wakeOne), budget.take(50, orWhenFreed: wakeTen)]
        #expect(waited == [false, false])
        #expect(woken.load(ordering: .relaxed) == 0)
        budget.giveBack(40)
        #expect(woken.load(ordering: .relaxed) == 11)  // both, once each
        #expect(budget.queued == 60)
        budget.giveBack(60)
        #expect(woken.load(ordering: .relaxed) == 11)  // nobody was waiting any more
        #expect(budget.queued == 0)
    }

    @Test func aBatchLargerThanTheBudgetPassesWhenNothingElseWaits() {
        let budget = AppendBudget(limit: 10)
        let ignore: @Sendable () -> Void = {}
        let first = [budget.take(500, orWhenFreed: ignore), budget.take(1, orWhenFreed: ignore)]
        #expect(first == [true, false])
        budget.giveBack(500)
        let second = [budget.take(10, orWhenFreed: ignore), budget.take(1, orWhenFreed: ignore)]
        #expect(second == [true, false])
    }
}
