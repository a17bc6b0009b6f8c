import CAnnalsZlib

/// A zlib inflate stream over a `RawInput`: gzip (windowBits 15 + 16) or raw deflate (-15, zip entries).
final class Inflation {
    private let stream: UnsafeMutablePointer<z_stream>
    /// Input taken from the file and not yet inflated.
    private var pending: ArraySlice<UInt8> = []
    private let windowBits: Int32

    init(windowBits: Int32) throws(InputError) {
        self.windowBits = windowBits
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard cannals_inflateInit2(stream, windowBits) == Z_OK else {
            stream.deallocate()
            throw InputError("zlib's inflateInit2 failed")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Starts a new stream (the next member of a multi-member gzip file).
    func reset() {
        inflateReset(stream)
    }

    /// Inflates up to `capacity` bytes of output. `finished` is true when the compressed stream ended;
    /// the input after it is given back to `input`.
    /// - Throws: `InputError` for damaged data, or a file that ends before its stream does.
    func inflate(from input: RawInput, capacity: Int, what: String) throws(InputError) -> (bytes: [UInt8], finished: Bool) {
        var output = [UInt8](repeating: 0, count: capacity)
        var produced = 0
        while produced < capacity {
            if pending.isEmpty {
                pending = try input.takeAvailable()
                if pending.isEmpty {
                    throw InputError("cannot read \(input.name): the \(what) data ends early (is the file complete?)")
                }
            }
            let (rc, consumed, written) = pending.withUnsafeBufferPointer { inBuffer in
                output.withUnsafeMutableBufferPointer { outBuffer in
                    stream.pointee.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress)
                    stream.pointee.avail_in = uInt(inBuffer.count)
                    stream.pointee.next_out = outBuffer.baseAddress.map { $0 + produced }
                    stream.pointee.avail_out = uInt(capacity - produced)
                    let rc = CAnnalsZlib.inflate(stream, Z_NO_FLUSH)
                    return (rc, inBuffer.count - Int(stream.pointee.avail_in), capacity - produced - Int(stream.pointee.avail_out))
                }
            }
            stream.pointee.next_in = nil
            stream.pointee.next_out = nil
            pending = pending.dropFirst(consumed)
            produced += written
            switch rc {
            case Z_STREAM_END:
                input.unread(pending.count)
                pending = []
                output.removeSubrange(produced...)
                return (output, true)
            case Z_OK, Z_BUF_ERROR:
                continue
            default:
                let detail = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                throw InputError("cannot read \(input.name): damaged \(what) data (\(detail))")
            }
        }
        return (output, false)
    }
}
