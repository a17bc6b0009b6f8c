import Dispatch
import Foundation

/// A one-line progress bar on standard error: count, rate and ETA.
final class ProgressBar: @unchecked Sendable {
    private let totalBytes: Int64?
    private let lock = NSLock()
    private var bytes: Int64 = 0
    private var events = 0
    private var lastDraw = DispatchTime(uptimeNanoseconds: 0)
    private let started = DispatchTime.now()

    init(totalBytes: Int64?) {
        self.totalBytes = totalBytes
    }

    func advance(bytes count: Int) {
        lock.lock()
        bytes += Int64(count)
        lock.unlock()
        draw()
    }

    func count(_ n: Int) {
        lock.lock()
        events += n
        lock.unlock()
        draw()
    }

    private func draw(force: Bool = false) {
        lock.lock()
        defer { lock.unlock() }
        let now = DispatchTime.now()
        guard force || now.uptimeNanoseconds - lastDraw.uptimeNanoseconds > 100_000_000 else { return }
        lastDraw = now
        let elapsed = max(0.001, Double(now.uptimeNanoseconds - started.uptimeNanoseconds) / 1e9)
        let rate = Double(events) / elapsed
        var line = "\r"
        if let totalBytes, totalBytes > 0 {
            let fraction = min(1, Double(bytes) / Double(totalBytes))
            let filled = Int(fraction * 30)
            line += "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: 30 - filled) + "] "
            line += String(format: "%3.0f%%  ", fraction * 100)
            if fraction > 0.01 && fraction < 1 {
                let eta = Int(elapsed / fraction * (1 - fraction))
                line += String(format: "ETA %d:%02d  ", eta / 60, eta % 60)
            }
        }
        line += "\(events) events  \(Int(rate))/s"
        Terminal.writeError(line + "\u{1B}[K")
    }

    func finish() {
        draw(force: true)
        Terminal.writeError("\n")
    }
}
