import AnnalsCore
import AnnalsFuzzing
import AnnalsProtocol
#if canImport(Glibc)
import Glibc
#endif

// annals-fuzz: fuzzes the frame and payload decoders (FrameDecoder, Request(frame:), Response(frame:)).
//
// Two engines, one harness:
// - libFuzzer, when built with `-sanitize=fuzzer -D ANNALS_LIBFUZZER` (see Scripts/fuzz): this file then only
//   defines `LLVMFuzzerTestOneInput`, and libFuzzer's own main drives it from a corpus (the golden vectors).
// - otherwise a seeded mutator of the golden frames, deterministic for a seed (the same mutator as the test
//   suite's `HardeningFrameFuzz`): `annals-fuzz [--seed N] [--iterations N] [--seconds S] [--vectors DIR]`.
//
// The harness traps on anything but a `ProtocolError` (typed throws make other errors impossible, so a trap
// means a crash in a decoder) and on a decoded value that does not survive a round trip.

/// The harness: cut `bytes` into frames (fed in chunks of `chunk` bytes) and decode each both ways.
/// - Returns: (frames, decoded values, protocol errors).
@discardableResult
func exercise(_ bytes: UnsafeRawBufferPointer, chunk: Int) -> (frames: Int, decoded: Int, errors: Int) {
    var decoder = FrameDecoder(maxFrameSize: 1 << 20)
    var frames = 0, decoded = 0, errors = 0
    var offset = 0
    while offset < bytes.count {
        let end = min(bytes.count, offset + max(1, chunk))
        decoder.append(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
        offset = end
        while true {
            let frame: Frame?
            do {
                frame = try decoder.next()
            } catch {
                return (frames, decoded, errors + 1)
            }
            guard let frame else { break }
            frames += 1
            do {
                let request = try Request(frame: frame)
                decoded += 1
                let again = try Request(frame: request.frame(requestID: frame.requestID))
                if again != request { fatalError("request round trip differs:\n\(request)\n\(again)") }
            } catch {
                errors += 1
            }
            do {
                let response = try Response(frame: frame)
                decoded += 1
                let again = try Response(frame: response.frame(requestID: frame.requestID, more: frame.more))
                if again != response { fatalError("response round trip differs:\n\(response)\n\(again)") }
            } catch {
                errors += 1
            }
        }
    }
    return (frames, decoded, errors)
}

#if ANNALS_LIBFUZZER

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    // The first byte picks the chunking, so split reads are explored too.
    exercise(UnsafeRawBufferPointer(rebasing: bytes[1...]), chunk: Int(bytes[0]) == 0 ? Int.max : Int(bytes[0]))
    return 0
}

/// libFuzzer's driver (compiler-rt, LLVM 11 and later), with the C calling convention.
@_extern(c, "LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's `main` to `<module>_main`: here it hands over to libFuzzer's driver
/// instead of libFuzzer's own `main`.
@_cdecl("annals_fuzz_main")
public func annalsFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var vector = argv
    return LLVMFuzzerRunDriver(&count, &vector) { data, size in fuzzOneInput(data, size) }
}

#else

/// The golden frames: each `*.txt` of `directory`, comment lines dropped, hex decoded.
func loadVectors(_ directory: String) -> [[UInt8]] {
    guard let dir = opendir(directory) else { return [] }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if name.hasSuffix(".txt") { names.append(name) }
    }
    return names.sorted().compactMap { name -> [UInt8]? in
        guard let file = fopen(directory + "/" + name, "r") else { return nil }
        defer { fclose(file) }
        var text: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            text += buffer[0..<n]
        }
        var bytes: [UInt8] = []
        var nibble: UInt8?
        for line in text.split(separator: UInt8(ascii: "\n")) where line.first != UInt8(ascii: "#") {
            for c in line {
                let value: UInt8
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = c - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): value = c - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): value = c - UInt8(ascii: "A") + 10
                default: continue
                }
                if let high = nibble {
                    bytes.append(high << 4 | value)
                    nibble = nil
                } else {
                    nibble = value
                }
            }
        }
        return bytes
    }
}

@main
struct AnnalsFuzz {
    static func main() {
        var seed: UInt64 = 1
        var iterations = 1_000_000
        var seconds: Double?
        var vectors = "Protocol/vectors"
        var arguments = CommandLine.arguments.dropFirst()
        while let argument = arguments.popFirst() {
            switch argument {
            case "--seed": seed = arguments.popFirst().flatMap { UInt64($0) } ?? seed
            case "--iterations": iterations = arguments.popFirst().flatMap { Int($0) } ?? iterations
            case "--seconds": seconds = arguments.popFirst().flatMap { Double($0) }
            case "--vectors": vectors = arguments.popFirst() ?? vectors
            default:
                print("usage: annals-fuzz [--seed N] [--iterations N] [--seconds S] [--vectors DIR]")
                print("  A seeded mutator of the golden frames. Build with Scripts/fuzz for libFuzzer instead.")
                exit(argument == "--help" || argument == "-h" ? 0 : 2)
            }
        }
        let seeds = loadVectors(vectors)
        guard !seeds.isEmpty else {
            print("annals-fuzz: no vectors in \(vectors) (run from the repository root, or pass --vectors DIR)")
            exit(2)
        }
        var random = SeededRandom(seed: seed)
        var inputs = 0, frames = 0, decoded = 0, errors = 0
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        func elapsed() -> Double {
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            return Double(now.tv_sec - start.tv_sec) + Double(now.tv_nsec - start.tv_nsec) / 1e9
        }
        for i in 0..<iterations {
            if let seconds, i % 1000 == 0, elapsed() > seconds { break }
            let base = seeds[i % seeds.count]
            let other = seeds.randomElement(using: &random)!
            var input = FrameMutator.mutate(base, other: other, random: &random)
            if i % 10 == 0 { input += FrameMutator.mutate(other, other: base, random: &random) }
            let chunk = Int.random(in: 1...64, using: &random)
            let result = input.withUnsafeBytes { exercise($0, chunk: chunk) }
            inputs += 1
            frames += result.frames
            decoded += result.decoded
            errors += result.errors
        }
        print("annals-fuzz: seed \(seed), \(seeds.count) seeds, \(inputs) inputs, \(frames) frames, \(decoded) decoded, \(errors) protocol errors, no crash, \(Int(elapsed() * 10) / 10).\(Int(elapsed() * 10) % 10) s")
    }
}

#endif
