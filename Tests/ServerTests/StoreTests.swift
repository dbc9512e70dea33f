import Domain
import Foundation
import GRDB
import Synchronization
import Testing
@testable import Server

@Suite struct MigrationTests {
    @Test func migratesAnEmptyFileAndReopensAMigratedOne() throws {
        let path = StoreFixture.temporaryFolder().appendingPathComponent("db.sqlite").path
        let first = try AppDatabase.open(path: path)
        let applied = try first.reader.read { db in try AppDatabase.migrator.appliedIdentifiers(db) }
        #expect(applied == Set(AppDatabase.migrator.migrations))
        #expect(applied.contains("v1-feedback"))
        try first.writer.write { db throws in
            try db.execute(sql: "INSERT INTO reference_versions (version, loaded_at) VALUES ('marker', 0)")
        }
        // Opening again applies nothing new and keeps the data.
        let second = try AppDatabase.open(path: path)
        try second.reader.read { db throws in
            #expect(try AppDatabase.migrator.hasCompletedMigrations(db))
            #expect(try String.fetchOne(db, sql: "SELECT version FROM reference_versions") == "marker")
        }
    }

    /// Processes opening the same file at the same moment (the server starting while an admin
    /// command runs), a new one or one from before the last migrations, all open it, and it ends
    /// migrated once, whole.
    @Test(arguments: [nil, "v1-feedback"])
    func opensAtTheSameMomentAllSucceed(from migration: String?) throws {
        // Twenty times: a race lost shows in about half of five.
        for _ in 0..<20 {
            let path = StoreFixture.temporaryFolder().appendingPathComponent("db.sqlite").path
            if let migration { try AppDatabase.migrator.migrate(try DatabasePool(path: path), upTo: migration) }
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                do { _ = try AppDatabase.open(path: path) } catch { failures.withLock { $0.append("\(error)") } }
            }
            #expect(failures.withLock { $0 } == [])
            let database = try AppDatabase.open(path: path)
            try database.reader.read { db throws in
                #expect(try AppDatabase.migrator.appliedIdentifiers(db) == Set(AppDatabase.migrator.migrations))
                #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
            }
        }
    }

    @Test func writesAreDurableWithForeignKeysOn() throws {
        let path = StoreFixture.temporaryFolder().appendingPathComponent("db.sqlite").path
        let database = try AppDatabase.open(path: path)
        #expect(try database.writerSynchronousSetting() == 2)  // FULL, on the writer connection itself
        try database.reader.read { db throws in
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal")
            #expect(try Int.fetchOne(db, sql: "PRAGMA foreign_keys") == 1)
        }
    }
}

@Suite struct StoreTests {
    @Test func referenceDataRoundTripsAndIsInstalledOnce() async throws {
        let fixture = try await StoreFixture()
        let stored = try #require(try await fixture.store.catalog())
        #expect(stored.version == fixture.catalog.version)
        #expect(Set(stored.communes.map(\.code)) == Set(fixture.catalog.communes.map(\.code)))
        #expect(Set(stored.agencies.map(\.code)) == Set(fixture.catalog.agencies.map(\.code)))
        #expect(stored.categories == fixture.catalog.categories)
        #expect(stored.procedures == fixture.catalog.procedures)
        #expect(stored.calendarDays == fixture.catalog.calendarDays)
        #expect(try await fixture.store.install(fixture.catalog, at: fixture.now) == false)
    }

    @Test func aNewerEditionRetiresWhatItLacksWithoutBreakingStoredItems() async throws {
        let fixture = try await StoreFixture()
        let feedback = try await fixture.fileFeedback()
        var newer = fixture.catalog
        newer.version = "2026-01-01"
        newer.communes.removeAll { $0.code == "28756" }
        newer.agencies.removeAll { $0.code == "UBND-28756" }
        newer.categories.removeAll { $0.code == "chieu-sang" }
        #expect(try await fixture.store.install(try newer.validated(), at: fixture.now) == true)
        let current = try #require(try await fixture.store.catalog())
        #expect(current.version == "2026-01-01")
        #expect(!current.communes.contains { $0.code == "28756" })
        #expect(current.category("chieu-sang") == nil)
        // The feedback filed under the retired commune still reads back with its code.
        #expect(try await fixture.store.feedback(id: feedback.id)?.location.commune?.value == "28756")
        try await fixture.database.reader.read { db throws in
            #expect(try String.fetchOne(db, sql: "SELECT valid_to FROM communes WHERE code = '28756'") != nil)
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
        }
    }

