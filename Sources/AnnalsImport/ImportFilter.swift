import AnnalsCore

/// Which rows an import keeps: `--actor-code`, `--all-actor-codes`, `--from`/`--to`, `--cameo-root`.
/// An empty filter keeps every row.
public struct ImportFilter: Sendable {
    /// Actor codes (upper case); a row is kept when one of its actors carries any of them (every one
    /// with `allActorCodes`), as its full code or a part of it (GDELT's country, group, ethnic, religion
    /// and type codes).
    public var actorCodes: [String]
    /// Whether a row needs every one of `actorCodes` rather than one.
    public var allActorCodes: Bool
    /// Rows whose date overlaps this date or later.
    public var from: HistoricalDate?
    /// Rows whose date overlaps this date or earlier.
    public var to: HistoricalDate?
    /// CAMEO root codes (`01`–`20`); a row is kept when its event code is under one of them.
    public var cameoRoots: Set<String>

    public init(actorCodes: [String] = [], allActorCodes: Bool = false, from: HistoricalDate? = nil,
                to: HistoricalDate? = nil, cameoRoots: Set<String> = []) {
        self.actorCodes = actorCodes.map { $0.uppercased() }
        self.allActorCodes = allActorCodes
        self.from = from
        self.to = to
        self.cameoRoots = cameoRoots
    }

    /// Whether `row` passes every filter. Dates overlap as in `annals timeline`.
    public func matches(_ row: ImportedRow) -> Bool {
        if !actorCodes.isEmpty {
            let found = allActorCodes ? actorCodes.allSatisfy(row.actorCodes.contains) : actorCodes.contains(where: row.actorCodes.contains)
            if !found { return false }
        }
        if !cameoRoots.isEmpty {
            guard let code = row.cameoCode, cameoRoots.contains(Cameo.root(of: code)) else { return false }
        }
        let date = row.event.date
        if let from, let fromLower = from.lower, let upper = date.upper, upper < fromLower { return false }
        if let to, let toUpper = to.upper, let lower = date.lower, lower > toUpper { return false }
        return true
    }

    /// The root code `text` names: `4`, `04` → `04`.
    /// - Throws: `ImportError` when it is not a root from 01 to 20.
    public static func cameoRoot(_ text: String) throws -> String {
        guard let number = Int(text.trimmingSpaces), (1...20).contains(number), text.trimmingSpaces.count <= 2 else {
            throw ImportError("'\(text)' is not a CAMEO root code: use 01 to 20 (e.g. 04 consult, 19 fight)")
        }
        return Cameo.roots[number - 1]
    }
}
