import Dispatch
import Histogram
import Synchronization

/// The probes of `annals-bench search-lag`: those acknowledged and not yet found by a search, and the lags of
/// those found.
///
/// Thread-safe: the appender's completions add probes (on the connection's reader thread), the searcher asks
/// for them and records what its answers held. Times are `DispatchTime` uptime nanoseconds; lags are kept in
/// microseconds in HdrHistograms (3 significant digits), like `annals-bench latency`.
final class SearchProbes: Sendable {
    /// One probe event: its id, the word made for it, and when its append was acknowledged.
    struct Probe: Sendable {
        let id: String
        let word: String
        let ackedAt: UInt64
        /// When the last search that asked for it and did not find it was sent (its ack time until then).
        var lastMissSentAt: UInt64
    }

    private struct State {
        /// Acknowledged and not yet found, in acknowledgement order (the log order: the index follows it).
        var pending: [Probe] = []
        /// Ack → the answer that held it: an upper bound of the lag, the figure reported.
        var lag = SearchProbes.histogram()
        /// Ack → the sending of the last search that missed it: a lower bound of the lag.
        var lowerBound = SearchProbes.histogram()
        var acknowledged = 0
        var notFound = 0
    }

    private let state = Mutex(State())

    /// The longest lag recorded, in microseconds (longer ones are recorded as this): an hour.
    static let highestLag: UInt64 = 3_600_000_000

    private static func histogram() -> Histogram<UInt64> {
        Histogram<UInt64>(highestTrackableValue: highestLag, numberOfSignificantValueDigits: .three)
    }

    /// Notes that the append of probe `id`, which carries `word`, was acknowledged at `ackedAt`.
    func acknowledged(id: String, word: String, at ackedAt: UInt64) {
        state.withLock { state in
            state.acknowledged += 1
            state.pending.append(Probe(id: id, word: word, ackedAt: ackedAt, lastMissSentAt: ackedAt))
        }
    }

    /// The oldest probes not yet found, at most `limit`.
    func pending(limit: Int) -> [Probe] {
        state.withLock { Array($0.pending.prefix(limit)) }
    }

    /// Whether every acknowledged probe has been found or given up.
    var isEmpty: Bool { state.withLock { $0.pending.isEmpty } }

    /// Records the answer to a search for the probes `asked`, sent at `sentAt` and answered at `answeredAt`:
    /// those whose ids are in `found` get their lag; the others were missed by a search sent at `sentAt`.
    func answered(asked: [Probe], found: Set<String>, sentAt: UInt64, answeredAt: UInt64) {
        let askedIDs = Set(asked.map(\.id))
        state.withLock { state in
            var kept: [Probe] = []
            kept.reserveCapacity(state.pending.count)
            for var probe in state.pending {
                if found.contains(probe.id) {
                    Self.record(&state.lag, from: probe.ackedAt, to: answeredAt)
                    Self.record(&state.lowerBound, from: probe.ackedAt, to: probe.lastMissSentAt)
                    continue
                }
                if askedIDs.contains(probe.id) { probe.lastMissSentAt = max(probe.lastMissSentAt, sentAt) }
                kept.append(probe)
            }
            state.pending = kept
        }
    }

    /// Gives up the probes acknowledged more than `patience` nanoseconds before `now`: they count as not found,
    /// and their wait so far (a lower bound of their lag) goes into the lag figures, so a lag longer than the
    /// patience raises the percentiles instead of vanishing from them.
    func giveUp(now: UInt64, patience: UInt64) {
        state.withLock { state in
            while let oldest = state.pending.first, now >= oldest.ackedAt + patience {
                state.pending.removeFirst()
                state.notFound += 1
                Self.record(&state.lag, from: oldest.ackedAt, to: now)
                Self.record(&state.lowerBound, from: oldest.ackedAt, to: now)
            }
        }
    }

    private static func record(_ histogram: inout Histogram<UInt64>, from start: UInt64, to end: UInt64) {
        let micros = end > start ? (end - start) / 1000 : 0
        histogram.record(min(micros, highestLag))
    }

    /// The figures: probes acknowledged, found, not found, and the lag's percentiles in microseconds.
    func summary() -> [String: Any] {
        state.withLock { state in
            let h = state.lag, low = state.lowerBound
            let measured = Int(h.totalCount)
            return [
                "probes": state.acknowledged, "count": measured - state.notFound, "not_found": state.notFound,
                "still_pending": state.pending.count,
                "p50_us": measured > 0 ? h.valueAtPercentile(50) : 0, "p90_us": measured > 0 ? h.valueAtPercentile(90) : 0,
                "p99_us": measured > 0 ? h.valueAtPercentile(99) : 0, "max_us": measured > 0 ? h.max : 0,
                "mean_us": measured > 0 ? h.mean : 0,
                "p50_lower_us": measured > 0 ? low.valueAtPercentile(50) : 0, "p99_lower_us": measured > 0 ? low.valueAtPercentile(99) : 0,
            ]
        }
    }
}