    @Test func feedbackRoundTripsWithItsHistoryAndChangeLog() async throws {
        let fixture = try await StoreFixture()
        let filed = try await fixture.fileFeedback()
        #expect(filed.trackingCode?.value == "PA-261130-000001")
        #expect(try await fixture.fileFeedback(title: "Cống thoát nước bị nghẹt").trackingCode?.value == "PA-261130-000002")
        let read = try #require(try await fixture.store.feedback(id: filed.id))
        #expect(read == filed)
        let account = try await fixture.store.addStaff(
            id: UUID(), username: try Username("cb.xaydung"), role: .official, agencyCode: "SXD", passwordHash: "x", at: fixture.now)
        let official = Actor.staff(account.id, role: .official, agency: "SXD")
        let started = try await fixture.store.update(id: filed.id, at: fixture.now) { current in
            try current.applying(.start, by: official, at: fixture.now)
        }
        #expect(started.status == .inProgress)
        #expect(try await fixture.store.feedback(id: filed.id) == started)
        let history = try await fixture.store.history(of: .feedback, id: filed.id)
        #expect(history.map(\.action) == ["receive", "receive", "route", "start"])
        #expect(history.map(\.toStatus) == ["submitted", "received", "assigned", "in_progress"])
        #expect(history.first?.deviceID == fixture.citizen.deviceID)
        try await fixture.database.reader.read { db throws in
            let entries = try Row.fetchAll(db, sql: "SELECT * FROM change_log WHERE entity = 'feedback' AND entity_id = ?",
                                           arguments: [filed.id.uuidString])
            #expect(entries.count == 2)
            #expect(entries.allSatisfy { ($0["agency_code"] as String?) == "SXD" && ($0["owner_id"] as String?) == fixture.citizen.id.uuidString })
        }
    }

    /// A feedback item reads back the same through a copied row (one item) and through the
    /// statement of a pull page (`StoredColumns`), whichever of its columns are empty.
    @Test func feedbackReadsTheSameThroughARowAndThroughAPage() async throws {
        let fixture = try await StoreFixture()
        let official = try await fixture.roadsOfficial()
        let resolved = try await fixture.resolvedAndRatedFeedback(by: official)
        let duplicate = try await fixture.fileFeedback(title: "Đèn đường hỏng lần nữa")
        _ = try await fixture.store.update(id: duplicate.id, at: fixture.now) {
            try $0.applying(.reject(.duplicate, note: "Trùng phản ánh trước", duplicateOf: resolved.id), by: official, at: fixture.now)
        }
        let plain = try await fixture.fileFeedback()
        let ids = [resolved.id, duplicate.id, plain.id]
        try await fixture.database.reader.read { db throws in
            // Every change of the three items, each with the item as it is now.
            var page: [UUID: Feedback] = [:]
            try SyncService.eachPageRow(db, after: 0, for: .system, now: fixture.now, limit: 1000) { _, record, read in
                guard case .feedback(let id) = record, case .item(let feedback) = read else { return }
                let item = try #require(feedback)
                #expect(item.id == id)
                #expect(page[id] == nil || page[id] == item)
                page[id] = item
            }
            #expect(page.count == 3)
            for id in ids {
                let row = try #require(try SQLiteStore.fetch(Feedback.self, key: id.uuidString, db: db))
                #expect(page[id] == row)
            }
            #expect(page[resolved.id]?.rating?.comment?.value == "Nhanh, cảm ơn")
            #expect(page[duplicate.id]?.rejection?.duplicateOf == resolved.id)
            #expect(page[plain.id]?.rating == nil && page[plain.id]?.answer == nil)
        }
    }

