import Foundation

/// The process's own argument strings, as the kernel laid them out at exec: the memory `/proc/PID/cmdline`
/// (and so `ps`) reads on Linux. Overwriting a secret there hides it from other users' `ps`.
///
/// Swift's `CommandLine.unsafeArgv` is a copy on Linux (the runtime reads `/proc/self/cmdline` into new
/// strings), so writing to it would hide nothing: the original strings are found through the `arg_start` and
/// `arg_end` addresses of `/proc/self/stat`, and written only after their bytes are checked to be exactly
/// what `/proc/self/cmdline` shows.
enum ArgumentMemory {
    /// Overwrites with `*` every byte of `url`'s passwords in the argument that holds `url` (as `--db URL` or
    /// `--db=URL`).
    /// - Returns: false when the arguments could not be found or checked: the password is still visible.
    static func hidePasswords(of url: DatabaseURL) -> Bool {
        guard url.hasPassword else { return true }
        guard let (start, length) = argumentArea(),
              let shown = FileManager.default.contents(atPath: "/proc/self/cmdline").map([UInt8].init),
              shown.count == length,
              let memory = UnsafeMutablePointer<UInt8>(bitPattern: start)
        else { return false }
        // The address came from the kernel; the bytes there must be the ones it shows before anything is written.
        guard UnsafeBufferPointer(start: memory, count: length).elementsEqual(shown) else { return false }
        let target = Array(url.text.utf8)
        var found = false
        var argumentStart = 0
        while argumentStart < shown.count {
            let argumentEnd = shown[argumentStart...].firstIndex(of: 0) ?? shown.count
            let argument = shown[argumentStart..<argumentEnd]
            // The URL is the whole argument, or its end (`--db=URL`).
            if argument.count >= target.count, argument.suffix(target.count).elementsEqual(target) {
                let urlStart = argumentEnd - target.count
                for range in url.passwordRanges {
                    for offset in range { memory[urlStart + offset] = UInt8(ascii: "*") }
                }
                found = true
            }
            argumentStart = argumentEnd + 1
        }
        return found
    }

    /// The address and length of the argument strings (`/proc/self/stat` fields 48 and 49, Linux 3.5 and later).
    private static func argumentArea() -> (UInt, Int)? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let commandEnd = stat.range(of: ")", options: .backwards)
        else { return nil }
        // After the command's closing parenthesis, the first field is field 3 (the state).
        let fields = stat[commandEnd.upperBound...].split(separator: " ")
        guard fields.count > 49 - 3, let start = UInt(fields[48 - 3]), let end = UInt(fields[49 - 3]), end > start else { return nil }
        return (start, Int(end - start))
    }
}
