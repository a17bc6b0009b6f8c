import AnnalsCore
import Foundation

/// Test data: the sample log of the repository and a few hand-made events.
enum Samples {
    /// The repository root, found from this file's path.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The directory of golden files.
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    /// Every entry of `Scripts/samples/japan-relations.jsonl` as records, in file order, with
    /// retractions applied to the record they retract.
    static let japanRelations: [EventRecord] = {
        let url = root.appendingPathComponent("Scripts/samples/japan-relations.jsonl")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        var records: [EventRecord] = []
        var seq: Int64 = 0
        for line in text.split(whereSeparator: \.isNewline) where !line.allSatisfy(\.isWhitespace) {
            seq += 1
            guard let entry = try? EventLogCodec.decode(line: String(line)) else { continue }
            switch entry {
            case .event(let event):
                records.append(EventRecord(event: event, seq: seq))
            case .retraction(let retraction):
                if let i = records.firstIndex(where: { $0.event.id == retraction.id }) {
                    records[i].retraction = retraction
                }
            }
        }
        return records
    }()

    /// The sample events with Japan and Russia (or the Soviet Union) among the actors.
    static var japanRussia: [EventRecord] {
        japanRelations.filter { record in
            let codes = Set(record.event.actors.compactMap(\.code))
            return codes.contains("JPN") && (codes.contains("RUS") || codes.contains("SUN"))
        }
    }

    /// A date that must parse.
    static func date(_ text: String) -> HistoricalDate {
        do {
            return try HistoricalDate(parsing: text)
        } catch {
            preconditionFailure("bad test date \(text): \(error)")
        }
    }

    /// A small event.
    static func event(
        _ id: String, _ dateText: String, _ kind: EventKind, _ title: String, summary: String? = nil,
        actors: [Actor] = [], references: [Reference] = [], seq: Int64 = 1, retraction: Retraction? = nil
    ) -> EventRecord {
        EventRecord(
            event: Event(id: id, date: date(dateText), kind: kind, title: title, summary: summary, actors: actors, references: references),
            seq: seq, retraction: retraction
        )
    }
}