    /// Events are written several rows a statement; they read back as given, in order.
    @Test func historyKeepsEveryEventInOrder() async throws {
        let fixture = try await StoreFixture()
        let item = UUID()
        for count in [1, 3, 4, 6, 9] {
            let events = (0..<count).map { (n: Int) -> HistoryEvent in
                let role: Role = n.isMultiple(of: 2) ? .official : .system
                let device: UUID? = n == 1 ? UUID() : nil
                let from: String? = n == 0 ? nil : "s\(n - 1)"
                let reason: String? = n == 2 ? "lý do \"thử\"" : nil
                return HistoryEvent(itemKind: .invoice, itemID: item, at: fixture.now.addingTimeInterval(Double(n)), actorID: UUID(),
                                    actorRole: role, deviceID: device, action: "step \(count).\(n)", fromStatus: from,
                                    toStatus: "s\(n)", reason: reason)
            }
            let before = try await fixture.store.history(of: .invoice, id: item)
            try await fixture.database.write { db in try SQLiteStore.record(events, db: db) }
            #expect(try await fixture.store.history(of: .invoice, id: item) == before + events)
        }
    }

    @Test func aTransferLeavesARemoveForTheOldAgency() async throws {
        let fixture = try await StoreFixture()
        let filed = try await fixture.fileFeedback()
        let supervisor = Actor.staff(UUID(), role: .supervisor, agency: "SXD")
        _ = try await fixture.store.update(id: filed.id, at: fixture.now) { current in
            try current.applying(.transfer(agency: "UBND-28756", reason: "Đường do phường quản lý"), by: supervisor, at: fixture.now)
        }
        try await fixture.database.reader.read { db throws in
            let remove = try Row.fetchOne(db, sql: "SELECT * FROM change_log WHERE op = 'remove'")
            #expect(remove?["left_agency_code"] as String? == "SXD")
            #expect(remove?["entity_id"] as String? == filed.id.uuidString)
        }
    }

