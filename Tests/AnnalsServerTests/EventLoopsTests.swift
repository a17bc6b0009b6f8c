import Testing
@testable import AnnalsServer

@Suite("EventLoops: which loop serves a new connection")
struct EventLoopsTests {
    @Test func aNewConnectionGoesToTheLoopWithTheFewest() {
        let loops = EventLoops(count: 2)
        let first = loops.assign(), second = loops.assign()
        #expect([first.number, second.number].sorted() == [0, 1])
        #expect(first.queue !== second.queue)
        // Short connections come and go on one loop: the next long one still goes where there is room.
        let short = loops.assign()
        loops.release(short.number)
        loops.release(first.number)
        #expect(loops.assign().number == first.number)
        #expect(loops.connections == [1, 1])
    }
}
