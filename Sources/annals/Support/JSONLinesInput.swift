import AnnalsCore
import Foundation

/// The entries of a JSON Lines event log (`annals replay`), read from a file or standard input ("-").
struct JSONLinesInput: EntryInput {
    let name: String
    private var reader: LineReader
    private let progress: ProgressBar?

    /// - Throws: `CLIError` when the file cannot be opened.
    init(path: String, progress: ProgressBar?) throws {
        let handle: FileHandle
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            guard let opened = FileHandle(forReadingAtPath: path) else { throw CLIError(.unreadableFile, "cannot read \(path)") }
            handle = opened
        }
        name = path == "-" ? "<stdin>" : path
        reader = LineReader(handle: handle)
        self.progress = progress
    }

    mutating func next() throws -> InputLine? {
        while let (number, bytes) = reader.next() {
            progress?.advance(bytes: bytes.count + 1)
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            do {
                return InputLine(number: number, entry: .success(try EventLogCodec.decode(line: bytes)))
            } catch {
                return InputLine(number: number, entry: .failure(error))
            }
        }
        if let error = reader.error { throw CLIError(.unreadableFile, "reading \(name): \(error)") }
        return nil
    }
}
