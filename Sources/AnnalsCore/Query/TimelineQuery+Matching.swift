extension TimelineQuery {
    /// Whether `event` passes this query's filters, evaluated in memory (for live subscriptions).
    ///
    /// Same rules as the store: actors by folded name or code (any, or all with `allActors`), any of
    /// `kinds`, any of `tags`, date bounds overlapping [from, to], `references`. The full-text filter is
    /// approximated: every word of `text` (ignoring FTS5 operators and quotes) must occur, folded, as a
    /// word of the title, summary or body. `referencedBy` cannot be judged from the event alone and is
    /// ignored here.
    public func matches(_ event: Event) -> Bool {
        if !kinds.isEmpty && !kinds.contains(event.kind) { return false }
        if !tags.isEmpty {
            let eventTags = Set(event.tags.map(Text.foldedKey))
            if !tags.contains(where: { eventTags.contains(Text.foldedKey($0)) }) { return false }
        }
        if !actors.isEmpty {
            let keys = Set(event.actors.flatMap(\.matchKeys))
            let found = actors.map { keys.contains(Text.foldedKey($0)) }
            if allActors ? found.contains(false) : !found.contains(true) { return false }
        }
        if let references, !event.references.contains(where: { $0.id == references }) { return false }
        if let from, let fromLower = from.lower, let upper = event.date.upper, upper < fromLower { return false }
        if let to, let toUpper = to.upper, let lower = event.date.lower, lower > toUpper { return false }
        if let text {
            let words = Set(
                [event.title, event.summary ?? "", event.body ?? ""].flatMap { Self.words(Text.foldedKey($0)) }
            )
            let operators: Set<String> = ["and", "or", "not", "near"]
            for term in Self.words(Text.foldedKey(text)) where !operators.contains(term) {
                if !words.contains(term) { return false }
            }
        }
        return true
    }

    private static func words(_ text: String) -> [String] {
        text.split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }
}