    @Test func aWriteThatFailsMidwayLeavesNothingBehind() async throws {
        let fixture = try await StoreFixture()
        let before = try await (fixture.count("feedback"), fixture.count("history"), fixture.count("change_log"),
                                fixture.count("daily_sequences"))
        let draft = FeedbackDraft(category: "giao-thong", title: "Ổ gà lớn", description: "Mô tả đủ dài để hợp lệ.", commune: "28756")
        let (submitted, event) = try Feedback.submit(draft, id: UUID(), by: fixture.citizen, at: fixture.now, catalog: fixture.catalog)
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            _ = try await fixture.store.create(submitted, event: event, at: fixture.now) { feedback, sequences in
                _ = try sequences.next(kind: "feedback", scope: "province", day: LocalDate(iso: "2026-11-30")!)
                throw Boom()
            }
        }
        let after = try await (fixture.count("feedback"), fixture.count("history"), fixture.count("change_log"),
                               fixture.count("daily_sequences"))
        #expect(before == after)
        // A refused transition leaves the stored item as it was.
        let filed = try await fixture.fileFeedback()
        await #expect(throws: FeedbackError.transition(.notAllowedFrom(.assigned, .resolve))) {
            _ = try await fixture.store.update(id: filed.id, at: fixture.now) { current in
                try current.applying(.resolve(answer: "Đã xử lý xong ổ gà."), by: .staff(UUID(), agency: "SXD"), at: fixture.now)
            }
        }
        #expect(try await fixture.store.feedback(id: filed.id) == filed)
        // The sequence the failed write drew was not consumed: the next code is 000001.
        #expect(filed.trackingCode?.sequence == 1)
    }

    @Test func theSchemaRefusesWhatTheDomainWouldRefuse() async throws {
        let fixture = try await StoreFixture()
        let filed = try await fixture.fileFeedback()
        try await fixture.database.writer.write { db throws in
            #expect(throws: DatabaseError.self) { try db.execute(sql: "UPDATE feedback SET status = 'lost'") }
            #expect(throws: DatabaseError.self) { try db.execute(sql: "UPDATE feedback SET rating = 6") }
            #expect(throws: DatabaseError.self) { try db.execute(sql: "UPDATE feedback SET commune_code = '99999'") }
            #expect(throws: DatabaseError.self) { try db.execute(sql: "UPDATE feedback SET latitude = NULL, commune_code = NULL") }
            #expect(throws: DatabaseError.self) { try db.execute(sql: "UPDATE feedback SET duplicate_of = id, rejection_reason = 'duplicate', status = 'rejected'") }
            #expect(throws: DatabaseError.self) { try db.execute(sql: "UPDATE history SET reason = 'rewritten'") }
            #expect(throws: DatabaseError.self) { try db.execute(sql: "DELETE FROM history") }
            #expect(throws: DatabaseError.self) { try db.execute(sql: "DELETE FROM change_log") }
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "INSERT INTO users (id, role, phone, created_at) VALUES ('x', 'citizen', '0912345678', 0)")
            }
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "INSERT INTO users (id, role, username, password_hash, created_at) VALUES ('y', 'official', 'a.b', 'h', 0)")
            }
        }
        #expect(try await fixture.store.feedback(id: filed.id) == filed)
    }

    @Test func aDossierGetsItsCodeAndFeeInvoiceInOneWrite() async throws {
        let fixture = try await StoreFixture()
        let draft = ServiceRequestDraft(
            procedure: "2.000908",
            fields: ["full_name": "Trần Thị Bích", "birth_date": "1990-05-17", "cccd": "086190123456",
                     "form_number": "Phiếu số 1", "purpose": "Xin việc"])
        let (created, event) = try ServiceRequest.create(draft, id: UUID(), by: fixture.citizen, at: fixture.now, catalog: fixture.catalog)
        try await fixture.store.create(created, events: [event], at: fixture.now)
        let citizen = fixture.citizen, official = fixture.official, now = fixture.now, catalog = fixture.catalog
        _ = try await fixture.store.update(id: created.id, at: now) { current, _ in
            let (next, e) = try current.applying(.submit, by: citizen, at: now)
            return (next, [e], nil)
        }
        let received = try await fixture.store.update(id: created.id, at: now) { current, sequences in
            let day = VietnamTime.local(now).date
            let unit = catalog.agency(current.agencyCode)!.unitCode
            let code = try DossierCode(unitCode: unit, date: day, sequence: try sequences.next(kind: "dossier", scope: unit, day: day))
            let (next, e) = try current.applying(.receive(code: code, processingDays: 10, calendar: catalog.workingCalendar), by: official, at: now)
            let invoice = try Invoice.issue(
                id: UUID(), to: current.citizenID, agency: current.agencyCode, purpose: .serviceFee, description: "Phí thủ tục",
                amount: current.fee.amount, serviceRequestID: current.id, by: .system, at: now)
            return (next, [e], invoice)
        }
        #expect(received.dossierCode?.value == "000.00.11.H62-261130-0001")
        #expect(try await fixture.store.serviceRequest(id: created.id) == received)
        #expect(try await fixture.count("invoices") == 1)
        #expect(try await fixture.store.history(of: .serviceRequest, id: created.id).map(\.toStatus) == ["draft", "submitted", "received"])
    }

    /// Lists of strings are stored as the encoder writes them (the column's readers and the
    /// stored databases expect that text), whatever the strings hold.
    @Test func aListOfStringsIsStoredAsTheEncoderWritesIt() {
        func encoded<T: Encodable>(_ value: T) -> String { jsonText(value) }
        var rng = SplitMix64(seed: 301126)
        let pieces = ["a", "/", "\\", "\"", "\n", "\u{01}", "\u{7F}", "ảnh", "😀", " ", "photos/ab12.jpg", "\u{2028}", ""]
        for count in [0, 0, 1, 2, 5] + (0..<200).map({ _ in Int.random(in: 0...4, using: &rng) }) {
            let values = (0..<count).map { _ in (0..<Int.random(in: 0...4, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined() }
            #expect(jsonText(values) == encoded(values), "\(values)")
        }
    }

    @Test func idempotencyKeysAreUniquePerCitizen() async throws {
        let fixture = try await StoreFixture()
        _ = try await fixture.pendingPayment(key: "same-key-123")
        await #expect(throws: StoreError.conflict("idempotency key same-key-123")) {
            _ = try await fixture.pendingPayment(key: "same-key-123")
        }
    }
}

