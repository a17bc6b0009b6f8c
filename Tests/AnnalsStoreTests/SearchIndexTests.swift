import AnnalsCore
import AnnalsStore
import AnnalsStoreTesting
import Foundation
import Testing

/// The full-text index follows the log from its own file: it catches up after a restart, and a missing file,
/// or one made for another store, is rebuilt from the log. (What searches find, on every engine, is tested in
/// AnnalsStoreConformanceTests.)
@Suite struct SearchIndexTests {
    static func marked(_ i: Int) -> Event {
        Sample.event("marked-\(i)", "2001-02-\(String(format: "%02d", i % 28 + 1))", title: "Event \(i)", body: "mark\(i) quokka")
    }

    @Test("a deleted index file is rebuilt from the log, and searches wait for it")
    func rebuiltWhenMissing() throws {
        let f = try StoreFixture()
        _ = try f.store.append((0..<300).map { .event(Self.marked($0)) })
        f.store.waitUntilSearchable()
        f.store.close()
        for suffix in [".search", ".search-wal", ".search-shm"] { try? FileManager.default.removeItem(atPath: f.path + suffix) }
        try f.reopen()
        #expect(try f.store.stats().lastSeq == 300)
        let done = DispatchSemaphore(value: 0)
        f.store.whenSearchable(through: 0, timeout: 60) { _ in done.signal() }
        #expect(done.wait(timeout: .now() + 60) == .success, "searches wait for what was stored when the store opened")
        #expect(f.store.searchableSeq == 300)
        #expect(try f.store.timeline(TimelineQuery(text: "quokka", limit: 1000)).records.count == 300)
        #expect(try f.store.timeline(TimelineQuery(text: "mark123")).records.map(\.event.id) == ["marked-123"])
        #expect(try f.store.integrityCheck() == "ok")
    }

    @Test("an index made for another store is not trusted")
    func anotherStoresIndex() throws {
        let mine = try StoreFixture()
        _ = try mine.store.append([.event(Self.marked(1))])
        mine.store.waitUntilSearchable()
        let other = try StoreFixture()
        _ = try other.store.append([.event(Sample.event("other", "1999", title: "Other", body: "wombat"))])
        other.store.waitUntilSearchable()
        mine.store.close()
        other.store.close()
        try FileManager.default.removeItem(atPath: mine.path + ".search")
        try FileManager.default.copyItem(atPath: other.path + ".search", toPath: mine.path + ".search")
        try mine.reopen()
        mine.store.waitUntilSearchable()
        #expect(try mine.store.timeline(TimelineQuery(text: "wombat")).records.isEmpty)
        #expect(try mine.store.timeline(TimelineQuery(text: "quokka")).records.map(\.event.id) == ["marked-1"])
    }
}
