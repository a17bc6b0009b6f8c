import AnnalsCore
import Foundation
import Testing
@testable import AnnalsProtocol

/// The golden frames in `Protocol/vectors/`. Run with `ANNALS_REGENERATE_VECTORS=1` to rewrite them from
/// `VectorCatalog`; otherwise the committed files are checked as they are.
@Suite("Golden vectors", .serialized)
struct VectorTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Protocol/vectors")

    static var regenerating: Bool { ProcessInfo.processInfo.environment["ANNALS_REGENERATE_VECTORS"] == "1" }

    static func files() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "txt" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    @Test("the field-by-field vectors equal the library's encoding and the committed files")
    func catalog() throws {
        let vectors = try VectorCatalog.all()
        #expect(Set(vectors.map(\.name)).count == vectors.count)
        for vector in vectors {
            #expect(hex(vector.frame.bytes) == hex(vector.libraryBytes), "\(vector.name)")
            let url = Self.directory.appendingPathComponent(vector.name + ".txt")
            if Self.regenerating {
                try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
                try vector.text.write(to: url, atomically: true, encoding: .utf8)
            } else {
                let committed = try String(contentsOf: url, encoding: .utf8)
                #expect(committed == vector.text, "\(vector.name).txt differs from VectorCatalog; regenerate?")
            }
        }
        if !Self.regenerating {
            let names = Set(try Self.files().map { $0.deletingPathExtension().lastPathComponent })
            #expect(names == Set(vectors.map(\.name)), "files in Protocol/vectors without a catalog entry, or missing")
        }
    }

    @Test("every committed vector decodes and re-encodes byte for byte")
    func decodeAndReencode() throws {
        let files = try Self.files()
        #expect(files.count >= 40)
        var types: Set<MessageType> = []
        var codes: Set<UInt16> = []
        for file in files {
            let bytes = try AnnotatedFrame.parse(try String(contentsOf: file, encoding: .utf8))
            let name = file.lastPathComponent
            var decoder = FrameDecoder()
            decoder.append(bytes)
            let frame = try #require(try decoder.next(), "\(name)")
            #expect(decoder.bufferedByteCount == 0, "\(name)")
            let type = try #require(frame.type, "\(name)")
            types.insert(type)
            if type.isRequest {
                let request = try Request(frame: frame)
                #expect(request.encode(requestID: frame.requestID) == bytes, "\(name)")
            } else {
                let response = try Response(frame: frame)
                #expect(response.encode(requestID: frame.requestID, more: frame.more) == bytes, "\(name)")
                if case .error(let error) = response { codes.insert(error.code.number) }
            }
        }
        #expect(types == Set(MessageType.allCases), "a message type has no vector")
        #expect(codes == Set(ProtocolError.Code.all.map(\.number)), "an error code has no vector")
    }
}
