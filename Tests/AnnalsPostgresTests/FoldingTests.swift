import AnnalsCore
import CAnnalsSQLite
import Testing

/// The PostgreSQL engine's search vectors and queries hold `SearchTokenizer`'s words, and the SQLite engine's index
/// holds FTS5's (`unicode61 remove_diacritics 2`): for the two engines to find the same events, the words must be
/// the same. Checked against FTS5 itself (the SQLite the SQLite engine runs on), character by character.
@Suite("PostgreSQL: search words are FTS5's words")
struct FoldingTests {
    /// Every assigned character from `!` to U+3FFFF (the planes text is written in).
    static let scalars: [Unicode.Scalar] = {
        let ranges: [ClosedRange<UInt32>] = [0x21...0x3FFFF]
        return ranges.flatMap { $0 }.compactMap(Unicode.Scalar.init).filter { scalar in
            scalar.properties.generalCategory != .unassigned && scalar.properties.generalCategory != .surrogate
        }
    }()

    /// FTS5's tokens of each text, in order.
    static func fts5Tokens(_ texts: [String]) throws -> [[String]] {
        // The first open initializes SQLite for the whole test process: apply the setting the store applies before
        // its first open (allocation statistics off), or the store's connections opened later in this process
        // could not (SQLiteLibraryConfigurationTests failed whenever this test ran first).
        _ = annals_sqlite_disable_memory_statistics()
        var db: OpaquePointer?
        guard sqlite3_open(":memory:", &db) == SQLITE_OK, let db else { throw Failure("cannot open an in-memory SQLite database") }
        defer { sqlite3_close(db) }
        let setup = """
            CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61 remove_diacritics 2');
            CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance');
            BEGIN;
            """
        guard sqlite3_exec(db, setup, nil, nil, nil) == SQLITE_OK else { throw Failure(String(cString: sqlite3_errmsg(db))) }
        var insert: OpaquePointer?
        guard sqlite3_prepare_v2(db, "INSERT INTO t(rowid, x) VALUES (?, ?)", -1, &insert, nil) == SQLITE_OK else {
            throw Failure(String(cString: sqlite3_errmsg(db)))
        }
        let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
        for (row, text) in texts.enumerated() {
            sqlite3_bind_int64(insert, 1, Int64(row))
            sqlite3_bind_text(insert, 2, text, -1, transient)
            guard sqlite3_step(insert) == SQLITE_DONE else { throw Failure(String(cString: sqlite3_errmsg(db))) }
            sqlite3_reset(insert)
        }
        sqlite3_finalize(insert)
        var out = [[String]](repeating: [], count: texts.count)
        var select: OpaquePointer?
        guard sqlite3_prepare_v2(db, "SELECT doc, term FROM v ORDER BY doc, offset", -1, &select, nil) == SQLITE_OK else {
            throw Failure(String(cString: sqlite3_errmsg(db)))
        }
        defer { sqlite3_finalize(select) }
        while sqlite3_step(select) == SQLITE_ROW {
            out[Int(sqlite3_column_int64(select, 0))].append(String(cString: sqlite3_column_text(select, 1)))
        }
        return out
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test func everyCharacterFoldsAsInFTS5() throws {
        let texts = Self.scalars.map { "a" + String($0) + "a" }
        let expected = try Self.fts5Tokens(texts)
        var differences: [String] = []
        for (scalar, (text, fts5)) in zip(Self.scalars, zip(texts, expected)) {
            let ours = SearchTokenizer.tokens(of: text)
            if ours != fts5 {
                differences.append("U+\(String(scalar.value, radix: 16, uppercase: true)) \(scalar): FTS5 \(fts5), SearchTokenizer \(ours)")
            }
        }
        #expect(differences.count == 0, "\(differences.count) of \(texts.count) differ:\n\(differences.prefix(60).joined(separator: "\n"))")
    }

    @Test func wordsThatUsedToDiffer() throws {
        let words = ["İzmir", "ΟΔΥΣΣΕΥΣ", "οδυσσευς", "Waſſer", "µm", "Ϲ", "हिन्दी", "שָׁלוֹם", "Ichirō", "Łódź", "Ǿresund", "e\u{301}te\u{305}x"]
        let expected = try Self.fts5Tokens(words)
        for (word, fts5) in zip(words, expected) {
            #expect(SearchTokenizer.tokens(of: word) == fts5, "\(word)")
        }
    }
}
