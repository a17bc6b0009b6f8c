import AnnalsCore
import ArgumentParser
import Foundation

/// The fields of an event as flags, for `add` and `amend`.
struct EventFieldOptions: ParsableArguments {
    // `.unconditional`: a year before 1 starts with a minus (-0660-02-11) and is still a value.
    @Option(parsing: .unconditional, help: ArgumentHelp("When it happened, in EDTF: 2019-01-28, 1956-10, 1956~, 195X, 1904-02-08/1905-09-05.", valueName: "edtf"))
    var date: String?

    @Option(help: ArgumentHelp("One of \(EventKind.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "kind"))
    var kind: String?

    @Option(help: "A one-line title.")
    var title: String?

    @Option(help: "A sentence or two.")
    var summary: String?

    @Option(name: .customLong("body-file"), help: ArgumentHelp("A file with the full text (- for standard input).", valueName: "path"))
    var bodyFile: String?

    @Option(name: .customLong("actor"), help: ArgumentHelp("NAME or NAME:CODE:ROLE (repeatable), e.g. 'Shinzo Abe::speaker' or Japan:JPN.", valueName: "actor"))
    var actors: [String] = []

    @Option(name: .customLong("place"), help: "A place (repeatable).")
    var places: [String] = []

    @Option(name: .customLong("tag"), help: "A tag (repeatable).")
    var tags: [String] = []

    @Option(name: .customLong("source"), help: ArgumentHelp("A source URL (repeatable).", valueName: "url"))
    var sources: [String] = []

    @Option(name: .customLong("ref"), help: ArgumentHelp("ID or ID:RELATION (repeatable); relations: \(Relation.allCases.map(\.rawValue).joined(separator: ", ")). For an id containing ':', give the relation too (acled:123:mentions).", valueName: "ref"))
    var references: [String] = []

    func parsedKind() throws -> EventKind? {
        guard let kind else { return nil }
        guard let parsed = EventKind(rawValue: kind) else {
            throw CLIError(.invalidInput, "unknown kind '\(kind)': use one of \(EventKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return parsed
    }

    func parsedDate() throws -> HistoricalDate? {
        try date.map { try HistoricalDate(parsing: $0) }
    }

    func body() throws -> String? {
        guard let bodyFile else { return nil }
        let data: Data?
        if bodyFile == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            data = FileManager.default.contents(atPath: bodyFile)
        }
        guard let data else { throw CLIError(.unreadableFile, "cannot read \(bodyFile)") }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw CLIError(.invalidInput, "\(bodyFile) is not valid UTF-8")
        }
        return text
    }

    /// Parses NAME or NAME:CODE:ROLE (empty parts omitted).
    static func actor(_ text: String) -> Actor {
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        func part(_ i: Int) -> String? { i < parts.count && !parts[i].isEmpty ? parts[i] : nil }
        return Actor(name: parts[0], code: part(1), role: part(2))
    }

    /// Parses ID or ID:RELATION. Whatever follows the last colon must be a relation, so a mistyped one is an
    /// error rather than part of the id; an id that contains a colon is written with its relation
    /// (`acled:123:mentions`).
    /// - Throws: `EventError` `unknown-relation` naming the relations.
    static func reference(_ text: String) throws -> Reference {
        guard let colon = text.lastIndex(of: ":") else { return Reference(id: text, relation: .mentions) }
        let name = String(text[text.index(after: colon)...])
        guard let relation = Relation(rawValue: name) else {
            let guess = Relation.allCases.first { $0.rawValue.hasPrefix(name.lowercased()) || name.lowercased().hasPrefix($0.rawValue) }
            throw EventError(.unknownRelation, field: "references", """
                unknown relation '\(name.prefix(40))' after the last ':' of --ref \(text.prefix(140))\(guess.map { " (did you mean \($0.rawValue)?)" } ?? ""): \
                use one of \(Relation.allCases.map(\.rawValue).joined(separator: ", ")); an id that contains ':' is given with its relation, as in ID:mentions
                """)
        }
        return Reference(id: String(text[..<colon]), relation: relation)
    }

    /// Applies every given flag to `event` (lists given replace the event's lists).
    func apply(to event: inout Event) throws {
        if let date = try parsedDate() { event.date = date }
        if let kind = try parsedKind() { event.kind = kind }
        if let title { event.title = title }
        if let summary { event.summary = summary.isEmpty ? nil : summary }
        if let body = try body() { event.body = body.isEmpty ? nil : body }
        if !actors.isEmpty { event.actors = actors.map(Self.actor) }
        if !places.isEmpty { event.places = places }
        if !tags.isEmpty { event.tags = tags }
        if !sources.isEmpty { event.sources = sources.map { Source(url: $0) } }
        if !references.isEmpty { event.references = try references.map(Self.reference) }
    }

    /// Whether any field flag was given.
    var isEmpty: Bool {
        date == nil && kind == nil && title == nil && summary == nil && bodyFile == nil && actors.isEmpty
            && places.isEmpty && tags.isEmpty && sources.isEmpty && references.isEmpty
    }
}
