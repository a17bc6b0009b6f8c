import AnnalsCore

extension DateDisplay {
    /// The year heading an event goes under: the year it starts ("1956", "661 BC"), the decade or
    /// century itself for such dates ("1950s", "1900 – 1999"), "Until 1956" when the start is open or
    /// unknown (such events sort first), or "Undated" when neither end is known. With `ascii`, a range
    /// uses "-". `YearHeadings` decides where headings are printed.
    static func heading(for date: HistoricalDate, ascii: Bool = false) -> String {
        if !date.isInterval, date.precision == .decade || date.precision == .century {
            let unqualified = date.canonical.filter { $0 != "?" && $0 != "~" && $0 != "%" }
            if let plain = try? HistoricalDate(parsing: unqualified) { return element(plain, ascii: ascii) }
        }
        if date.isInterval, date.lower == nil || date.hasUnknownStart {
            if let upper = date.upper { return "Until " + year(upper.year) }
            return "Undated"
        }
        if let lower = date.lower { return year(lower.year) }
        return "Undated"
    }

    /// The year and month the date starts in, when its start is known to the month or better.
    static func startMonth(of date: HistoricalDate) -> (year: Int64, month: Int)? {
        if date.isInterval {
            guard !date.hasUnknownStart, date.lower != nil,
                  let slash = date.canonical.firstIndex(of: "/"),
                  let start = try? HistoricalDate(parsing: String(date.canonical[..<slash]))
            else { return nil }
            return startMonth(of: start)
        }
        switch date.precision {
        case .day, .month, .datetime:
            guard let lower = date.lower else { return nil }
            return (lower.year, lower.month)
        default:
            return nil
        }
    }
}
