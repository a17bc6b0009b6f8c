import Foundation

/// Reads a file line by line in large chunks; lines are numbered from 1.
struct LineReader {
    let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var number = 0
    private var eof = false
    private(set) var error: String?
    /// Lines longer than this are returned truncated; the codec then rejects them.
    static let maxLine = 16 << 20

    init(handle: FileHandle) {
        self.handle = handle
    }

    mutating func next() -> (Int, ArraySlice<UInt8>)? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                let line = buffer[start..<newline]
                start = newline + 1
                number += 1
                return (number, line.last == 0x0D ? line.dropLast() : line)
            }
            if eof {
                guard start < buffer.count else { return nil }
                let line = buffer[start...]
                start = buffer.count
                number += 1
                return (number, line)
            }
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            } catch {
                self.error = "\(error)"
                chunk = Data()
            }
            if chunk.isEmpty { eof = true } else { buffer.append(contentsOf: chunk) }
        }
    }
}
