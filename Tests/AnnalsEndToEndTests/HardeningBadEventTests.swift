import AnnalsClient
import AnnalsCore
import AnnalsProtocol
import Foundation
import Testing

extension HardeningTests {
    /// Invalid input through the real server: each kind gets its specific code, and nothing is written.
    @Suite("Hardening: bad events", .serialized)
    struct HardeningBadEventTests {
        static func base(_ id: String = "bad-event") -> Event { HardeningCorpus.event(id) }

        static func with(_ change: (inout Event) -> Void) -> LogEntry {
            var event = base()
            change(&event)
            return .event(event)
        }

        static func long(_ n: Int) -> String { String(repeating: "x", count: n) }

        /// (what, the entry, the event error code it must get, the field it must name).
        static func cases() -> [(String, LogEntry, EventError.Code, String?)] {
            let limits = EventLimits.standard
            let actor = Actor(name: "Japan", code: "JPN")
            let source = Source(url: "https://example.org/a")
            return [
                ("id with a space", with { $0.id = "bad id" }, .invalidID, "id"),
                ("id starting with a hyphen", with { $0.id = "-bad" }, .invalidID, "id"),
                ("id of 129 bytes", with { $0.id = "a" + long(128) }, .invalidID, "id"),
                ("id not ASCII", with { $0.id = "évènement" }, .invalidID, "id"),
                ("empty id", with { $0.id = "" }, .invalidID, "id"),
                ("empty title", with { $0.title = "" }, .emptyTitle, "title"),
                ("blank title", with { $0.title = " \u{3000} " }, .emptyTitle, "title"),
                ("newline in the title", with { $0.title = "Two\nlines" }, .controlCharacter, "title"),
                ("DEL in the title", with { $0.title = "A\u{7F}B" }, .controlCharacter, "title"),
                ("C1 control in the title", with { $0.title = "A\u{85}B" }, .controlCharacter, "title"),
                ("title over 500 bytes", with { $0.title = long(limits.title + 1) }, .tooLong, "title"),
                ("title of 167 three-byte characters", with { $0.title = String(repeating: "日", count: 167) }, .tooLong, "title"),
                ("bell in the summary", with { $0.summary = "ding\u{7}" }, .controlCharacter, "summary"),
                ("summary over 8 KiB", with { $0.summary = long(limits.summary + 1) }, .tooLong, "summary"),
                ("escape in the body", with { $0.body = "\u{1B}[31mred" }, .controlCharacter, "body"),
                ("body over 1 MiB", with { $0.body = long(limits.body + 1) }, .tooLong, "body"),
                ("65 actors", with { e in e.actors = (0...limits.actors).map { Actor(name: "Actor \($0)") } }, .tooMany, "actors"),
                ("empty actor name", with { $0.actors = [Actor(name: "")] }, .emptyActorName, "actors[0].name"),
                ("tab in an actor name", with { $0.actors = [Actor(name: "Ja\tpan")] }, .controlCharacter, "actors[0].name"),
                ("actor name over 200 bytes", with { $0.actors = [Actor(name: long(limits.name + 1))] }, .tooLong, "actors[0].name"),
                ("lower-case actor code", with { $0.actors = [Actor(name: "Japan", code: "jpn")] }, .invalidActorCode, "actors[0].code"),
                ("actor code of 17", with { $0.actors = [Actor(name: "Japan", code: String(repeating: "A", count: 17))] }, .invalidActorCode, "actors[0].code"),
                ("empty actor role", with { $0.actors = [Actor(name: "Japan", role: " ")] }, .emptyValue, "actors[0].role"),
                ("the same actor twice", with { $0.actors = [actor, Actor(name: "JAPAN")] }, .duplicateActor, "actors[1]"),
                ("65 places", with { e in e.places = (0...limits.places).map { "Place \($0)" } }, .tooMany, "places"),
                ("empty place", with { $0.places = [""] }, .emptyValue, "places[0]"),
                ("NUL in a place", with { $0.places = ["Mos\u{0}cow"] }, .controlCharacter, "places[0]"),
                ("the same place twice", with { $0.places = ["Moscow", "moscow"] }, .duplicateValue, "places[1]"),
                ("tag over 64 bytes", with { $0.tags = [long(limits.tag + 1)] }, .tooLong, "tags[0]"),
                ("65 tags", with { e in e.tags = (0...limits.tags).map { "t\($0)" } }, .tooMany, "tags"),
                ("the same tag twice", with { $0.tags = ["Peace", "peace"] }, .duplicateValue, "tags[1]"),
                ("33 sources", with { e in e.sources = (0...limits.sources).map { Source(url: "https://example.org/\($0)") } }, .tooMany, "sources"),
                ("ftp source", with { $0.sources = [Source(url: "ftp://example.org/a")] }, .invalidURL, "sources[0].url"),
                ("relative source", with { $0.sources = [Source(url: "/just/a/path")] }, .invalidURL, "sources[0].url"),
                ("source url with a space", with { $0.sources = [Source(url: "https://example.org/a b")] }, .invalidURL, "sources[0].url"),
                ("source url over 2048 bytes", with { $0.sources = [Source(url: "https://example.org/" + long(limits.url))] }, .tooLong, "sources[0].url"),
                ("empty publisher", with { $0.sources = [Source(url: source.url, publisher: "")] }, .emptyValue, "sources[0].publisher"),
                ("published 1956-13-45", with { $0.sources = [Source(url: source.url, published: "1956-13-45")] }, .malformedDate, "sources[0].published"),
                ("published yesterday", with { $0.sources = [Source(url: source.url, published: "yesterday")] }, .malformedDate, "sources[0].published"),
                ("257 references", with { e in e.references = (0...limits.references).map { Reference(id: "r\($0)", relation: .mentions) } }, .tooMany, "references"),
                ("reference to a bad id", with { $0.references = [Reference(id: "bad id", relation: .follows)] }, .invalidID, "references[0].id"),
                ("reference to itself", with { $0.references = [Reference(id: "bad-event", relation: .follows)] }, .selfReference, "references[0]"),
                ("the same reference twice", with { $0.references = [Reference(id: "x", relation: .follows), Reference(id: "x", relation: .invokes)] },
                 .duplicateReference, "references[1]"),
                ("revision 0", with { $0.revision = 0 }, .invalidRevision, "revision"),
                ("first revision 3", with { $0.revision = 3 }, .invalidRevision, "revision"),
                ("blank retraction reason", .retraction(Retraction(id: "bad-event", reason: "  ")), .emptyReason, "reason"),
                ("retraction reason over 2000 bytes", .retraction(Retraction(id: "bad-event", reason: long(limits.reason + 1))), .tooLong, "reason"),
                ("retraction revision 1", .retraction(Retraction(id: "bad-event", reason: "r", revision: 1)), .invalidRevision, "revision"),
                ("retraction of a bad id", .retraction(Retraction(id: "not an id", reason: "r")), .invalidID, "id"),
                ("retraction of an unknown event", .retraction(Retraction(id: "no-such-event", reason: "gone")), .notFound, "id"),
                ("stored id, other content", with { $0.id = "stored-event"; $0.title = "Something else" }, .conflict, "id"),
                ("stored revision 1, other content", with { $0.id = "stored-event"; $0.title = "Other"; $0.revision = 1 }, .conflict, "revision"),
                ("skipped revision", with { $0.id = "stored-event"; $0.revision = 5 }, .invalidRevision, "revision"),
            ]
        }

