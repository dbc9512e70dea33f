import Domain
import Foundation
import GRDB
import HTTPTypes
import Testing
@testable import Server

/// A device of one user, syncing through the API.
struct TestDevice {
    let api: TestAPI
    var token: String
    let id: UUID
    var nextSeq: Int64 = 1
    var cursor: String?
    /// entity|id → (seq, data)
    var records: [String: (seq: Int64, data: ChangeData)] = [:]
    var lastDigest: String?

    static func register(_ api: TestAPI, token: String) async throws -> TestDevice {
        let registered = try #require(try await api.call(Endpoints.registerDevice, DeviceRegistration(name: "test", platform: "cli"), token: token).value)
        return TestDevice(api: api, token: token, id: registered.deviceId)
    }

    mutating func mutation(_ command: MutationCommand, expectedStatus: String? = nil) -> Mutation {
        defer { nextSeq += 1 }
        return Mutation(seq: nextSeq, id: UUID(), command: command, expectedStatus: expectedStatus, madeAt: api.clock.now)
    }

    func push(_ mutations: [Mutation]) async throws -> Answer<PushResponse> {
        try await api.call(Endpoints.syncPush, PushRequest(deviceId: id, mutations: mutations), token: token)
    }

    /// Pulls every page, applying each; returns the number of pages.
    @discardableResult
    mutating func pullAll(limit: Int = 500, version: Int = SyncProtocol.currentVersion) async throws -> Int {
        var pages = 0
        while true {
            let answer = try await api.call(Endpoints.syncPull, PullRequest(protocolVersion: version, deviceId: id, cursor: cursor, limit: limit), token: token)
            let page = try #require(answer.value, "\(String(describing: answer.problem))")
            apply(page)
            pages += 1
            if !page.hasMore { return pages }
        }
    }

    mutating func apply(_ page: PullResponse) {
        for change in page.changes {
            let key = change.entity + "|" + change.id
            switch change.op {
            case .put: if let data = change.data { records[key] = (change.seq, data) }
            case .remove: records.removeValue(forKey: key)
            }
        }
        cursor = page.cursor
        lastDigest = page.digest
    }

    var digest: String {
        SyncDigest.of(records.map { key, value in
            let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
            return (parts[0], parts[1], value.seq)
        })
    }

    func feedback(_ id: UUID) -> FeedbackView? {
        if case .feedback(let view)? = records["feedback|" + id.uuidString]?.data { return view }
        return nil
    }
}

extension FeedbackCreate {
    static func sample(_ title: String = "Ổ gà trên đường Đồng Khởi") -> FeedbackCreate {
        FeedbackCreate(id: UUID(), draft: FeedbackDraft(
            category: "giao-thong", title: title, description: "Ổ gà sâu khoảng 20 cm, nguy hiểm cho xe máy.", commune: "28756", isPublic: false))
    }
}

