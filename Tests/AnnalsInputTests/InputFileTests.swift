@testable import AnnalsInput
import CAnnalsZlib
import Foundation
import Testing
import ZIPFoundation

@Suite struct InputFileTests {
    /// Text of a few MB, so reads cross the 1 MiB chunks.
    static let text: [UInt8] = {
        var out = ""
        for i in 0..<60_000 { out += "\(i)\tJapan consults Russia\t20190128\tMoscow, Moskva, Russia\n" }
        return Array(out.utf8)
    }()

    private func readAll(_ file: InputFile) throws -> [UInt8] {
        var out: [UInt8] = []
        while let chunk = try file.read() {
            #expect(!chunk.isEmpty)
            out += chunk
        }
        #expect(try file.read() == nil)
        return out
    }

    private func write(_ bytes: [UInt8], _ name: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// Reads `bytes` through a pipe, as standard input would be.
    private func readThroughPipe(_ bytes: [UInt8]) throws -> Result<[UInt8], InputError> {
        let pipe = Pipe()
        let writer = Thread {
            try? pipe.fileHandleForWriting.write(contentsOf: Data(bytes))
            try? pipe.fileHandleForWriting.close()
        }
        writer.start()
        defer { try? pipe.fileHandleForReading.close() }
        do {
            let file = try InputFile.stream(fd: pipe.fileHandleForReading.fileDescriptor, name: "<stdin>", closes: false)
            return .success(try readAll(file))
        } catch let error as InputError {
            // Drain the pipe so the writer thread ends.
            _ = pipe.fileHandleForReading.readDataToEndOfFile()
            return .failure(error)
        }
    }

    @Test func plainFilesAndPipes() throws {
        let directory = try TemporaryDirectory()
        let file = try InputFile.open(try write(Self.text, "plain.tsv", in: directory.url))
        #expect(file.storage == .plain)
        #expect(try readAll(file) == Self.text)
        #expect(file.bytesRead == Int64(Self.text.count))
        #expect(try readThroughPipe(Self.text).get() == Self.text)
        #expect(try readAll(try InputFile.open(try write([], "empty", in: directory.url))).isEmpty)
    }

    @Test func gzipOneMemberOrSeveral() throws {
        let directory = try TemporaryDirectory()
        let gz = Zlib.gzip(Self.text)
        let file = try InputFile.open(try write(gz, "a.tsv.gz", in: directory.url))
        #expect(file.storage == .gzip)
        #expect(try readAll(file) == Self.text)
        #expect(file.bytesRead == Int64(gz.count))
        let two = Zlib.gzip(Array("first\n".utf8)) + Zlib.gzip(Array("second\n".utf8))
        #expect(try readAll(try InputFile.open(try write(two, "two.gz", in: directory.url))) == Array("first\nsecond\n".utf8))
        #expect(try readThroughPipe(gz).get() == Self.text)
    }

    @Test func damagedOrTruncatedGzip() throws {
        let directory = try TemporaryDirectory()
        let gz = Zlib.gzip(Self.text)
        let truncated = try write(Array(gz.prefix(gz.count / 2)), "cut.gz", in: directory.url)
        #expect(throws: InputError("cannot read \(truncated): the gzip data ends early (is the file complete?)")) {
            _ = try readAll(try InputFile.open(truncated))
        }
        var damaged = gz
        for i in 20..<40 { damaged[i] ^= 0x5A }
        let path = try write(damaged, "bad.gz", in: directory.url)
        let error = #expect(throws: InputError.self) { _ = try readAll(try InputFile.open(path)) }
        #expect(error?.description.hasPrefix("cannot read \(path): damaged gzip data") == true)
    }

    @Test func zipWithOneFileDeflatedOrStored() throws {
        let directory = try TemporaryDirectory()
        for method in [CompressionMethod.deflate, .none] {
            let zip = try Zipper.zip([("20190128.export.CSV", Self.text)], method: method)
            let file = try InputFile.open(try write(zip, "one.zip", in: directory.url))
            #expect(file.storage == .zip(entry: "20190128.export.CSV"))
            #expect(try readAll(file) == Self.text, "\(method)")
            #expect(try readThroughPipe(zip).get() == Self.text, "\(method) through a pipe")
        }
    }

    @Test func zipWithADataDescriptor() throws {
        let directory = try TemporaryDirectory()
        let zip = Zipper.streamedZip(name: "events.csv", Self.text)
        #expect(try readAll(try InputFile.open(try write(zip, "streamed.zip", in: directory.url))) == Self.text)
        #expect(try readThroughPipe(zip).get() == Self.text)
    }

    @Test func zipsThatAreNotOneFile() throws {
        let directory = try TemporaryDirectory()
        let two = try Zipper.zip([("a.csv", Array("a\n".utf8)), ("b.csv", Array("b\n".utf8))], method: .deflate)
        let path = try write(two, "two.zip", in: directory.url)
        #expect(throws: InputError("cannot read \(path): the zip archive holds 2 files; unzip it and import the file you want")) {
            _ = try InputFile.open(path)
        }
        // Read as a stream, the second file shows once the first is read.
        #expect(throws: InputError("cannot read <stdin>: the zip archive holds more than one file; unzip it and import the file you want")) {
            _ = try readThroughPipe(two).get()
        }
        let empty = try write(try Zipper.zip([], method: .deflate), "empty.zip", in: directory.url)
        #expect(throws: InputError("cannot read \(empty): it is an empty zip archive")) { _ = try InputFile.open(empty) }
    }

    @Test func aDamagedZipFailsItsChecksum() throws {
        let directory = try TemporaryDirectory()
        var zip = try Zipper.zip([("a.csv", Array("some,data\nmore,data\n".utf8))], method: .none)
        // The stored data starts after the 30-byte local header and the 5-byte name.
        zip[30 + 5 + 2] ^= 0x01
        let path = try write(zip, "bad.zip", in: directory.url)
        #expect(throws: InputError("cannot read \(path): 'a.csv' fails its CRC-32 check (damaged archive?)")) {
            _ = try readAll(try InputFile.open(path))
        }
    }

    @Test func pathsThatCannotBeRead() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: InputError("cannot read \(directory.url.path): it is a directory")) { _ = try InputFile.open(directory.url.path) }
        let absent = directory.url.appendingPathComponent("absent.csv").path
        #expect(throws: InputError("cannot read \(absent): No such file or directory")) { _ = try InputFile.open(absent) }
    }
}

/// A temporary directory, removed on deinit.
final class TemporaryDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("annals-input-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
}
