import AnnalsCore

/// Where the text and Markdown timelines print year (and month) headings, so that headings always follow
/// the order of the events and none is printed twice.
///
/// An event's own heading (`DateDisplay.heading(for:)`) is printed when it differs from the current one and
/// has not been printed yet; otherwise the event stays under the current heading. Timelines sort by
/// (lower, upper, id), so the only events that could bring an earlier heading back are those of a coarser
/// date that sorts between finer ones of the same year (`1950`, then `195X`, then `1950-03-05`), and the
/// current heading then covers them (`1950s` covers 5 Mar 1950).
struct YearHeadings {
    private var current: String?
    private var printed: Set<String> = []

    /// The heading to print before the next event, dated `heading` (`DateDisplay.heading(for:)`), or nil to
    /// keep it under the current one.
    mutating func next(_ heading: String) -> String? {
        guard heading != current, !printed.contains(heading) else { return nil }
        current = heading
        printed.insert(heading)
        return heading
    }
}
