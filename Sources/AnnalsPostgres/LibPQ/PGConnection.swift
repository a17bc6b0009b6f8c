import CAnnalsPQ
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// One libpq connection, used by one thread at a time (its owner: the writer's queue, a pool borrower, the
/// listener). Every statement is prepared once per connection and run with bound parameters and binary
/// results; `pipeline` sends several statements in one round trip (libpq's pipeline mode).
final class PGConnection {
    /// A statement and its parameters.
    struct Statement {
        var sql: String
        var parameters: [PGValue]

        init(_ sql: String, _ parameters: [PGValue] = []) {
            self.sql = sql
            self.parameters = parameters
        }
    }

    private var handle: OpaquePointer?
    /// A statement as prepared: its text and its parameters' types.
    private struct PreparedKey: Hashable {
        var sql: String
        var types: [UInt32]
    }

    /// Prepared statement names.
    private var prepared: [PreparedKey: String] = [:]
    private static let maxPrepared = 512

    /// Connects and sets the session up.
    /// - Parameters:
    ///   - connectionString: passed to libpq as it is (`dbname` expanded), after the defaults it may override.
    ///   - statementTimeout: seconds after which the server cancels a statement (0: never).
    /// - Throws: `PGError` with libpq's reason when the server cannot be reached or refuses the login.
    init(_ connectionString: ConnectionString, statementTimeout: Double) throws(PGError) {
        // Defaults the string may override: a connect gives up after 10 s, and TCP keepalives notice a server
        // that vanished without closing the connection within about a minute.
        let keywords = ["fallback_application_name", "connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval",
                        "keepalives_count", "dbname"]
        let values = ["annalsd", "10", "1", "30", "10", "3", connectionString.text]
        handle = Self.withCStrings(keywords) { k in
            Self.withCStrings(values) { v in PQconnectdbParams(k, v, 1) }
        }
        // libpq prints notices and errors that arrive between statements (a server ending the session) on
        // standard error by default; the store reports failures through its errors instead.
        if let handle { PQsetNoticeProcessor(handle, { _, _ in }, nil) }
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            let error = PGError(connection: handle)
            if let handle { PQfinish(handle) }
            self.handle = nil
            throw PGError(message: error.message, connectionLost: true)
        }
        let milliseconds = Int((statementTimeout * 1000).rounded(.up))
        do {
            // Generic plans: the store's statements are prepared once per connection and run with new values each
            // time; left to choose, PostgreSQL kept planning them again for every call (its generic estimates look
            // worse than its custom ones), about a millisecond of planning per page against a few hundred
            // microseconds of execution (IngestThroughputTests: actor page 743 → 219 µs, date range 1,213 → 397,
            // text 1,078 → 333, detail 570 → 92, 10,000 events).
            try execute("""
                SET statement_timeout = \(max(0, milliseconds)); SET lock_timeout = 0; SET TIME ZONE 'UTC';
                SET plan_cache_mode = force_generic_plan
                """)
        } catch {
            PQfinish(handle)
            self.handle = nil
            throw error
        }
    }

    deinit { close() }

    /// Closes the connection (idempotent).
    func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// Whether the connection is gone (closed, or broken by the server or the network).
    var isBroken: Bool {
        guard let handle else { return true }
        return PQstatus(handle) != CONNECTION_OK
    }

    /// The socket, for waiting on notifications.
    var socket: Int32 { handle.map(PQsocket) ?? -1 }

    /// Something another thread may use to cancel the statement this connection runs (nil once closed).
    func canceller() -> PGCanceller? {
        handle.flatMap(PQgetCancel).map(PGCanceller.init)
    }

    /// The raw handle, for the listener's notification calls.
    var rawHandle: OpaquePointer? { handle }

    /// Runs SQL without parameters (several statements allowed): session settings, DDL, LISTEN.
    func execute(_ sql: String) throws(PGError) {
        let handle = try live()
        guard let result = PQexec(handle, sql) else { throw PGError(connection: handle) }
        defer { PQclear(result) }
        try Self.check(result, handle)
    }

    /// Runs one statement with bound parameters; rows come back in binary format.
    func query(_ sql: String, _ parameters: [PGValue] = []) throws(PGError) -> PGResult {
        try query(Statement(sql, parameters))
    }

    func query(_ statement: Statement) throws(PGError) -> PGResult {
        let handle = try live()
        let name = try prepare(statement, handle)
        let sent = Self.withParameters(statement.parameters) { values, lengths, formats in
            PQsendQueryPrepared(handle, name, Int32(statement.parameters.count), values, lengths, formats, 1)
        }
        guard sent == 1, let result = try awaitResult(handle) else { throw PGError(connection: handle) }
        do {
            try Self.check(result, handle)
        } catch {
            PQclear(result)
            throw error
        }
        return PGResult(result)
    }

    /// Sends `statements` in one round trip and returns one result per statement. When one fails, the server
    /// skips the rest (an explicit transaction among them is then aborted: roll it back).
    /// - Throws: the first statement's error, or a lost connection.
    func pipeline(_ statements: [Statement]) throws(PGError) -> [PGResult] {
        let handle = try live()
        if prepared.count + statements.count > Self.maxPrepared { try forgetPrepared() }
        let names = try statements.map { (statement) throws(PGError) in try prepare(statement, handle) }
        guard PQenterPipelineMode(handle) == 1 else { throw PGError(connection: handle) }
        defer { PQexitPipelineMode(handle) }
        var sent = 0
        for (statement, name) in zip(statements, names) {
            let ok = Self.withParameters(statement.parameters) { values, lengths, formats in
                PQsendQueryPrepared(handle, name, Int32(statement.parameters.count), values, lengths, formats, 1)
            }
            guard ok == 1 else { break }
            sent += 1
        }
        guard PQpipelineSync(handle) == 1 else { throw PGError(connection: handle) }
        var results: [PGResult] = []
        var failure: PGError?
        for _ in 0..<sent {
            guard let result = PQgetResult(handle) else { throw PGError(connection: handle) }
            let status = PQresultStatus(result)
            if status == PGRES_FATAL_ERROR, failure == nil { failure = PGError(result: result, connection: handle) }
            results.append(PGResult(result))
            // Each statement's results end with a null.
            while let extra = PQgetResult(handle) { PQclear(extra) }
        }
        // The sync point.
        while let result = PQgetResult(handle) {
            let status = PQresultStatus(result)
            PQclear(result)
            if status == PGRES_PIPELINE_SYNC { break }
        }
        if sent < statements.count, failure == nil { failure = PGError(connection: handle) }
        if let failure { throw failure }
        return results
    }

    // MARK: Waiting for an answer

    /// How long the next statements may poll for each further packet of an answer instead of sleeping
    /// (`awaitResult`), in nanoseconds; 0: never. The pool sets it when it lends the connection, to its busy-poll
    /// time when no other read of the process is running, else 0.
    var busyPollNanoseconds: UInt64 = 0

    /// The result of the statement just sent, as `PQexec` gives it (the last error if any, else the first result).
    ///
    /// PostgreSQL sends a large answer in 8 KB packets a few microseconds apart; waiting for each one in `poll`
    /// costs the thread a sleep and a wake-up per packet, about half of annalsd's CPU for a 50-event page read by
    /// one client (68% of it in the kernel, 18 context switches per page). With `busyPollNanoseconds`, once the
    /// first bytes have arrived the socket is polled without sleeping for up to that long before each further
    /// packet: spin, then park, as a lock does. Only a read running alone does so, so a busy server never spends a
    /// core spinning that PostgreSQL or another read could use.
    private func awaitResult(_ handle: OpaquePointer) throws(PGError) -> OpaquePointer? {
        var answer: OpaquePointer?
        var started = false
        while true {
            while PQisBusy(handle) == 1 {
                try waitForInput(handle, polling: started ? busyPollNanoseconds : 0)
                guard PQconsumeInput(handle) == 1 else {
                    if let answer { PQclear(answer) }
                    throw PGError(connection: handle)
                }
                started = true
            }
            guard let result = PQgetResult(handle) else { return answer }
            if answer == nil || PQresultStatus(result) == PGRES_FATAL_ERROR {
                if let answer { PQclear(answer) }
                answer = result
            } else {
                PQclear(result)
            }
        }
    }

    /// Returns when the socket has input (or an error to report), polling it without sleeping for up to
    /// `polling` nanoseconds first.
    private func waitForInput(_ handle: OpaquePointer, polling: UInt64) throws(PGError) {
        var socket = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        if polling > 0 {
            let deadline = DispatchTime.now().uptimeNanoseconds + polling
            repeat {
                if poll(&socket, 1, 0) != 0 { return }
            } while DispatchTime.now().uptimeNanoseconds < deadline
        }
        while poll(&socket, 1, -1) < 0 {
            guard errno == EINTR else { throw PGError(message: "waiting for the database server failed: \(String(cString: strerror(errno)))", connectionLost: true) }
        }
    }

    // MARK: Helpers

    private func live() throws(PGError) -> OpaquePointer {
        // libpq prints notices and errors that arrive between statements (a server ending the session) on
        // standard error by default; the store reports failures through its errors instead.
        if let handle { PQsetNoticeProcessor(handle, { _, _ in }, nil) }
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            throw PGError(message: "the connection to the database server was lost", connectionLost: true)
        }
        return handle
    }

    /// The name of `statement` prepared on this connection, preparing it the first time.
    private func prepare(_ statement: Statement, _ handle: OpaquePointer) throws(PGError) -> String {
        let key = PreparedKey(sql: statement.sql, types: statement.parameters.map(\.oid))
        let types = key.types
        if let name = prepared[key] { return name }
        if prepared.count >= Self.maxPrepared { try forgetPrepared() }
        let name = "annals_\(prepared.count + 1)"
        let result = types.withUnsafeBufferPointer { PQprepare(handle, name, statement.sql, Int32(types.count), $0.baseAddress) }
        guard let result else { throw PGError(connection: handle) }
        defer { PQclear(result) }
        try Self.check(result, handle)
        prepared[key] = name
        return name
    }

    /// Drops every prepared statement (the cache is full: timelines with many filters make many statements).
    private func forgetPrepared() throws(PGError) {
        try execute("DEALLOCATE ALL")
        prepared.removeAll()
    }

    private static func check(_ result: OpaquePointer, _ handle: OpaquePointer) throws(PGError) {
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY else {
            throw PGError(result: result, connection: handle)
        }
    }

    /// Lays the binary forms of `parameters` out in one buffer and calls `body` with libpq's three arrays.
    private static func withParameters<T>(
        _ parameters: [PGValue],
        _ body: (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> T
    ) -> T {
        let encoded = parameters.map(\.binary)
        let total = encoded.reduce(0) { $0 + ($1?.count ?? 0) }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(total, 1), alignment: 8)
        defer { buffer.deallocate() }
        var pointers: [UnsafePointer<CChar>?] = []
        var lengths: [Int32] = []
        var offset = 0
        for value in encoded {
            guard let value else {
                pointers.append(nil)
                lengths.append(0)
                continue
            }
            value.withUnsafeBytes { (buffer + offset).copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(buffer), byteCount: $0.count) }
            pointers.append(UnsafePointer((buffer + offset).assumingMemoryBound(to: CChar.self)))
            lengths.append(Int32(value.count))
            offset += value.count
        }
        let formats = [Int32](repeating: 1, count: parameters.count)
        return pointers.withUnsafeBufferPointer { p in
            lengths.withUnsafeBufferPointer { l in
                formats.withUnsafeBufferPointer { f in body(p.baseAddress, l.baseAddress, f.baseAddress) }
            }
        }
    }

    private static func withCStrings<T>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { UnsafePointer($0) } + [nil]
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

/// Cancels the statement a connection is running, from any thread (libpq's `PQcancel`, made for that): the
/// statement fails with PostgreSQL's `query_canceled`.
final class PGCanceller: @unchecked Sendable {
    private let cancel: OpaquePointer

    fileprivate init(_ cancel: OpaquePointer) {
        self.cancel = cancel
    }

    deinit { PQfreeCancel(cancel) }

    /// Asks the server to cancel the running statement (nothing happens when none runs).
    func cancelRunningStatement() {
        var message = [CChar](repeating: 0, count: 256)
        _ = PQcancel(cancel, &message, Int32(message.count))
    }
}
