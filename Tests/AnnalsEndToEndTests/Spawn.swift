import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion with `posix_spawn` and `waitpid`, for programs that leave a daemon behind
/// (`Scripts/postgres-cluster start`, `pg_ctl start`).
///
/// Foundation's `Process` on Linux learns that a child ended when a socket the child inherited is closed;
/// a daemon the child starts inherits that socket too and keeps it open, so the child's end is never noticed
/// and `waitUntilExit` or the termination handler wait forever (swift-corelibs-foundation issue 4795). Here
/// the child gets no descriptor but its standard three, and its end is read from `waitpid`.
enum Spawn {
    /// - Throws: `TestFailure` when the program cannot be started.
    static func run(_ executable: String, _ arguments: [String], timeout: Double = 120) throws -> Command.Result {
        var out: [Int32] = [-1, -1], err: [Int32] = [-1, -1]
        // Close-on-exec, so no other child started meanwhile keeps them open (pipe2 is not visible to Swift).
        guard pipe(&out) == 0, pipe(&err) == 0 else { throw TestFailure("pipe: errno \(errno)") }
        for fd in out + err { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        closeInheritedDescriptors(&actions)
        // No signal blocked or ignored in the child (the test runner's threads block some).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        close(out[1])
        close(err[1])
        guard spawned == 0 else {
            close(out[0])
            close(err[0])
            throw TestFailure("cannot start \(executable): errno \(spawned)")
        }
        let collected = Mutex<(out: Data, err: Data)>((Data(), Data()))
        let readers = DispatchGroup()
        for (fd, isOut) in [(out[0], true), (err[0], false)] {
            readers.enter()
            Thread {
                var data = Data()
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let n = read(fd, &buffer, buffer.count)
                    if n > 0 { data.append(contentsOf: buffer[0..<n]); continue }
                    if n < 0 && errno == EINTR { continue }
                    break
                }
                close(fd)
                collected.withLock { if isOut { $0.out = data } else { $0.err = data } }
                readers.leave()
            }.start()
        }
        var status: Int32 = 0
        var timedOut = false
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || (reaped < 0 && errno != EINTR) { break }
            if Date() > deadline {
                timedOut = true
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                break
            }
            usleep(10_000)
        }
        // A daemon the program started has none of its pipes: they end with the program.
        _ = readers.wait(timeout: .now() + 10)
        let (o, e) = collected.withLock { ($0.out, $0.err) }
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Command.Result(status: exitStatus, stdout: String(decoding: o, as: UTF8.self),
                              stderr: String(decoding: e, as: UTF8.self), timedOut: timedOut)
    }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// Every descriptor from 3 up is closed in the child: glibc's `posix_spawn_file_actions_addclosefrom_np`
    /// (2.34 and later; not visible to Swift, so looked up), else each descriptor open now.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            let closeFrom = unsafeBitCast(symbol, to: CloseFrom.self)
            if closeFrom(&actions, 3) == 0 { return }
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap(Int32.init) where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
    }
}
