import Foundation

/// annals-bench: the driver behind `Scripts/bench`. Each subcommand prints one JSON object per result line.
///
/// - `corpus --count N --seed S --out file.jsonl [--params dir]`: the synthetic corpus and query parameters.
/// - `sqlite-floor --file corpus.jsonl --db path [--batch 1000] [--variant floor|fts-copy]`: in-process SQLite baselines.
/// - `compression --file corpus.jsonl`: plain per-record zlib and whole-log gzip of the texts the store compresses.
/// - `control --files list --dir tmp`: the same on real English prose, and the store's own ratio on it.
/// - `pg-copy --file corpus.jsonl --out prefix --clients K [--batch 1000]`: psql scripts that COPY the corpus.
/// - `resp --file corpus.jsonl --out file.resp`: XADD commands in RESP for `redis-cli --pipe`.
/// - `load --port P --file corpus.jsonl --clients K [--batch 1000] [--limit N] [--ready-file F]`: ingest through AnnalsClient.
/// - `search-lag --port P [--interval-ms 100] [--poll-ms 5] [--start-file F] [--stop-file F] [--seconds S]`: how long
///   after an append's acknowledgement a search on another connection finds its words (`SearchLagCommand`).
/// - `latency --port P --params dir --query actor|range|text|get|roundtrip --clients C --seconds S [--pid annalsd] [--decode]`.
/// - `ping --port P --connections C --seconds S`, `idle --port P --connections N --pid annalsd`.
/// - `store-stats --port P`: the server's stats.
///
/// Every subcommand that talks to annalsd takes `--socket PATH` (a Unix-domain socket) instead of `--port`;
/// its result line says which (`"transport": "unix"` or `"tcp"`).
/// - `gdelt --count N --out events.export.CSV [--jsonl events.jsonl] [--seed S]`: a GDELT 2.0-shaped export
///   and the same events as JSON Lines, to compare `annals import` with `annals replay`.
@main
enum AnnalsBench {
    static func main() {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2 else {
            FileHandle.standardError.write(Data("usage: annals-bench corpus|sqlite-floor|compression|control|pg-copy|resp|load|search-lag|latency|ping|idle|store-stats|micro|gdelt [--options]\n".utf8))
            exit(2)
        }
        do {
            let args = try Args(arguments.dropFirst(2))
            switch arguments[1] {
            case "corpus": try CorpusCommand.run(args)
            case "sqlite-floor": try SQLiteBaseline.run(args)
            case "compression": try CompressionCommand.run(args)
            case "control": try ControlCommand.run(args)
            case "pg-copy": try ExportCommand.pgCopy(args)
            case "resp": try ExportCommand.resp(args)
            case "load": try LoadCommand.run(args)
            case "search-lag": try SearchLagCommand.run(args)
            case "latency": try LatencyCommand.run(args)
            case "ping": try PingCommand.run(args)
            case "idle": try PingCommand.idle(args)
            case "store-stats": try LoadCommand.stats(args)
            case "micro": try MicroCommand.run(args)
            case "gdelt": try GDELTCommand.run(args)
            default: throw BenchError("unknown subcommand '\(arguments[1])'")
            }
        } catch {
            FileHandle.standardError.write(Data("annals-bench: \(error)\n".utf8))
            exit(1)
        }
    }
}
