import AnnalsCore
import AnnalsProtocol
import Testing
@testable import AnnalsServer

/// The frames of a subscription (PROTOCOL.md §8.2), fed entries by hand.
@Suite("SubscriptionFeed: the subscribed reply, catch-up with its more flags, live pushes")
struct SubscriptionFeedTests {
    static func entry(_ seq: Int64) throws -> SequencedEntry {
        let date = try HistoricalDate(parsing: "2001-01-01")
        return SequencedEntry(seq: seq, entry: .event(Event(id: "e\(seq)", date: date, kind: .statement, title: "Event \(seq)")))
    }

    static func feed(from fromSeq: Int64, lastSeq: Int64) throws -> SubscriptionFeed {
        SubscriptionFeed(id: 7, filter: try LogFilter(TimelineQuery()), ticket: 0, fromSeq: fromSeq, lastSeq: lastSeq)
    }

    /// (type, seq or lastSeq, more) of each frame.
    static func described(_ frames: [[UInt8]]) throws -> [String] {
        var decoder = FrameDecoder()
        for frame in frames { decoder.append(frame[...]) }
        var out: [String] = []
        while let frame = try decoder.next() {
            #expect(frame.requestID == 7)
            switch try Response(frame: frame) {
            case .subscribed(let lastSeq): out.append("subscribed \(lastSeq) more=\(frame.more)")
            case .pushed(let seq, _): out.append("pushed \(seq) more=\(frame.more)")
            case let other: out.append("\(other)")
            }
        }
        return out
    }

    static func frames(_ output: SubscriptionFeed.Output) -> [[UInt8]] { (output.reply.map { [$0] } ?? []) + output.pushes }

    @Test func catchUpFramesChainTheirMoreFlagUntilTheLast() throws {
        var feed = try Self.feed(from: 2, lastSeq: 5)
        #expect(feed.begin() == SubscriptionFeed.Output(), "the reply waits until it is known whether catch-up follows")
        #expect(feed.wantsEntries(lastSeq: 5, replySent: false), "the first fetch decides the reply's flag")
        var out = feed.received([try Self.entry(3), try Self.entry(4)], through: 4, budget: 1 << 20)
        #expect(try Self.described(Self.frames(out)) == ["subscribed 5 more=true", "pushed 3 more=true"])
        #expect(!feed.wantsEntries(lastSeq: 5, replySent: false), "no more reading before the reply is out")
        #expect(feed.wantsEntries(lastSeq: 5, replySent: true))
        out = feed.received([try Self.entry(5)], through: 5, budget: 1 << 20)
        #expect(try Self.described(Self.frames(out)) == ["pushed 4 more=true", "pushed 5 more=false"])
        #expect(feed.caughtUp)
        out = feed.received([try Self.entry(6), try Self.entry(8)], through: 8, budget: 1 << 20)
        #expect(try Self.described(Self.frames(out)) == ["pushed 6 more=false", "pushed 8 more=false"], "live pushes have more=0")
        #expect(!feed.wantsEntries(lastSeq: 8, replySent: true))
        #expect(feed.wantsEntries(lastSeq: 9, replySent: true))
    }

    @Test func nothingToCatchUpGivesTheReplyWithMoreZero() throws {
        var feed = try Self.feed(from: 10, lastSeq: 10)
        #expect(try Self.described(Self.frames(feed.begin())) == ["subscribed 10 more=false"])
        // Catch-up that matches nothing also ends with the reply at more=0.
        var quiet = try Self.feed(from: 0, lastSeq: 3)
        #expect(quiet.begin() == SubscriptionFeed.Output())
        #expect(try Self.described(Self.frames(quiet.received([], through: 3, budget: 1 << 20))) == ["subscribed 3 more=false"])
        // The last catch-up match held back when reading ends without another one.
        var last = try Self.feed(from: 0, lastSeq: 9)
        _ = last.begin()
        #expect(try Self.described(Self.frames(last.received([try Self.entry(2)], through: 5, budget: 1 << 20))) == ["subscribed 9 more=true"])
        #expect(try Self.described(Self.frames(last.received([], through: 9, budget: 1 << 20))) == ["pushed 2 more=false"])
    }

    @Test func endingBeforeTheFlagIsKnownRepliesWithMoreZero() throws {
        var feed = try Self.feed(from: 0, lastSeq: 100)
        _ = feed.begin()
        #expect(try Self.described(Self.frames(feed.end())) == ["subscribed 100 more=false"])
        #expect(feed.end() == SubscriptionFeed.Output(), "once")
    }

    @Test func largeEntriesMakeSmallerFetches() throws {
        var feed = try Self.feed(from: 0, lastSeq: 0)
        _ = feed.begin()
        #expect(feed.fetchLimit == SubscriptionFeed.batch)
        _ = feed.received([try Self.entry(1)], through: 1, budget: 10)
        #expect(feed.fetchLimit == 1)
    }
}