@Suite struct ReceiptNumberingTests {
    /// Many payments of one agency succeed at once: the receipts are numbered 1…n, no gap, no repeat,
    /// and a confirmation that fails (wrong amount) consumes no number.
    @Test func concurrentSuccessesGetGaplessNumbers() async throws {
        let fixture = try await StoreFixture(onDisk: true)
        let count = 40
        var payments: [Payment] = []
        for _ in 0..<count { payments.append(try await fixture.pendingPayment()) }
        let wrong = try await fixture.pendingPayment(amount: 99_000)
        let store = fixture.store, now = fixture.now
        let numbers = try await withThrowingTaskGroup(of: Int?.self) { group in
            for payment in payments + [wrong] {
                group.addTask {
                    do {
                        return try await store.recordSuccess(
                            paymentID: payment.id, confirmedAmount: VND(unchecked: 200_000), providerReference: "SBX-\(payment.id)",
                            receiptID: UUID(), at: now
                        ).number.number
                    } catch PaymentError.amountMismatch {
                        return nil
                    }
                }
            }
            var all: [Int] = []
            for try await number in group { if let number { all.append(number) } }
            return all
        }
        #expect(numbers.sorted() == Array(1...count))
        let receipts = try await store.receipts(citizenID: fixture.citizen.id)
        #expect(Set(receipts.map(\.number.formatted)).count == count)
        #expect(receipts.allSatisfy { $0.number.series == "BL2026" && $0.amountInWords == "Hai trăm nghìn đồng" })
        // The wrong-amount payment is still pending and its invoice open.
        let stillPending = try await fixture.database.reader.read { db throws in
            try String.fetchOne(db, sql: "SELECT status FROM payments WHERE id = ?", arguments: [wrong.id.uuidString])
        }
        #expect(stillPending == "pending")
        // Receipts cannot be edited.
        await #expect(throws: DatabaseError.self) {
            try await fixture.database.writer.write { db in try db.execute(sql: "UPDATE receipts SET amount = 1") }
        }
    }
}

/// `Database.run(_:binding:)`: values bound through SQLite's C API store what GRDB's arguments
/// would, and the statement stays usable whichever way it was last run.
@Suite struct BoundValueTests {
    private func table() throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        try queue.write { db in try db.execute(sql: "CREATE TABLE t (a TEXT, b INTEGER, c REAL, d INTEGER, e TEXT UNIQUE)") }
        return queue
    }
    private let insert = "INSERT INTO t (a, b, c, d, e) VALUES (?, ?, ?, ?, ?)"

    @Test func eachTypeStoresWhatGRDBWouldStore() throws {
        let queue = try table()
        let rows: [[(any BoundValue)?]] = [
            ["Đường Phạm Thái Bường, phường 4", Int64.max, 10.2537, true, "một"],
            ["", -1, -0.5, false, nil],
            [nil, nil, nil, nil, "ba"],
        ]
        let viaGRDB: [[(any DatabaseValueConvertible)?]] = [
            ["Đường Phạm Thái Bường, phường 4", Int64.max, 10.2537, true, "một"],
            ["", -1, -0.5, false, nil],
            [nil, nil, nil, nil, "ba"],
        ]
        try queue.write { db throws in
            for row in rows { try db.run(insert, binding: row) }
            let bound = try Row.fetchAll(db, sql: "SELECT a, b, c, d, e, typeof(a), typeof(b), typeof(d) FROM t ORDER BY rowid")
            try db.execute(sql: "DELETE FROM t")
            for row in viaGRDB { try db.execute(sql: insert, arguments: StatementArguments(row)) }
            let expected = try Row.fetchAll(db, sql: "SELECT a, b, c, d, e, typeof(a), typeof(b), typeof(d) FROM t ORDER BY rowid")
            #expect(bound == expected)
            #expect(bound[0]["a"] as String? == "Đường Phạm Thái Bường, phường 4")
            #expect(bound[1]["a"] as String? == "" && bound[1]["typeof(a)"] as String? == "text")
            #expect(bound[2]["typeof(b)"] as String? == "null")
        }
    }

    @Test func theWrongNumberOfValuesIsRefusedAndWritesNothing() throws {
        let queue = try table()
        try queue.write { db throws in
            #expect(throws: DatabaseError.self) { try db.run(insert, binding: ["x", 1, 1.0, true]) }
            #expect(throws: DatabaseError.self) { try db.run(insert, binding: ["x", 1, 1.0, true, "y", "z"]) }
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM t") == 0)
        }
    }

    @Test func anIntegerIsReadBackByTheSameBinding() throws {
        let queue = try table()
        try queue.write { db throws in
            try db.run(insert, binding: ["có", 7, nil, nil, "một"])
            try db.run(insert, binding: ["không", nil, nil, nil, "hai"])
            let read = "SELECT b FROM t WHERE a = ?"
            #expect(try db.int(read, binding: ["có"]) == 7)
            #expect(try db.int(read, binding: ["không"]) == nil)
            #expect(try db.int(read, binding: ["chưa có"]) == nil)
            #expect(try db.int(read, binding: ["có"]) == 7)
            #expect(throws: DatabaseError.self) { try db.int(read, binding: []) }
        }
    }

    /// A failed execution, and runs through GRDB's own arguments in between, leave nothing bound
    /// that the next run would store.
    @Test func theStatementRunsAgainAfterAFailureAndAfterGRDBsArguments() throws {
        let queue = try table()
        try queue.write { db throws in
            try db.run(insert, binding: ["first", 1, 1.5, true, "taken"])
            #expect(throws: DatabaseError.self) { try db.run(insert, binding: ["second", 2, 2.5, false, "taken"]) }
            try db.execute(sql: insert, arguments: ["third", 3, 3.5, true, "three"])
            try db.run(insert, binding: [nil, nil, nil, nil, "four"])
            try db.cachedStatement(sql: insert).execute(arguments: ["fifth", 5, 5.5, false, "five"])
            try db.run(insert, binding: ["sixth", nil, nil, nil, nil])
            let rows = try Row.fetchAll(db, sql: "SELECT a, b, e FROM t ORDER BY rowid")
            #expect(rows.map { $0["a"] as String? } == ["first", "third", nil, "fifth", "sixth"])
            #expect(rows.map { $0["b"] as Int? } == [1, 3, nil, 5, nil])
            #expect(rows.map { $0["e"] as String? } == ["taken", "three", "four", "five", nil])
        }
    }
}

