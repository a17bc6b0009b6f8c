import AnnalsClient
import AnnalsProtocol
import AnnalsCore
import AnnalsFormat
import ArgumentParser
import Foundation

/// `annals stats`: what the store holds.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Events by kind and decade, top actors, store size, compression ratio.")

    @OptionGroup var server: ServerOptions
    @Flag(help: "Print one JSON object.")
    var json = false
    @Flag(help: "Plain ASCII bars.")
    var ascii = false

    func run() throws {
        try runReportingErrors {
            let connection = try server.connect()
            defer { connection.close() }
            let stats: StoreStats
            stats = try connection.stats()
            if json {
                let object: [String: Any] = [
                    "events": stats.events, "visible": stats.visible, "retracted": stats.retracted,
                    "revisions": stats.revisions, "last_seq": stats.lastSeq, "indexed_seq": stats.indexedSeq,
                    "index_lag_ms": stats.indexLagMilliseconds, "open_start": stats.openStart,
                    "by_kind": Dictionary(uniqueKeysWithValues: stats.byKind.map { ($0.key.rawValue, $0.value) }),
                    "by_decade": Dictionary(uniqueKeysWithValues: stats.byDecade.map { (String($0.key), $0.value) }),
                    "top_actors": stats.topActors.map { ["name": $0.name, "count": $0.count] },
                    "file_bytes": stats.fileBytes, "text_bytes": stats.textBytes,
                    "compressed_bytes": stats.compressedBytes, "compression_ratio": stats.compressionRatio,
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                Terminal.write(String(decoding: data, as: UTF8.self) + "\n")
                return
            }
            Terminal.write(StatsRenderer(width: Terminal.width, color: Terminal.useColor(.auto), ascii: ascii).render(stats))
        }
    }
}