@Suite struct SyncPushTests {
    @Test func aRetriedPushTakesEffectOnceAndReturnsTheStoredResults() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let token = try await api.citizen("0912345678").accessToken
            var device = try await TestDevice.register(api, token: token)
            let create = FeedbackCreate.sample()
            let batch = [device.mutation(.createFeedback(create)), device.mutation(.withdrawFeedback(id: create.id, reason: "Nhầm"))]
            let first = try #require(try await device.push(batch).value)
            #expect(first.results.map(\.status) == [.applied, .applied])
            #expect(first.lastAppliedSeq == 2)
            // The reply was lost: the same batch again, then again after a restart of the app.
            let second = try #require(try await device.push(batch).value)
            #expect(second.results == first.results)
            #expect(try await device.push(batch).value?.results == first.results)
        }
        try await fixture.store.database.reader.read { db throws in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM feedback") == 1)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM history WHERE action = 'withdraw'") == 1)
        }
    }

    @Test func aWriteFailingAfterItChangedRowsIsUndoneAloneAndRejected() async throws {
        let fixture = try await APIFixture()
        // The history insert of one item fails after its tracking code and feedback row were written.
        try await fixture.store.database.writer.write { db in
            try db.execute(sql: """
                CREATE TRIGGER boom BEFORE INSERT ON history
                WHEN (SELECT title FROM feedback WHERE id = NEW.item_id) = 'Nổ ống nước'
                BEGIN SELECT RAISE(ABORT, 'boom'); END
                """)
        }
        try await fixture.run { api in
            let token = try await api.citizen("0912345678").accessToken
            var device = try await TestDevice.register(api, token: token)
            let batch = [device.mutation(.createFeedback(.sample())), device.mutation(.createFeedback(.sample("Nổ ống nước"))),
                         device.mutation(.createFeedback(.sample("Cống nghẹt")))]
            let answer = try #require(try await device.push(batch).value)
            #expect(answer.results.map(\.status) == [.applied, .rejected, .applied])
            #expect(answer.results[1].code == "item.constraint")
            #expect(answer.lastAppliedSeq == 3)
            // The push ran bare, then once more isolated (a savepoint per write) for the failure.
            #expect(fixture.store.database.groupCommit.batchesIsolated == 1)
            // Nothing of the failed write stayed: not its row, not its tracking code.
            let (titles, codes) = try await fixture.store.database.reader.read { db in
                (try String.fetchAll(db, sql: "SELECT title FROM feedback ORDER BY tracking_code"),
                 try String.fetchAll(db, sql: "SELECT substr(tracking_code, -6) FROM feedback ORDER BY tracking_code"))
            }
            #expect(titles == ["Ổ gà trên đường Đồng Khởi", "Cống nghẹt"])
            #expect(codes == ["000001", "000002"])
        }
    }

    @Test func aGapIsRefusedAndARejectedWriteStillAdvancesTheQueue() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let token = try await api.citizen("0912345678").accessToken
            var device = try await TestDevice.register(api, token: token)
            let ok = device.mutation(.createFeedback(.sample()))
            let skipped = device.mutation(.createFeedback(.sample("Đèn đường hỏng")))
            let third = device.mutation(.createFeedback(.sample("Cống nghẹt")))
            let gap = try await device.push([third])
            #expect(gap.status == .conflict)
            #expect(gap.problem?.code == "sync.sequence_gap")
            #expect(gap.headers[HTTPField.Name("Sync-Expected-Seq")!] == "1")
            _ = skipped
            // A write the server refuses gets its reason, and the writes behind it still apply.
            let bad = Mutation(seq: 2, id: UUID(), command: .createFeedback(FeedbackCreate(id: UUID(), draft: FeedbackDraft(
                category: "khong-co", title: "Không có lĩnh vực", description: "Lĩnh vực này không tồn tại.", commune: "28756"))))
            let answer = try #require(try await device.push([ok, bad, third]).value)
            #expect(answer.results.map(\.status) == [.applied, .rejected, .applied])
            #expect(answer.results[1].code == "category.unknown")
            #expect(answer.results[1].messageVi == "Lĩnh vực “khong-co” không tồn tại.")
            #expect(answer.lastAppliedSeq == 3)
            // Nothing of the rejected write was stored.
            #expect(try await fixture.store.database.reader.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM feedback") } == 2)
        }
    }

    @Test func devicesBelongToTheirUserAndVersionsAreChecked() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let alice = try await api.citizen("0912345678").accessToken
            let bob = try await api.citizen("0987654321").accessToken
            let device = try await TestDevice.register(api, token: alice)
            let stolen = try await api.call(Endpoints.syncPull, PullRequest(deviceId: device.id), token: bob)
            #expect(stolen.problem?.code == "sync.unknown_device")
            let future = try await api.call(Endpoints.syncPull, PullRequest(protocolVersion: 9, deviceId: device.id), token: alice)
            #expect(future.status == .badRequest)
            #expect(future.problem?.code == "sync.unsupported_version")
            // One version behind still syncs (without the digest, which version 2 added).
            var old = device
            _ = try await old.pullAll(version: 1)
            #expect(old.lastDigest == nil)
            var current = device
            _ = try await current.pullAll()
            #expect(current.lastDigest != nil)
            // A routine pull may skip the digest (it reads the whole view).
            let quick = try await api.call(Endpoints.syncPull, PullRequest(deviceId: device.id, wantDigest: false), token: alice)
            #expect(quick.value?.hasMore == false)
            #expect(quick.value?.digest == nil)
            let asked = try await api.call(Endpoints.syncPull, PullRequest(deviceId: device.id, wantDigest: true), token: alice)
            #expect(asked.value?.digest == current.lastDigest)
        }
    }

    @Test func anOfflineStatusChangeThatConflictsIsRejectedNotOverwritten() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let citizen = try await api.citizen("0912345678").accessToken
            let item = try await api.fileFeedback(citizen)
            let first = try await api.staff("cb.xaydung").accessToken
            let supervisor = try await api.staff("gs.xaydung").accessToken
            var offline = try await TestDevice.register(api, token: first)
            // While the first official is offline, the supervisor rejects the item.
            _ = try await api.call(Endpoints.rejectFeedback, RejectBody(reason: .spam, note: "Nội dung quảng cáo"), token: supervisor, id: item.id)
            let start = offline.mutation(.startFeedback(id: item.id), expectedStatus: "assigned")
            let answer = try #require(try await offline.push([start]).value)
            #expect(answer.results[0].status == .rejected)
            #expect(answer.results[0].code == "sync.conflict")
            #expect(answer.results[0].messageVi?.contains("rejected") == true)
            #expect(try await api.call(Endpoints.getFeedback, token: supervisor, id: item.id).value?.status == .rejected)
        }
    }

    @Test func deviceClocksDoNotMatter() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let token = try await api.citizen("0912345678").accessToken
            var device = try await TestDevice.register(api, token: token)
            var writes: [Mutation] = []
            for (offset, title) in [(-365.0, "Ổ gà năm ngoái"), (365.0, "Ổ gà năm sau")] {
                var m = device.mutation(.createFeedback(.sample(title)))
                m.madeAt = api.clock.now.addingTimeInterval(offset * 86400)
                writes.append(m)
            }
            _ = try await device.push(writes)
            try await device.pullAll()
            let received = device.records.values.compactMap { value -> FeedbackView? in
                if case .feedback(let view) = value.data { return view }
                return nil
            }
            #expect(received.count == 2)
            // Server time decides: both were received now, and codes follow the push order.
            #expect(received.allSatisfy { $0.receivedAt == api.clock.now })
            #expect(Set(received.compactMap(\.trackingCode)) == ["PA-261130-000001", "PA-261130-000002"])
        }
    }
}

