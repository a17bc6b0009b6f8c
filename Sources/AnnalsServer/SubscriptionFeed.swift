import AnnalsCore
import AnnalsProtocol
import AnnalsStore

/// One subscription's stream of frames (PROTOCOL.md §8.2): the `subscribed` reply, the catch-up entries (log
/// positions up to `catchUpEnd`), then live ones. A value with no I/O: the connection reads the entries the
/// feed asks for and sends the frames it returns.
///
/// The `more` flag chains the reply and the catch-up frames, so the reply is held until the first catch-up
/// match is found (or catch-up ends without one), and the latest catch-up match is held until it is known
/// whether it is the last.
struct SubscriptionFeed {
    /// Frames to send, in this order: the reply (once its flag is known), then pushes.
    struct Output: Equatable {
        var reply: [UInt8]?
        var pushes: [[UInt8]] = []
    }

    /// The request id of the subscribe request; every frame carries it.
    let id: UInt32
    let filter: LogFilter
    /// The subscribe request's response slot (`RequestSequencer` ticket): pushes go after its reply.
    let ticket: Int
    /// The last log position when the subscription started: entries up to it are catch-up.
    let catchUpEnd: Int64
    /// Entries up to this log position have been delivered (or skipped as not matching).
    private(set) var cursor: Int64
    /// Whether the reply has been produced.
    private(set) var replied = false
    private(set) var caughtUp = false
    /// The latest catch-up match, held back until it is known whether it is the last one.
    private var held: SequencedEntry?
    /// Entries to read in the next fetch: `batch`, fewer when entries are large (see `received`).
    private(set) var fetchLimit = Self.batch

    /// Entries read per fetch at most: few, so a slow reader never makes the server buffer much.
    static var batch: Int { 64 }

    init(id: UInt32, filter: LogFilter, ticket: Int, fromSeq: Int64, lastSeq: Int64) {
        self.id = id
        self.filter = filter
        self.ticket = ticket
        self.cursor = max(0, fromSeq)
        self.catchUpEnd = lastSeq
    }

    /// The first frames: the reply with `more` = 0 when there is nothing to catch up.
    mutating func begin() -> Output {
        var output = Output()
        if cursor >= catchUpEnd { finishCatchUp(&output) }
        return output
    }

    /// Whether to read more entries now. Before the reply is sent, only the first fetch (which decides its
    /// flag) is made, so a reply stuck behind slow answers does not make the server buffer pushes.
    /// - Parameters:
    ///   - lastSeq: the last log position committed.
    ///   - replySent: whether the reply has gone to the output.
    func wantsEntries(lastSeq: Int64, replySent: Bool) -> Bool {
        (replySent || !replied) && cursor < max(lastSeq, catchUpEnd)
    }

    /// Entries read after `cursor`: those that matched, and the position reading reached.
    /// - Parameter budget: about how many bytes one fetch should bring; the next `fetchLimit` follows from it.
    mutating func received(_ matches: [SequencedEntry], through position: Int64, budget: Int) -> Output {
        var output = Output()
        for match in matches {
            if !caughtUp && match.seq <= catchUpEnd {
                // A catch-up entry: the previous one, if any, is not the last.
                reply(more: true, into: &output)
                if let previous = held { output.pushes.append(Self.push(previous, id: id, more: true)) }
                held = match
            } else {
                finishCatchUp(&output)
                output.pushes.append(Self.push(match, id: id, more: false))
            }
        }
        if !matches.isEmpty {
            let bytes = matches.reduce(0) { $0 + Response.logPageEntrySize($1) }
            fetchLimit = min(Self.batch, max(1, budget / max(1, bytes / matches.count)))
        }
        cursor = max(cursor, position)
        if cursor >= catchUpEnd { finishCatchUp(&output) }
        return output
    }

    /// Ends the feed (unsubscribe, goodbye, shutdown): the reply, if still held, says no catch-up follows.
    mutating func end() -> Output {
        var output = Output()
        reply(more: false, into: &output)
        caughtUp = true
        held = nil
        return output
    }

    private mutating func finishCatchUp(_ output: inout Output) {
        guard !caughtUp else { return }
        caughtUp = true
        if !replied {
            reply(more: false, into: &output)
        } else if let last = held {
            held = nil
            output.pushes.append(Self.push(last, id: id, more: false))
        }
    }

    private mutating func reply(more: Bool, into output: inout Output) {
        guard !replied else { return }
        replied = true
        output.reply = Response.subscribed(lastSeq: catchUpEnd).encode(requestID: id, more: more)
    }

    private static func push(_ entry: SequencedEntry, id: UInt32, more: Bool) -> [UInt8] {
        Response.pushed(seq: entry.seq, entry: entry.entry).encode(requestID: id, more: more)
    }
}
