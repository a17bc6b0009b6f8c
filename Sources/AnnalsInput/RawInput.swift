#if canImport(Glibc)
import Glibc
#endif

/// A file descriptor read in large chunks, with room to look ahead (for magic numbers and zip headers).
final class RawInput {
    /// The name errors use: the path, or `<stdin>`.
    let name: String
    private let fd: Int32
    private let closes: Bool
    private var buffer: [UInt8] = []
    /// What each read(2) fills.
    private var scratch = [UInt8](repeating: 0, count: RawInput.chunkSize)
    private var position = 0
    private var ended = false
    /// Bytes read from the descriptor so far.
    private(set) var bytesRead: Int64 = 0
    static let chunkSize = 1 << 20

    init(fd: Int32, name: String, closes: Bool) {
        self.fd = fd
        self.name = name
        self.closes = closes
    }

    deinit {
        if closes { close(fd) }
    }

    /// The bytes not consumed yet, at least `count` of them unless the input ends first.
    func peek(_ count: Int) throws(InputError) -> ArraySlice<UInt8> {
        while buffer.count - position < count, !ended { try fill() }
        return buffer[position..<min(buffer.count, position + count)]
    }

    /// Consumes and returns up to `count` bytes (fewer only at the end).
    func take(_ count: Int) throws(InputError) -> ArraySlice<UInt8> {
        let bytes = try peek(count)
        position += bytes.count
        return bytes
    }

    /// Consumes and returns what is buffered, reading first if nothing is; empty at the end.
    func takeAvailable(max: Int = RawInput.chunkSize) throws(InputError) -> ArraySlice<UInt8> {
        if position == buffer.count && !ended { try fill() }
        let end = min(buffer.count, position + max)
        defer { position = end }
        return buffer[position..<end]
    }

    /// Gives back the last `count` bytes taken (a decompressor read past the end of its stream).
    func unread(_ count: Int) {
        position -= count
    }

    private func fill() throws(InputError) {
        if position > 0 {
            buffer.removeSubrange(0..<position)
            position = 0
        }
        var n = 0
        repeat {
            n = scratch.withUnsafeMutableBufferPointer { bytes in
                guard let base = bytes.baseAddress else { return -1 }
                return read(fd, base, bytes.count)
            }
        } while n < 0 && errno == EINTR
        if n < 0 { throw InputError("cannot read \(name): \(String(cString: strerror(errno)))") }
        if n == 0 { ended = true }
        buffer.append(contentsOf: scratch[0..<n])
        bytesRead += Int64(n)
    }
}
