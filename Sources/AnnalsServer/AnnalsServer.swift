import AnnalsCore
import AnnalsProtocol
import AnnalsStore
import Dispatch
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What connections share: the store, the configuration, the logger and the registry.
final class ServerContext: Sendable {
    let store: any EventStore
    let configuration: ServerConfiguration
    let logger: Logger
    /// The loops connections run on (see `EventLoops`).
    let loops: EventLoops
    /// Events waiting for the store's writer, for all connections together.
    let appendBudget: AppendBudget
    /// Amends and retractions (they wait for the store's writer, so they must not hold a read slot).
    let updates = DispatchQueue(label: "annals.store.update", attributes: .concurrent)
    private let lastCommitted = Atomic<Int64>(0)
    private let onClose: @Sendable (Connection) -> Void

    init(store: any EventStore, configuration: ServerConfiguration, logger: Logger, onClose: @escaping @Sendable (Connection) -> Void) throws(ServerError) {
        guard let loops = EventLoops(count: configuration.concurrentReads, busyPollNanoseconds: UInt64(configuration.busyPollMicroseconds) * 1000) else {
            throw ServerError(message: "cannot make the event loops: epoll_create1 failed (errno \(errno))")
        }
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.loops = loops
        self.appendBudget = AppendBudget(limit: configuration.maxQueuedAppends)
        self.onClose = onClose
    }

    /// The last log position committed, as far as subscriptions know.
    var lastSeq: Int64 { lastCommitted.load(ordering: .sequentiallyConsistent) }

    func committed(_ seq: Int64) {
        lastCommitted.raise(to: seq)
    }

    func connectionClosed(_ connection: Connection) {
        loops.release(connection.loop)
        onClose(connection)
    }
}

/// The Annals TCP server: a non-blocking listening socket and one `Connection` per client, all driven
/// by Dispatch sources; store work runs on the server's own queues, never on the global ones.
public final class AnnalsServer: Sendable {
    /// This build's version.
    public static let version = "0.1.0"

    private struct State {
        var connections: [Int: Connection] = [:]
        var nextID = 1
        var listeners: [Unchecked<any DispatchSourceRead>] = []
        /// The listeners are suspended for a moment after running out of descriptors.
        var listenerPaused = false
        var stopping = false
        var stopped: (@Sendable () -> Void)?
    }

    private let context: ServerContext
    private let state = Mutex(State())
    private let acceptQueue = DispatchQueue(label: "annals.accept")
    private let boundPort = Atomic<UInt16>(0)
    /// A descriptor held in reserve (on /dev/null): when accept fails for lack of descriptors, it is closed
    /// to accept one waiting connection, tell it 'server busy' and close it, so no client is left hanging.
    /// Used on the accept queue only.
    private let spareDescriptor = Atomic<Int32>(-1)
    /// When "out of file descriptors" was last logged (uptime nanoseconds), to log it once a second at most.
    private let lastDescriptorWarning = Atomic<UInt64>(0)

    /// - Parameters:
    ///   - store: the store to serve; the caller closes it after `stop`.
    /// - Throws: `ServerError` when the system refuses the event loops (out of file descriptors).
    public init(store: any EventStore, configuration: ServerConfiguration, logger: Logger) throws(ServerError) {
        let box = WeakServerBox()
        context = try ServerContext(store: store, configuration: configuration, logger: logger) { connection in
            box.server?.remove(connection)
        }
        box.server = self
        store.onCommit { [context] seq in
            context.committed(seq)
            box.server?.notifySubscribers()
        }
    }

    /// The port actually bound (useful with port 0), once `start` returned.
    public var port: UInt16 { boundPort.load(ordering: .acquiring) }

