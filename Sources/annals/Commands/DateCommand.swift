import AnnalsCore
import ArgumentParser
import Foundation

/// `annals date EXPR`: how Annals reads a date; needs no server.
struct DateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "date", abstract: "Show how Annals reads an EDTF date: canonical form, precision, qualifiers, bounds.",
        usage: "annals date <expression> [--json]",
        discussion: "Examples: annals date 1956-10-19, annals date '1956~', annals date 195X, annals date 1945/.."
    )

    // `.allUnrecognized` so that a year before 1 (-0660) is taken as the date, not as a flag.
    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("An EDTF date, e.g. 1956-10-19, 1956?, 195X, 1956-21, 1904-02-08/1905-09-05, -0660.", valueName: "expression"))
    var expressions: [String] = []
    @Flag(help: "Print one JSON object with the keys canonical, precision, qualifiers, lower, upper.")
    var json = false

    func validate() throws {
        let expressions = self.expressions.filter { $0 != "--" }
        guard expressions.count == 1 else {
            throw ValidationError(expressions.isEmpty ? "Missing expected argument '<expression>'" : "give one date, not \(expressions.count)")
        }
    }

    func run() throws {
        try runReportingErrors {
            let expression = expressions.first { $0 != "--" } ?? ""
            let date = try HistoricalDate(parsing: expression)
            if json {
                let object: [String: Any] = [
                    "canonical": date.canonical, "precision": date.precision.rawValue, "qualifiers": date.qualifiers,
                    "lower": date.lower.map { $0.description } ?? NSNull(), "upper": date.upper.map { $0.description } ?? NSNull(),
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                Terminal.write(String(decoding: data, as: UTF8.self) + "\n")
                return
            }
            let qualifiers = date.qualifiers.isEmpty ? "none" : date.qualifiers.joined(separator: ", ")
            Terminal.write("""
                canonical   \(date.canonical)
                precision   \(date.precision.rawValue)
                qualifiers  \(qualifiers)\(date.hasUnspecifiedDigits ? " (unspecified digits)" : "")
                lower       \(date.lower.map { $0.description } ?? "open")
                upper       \(date.upper.map { $0.description } ?? "open")

                """)
        }
    }
}