@Suite struct SyncPullTests {
    @Test func pullsResumeFromEveryPageBoundaryToTheSameStateAndDigest() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let token = try await api.citizen("0912345678").accessToken
            var writer = try await TestDevice.register(api, token: token)
            var batch: [Mutation] = []
            for index in 0..<12 { batch.append(writer.mutation(.createFeedback(.sample("Ổ gà số \(index + 1)")))) }
            let id = batch[3].command.target.id
            batch.append(writer.mutation(.withdrawFeedback(id: id, reason: "Đã sửa")))
            _ = try await writer.push(batch)
            var reference = try await TestDevice.register(api, token: token)
            try await reference.pullAll()
            #expect(reference.digest == reference.lastDigest)
            // Interrupt after each page k, "restart" (keep only the cursor and records), resume.
            for stop in 1...6 {
                var device = try await TestDevice.register(api, token: token)
                for _ in 0..<stop {
                    let page = try #require(try await api.call(Endpoints.syncPull, PullRequest(deviceId: device.id, cursor: device.cursor, limit: 3), token: token).value)
                    device.apply(page)
                    if !page.hasMore { break }
                }
                try await device.pullAll(limit: 3)
                #expect(device.digest == reference.digest, "stopped after page \(stop)")
                #expect(device.lastDigest == reference.digest)
                #expect(device.feedback(id)?.status == .withdrawn)
            }
        }
    }

    @Test func theDigestsSQLVisibilityAgreesWithMayRead() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let lan = try await api.citizen("0912345678").accessToken, minh = try await api.citizen("0987654321").accessToken
            _ = try await api.fileFeedback(lan)
            _ = try await api.fileFeedback(lan, isPublic: false)
            _ = try await api.fileFeedback(lan, anonymous: true)
            _ = try await api.fileFeedback(minh, category: "y-te", isPublic: false)
            _ = try await api.fileFeedback(minh, category: "y-te")
            let users = try await fixture.store.database.reader.read { db in try Row.fetchAll(db, sql: "SELECT id, role, agency_code FROM users") }
            // One item still `submitted`, as a crash between submit and receive could leave it.
            try await fixture.store.database.writer.write { db in
                try db.execute(sql: "UPDATE feedback SET status = 'submitted' WHERE rowid = (SELECT min(rowid) FROM feedback)")
            }
            let items = try await fixture.store.database.reader.read { db in
                try String.fetchAll(db, sql: "SELECT id FROM feedback").map { try #require(try SQLiteStore.fetch(Feedback.self, key: $0, db: db)) }
            }
            #expect(items.contains { $0.status == .submitted })
            #expect(users.count >= 8)
            for user in users {
                let viewer = Actor(id: UUID(uuidString: user["id"])!, role: Role(rawValue: user["role"])!, agencyCode: user["agency_code"])
                let (condition, values) = FeedbackController.readableCondition(viewer)
                let bySQL = try await fixture.store.database.reader.read { db in
                    try String.fetchSet(db, sql: "SELECT f.id FROM feedback AS f WHERE \(condition)", arguments: StatementArguments(values))
                }
                let bySwift = Set(items.filter { FeedbackController.mayRead($0, viewer) }.map(\.id.uuidString))
                #expect(bySQL == bySwift, "\(viewer.role) \(viewer.agencyCode ?? "")")
            }
        }
    }

    @Test func aTransferRemovesTheItemFromTheOldAgencysDevices() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let citizen = try await api.citizen("0912345678").accessToken
            let item = try await api.fileFeedback(citizen)
            var roads = try await TestDevice.register(api, token: try await api.staff("cb.xaydung").accessToken)
            var ward = try await TestDevice.register(api, token: try await api.staff("cb.phukhuong").accessToken)
            try await roads.pullAll()
            try await ward.pullAll()
            #expect(roads.feedback(item.id) != nil)
            #expect(ward.feedback(item.id) == nil)
            let supervisor = try await api.staff("gs.xaydung").accessToken
            _ = try await api.call(Endpoints.transferFeedback, TransferBody(agency: "UBND-28756", reason: "Thuộc phường quản lý"), token: supervisor, id: item.id)
            try await roads.pullAll()
            try await ward.pullAll()
            #expect(roads.feedback(item.id) == nil)
            #expect(ward.feedback(item.id)?.agency == "UBND-28756")
            #expect(roads.digest == roads.lastDigest)
            #expect(ward.digest == ward.lastDigest)
        }
    }

    @Test func noOneReceivesWhatTheyMayNotSee() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let alice = try await api.citizen("0912345678").accessToken
            let bob = try await api.citizen("0987654321").accessToken
            let hidden = try await api.fileFeedback(alice, title: "Việc riêng tư cần báo", isPublic: false)
            let open = try await api.fileFeedback(alice, title: "Ổ gà công khai")
            _ = try await api.call(Endpoints.postFeedbackMessage, MessageCreate(id: UUID(), body: "Bổ sung ảnh"), token: alice, id: open.id)
            var bobs = try await TestDevice.register(api, token: bob)
            try await bobs.pullAll()
            #expect(bobs.feedback(hidden.id) == nil)
            #expect(bobs.feedback(open.id)?.citizenId == nil)
            #expect(!bobs.records.keys.contains { $0.hasPrefix("feedback_message|") })
            #expect(bobs.digest == bobs.lastDigest)
            // Alice sees her message: the digest counts records other than feedback too.
            var alices = try await TestDevice.register(api, token: alice)
            try await alices.pullAll()
            #expect(alices.records.keys.contains { $0.hasPrefix("feedback_message|") })
            #expect(alices.digest == alices.lastDigest)
            var health = try await TestDevice.register(api, token: try await api.staff("cb.yte").accessToken)
            try await health.pullAll()
            #expect(!health.records.keys.contains { $0.hasPrefix("feedback") })
            #expect(health.records.keys.contains("catalog|catalog"))
        }
    }

    @Test func aCursorFromAnotherServerAsksForAReset() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let token = try await api.citizen("0912345678").accessToken
            var device = try await TestDevice.register(api, token: token)
            try await device.pullAll()
            let foreign = SyncCursor(e: "another-epoch", s: 1).encoded
            let answer = try await api.call(Endpoints.syncPull, PullRequest(deviceId: device.id, cursor: foreign), token: token)
            #expect(answer.status == .gone)
            #expect(answer.problem?.code == "sync.reset_required")
            let ahead = SyncCursor(e: try #require(SyncCursor.decode(device.cursor!)).e, s: 1_000_000).encoded
            #expect(try await api.call(Endpoints.syncPull, PullRequest(deviceId: device.id, cursor: ahead), token: token).status == .gone)
        }
    }

    /// Writers commit while a paginated pull is in progress; the pull, continued to the end,
    /// holds every one of them (SQLite commits in sequence order, and each page is one snapshot).
    @Test func concurrentWritersDuringAPaginatedPullAreNeverMissed() async throws {
        let fixture = try await APIFixture(onDisk: true)
        try await fixture.run { api in
            let token = try await api.citizen("0912345678").accessToken
            var writer = try await TestDevice.register(api, token: token)
            var first: [Mutation] = []
            for index in 0..<20 { first.append(writer.mutation(.createFeedback(.sample("Ổ gà đợt một \(index)")))) }
            _ = try await writer.push(first)
            var reader = try await TestDevice.register(api, token: token)
            let writerCopy = writer
            async let writes: Void = {
                var w = writerCopy
                for round in 0..<10 {
                    _ = try await w.push([w.mutation(.createFeedback(.sample("Ổ gà đợt hai \(round)")))])
                }
            }()
            try await reader.pullAll(limit: 2)
            try await writes
            try await reader.pullAll(limit: 2)
            let titles = reader.records.values.compactMap { value -> String? in
                if case .feedback(let view) = value.data { return view.title }
                return nil
            }
            #expect(titles.count == 30)
            #expect(reader.digest == reader.lastDigest)
        }
    }
}
