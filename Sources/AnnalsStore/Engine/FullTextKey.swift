import AnnalsCore

/// The rowid of an event's entry in the FTS5 index: the event's first day in the high bits and its `events`
/// rowid in the low 32 (a store holds fewer than 2³² events; the writer refuses more). FTS5 returns matches in rowid order, so a full-text page reads matches in date
/// order and stops after the page (plus the rest of its last day) instead of sorting every match: the cost
/// of a search page no longer grows with the number of events that contain the word.
///
/// Days are clamped to ±2²² (about ±11,000 years); events beyond share the extreme day, which keeps the
/// order monotone in `lower`, all the reader relies on.
///
/// The price is index size: FTS5 stores each posting's rowid as a delta from the previous one, and day-major
/// keys make those deltas longer (at 100k the FTS5 data grew from 981 to 1,637 bytes per event; see
/// Scripts/bench-results/2026-11-29T100708Z/profile.md §6). 32 rowid bits keep them a byte shorter than 40.
enum FullTextKey {
    private static let rowidBits: Int64 = 32
    /// The low bits: the event's rowid.
    static let rowidMask: Int64 = (1 << rowidBits) - 1
    /// The largest events rowid a key can hold.
    static var maxRowid: Int64 { rowidMask }
    private static let dayOffset: Int64 = 1 << 22
    private static let lastDay: Int64 = (1 << 23) - 1

    /// The clamped day bucket of a `lower` day number (open starts come first).
    static func day(_ lower: Int64) -> Int64 {
        if lower <= -dayOffset { return 0 }
        if lower >= dayOffset { return lastDay }
        return lower + dayOffset
    }

    static func of(lower: Int64, rowid: Int64) -> Int64 {
        day(lower) << rowidBits | (rowid & rowidMask)
    }

    /// The smallest key of an event starting on `lower`'s day.
    static func first(onDayOf lower: Int64) -> Int64 { day(lower) << rowidBits }

    /// The smallest key of an event starting after `lower`'s day.
    static func first(afterDayOf lower: Int64) -> Int64 { (day(lower) + 1) << rowidBits }

    /// The day bucket of a key.
    static func day(ofKey key: Int64) -> Int64 { key >> rowidBits }
}