/// Each list of feedback reads its rows in the order it shows them, through an index, so a page
/// stops after its rows whatever the table holds (plans without statistics, as SQLite plans on a
/// database never analysed).
@Suite struct FeedbackListPlanTests {
    private func plan(_ query: FeedbackQuery) async throws -> String {
        let database = try AppDatabase.inMemory()
        let (sql, filter, _) = try SQLiteStore.feedbackPageSQL(query)
        return try await database.reader.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: filter.arguments).map { $0["detail"] as String }.joined(separator: "; ")
        }
    }

    @Test func everyListShownInItsOrderWalksAnIndexInThatOrder() async throws {
        var shapes: [(String, FeedbackQuery, String)] = []
        var publicList = FeedbackQuery()
        publicList.publicOnly = true
        shapes.append(("public, newest", publicList, "feedback_public_newest"))
        var agencyList = FeedbackQuery()
        agencyList.agencyCode = "SXD"
        shapes.append(("an agency's list, newest", agencyList, "feedback_agency_newest"))
        for (sort, index) in [(FeedbackQuery.Sort.due, "feedback_queue_due"), (.age, "feedback_queue_age"), (.priority, "feedback_queue_priority")] {
            var queue = FeedbackQuery()
            queue.agencyCode = "SXD"
            queue.statuses = [.assigned, .inProgress, .reopened]
            queue.sort = sort
            shapes.append(("the queue by \(sort)", queue, index))
            queue.after = ["1", "2", "00000000-0000-0000-0000-000000000000"].suffix(sort == .priority ? 3 : 2)
            shapes.append(("the queue by \(sort), a later page", queue, index))
        }
        for (name, query, index) in shapes {
            let plan = try await plan(query)
            #expect(plan.contains(index), "\(name): \(plan)")
            #expect(!plan.contains("TEMP B-TREE"), "\(name): \(plan)")
        }
    }

    /// Filtered by a status, an agency's newest-first list finds the items of that status and
    /// sorts them, instead of walking all of the agency's items looking for a rare status.
    @Test func anAgencysListFilteredByStatusFindsThoseItemsFirst() async throws {
        var query = FeedbackQuery()
        query.agencyCode = "SXD"
        query.statuses = [.resolved]
        let plan = try await plan(query)
        #expect(plan.contains("feedback_queue (agency_code=? AND status=?)"), "\(plan)")
    }
}
