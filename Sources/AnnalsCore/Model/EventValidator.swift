/// Checks events and retractions against Annals' rules and limits.
public struct EventValidator: Sendable {
    /// The limits applied.
    public var limits: EventLimits

    public init(limits: EventLimits = .standard) {
        self.limits = limits
    }

    /// Throws the first rule `event` breaks.
    /// - Throws: `EventError` with a specific code and the field at fault.
    public func validate(_ event: Event) throws(EventError) {
        try checkID(event.id, field: "id")
        try checkTitle(event.title)
        if let summary = event.summary {
            try checkText(summary, field: "summary", limit: limits.summary, allowWhitespaceControls: true)
        }
        if let body = event.body {
            try checkText(body, field: "body", limit: limits.body, allowWhitespaceControls: true)
        }
        try checkActors(event.actors)
        try checkList(event.places, field: "places", count: limits.places, length: limits.name)
        try checkList(event.tags, field: "tags", count: limits.tags, length: limits.tag)
        try checkSources(event.sources)
        try checkReferences(event.references, of: event.id)
        if let revision = event.revision, revision < 1 {
            throw EventError(.invalidRevision, field: "revision", "revision must be 1 or more, not \(revision)")
        }
    }

    /// Throws the first rule `retraction` breaks.
    public func validate(_ retraction: Retraction) throws(EventError) {
        try checkID(retraction.id, field: "id")
        if retraction.reason.allSatisfy(\.isWhitespace) {
            throw EventError(.emptyReason, field: "reason", "a retraction needs a reason")
        }
        try checkText(retraction.reason, field: "reason", limit: limits.reason, allowWhitespaceControls: true)
        if let revision = retraction.revision, revision < 2 {
            throw EventError(.invalidRevision, field: "revision", "a retraction is revision 2 or later, not \(revision)")
        }
    }

    /// Validates either kind of log entry.
    public func validate(_ entry: LogEntry) throws(EventError) {
        switch entry {
        case .event(let event): try validate(event)
        case .retraction(let retraction): try validate(retraction)
        }
    }

    private func checkID(_ id: String, field: String) throws(EventError) {
        guard EventID.isValid(id) else {
            throw EventError(
                .invalidID, field: field,
                "'\(id.prefix(160))' is not a valid id: use 1 to \(EventID.maxLength) ASCII letters, digits and -._: starting with a letter or digit"
            )
        }
    }

    private func checkTitle(_ title: String) throws(EventError) {
        if title.allSatisfy(\.isWhitespace) {
            throw EventError(.emptyTitle, field: "title", "the title is empty")
        }
        if Text.hasControlCharacter(title) {
            throw EventError(.controlCharacter, field: "title", "the title holds a control character (tabs and newlines included)")
        }
        try checkLength(title, field: "title", limit: limits.title)
    }

    private func checkText(_ text: String, field: String, limit: Int, allowWhitespaceControls: Bool) throws(EventError) {
        try checkLength(text, field: field, limit: limit)
        let bad = allowWhitespaceControls ? Text.hasControlCharacterBesidesWhitespace(text) : Text.hasControlCharacter(text)
        if bad {
            throw EventError(.controlCharacter, field: field, "\(field) holds a control character other than tab or newline")
        }
    }

    private func checkLength(_ text: String, field: String, limit: Int) throws(EventError) {
        let length = text.utf8.count
        if length > limit {
            throw EventError(.tooLong, field: field, "\(field) is \(length) bytes; the limit is \(limit)")
        }
    }

    private func checkCount(_ count: Int, field: String, limit: Int) throws(EventError) {
        if count > limit {
            throw EventError(.tooMany, field: field, "\(count) \(field); the limit is \(limit)")
        }
    }

    private func checkLine(_ value: String, field: String, limit: Int) throws(EventError) {
        if value.allSatisfy(\.isWhitespace) {
            throw EventError(.emptyValue, field: field, "\(field) is empty")
        }
        if Text.hasControlCharacter(value) {
            throw EventError(.controlCharacter, field: field, "\(field) holds a control character")
        }
        try checkLength(value, field: field, limit: limit)
    }

    private func checkList(_ values: [String], field: String, count: Int, length: Int) throws(EventError) {
        try checkCount(values.count, field: field, limit: count)
        var seen = Set<String>()
        for (i, value) in values.enumerated() {
            try checkLine(value, field: "\(field)[\(i)]", limit: length)
            if !seen.insert(Text.foldedKey(value)).inserted {
                throw EventError(.duplicateValue, field: "\(field)[\(i)]", "'\(value)' appears twice in \(field)")
            }
        }
    }

    private func checkActors(_ actors: [Actor]) throws(EventError) {
        try checkCount(actors.count, field: "actors", limit: limits.actors)
        var seen = Set<String>()
        for (i, actor) in actors.enumerated() {
            let field = "actors[\(i)]"
            if actor.name.allSatisfy(\.isWhitespace) {
                throw EventError(.emptyActorName, field: "\(field).name", "actor \(i + 1) has no name")
            }
            try checkLine(actor.name, field: "\(field).name", limit: limits.name)
            if let code = actor.code {
                let ok = (1...16).contains(code.utf8.count)
                    && code.utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
                if !ok {
                    throw EventError(
                        .invalidActorCode, field: "\(field).code",
                        "'\(code.prefix(40))' is not an actor code: use 1 to 16 upper-case letters, digits or hyphens, e.g. JPN"
                    )
                }
            }
            if let role = actor.role {
                try checkLine(role, field: "\(field).role", limit: limits.tag)
            }
            if !seen.insert(Text.foldedKey(actor.name)).inserted {
                throw EventError(.duplicateActor, field: field, "actor '\(actor.name)' appears twice")
            }
        }
    }

    private func checkSources(_ sources: [Source]) throws(EventError) {
        try checkCount(sources.count, field: "sources", limit: limits.sources)
        for (i, source) in sources.enumerated() {
            let field = "sources[\(i)]"
            try checkLength(source.url, field: "\(field).url", limit: limits.url)
            if !Self.isHTTPURL(source.url) {
                throw EventError(.invalidURL, field: "\(field).url", "'\(source.url.prefix(200))' is not an absolute http or https URL")
            }
            if let publisher = source.publisher {
                try checkLine(publisher, field: "\(field).publisher", limit: limits.name)
            }
            if let published = source.published {
                do {
                    _ = try HistoricalDate(parsing: published)
                } catch {
                    throw EventError(.malformedDate, field: "\(field).published", error.message)
                }
            }
        }
    }

    private func checkReferences(_ references: [Reference], of id: String) throws(EventError) {
        try checkCount(references.count, field: "references", limit: limits.references)
        var seen = Set<String>()
        for (i, reference) in references.enumerated() {
            let field = "references[\(i)]"
            try checkID(reference.id, field: "\(field).id")
            if reference.id == id {
                throw EventError(.selfReference, field: field, "an event cannot refer to itself")
            }
            if !seen.insert(reference.id).inserted {
                throw EventError(.duplicateReference, field: field, "'\(reference.id)' is referenced twice")
            }
        }
    }

    /// Whether `url` is an absolute http(s) URL with a host and no whitespace or control characters.
    static func isHTTPURL(_ url: String) -> Bool {
        let lower = url.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") { rest = url.dropFirst(8) }
        else if lower.hasPrefix("http://") { rest = url.dropFirst(7) }
        else { return false }
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return !host.isEmpty && !url.unicodeScalars.contains { $0.properties.isWhitespace || $0.properties.generalCategory == .control }
    }
}