    /// Binds, listens and starts accepting connections.
    /// - Throws: a description of the failed socket call (address in use, permission denied, …).
    public func start() throws {
        let config = context.configuration
        let (fd, port): (Int32, UInt16)
        do {
            (fd, port) = try Socket.listen(host: config.host, port: config.port)
        } catch {
            throw ServerError(message: error.description)
        }
        boundPort.store(port, ordering: .releasing)
        spareDescriptor.store(open("/dev/null", O_RDONLY | O_CLOEXEC), ordering: .relaxed)
        context.committed((try? context.store.lastSeq()) ?? 0)
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: acceptQueue)
        source.setEventHandler { [self] in acceptAll(fd) }
        source.setCancelHandler { close(fd) }
        let boxed = Unchecked(value: source)
        state.withLock { $0.listeners.append(boxed) }
        if let path = config.socketPath { try listen(onSocket: path) }
        source.resume()
    }

    /// Also accepts connections on a Unix-domain socket at `path` (replacing a stale socket file).
    private func listen(onSocket path: String) throws {
        let fd: Int32
        do {
            fd = try Socket.listen(unixPath: path)
        } catch {
            throw ServerError(message: error.description)
        }
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: acceptQueue)
        source.setEventHandler { [self] in acceptAll(fd) }
        source.setCancelHandler {
            close(fd)
            unlink(path)
        }
        state.withLock { $0.listeners.append(Unchecked(value: source)) }
        source.resume()
    }

    private func acceptAll(_ listener: Int32) {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                if errno == EMFILE || errno == ENFILE {
                    // The connection stays in the backlog and the read source fires again at once: refuse it
                    // with the spare descriptor, or pause the listener, but never spin or leave it hanging.
                    warnOutOfDescriptors()
                    if refuseWithSpareDescriptor(listener) { continue }
                    pauseListener()
                }
                return
            }
            do {
                try Socket.setNonBlocking(fd)
            } catch {
                close(fd)
                continue
            }
            Socket.setNoDelay(fd)
            let admitted = state.withLock { state -> Connection? in
                guard !state.stopping, state.connections.count < context.configuration.maxConnections else { return nil }
                let id = state.nextID
                state.nextID += 1
                let connection = Connection(id: id, fd: fd, loop: context.loops.assign(), context: context)
                state.connections[id] = connection
                return connection
            }
            if let admitted {
                admitted.start()
            } else {
                refuse(fd)
            }
        }
    }

    private func warnOutOfDescriptors() {
        let now = DispatchTime.now().uptimeNanoseconds
        let last = lastDescriptorWarning.load(ordering: .relaxed)
        guard last == 0 || now - last > 1_000_000_000 else { return }
        lastDescriptorWarning.store(now, ordering: .relaxed)
        context.logger.error("out of file descriptors: refusing new connections with 'server busy' (raise the open-file limit or lower --max-connections)")
    }

    /// Frees the spare descriptor to accept one waiting connection, answers it 'server busy' and closes it.
    /// - Returns: whether a connection was refused (then try the next one).
    private func refuseWithSpareDescriptor(_ listener: Int32) -> Bool {
        let spare = spareDescriptor.exchange(-1, ordering: .relaxed)
        guard spare >= 0 else { return false }
        close(spare)
        let fd = accept(listener, nil, nil)
        if fd >= 0 {
            sendBusy(fd, "the server is out of file descriptors; try again later")
            shutdown(fd, Int32(SHUT_WR))
            // Read what the client sent, so that closing does not reset the connection before it reads the error.
            var scratch = [UInt8](repeating: 0, count: 4096)
            while scratch.withUnsafeMutableBytes({ recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }) > 0 {}
            close(fd)
        }
        spareDescriptor.store(open("/dev/null", O_RDONLY | O_CLOEXEC), ordering: .relaxed)
        return fd >= 0
    }

    /// Stops accepting for 100 ms (when not even the spare descriptor helps, e.g. the system is out of them).
    private func pauseListener() {
        let paused = state.withLock { state -> Bool in
            guard !state.listeners.isEmpty, !state.listenerPaused else { return false }
            for listener in state.listeners { listener.value.suspend() }
            state.listenerPaused = true
            return true
        }
        guard paused else { return }
        acceptQueue.asyncAfter(deadline: .now() + .milliseconds(100)) { [self] in
            state.withLock { state in
                guard state.listenerPaused else { return }
                state.listenerPaused = false
                for listener in state.listeners { listener.value.resume() }
            }
        }
    }

    private func sendBusy(_ fd: Int32, _ message: String) {
        let frame = Response.error(ProtocolError(.serverBusy, message)).encode(requestID: 0)
        _ = frame.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Tells a connection over the limit 'server busy', then closes it.
    private func refuse(_ fd: Int32) {
        sendBusy(fd, "the server has reached its limit of \(context.configuration.maxConnections) connections; try again later")
        shutdown(fd, Int32(SHUT_WR))
        // Close a moment later, draining what the client sent, so the error is read rather than reset away.
        acceptQueue.asyncAfter(deadline: .now() + .milliseconds(200)) {
            var scratch = [UInt8](repeating: 0, count: 4096)
            while scratch.withUnsafeMutableBytes({ recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }) > 0 {}
            close(fd)
        }
        context.logger.info("refused a connection: server busy")
    }

    fileprivate func remove(_ connection: Connection) {
        let finished = state.withLock { state -> (@Sendable () -> Void)? in
            state.connections[connection.id] = nil
            guard state.stopping, state.connections.isEmpty, let done = state.stopped else { return nil }
            state.stopped = nil
            return done
        }
        finished?()
    }

    fileprivate func notifySubscribers() {
        for connection in state.withLock({ Array($0.connections.values) }) { connection.storeCommitted() }
    }

    /// The number of open connections.
    public var connectionCount: Int { state.withLock { $0.connections.count } }

    /// Stops accepting, lets every connection finish and send what is in flight (up to `deadline`
    /// seconds), closes them, then calls `completion`. The store stays open: close it after.
    public func stop(deadline: Double = 10, completion: @escaping @Sendable () -> Void) {
        let connections = state.withLock { state -> [Connection] in
            state.stopping = true
            // A suspended source never runs its cancel handler: resume before cancelling.
            if state.listenerPaused { for listener in state.listeners { listener.value.resume() } }
            state.listenerPaused = false
            for listener in state.listeners { listener.value.cancel() }
            state.listeners = []
            if state.connections.isEmpty { return [] }
            state.stopped = completion
            return Array(state.connections.values)
        }
        if connections.isEmpty {
            completion()
            return
        }
        for connection in connections { connection.drainAndClose() }
        acceptQueue.asyncAfter(deadline: .now() + deadline) { [self] in
            let late = state.withLock { state -> (@Sendable () -> Void)? in
                defer { state.stopped = nil }
                return state.stopped
            }
            if let late {
                context.logger.warning("shutdown deadline passed with connections still open")
                for connection in state.withLock({ Array($0.connections.values) }) {
                    connection.queue.async { connection.shutDown() }
                }
                late()
            }
        }
    }
}

/// Breaks the reference cycle between the server and the closures the store and connections hold.
private final class WeakServerBox: @unchecked Sendable {
    weak var server: AnnalsServer?
}

/// A value moved between threads under a lock or a queue that guarantees exclusive use.
struct Unchecked<T>: @unchecked Sendable {
    let value: T
}

/// The server could not start.
public struct ServerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