        @Test func everyKindOfInvalidEventGetsItsCodeAndWritesNothing() throws {
            let maxBatch = 50
            let server = try ServerProcess(arguments: ["--max-batch", "\(maxBatch)"])
            let client = try server.connect()
            _ = try client.append([.event(Self.base("stored-event"))])
            let before = try client.stats()
            var kinds = Set<String>()
            for (name, entry, code, field) in Self.cases() {
                let outcomes = try client.append([entry])
                guard case .rejected(let error)? = outcomes.first else {
                    Issue.record("\(name): not rejected: \(outcomes)")
                    continue
                }
                #expect(error.code == code, "\(name): got \(error.code.name) (\(error.message)), want \(code.name)")
                if let field { #expect(error.field == field, "\(name): field \(error.field ?? "nil"), want \(field)") }
                #expect(!error.message.isEmpty)
                kinds.insert(name)
            }

            // A batch holding the same id twice with different content: the second is a conflict, the first aborted.
            var twin = Self.base("twin-event")
            let first = twin
            twin.title = "The other twin"
            let twins = try client.append([.event(first), .event(twin)])
            #expect(twins.count == 2)
            if case .rejected(let a)? = twins.first, case .rejected(let b)? = twins.last {
                #expect(a.code == .batchAborted && b.code == .conflict, "\(a.code.name), \(b.code.name)")
            } else {
                Issue.record("same id twice in a batch was not rejected: \(twins)")
            }
            kinds.insert("same id twice in a batch")

            // One bad event among good ones: every entry is rejected, the good ones with batch-aborted.
            let mixed: [LogEntry] = [.event(Self.base("good-1")), Self.with { $0.id = "bad-2"; $0.title = "" }, .event(Self.base("good-3"))]
            let mixedOutcomes = try client.append(mixed)
            let mixedCodes = mixedOutcomes.map { outcome -> EventError.Code? in if case .rejected(let e) = outcome { e.code } else { nil } }
            #expect(mixedCodes == [.batchAborted, .emptyTitle, .batchAborted])
            do {
                _ = try client.get(id: "good-1")
                Issue.record("good-1 of an aborted batch was written")
            } catch {
                #expect(error.serverCode == .notFound)
            }
            kinds.insert("one bad event in a batch of three")

            // A batch over --max-batch: batch-too-large, nothing written.
            let oversize = (0...maxBatch).map { LogEntry.event(Self.base("over-\($0)")) }
            do {
                _ = try client.append(oversize)
                Issue.record("a batch of \(oversize.count) was accepted")
            } catch {
                #expect(error.serverCode == .batchTooLarge, "\(error)")
            }
            kinds.insert("batch over --max-batch")

            // amend and retract answer invalid-event (with the event error), not-found and conflict.
            func serverError(_ body: () throws -> Void) -> ProtocolError? {
                do { try body() } catch let error as ClientError { if case .server(let e) = error { return e } } catch {}
                return nil
            }
            var badAmend = Self.base("stored-event")
            badAmend.title = "Bad\u{7}title"
            let amendError = serverError { _ = try client.amend(badAmend) }
            #expect(amendError?.code == .invalidEvent && amendError?.eventError?.code == .controlCharacter, "\(String(describing: amendError))")
            #expect(serverError { _ = try client.amend(Self.base("never-stored")) }?.code == .notFound)
            let blankReason = serverError { _ = try client.retract(id: "stored-event", reason: "") }
            #expect(blankReason?.code == .invalidEvent && blankReason?.eventError?.code == .emptyReason)
            #expect(serverError { _ = try client.retract(id: "never-stored", reason: "gone") }?.code == .notFound)
            kinds.formUnion(["amend with a control character", "amend of an unknown id", "retract with a blank reason", "retract of an unknown id"])

            let after = try client.stats()
            #expect(after.lastSeq == before.lastSeq, "nothing was written: lastSeq \(before.lastSeq) → \(after.lastSeq)")
            #expect(after.events == before.events && after.revisions == before.revisions)

            // A retracted event: retracting it again is a conflict (this writes one revision, on purpose).
            // (Amending it restores it: the store does so on purpose, although PROTOCOL.md §10 lists a conflict.)
            _ = try client.retract(id: "stored-event", reason: "test")
            #expect(serverError { _ = try client.retract(id: "stored-event", reason: "again") }?.code == .conflict)
            kinds.insert("retract of a retracted event")
            let lastSeq = try client.stats().lastSeq
            #expect(lastSeq == before.lastSeq + 1)

            // Codec errors: the payload does not decode, so the server answers malformed-frame and closes.
            for (name, bytes) in Self.codecErrors() {
                let raw = try HardeningSocket(port: server.port)
                raw.handshake()
                raw.send(bytes)
                #expect(raw.nextErrorCode() == .malformedFrame, "\(name)")
                #expect(raw.closesSoon(), "\(name): closes")
                kinds.insert(name)
            }
            #expect(try client.stats().lastSeq == lastSeq, "codec errors write nothing")
            #expect(kinds.count >= 30)
            Hardening.figure("bad_events.kinds", kinds.count)
        }

        /// Events that cannot be decoded: an unknown kind or relation, a date that is not EDTF, invalid UTF-8.
        static func codecErrors() -> [(String, [UInt8])] {
            var event = base("codec-event")
            event.title = "TITLEMARK"
            event.references = [Reference(id: "other", relation: .follows)]
            let append = Request.append([.event(event)]).encode(requestID: 3)
            func replacing(_ marker: String, _ replacement: [UInt8]) -> [UInt8] {
                HardeningHostileFrameTests.replacing(marker, with: replacement, in: append)
            }
            let kindOffset = 10 + 4 + 1 + 4 + event.id.utf8.count + 4 + 10
            var kind = append
            kind[kindOffset] = 12
            var relation = append
            // The relation code is the byte after the reference id "other".
            let other = Array("other".utf8)
            if let at = (0..<(append.count - 5)).last(where: { Array(append[$0..<$0 + 5]) == other }) { relation[at + 5] = 7 }
            return [
                ("unknown event kind 12", kind),
                ("unknown relation 7", relation),
                ("event date 1956-13-45", replacing("1956-10-19", Array("1956-13-45".utf8))),
                ("event date 'not a day'", replacing("1956-10-19", Array("not a day!".utf8))),
                ("title with invalid UTF-8", replacing("TITLEMARK", [0x54, 0xC3, 0x28, 0x54, 0x4C, 0x45, 0x4D, 0x41, 0x52])),
            ]
        }
    }
}
