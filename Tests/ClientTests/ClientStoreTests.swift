import Domain
import Foundation
import GRDB
import LocalStore
import Testing
@testable import Client

@Suite struct ClientStoreTests {
    let device = UUID(uuidString: "00000000-0000-0000-0000-0000000d0001")!
    let now = Date(timeIntervalSince1970: 1_796_000_000)

    func view(_ id: UUID, title: String, status: FeedbackStatus = .assigned) throws -> FeedbackView {
        let draft = FeedbackDraft(category: "giao-thong", title: title, description: "Mô tả đủ dài để hợp lệ.", commune: "28756")
        let catalog = try ReferenceCatalog.bundled()
        var (feedback, _) = try Feedback.submit(draft, id: id, by: .citizen(UUID()), at: now, catalog: catalog)
        feedback.status = status
        return FeedbackView(feedback, viewer: .citizen(feedback.citizenID), now: now)
    }

    func page(_ changes: [Change], cursor: String) -> PullResponse {
        PullResponse(protocolVersion: 2, changes: changes, cursor: cursor, hasMore: false, lastAppliedSeq: 0, digest: nil)
    }

    @Test func migratesInMemoryAndOnAFileThatIsReopened() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("client-\(UUID().uuidString).sqlite").path
        let store = try ClientStore.open(path: path)
        var state = SyncEngine.State(deviceId: device)
        state.cursor = "c1"
        try store.save(state)
        let reopened = try ClientStore.open(path: path)
        #expect(try reopened.syncState() == state)
        #expect(try ClientStore.inMemory().syncState() == nil)
    }

    /// Local writes wait for the disk; pulled pages do not, and leave the setting as it was.
    @Test func localWritesAreDurableAndPagesAreNotWaitedFor() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("client-\(UUID().uuidString).sqlite").path
        let store = try ClientStore.open(path: path)
        func synchronous() throws -> Int? { try store.writer.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } }
        #expect(try synchronous() == 2)
        let a = UUID()
        try store.apply(page([Change(seq: 1, entity: "feedback", id: a.uuidString, op: .put, data: .feedback(try view(a, title: "Ổ gà lớn")))], cursor: "c1"),
                        state: SyncEngine.State(deviceId: device))
        #expect(try synchronous() == 2)
        #expect(try store.record("feedback", id: a, as: FeedbackView.self)?.title == "Ổ gà lớn")
    }

    /// A page read from the wire is stored as it came (no second writing out) and reads back to
    /// the same views as one built in memory and written out.
    @Test func aPageReadFromTheWireIsStoredAsItCame() throws {
        let ids = (0..<3).map { _ in UUID.timeOrdered() }
        let built = page(try ids.enumerated().map { n, id in
            Change(seq: Int64(n + 1), entity: "feedback", id: id.uuidString, op: .put, data: .feedback(try view(id, title: "Phản ánh số \(n)")))
        }, cursor: "c1")
        let wire = try PullResponse(wireJSON: WireCoding.encoder().encode(built).map { $0 })
        #expect(wire == built)
        #expect(wire.changes.allSatisfy { $0.wire != nil } && built.changes.allSatisfy { $0.wire == nil })
        let fromWire = try ClientStore.inMemory(), fromMemory = try ClientStore.inMemory()
        try fromWire.apply(wire, state: SyncEngine.State(deviceId: device))
        try fromMemory.apply(built, state: SyncEngine.State(deviceId: device))
        let stored = try fromWire.writer.read { db in try String.fetchAll(db, sql: "SELECT data FROM records ORDER BY seq") }
        #expect(stored == wire.changes.map { String(decoding: $0.wire!, as: UTF8.self) })
        #expect(try fromWire.items("feedback", as: FeedbackView.self).map(\.view) == fromMemory.items("feedback", as: FeedbackView.self).map(\.view))
        #expect(try fromWire.digest() == fromMemory.digest())
    }

    /// A pulled record is stored as the bytes given (empty, non-ASCII, any length) and replaces
    /// the one held; a refused write throws SQLite's error, stores nothing, and leaves the
    /// statement fit for the next record.
    @Test func pulledRecordsAreStoredAsGivenAndReplaceTheOnesHeld() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE records (entity TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL,
                    data TEXT NOT NULL CHECK (data <> 'refused'), UNIQUE (entity, id))
                """)
            let put = try db.cachedStatement(sql: PulledRecords.upsertSQL)
            func store(_ entity: String, _ id: String, _ seq: Int64, _ data: String) throws {
                try Array(data.utf8).withUnsafeBufferPointer { try PulledRecords.put(put, entity: entity, id: id, seq: seq, data: $0, db: db) }
            }
            let long = String(repeating: "Đường 30/4 ", count: 2_000)
            try store("feedback", "a", 1, #"{"title":"Ổ gà"}"#)
            try store("feedback", "", 2, "")
            try store("catalog", "catalog", 3, long)
            try store("feedback", "a", 4, #"{"title":"Đã sửa"}"#)
            #expect(throws: DatabaseError.self) { try store("feedback", "b", 5, "refused") }
            try store("feedback", "c", 6, "{}")
            let rows = try Row.fetchAll(db, sql: "SELECT entity, id, seq, data FROM records ORDER BY seq")
            #expect(rows.map { [$0["entity"], $0["id"], String($0["seq"] as Int64), $0["data"]] as [String] } == [
                ["feedback", "", "2", ""], ["catalog", "catalog", "3", long], ["feedback", "a", "4", #"{"title":"Đã sửa"}"#],
                ["feedback", "c", "6", "{}"],
            ])
        }
    }

    /// A checkpoint copies the log into the database file, so the log starts over: the commit of
    /// the next page does not carry the frames of the last ones (nor copy them back).
    @Test func aCheckpointStartsTheLogOver() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("client-\(UUID().uuidString).sqlite").path
        let store = try ClientStore.open(path: path)
        let state = SyncEngine.State(deviceId: device)
        func records(_ count: Int) throws -> [Change] {
            try (0..<count).map { n in
                let id = UUID()
                return Change(seq: Int64(n), entity: "feedback", id: id.uuidString, op: .put, data: .feedback(try view(id, title: "Phản ánh số \(n)")))
            }
        }
        try store.apply(page(try records(200), cursor: "c1"), state: state)
        let first = try store.checkpoint()
        #expect(first.frames > 20, "a page of 200 records fills many pages of the log")
        #expect(first.copied == first.frames, "no reader holds the log back")
        try store.apply(page(try records(1), cursor: "c2"), state: state)
        let second = try store.checkpoint()
        #expect(second.frames < 10, "the log started over: \(second.frames) frames for one record")
        #expect(try store.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM records") } == 201)
    }

    /// The idle checkpoint also starts the log over (a new header, its salt changed, synced), so
    /// the next page's commit appends to it: the header's salt is the same after that commit.
    @Test func theIdleCheckpointStartsTheLogOverBeforeTheNextPage() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("client-\(UUID().uuidString).sqlite").path
        let store = try ClientStore.open(path: path)
        let state = SyncEngine.State(deviceId: device)
        func page(_ n: Int) throws -> PullResponse {
            let id = UUID()
            return self.page([Change(seq: Int64(n), entity: "feedback", id: id.uuidString, op: .put, data: .feedback(try view(id, title: "Phản ánh số \(n)")))], cursor: "c\(n)")
        }
        /// The log header's first salt: SQLite changes it each time the log starts over.
        func salt() throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path + "-wal"))[16..<20]) }
        try store.apply(try page(1), state: state)
        let before = try salt()
        try store.checkpoint()
        let restarted = try salt()
        #expect(restarted != before, "the checkpoint started the log over")
        try store.apply(try page(2), state: state)
        #expect(try salt() == restarted, "the page's commit appended to the log started over")
        #expect(try store.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM records") } == 2)
        // A log holding only the last restart's frame is not started over again.
        try store.checkpoint()
        try store.checkpoint()
        #expect(try store.writer.read { db in try Int.fetchOne(db, sql: "SELECT count FROM log_restarts") } == 2)
        #expect(try store.writer.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 2)
    }

    /// Pulled pages leave the log to the idle checkpoint, past the 1,000 pages at which SQLite
    /// would copy it inside a commit; other writes go back to SQLite's rule.
    @Test func pulledPagesLeaveTheLogToTheIdleCheckpoint() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("client-\(UUID().uuidString).sqlite").path
        let store = try ClientStore.open(path: path)
        let state = SyncEngine.State(deviceId: device)
        var record = try view(UUID(), title: "Phản ánh dài")
        record.description = String(repeating: "Ổ gà sâu trước chợ. ", count: 100)
        for pageNumber in 0..<6 {
            let changes = (0..<200).map { n in
                record.id = UUID()
                return Change(seq: Int64(pageNumber * 200 + n), entity: "feedback", id: record.id.uuidString, op: .put, data: .feedback(record))
            }
            try store.apply(page(changes, cursor: "c\(pageNumber)"), state: state)
        }
        // Other writes go back to SQLite's rule; the idle checkpoint copies the whole log, which
        // no commit copied (it would have started over past 1,000 pages).
        #expect(try store.writer.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") } == 1000)
        let idle = try store.checkpoint()
        #expect(idle.frames > 1000, "six pages of 200 long records: \(idle.frames) frames of log")
        #expect(idle.copied == idle.frames)
    }

    /// A store from before v4 (records in a WITHOUT ROWID table) or v6 (records checked as JSON
    /// on insert) keeps its records, in seq order, and pages still replace a record by (entity, id).
    @Test(arguments: ["v3-payment-attempts", "v5-log-restarts"])
    func recordsSurviveTheRebuildsOfTheirTable(from migration: String) throws {
        let queue = try DatabaseQueue()
        try ClientStore.migrator.migrate(queue, upTo: migration)
        let a = UUID(), b = UUID()
        try queue.write { db in
            for (seq, id) in [(Int64(1), a), (2, b)] {
                try db.execute(sql: "INSERT INTO records (entity, id, seq, data) VALUES ('feedback', ?, ?, ?)",
                               arguments: [id.uuidString, seq, #"{"data":{"title":"cũ"}}"#])
            }
        }
        func records() throws -> [Row] { try queue.read { db in try Row.fetchAll(db, sql: "SELECT entity, id, seq, data FROM records ORDER BY seq") } }
        let before = try records()
        let store = try ClientStore(queue)
        #expect(try records() == before)
        #expect(try queue.read { db in try Int.fetchAll(db, sql: "SELECT seq FROM records ORDER BY rowid") } == [1, 2])
        let sql = try queue.read { db in try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'records'") } ?? ""
        #expect(!sql.contains("WITHOUT ROWID") && !sql.contains("json_valid") && sql.contains("UNIQUE (entity, id)"))
        try store.apply(page([Change(seq: 3, entity: "feedback", id: a.uuidString, op: .put, data: .feedback(try view(a, title: "Ổ gà mới")))], cursor: "c3"),
                        state: SyncEngine.State(deviceId: device))
        #expect(try store.record("feedback", id: a, as: FeedbackView.self)?.title == "Ổ gà mới")
        #expect(try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM records") } == 2)
    }

    @Test func aPageIsAppliedWithItsCursorOrNotAtAll() throws {
        let store = try ClientStore.inMemory()
        let a = UUID(), b = UUID()
        var state = SyncEngine.State(deviceId: device)
        state.cursor = "c1"
        try store.apply(page([Change(seq: 1, entity: "feedback", id: a.uuidString, op: .put, data: .feedback(try view(a, title: "Ổ gà thứ nhất")))], cursor: "c1"), state: state)
        let before = try store.digest()
        // A crash after the first change of the next page: nothing of it remains, the cursor stays.
        var next = state
        next.cursor = "c2"
        struct Crash: Error {}
        var applied = 0
        #expect(throws: Crash.self) {
            try store.apply(
                page([
                    Change(seq: 2, entity: "feedback", id: b.uuidString, op: .put, data: .feedback(try view(b, title: "Ổ gà thứ hai"))),
                    Change(seq: 3, entity: "feedback", id: a.uuidString, op: .remove, data: nil),
                ], cursor: "c2"),
                state: next, beforeCommit: { applied += 1; if applied == 1 { throw Crash() } })
        }
        #expect(try store.digest() == before)
        #expect(try store.syncState()?.cursor == "c1")
        #expect(try store.items("feedback", as: FeedbackView.self).map(\.id) == [a])
        // Applied for real, the page replaces and removes.
        try store.apply(page([
            Change(seq: 2, entity: "feedback", id: b.uuidString, op: .put, data: .feedback(try view(b, title: "Ổ gà thứ hai"))),
            Change(seq: 3, entity: "feedback", id: a.uuidString, op: .remove, data: nil),
        ], cursor: "c2"), state: next)
        #expect(try store.items("feedback", as: FeedbackView.self).map(\.id) == [b])
        #expect(try store.syncState()?.cursor == "c2")
        #expect(try store.digest() == SyncDigest.of([(entity: "feedback", id: b.uuidString, seq: Int64(2))]))
    }

    @Test func localReadsShowPendingAndRejectedWrites() throws {
        let store = try ClientStore.inMemory()
        var engine = SyncEngine(state: .init(deviceId: device))
        let pendingID = UUID(), rejectedID = UUID()
        _ = engine.record(.createFeedback(FeedbackCreate(id: pendingID, draft: FeedbackDraft(
            category: "giao-thong", title: "Chờ gửi", description: "Ghi khi không có mạng.", commune: "28756"))), id: UUID())
        let write = engine.record(.createFeedback(FeedbackCreate(id: rejectedID, draft: FeedbackDraft(
            category: "khong-co", title: "Sai lĩnh vực", description: "Sẽ bị từ chối.", commune: "28756"))), id: UUID())
        // The server refuses the second write.
        _ = engine.handle(.sync)
        let verdict = MutationResult(seq: write.seq, id: write.id, status: .rejected, entity: "feedback", entityId: rejectedID,
                                     code: "category.unknown", message: Message(vi: "Lĩnh vực “khong-co” không tồn tại.", en: "Category “khong-co” does not exist."))
        var state = engine.state
        state.outbox.removeAll { $0.id == write.id }
        state.rejected[write.id] = verdict
        try store.save(state)
        let items = try store.items("feedback", as: FeedbackView.self)
        #expect(items.first { $0.id == pendingID }?.sync == .pending)
        #expect(items.first { $0.id == pendingID }?.created == .createFeedback(FeedbackCreate(id: pendingID, draft: FeedbackDraft(
            category: "giao-thong", title: "Chờ gửi", description: "Ghi khi không có mạng.", commune: "28756"))))
        #expect(items.first { $0.id == rejectedID }?.sync == .rejected(code: "category.unknown", message: Message(
            vi: "Lĩnh vực “khong-co” không tồn tại.", en: "Category “khong-co” does not exist.")))
    }

    @Test func filesStayWithTheirWriteUntilUploadedAndNoLongerNeeded() throws {
        let store = try ClientStore.inMemory()
        var engine = SyncEngine(state: .init(deviceId: device))
        let photo = LocalFile(sha256: String(repeating: "ab", count: 32), mediaType: "image/jpeg", bytes: Data([0xFF, 0xD8, 0xFF, 0x00]))
        let write = engine.record(.createFeedback(FeedbackCreate(id: UUID(), draft: FeedbackDraft(
            category: "giao-thong", title: "Có ảnh", description: "Ảnh chụp khi không có mạng.", commune: "28756", photos: [photo.sha256]))), id: UUID())
        try store.record(engine.state, files: [photo])
        #expect(try store.filesToUpload() == [photo])
        #expect(try store.syncState()?.outbox.map(\.id) == [write.id])
        try store.markUploaded(photo.sha256)
        #expect(try store.filesToUpload().isEmpty)
        // Still referenced by the queued write: kept.
        try store.pruneFiles()
        let kept = try store.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM files") }
        #expect(kept == 1)
        // Acknowledged: the bytes go.
        var state = engine.state
        state.outbox.removeAll()
        try store.save(state)
        try store.pruneFiles()
        let left = try store.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM files") }
        #expect(left == 0)
    }
}
