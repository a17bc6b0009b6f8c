import AnnalsCore
import AnnalsProtocol
import AnnalsStore

/// A request that needs the store, validated and ready to run.
enum StoreRequest: Sendable {
    case append([LogEntry])
    case amend(Event)
    case retract(id: String, reason: String)
    case get(id: String, revision: Int?)
    case timeline(TimelineQuery)
    case stats
    /// `readLog`: a page of at most `limit` matching entries after `afterSeq`, within one frame.
    case readLog(LogFilter, afterSeq: Int64, limit: Int)
    /// `subscribe`: reads the last log position; the connection then starts the subscription's feed.
    case subscribe(LogFilter, fromSeq: Int64)

    /// How the request is ordered among the connection's others (see `RequestSequencer`).
    var work: RequestSequencer<StoreRequest>.Work {
        switch self {
        case .append(let entries): .append(events: entries.count)
        case .amend, .retract: .update
        case .timeline(let query) where query.text != nil: .search
        case .get, .timeline, .stats, .readLog, .subscribe: .read
        }
    }

    /// Runs the request on `store` and returns its answer, on the calling thread; for anything but `append`
    /// (which goes to the store's writer asynchronously). Amends and retractions block until written.
    /// - Parameter maxFrameSize: the frame a `readLog` answer must fit in.
    func respond(using store: any EventStore, maxFrameSize: Int) throws(StoreError) -> Response {
        switch self {
        case .append(let entries):
            return .appendResult(try store.append(entries))
        case .amend(let event):
            return .record(try store.amend(event))
        case .retract(let id, let reason):
            return .record(try store.retract(id: id, reason: reason))
        case .get(let id, let revision):
            guard let detail = try store.encodedDetail(id: id, revision: revision) else {
                throw StoreError(.notFound, "no event with id '\(id)'")
            }
            return .encodedDetail(detail)
        case .timeline(let query):
            let page = try store.encodedTimeline(query)
            return .encodedPage(page.records, nextCursor: page.nextCursor)
        case .stats:
            return .stats(try store.stats())
        case .readLog(let filter, let afterSeq, let limit):
            let budget = maxFrameSize + Frame.lengthPrefixSize - Response.logPageOverhead
            let page = try filter.page(from: store, after: afterSeq, limit: limit, byteBudget: budget, size: Response.logPageEntrySize)
            return .logPage(entries: page.entries, nextSeq: page.nextSeq, end: page.end)
        case .subscribe:
            return .subscribed(lastSeq: try store.lastSeq())
        }
    }
}
