import Dispatch
import Foundation
import Synchronization

/// When a long-running subcommand should stop: a stop file appears, SIGTERM or SIGINT arrives, or its time
/// is up, whichever comes first. The first signal asks for an orderly stop (the subcommand still prints
/// its figures); a second one exits at once with status 130.
///
/// Thread-safe: `isSet` may be read from any thread.
final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)
    private let signals = Atomic<Int>(0)
    private let stopFile: String?
    private let deadline: UInt64

    /// - Parameters:
    ///   - stopFile: stop once this file exists (nil: no file is watched).
    ///   - seconds: stop at the latest this many seconds from now.
    init(stopFile: String?, seconds: Double) {
        self.stopFile = stopFile
        deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, seconds) * 1e9)
    }

    /// Whether to stop; checks the file and the clock (a stat(2) at most, cheap enough to ask every few ms).
    var isSet: Bool {
        if flag.load(ordering: .acquiring) { return true }
        if DispatchTime.now().uptimeNanoseconds >= deadline || stopFile.map({ FileManager.default.fileExists(atPath: $0) }) == true {
            set()
            return true
        }
        return false
    }

    /// Asks every reader of `isSet` to stop.
    func set() { flag.store(true, ordering: .releasing) }

    /// Sleeps up to `seconds`, waking early when asked to stop.
    /// - Returns: whether to stop.
    func sleep(_ seconds: Double) -> Bool {
        let until = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, seconds) * 1e9)
        while !isSet {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < until else { return false }
            usleep(useconds_t(min(until - now, 20_000_000) / 1000))
        }
        return true
    }

    /// Routes SIGTERM and SIGINT here (Dispatch signal sources on their own queue, so they run outside the
    /// main actor). Call once, from nonisolated code.
    func handleSignals() {
        let queue = DispatchQueue(label: "annals-bench.signals")
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [self] in
                if signals.add(1, ordering: .relaxed).newValue > 1 { exit(130) }
                set()
            }
            source.resume()
            KeptSignalSources.keep(source)
        }
    }
}

/// Signal sources live as long as the process (a released source stops delivering).
private enum KeptSignalSources {
    // Written only by `handleSignals`, once, before any source fires.
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
    static func keep(_ source: any DispatchSourceSignal) { sources.append(source) }
}
