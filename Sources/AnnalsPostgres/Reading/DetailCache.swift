import Dispatch
import Synchronization

/// Details (`get`) recently read from the primary, kept encoded so that a get repeated before anything new is
/// committed costs no query.
///
/// It holds only while nothing is committed: any commit this process learns of (its own, before the writer
/// acknowledges it; another process's, by notification) empties it, and a read that began before a commit is
/// not kept. So a connection always reads its own writes, and a commit through another annalsd reaches a
/// get here as soon as its notification does. Where a notification can be missed the cache is off: from the
/// moment the listening connection is lost until it listens again (`suspend`, `resume`), and whenever the
/// listener has not confirmed for `leaseNanoseconds` that it still hears every commit (`confirm`; a connection
/// can die without a word).
///
/// Its size is bounded by two generations: entries go into the younger one, which becomes the older when it
/// holds half the capacity (the older one is dropped then), and a hit in the older one moves the entry back
/// into the younger: the least recently used go first.
final class DetailCache: Sendable {
    /// What a get asked for: an event, and a revision of it or its current one.
    struct Key: Hashable, Sendable {
        let id: String
        let revision: Int?
    }

    /// Taken before reading; `keep` keeps what was read only if nothing was committed after it was taken.
    struct Ticket {
        fileprivate let generation: UInt64
    }

    private struct Entry {
        /// The encoded detail, or nil: no such event (a later add is a commit, which empties the cache).
        let payload: [UInt8]?
        /// About what it takes in memory.
        let bytes: Int
    }

    private struct State {
        var younger: [Key: Entry] = [:]
        var older: [Key: Entry] = [:]
        var youngerBytes = 0
        /// Counts the emptyings; a ticket of an earlier generation keeps nothing.
        var generation: UInt64 = 0
        /// The last log position whose commit emptied the cache: hearing of an earlier one changes nothing.
        var emptiedThrough: Int64
        /// While notifications may be missed, nothing is kept or served.
        var suspended = false
        /// When the listener last proved it was listening (uptime, nanoseconds).
        var confirmedAt: UInt64
    }

    private let state: Mutex<State>
    private let capacityBytes: Int
    let leaseNanoseconds: UInt64
    private let now: @Sendable () -> UInt64
    /// Gets answered here, and gets read from the database (tests, diagnostics).
    let hits = Atomic<Int>(0)
    let misses = Atomic<Int>(0)

    /// - Parameters:
    ///   - capacityBytes: about how much the encoded details may take; 0 keeps nothing.
    ///   - committedThrough: the log position the database is at when the cache starts.
    ///   - leaseNanoseconds: how long after the listener's last confirmation kept details are still served.
    ///   - now: a monotonic clock in nanoseconds (tests move it).
    init(capacityBytes: Int, committedThrough: Int64, leaseNanoseconds: UInt64 = 2_000_000_000,
         now: @escaping @Sendable () -> UInt64 = { DispatchTime.now().uptimeNanoseconds }) {
        self.capacityBytes = capacityBytes
        self.leaseNanoseconds = leaseNanoseconds
        self.now = now
        state = Mutex(State(emptiedThrough: committedThrough, confirmedAt: now()))
    }

    var isEnabled: Bool { capacityBytes > 0 }

    /// The detail kept for `key`: `.some(nil)` when the event was found missing, nil when nothing is kept.
    func lookup(_ key: Key) -> [UInt8]?? {
        guard isEnabled else { return nil }
        let time = now()
        let found: [UInt8]?? = state.withLock { state in
            guard !state.suspended, time &- state.confirmedAt <= leaseNanoseconds else { return nil }
            if let entry = state.younger[key] { return .some(entry.payload) }
            guard let entry = state.older.removeValue(forKey: key) else { return nil }
            Self.add(entry, for: key, to: &state, capacityBytes: capacityBytes)
            return .some(entry.payload)
        }
        if found == nil { misses.add(1, ordering: .relaxed) } else { hits.add(1, ordering: .relaxed) }
        return found
    }

    func ticket() -> Ticket {
        Ticket(generation: state.withLock { $0.generation })
    }

    /// Keeps what a get read with `ticket`, unless a commit was heard of since the ticket was taken.
    func keep(_ payload: [UInt8]?, for key: Key, ticket: Ticket) {
        guard isEnabled else { return }
        let entry = Entry(payload: payload, bytes: (payload?.count ?? 0) + key.id.utf8.count + 64)
        guard entry.bytes <= capacityBytes / 2 else { return }
        state.withLock { state in
            guard !state.suspended, state.generation == ticket.generation else { return }
            Self.add(entry, for: key, to: &state, capacityBytes: capacityBytes)
        }
    }

    private static func add(_ entry: Entry, for key: Key, to state: inout State, capacityBytes: Int) {
        if let replaced = state.younger.updateValue(entry, forKey: key) { state.youngerBytes -= replaced.bytes }
        state.youngerBytes += entry.bytes
        if state.youngerBytes > capacityBytes / 2 {
            state.older = state.younger
            state.younger = [:]
            state.youngerBytes = 0
        }
    }

    /// A commit at log position `seq` is known: empties the cache unless a later commit emptied it already
    /// (commits are ordered, so what was kept since then was read after this one).
    func committed(through seq: Int64) {
        state.withLock { state in
            guard seq > state.emptiedThrough else { return }
            state.emptiedThrough = seq
            Self.empty(&state)
        }
    }

    /// Commits may go unheard (the listening connection is lost): keeps and serves nothing until `resume`.
    func suspend() {
        state.withLock { state in
            state.suspended = true
            Self.empty(&state)
        }
    }

    /// The listener was listening at `moment` (uptime, nanoseconds): its notifications of earlier commits are
    /// on their way or handed on.
    func confirm(at moment: UInt64) {
        state.withLock { $0.confirmedAt = max($0.confirmedAt, moment) }
    }

    /// Listening again: every commit from now on is heard, and what is kept from now on is read after those
    /// that went unheard.
    func resume() {
        let time = now()
        state.withLock { state in
            state.suspended = false
            state.confirmedAt = max(state.confirmedAt, time)
            Self.empty(&state)
        }
    }

    private static func empty(_ state: inout State) {
        state.generation &+= 1
        state.younger = [:]
        state.older = [:]
        state.youngerBytes = 0
    }

    /// Entries kept, in both generations (tests).
    var count: Int { state.withLock { $0.younger.count + $0.older.count } }
}
