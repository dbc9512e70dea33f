import Domain
import Foundation
import GRDB
import Testing
@testable import Server

/// A citizen's pull page copies the view of a public item written with the item
/// (`Feedback.publicViewJSON`) instead of making it for each citizen: only where it is exactly
/// what that citizen may see at that moment.
@Suite struct PublicViewTests {
    /// Items in several states, written several times: for another citizen the page takes the
    /// stored view of every public item that is not overdue, and it is byte for byte the view
    /// made for them; overdue items, and every item of the reporter's own, are made as before.
    @Test func aStoredViewIsTheViewACitizenWouldBeShown() async throws {
        let fixture = try await StoreFixture()
        let official = try await fixture.roadsOfficial()
        let resolved = try await fixture.resolvedAndRatedFeedback(by: official, answer: "Đã thay bóng đèn \"LED\".")
        let anonymous = try await fixture.fileFeedback(title: "Rác thải ven sông", anonymous: true)
        let started = try await fixture.fileFeedback(title: "Cống nghẹt")
        _ = try await fixture.store.update(id: started.id, at: fixture.now) { try $0.applying(.start, by: official, at: fixture.now) }
        let hidden = try await fixture.fileFeedback(title: "Tiếng ồn ban đêm", isPublic: false)

        let other = Actor.citizen(UUID())
        let later = fixture.now.addingTimeInterval(60 * 86_400)  // every open item overdue by then
        for (viewer, now) in [(other, fixture.now), (other, later), (fixture.citizen, fixture.now), (official, fixture.now)] {
            let (stored, made) = try await fixture.database.reader.read { db in
                var stored: Set<UUID> = [], made: Set<UUID> = []
                try SyncService.eachPageRow(db, after: 0, for: viewer, now: now, limit: 1000) { _, record, read in
                    guard case .feedback(let id) = record else { return }
                    let item = try #require(try SQLiteStore.fetch(Feedback.self, key: id.text, db: db))
                    switch read {
                    case .publicView(let bytes):
                        stored.insert(id)
                        #expect(String(decoding: bytes, as: UTF8.self) == String(decoding: FeedbackView(item, viewer: viewer, now: now).wireJSON(), as: UTF8.self))
                    case .item(let read):
                        made.insert(id)
                        #expect(read == item)
                    }
                }
                return (stored, made)
            }
            let open: Set<UUID> = [anonymous.id, started.id]
            switch (viewer.id, now) {
            case (other.id, fixture.now):
                #expect(stored == [resolved.id, anonymous.id, started.id] && made.isEmpty)
            case (other.id, _):
                #expect(stored == [resolved.id] && made == open, "overdue items are made at the pull")
            default:
                #expect(stored.isEmpty, "the reporter's own items and staff views are made as before")
                #expect(made.isSuperset(of: open))
            }
        }
        // Written only while another citizen may read the item.
        try await fixture.database.reader.read { db in
            let written = Set(try String.fetchAll(db, sql: "SELECT f.id FROM feedback_public_views AS v JOIN feedback AS f ON f.rowid = v.feedback_rowid"))
            #expect(written == Set([resolved.id, anonymous.id, started.id].map(\.text)))
            #expect(!written.contains(hidden.id.text))
        }
        // An item no citizen but its reporter may read any more loses its stored view.
        _ = try await fixture.store.update(id: started.id, at: fixture.now) { item in
            var (next, event) = try item.applying(.resolve(answer: "Đã thông cống."), by: official, at: fixture.now)
            next.isPublic = false
            return (next, event)
        }
        let left = try await fixture.database.reader.read { db in
            try String.fetchAll(db, sql: "SELECT f.id FROM feedback_public_views AS v JOIN feedback AS f ON f.rowid = v.feedback_rowid")
        }
        #expect(Set(left) == Set([resolved.id, anonymous.id].map(\.text)))
    }

    /// Views stored under another format are cleared when the database opens, and only then:
    /// the pages make those views until the items are written again.
    @Test func viewsOfAnotherFormatAreClearedAtStart() async throws {
        let fixture = try await StoreFixture()
        let filed = try await fixture.fileFeedback()
        func stored() async throws -> Int { try await fixture.database.reader.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM feedback_public_views")! } }
        #expect(try await stored() == 1)
        try AppDatabase.clearStalePublicViews(fixture.database.writer)
        #expect(try await stored() == 1, "the same format: kept")
        try await fixture.database.writer.write { db in try db.execute(sql: "UPDATE server_meta SET value = '0:id,title' WHERE key = 'public_view_format'") }
        try AppDatabase.clearStalePublicViews(fixture.database.writer)
        #expect(try await stored() == 0)
        let format = try await fixture.database.reader.read { db in try String.fetchOne(db, sql: "SELECT value FROM server_meta WHERE key = 'public_view_format'") }
        #expect(format == FeedbackView.publicViewFormat)
        // Pulled as before meanwhile, and stored again with the item's next write.
        let other = Actor.citizen(UUID())
        try await fixture.database.reader.read { db in
            try SyncService.eachPageRow(db, after: 0, for: other, now: fixture.now, limit: 1000) { _, record, read in
                guard case .feedback = record else { return }
                guard case .item(let item?) = read else { Issue.record("expected the view made at the pull"); return }
                #expect(item.id == filed.id)
            }
        }
        let official = try await fixture.roadsOfficial()
        _ = try await fixture.store.update(id: filed.id, at: fixture.now) { try $0.applying(.start, by: official, at: fixture.now) }
        #expect(try await stored() == 1)
    }
}
