import AnnalsClient
import AnnalsProtocol
import AnnalsCore
import AnnalsFormat
import ArgumentParser
import Dispatch
import Synchronization

/// `annals timeline`: a chronological timeline in the terminal or a machine format.
struct TimelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline", abstract: "Render a chronological timeline.",
        discussion: """
            A search (--search) is words that must all occur; "quoted words" are a phrase, OR between words \
            means either, NOT or - before a word leaves it out, and word* matches words starting with it. \
            Punctuation is ignored: Jong-un is the phrase "jong un".

            Examples:
              annals timeline --actor Japan --actor Russia --all-actors --from 1945
              annals timeline --references 1956-10-19-soviet-japanese-joint-declaration
              annals timeline --search 'Kim Jong-un' --from 2019 --to 2019 --format csv
              annals timeline --actor Russia --actor 'Soviet Union' --from 1945 --format html > japan-russia.html
              annals timeline --kind treaty --format svg --lanes none --width 1600 --title Treaties > treaties.svg
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, jsonl, csv, markdown, timelinejs, html, svg

        /// Whether the format is a picture (`--width` in pixels, `--lanes`).
        var isPicture: Bool { self == .html || self == .svg }
    }

    @OptionGroup var server: ServerOptions
    @OptionGroup var filters: FilterOptions
    @Option(parsing: .unconditional, help: "Most events to show.")
    var limit = 1000
    @Flag(help: "Newest first.")
    var reverse = false
    @Option(help: "Output format.")
    var format: Format = .text
    @Flag(help: "Plain ASCII drawing characters in the text format.")
    var ascii = false
    @Option(help: "Colour in the text format: auto (on a terminal, unless NO_COLOR), always or never.")
    var color: String = "auto"
    @Option(parsing: .unconditional, help: "Wrap the text format to this many columns (default: the terminal's width); for html and svg, the picture's width in pixels (default 1200).")
    var width: Int?
    @Option(help: ArgumentHelp("The heading of an html, svg or timelinejs timeline.", valueName: "text"))
    var title: String?
    @Option(help: ArgumentHelp("Lanes of an html or svg timeline: actor (one per --actor given), kind or none (default: actor when --actor is given, else kind).", valueName: "actor|kind|none"))
    var lanes: String?

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1, not \(limit)") }
        guard ColorChoice(rawValue: color) != nil else { throw ValidationError("--color must be auto, always or never") }
        let pixels = TimelinePicture.Options.widthRange
        if let width, format.isPicture, !pixels.contains(width) {
            throw ValidationError("--width of an \(format.rawValue) timeline is its width in pixels, from \(pixels.lowerBound) to \(pixels.upperBound)")
        }
        if let width, !format.isPicture, width < 30 { throw ValidationError("--width must be at least 30") }
        if let lanes {
            guard LaneMode(rawValue: lanes) != nil else { throw ValidationError("--lanes must be actor, kind or none") }
            guard format.isPicture else { throw ValidationError("--lanes applies to --format html and svg") }
        }
        if title != nil, !format.isPicture, format != .timelinejs {
            throw ValidationError("--title applies to --format html, svg and timelinejs")
        }
    }

    func run() throws {
        try runReportingErrors {
            let connection = try server.connect()
            defer { connection.close() }
            let (records, more) = try Self.fetch(connection, query: try filters.query(reverse: reverse), limit: limit)
            if more {
                Terminal.writeError("annals: showing the first \(limit) events; more match (raise --limit or narrow the filters)\n")
            }
            switch format {
            case .json: Terminal.write(JSONRenderer().render(try Self.withBodies(records, connection: connection)))
            case .jsonl: Terminal.write(JSONLinesRenderer().render(try Self.withBodies(records, connection: connection)))
            case .csv: Terminal.write(CSVRenderer().render(records))
            case .markdown: Terminal.write(MarkdownRenderer().render(records))
            case .timelinejs: Terminal.write(TimelineJSRenderer(title: title).render(records))
            case .html, .svg:
                if records.isEmpty {
                    Terminal.writeError("no events match\n")
                    return
                }
                let options = pictureOptions(knownEvents: Self.referencedEvents(of: records, connection: connection))
                Terminal.write(format == .html
                    ? TimelineHTMLRenderer(options: options).render(records)
                    : TimelineSVGRenderer(options: options).render(records))
            case .text:
                var options = TimelineRenderer.Options()
                options.width = width ?? Terminal.width
                options.color = Terminal.useColor(ColorChoice(rawValue: color) ?? .auto)
                options.ascii = ascii
                options.knownEvents = Self.referencedEvents(of: records, connection: connection)
                if records.isEmpty {
                    Terminal.writeError("no events match\n")
                    return
                }
                Terminal.write(TimelineRenderer(options: options).render(records))
            }
        }
    }

    /// How an html or svg timeline is drawn: the flags, with a title naming the actors asked for.
    func pictureOptions(knownEvents: [String: (HistoricalDate, String)]) -> TimelinePicture.Options {
        let actors = filters.actors
        return TimelinePicture.Options(
            title: title ?? (actors.isEmpty ? "Annals timeline" : "Timeline: " + actors.joined(separator: ", ")),
            width: width ?? 1200,
            lanes: lanes.flatMap(LaneMode.init(rawValue:)) ?? (actors.isEmpty ? .kind : .actor),
            actors: actors, knownEvents: knownEvents
        )
    }

    /// Every page of `query` up to `limit` events, following cursors, and whether more events match.
    static func fetch(_ connection: AnnalsConnection, query: TimelineQuery, limit: Int) throws -> (records: [EventRecord], more: Bool) {
        var query = query
        var records: [EventRecord] = []
        let pageLimit = connection.serverHello.limits.maxTimelinePage
        repeat {
            query.limit = min(pageLimit, limit - records.count)
            let page = try connection.timeline(query)
            records += page.records
            query.cursor = page.nextCursor
        } while query.cursor != nil && records.count < limit
        return (records, query.cursor != nil)
    }

    /// The records with their bodies, which timeline pages leave out, fetched in one pipelined burst so the
    /// JSON formats carry whole events (and read back as a log).
    static func withBodies(_ records: [EventRecord], connection: AnnalsConnection) throws -> [EventRecord] {
        let bodies = Mutex<[Int: String]>([:])
        let failure = Mutex<ClientError?>(nil)
        let group = DispatchGroup()
        for (index, record) in records.enumerated() {
            group.enter()
            connection.send(.get(id: record.event.id, revision: record.event.revision)) { result in
                switch result {
                case .success(.detail(let detail)):
                    if let body = detail.current.event.body { bodies.withLock { $0[index] = body } }
                case .success(.error(let error)):
                    failure.withLock { $0 = $0 ?? .server(error) }
                case .failure(let error):
                    failure.withLock { $0 = $0 ?? error }
                default:
                    break
                }
                group.leave()
            }
        }
        group.wait()
        if let error = failure.withLock({ $0 }) { throw error }
        let found = bodies.withLock { $0 }
        return records.enumerated().map { index, record in
            var record = record
            record.event.body = found[index]
            return record
        }
    }

    /// Dates and titles of events referred to but not in the page, fetched in one pipelined burst.
    static func referencedEvents(of records: [EventRecord], connection: AnnalsConnection) -> [String: (HistoricalDate, String)] {
        var known: [String: (HistoricalDate, String)] = [:]
        for record in records { known[record.event.id] = (record.event.date, record.event.title) }
        let missing = Set(records.flatMap { $0.event.references.map(\.id) }).subtracting(known.keys).prefix(500)
        let found = Mutex<[String: (HistoricalDate, String)]>([:])
        let group = DispatchGroup()
        for id in missing {
            group.enter()
            connection.send(.get(id: id, revision: nil)) { result in
                if case .success(.detail(let detail)) = result {
                    found.withLock { $0[id] = (detail.current.event.date, detail.current.event.title) }
                }
                group.leave()
            }
        }
        group.wait()
        return known.merging(found.withLock { $0 }) { a, _ in a }
    }
}
