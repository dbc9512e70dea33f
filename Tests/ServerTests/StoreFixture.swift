import Domain
import Foundation
import GRDB
@testable import Server

/// A store with the real migrations and the bundled catalogue, and a citizen and two officials.
struct StoreFixture {
    let store: SQLiteStore
    let catalog: ReferenceCatalog
    let citizen: Actor
    let official: Actor
    let now = VietnamTime.instant(LocalDate(iso: "2026-11-30")!, minute: 9 * 60)

    /// An in-memory database, or a file in a fresh temporary folder when concurrency matters.
    init(onDisk: Bool = false) async throws {
        let database: AppDatabase
        if onDisk {
            database = try AppDatabase.open(path: Self.temporaryFolder().appendingPathComponent("test.sqlite").path)
        } else {
            database = try AppDatabase.inMemory()
        }
        store = SQLiteStore(database)
        catalog = try ReferenceCatalog.bundled()
        _ = try await store.install(catalog, at: now)
        let citizenAccount = try await store.citizen(phone: try PhoneNumber("0912345678"), newID: UUID(), at: now)
        citizen = .citizen(citizenAccount.id, device: UUID())
        let staff = try await store.addStaff(
            id: UUID(), username: try Username("cb.tuphap"), role: .official, agencyCode: "STP", passwordHash: "x", at: now)
        official = .staff(staff.id, role: .official, agency: "STP")
    }

    /// A new empty folder for a test's files, inside one folder per test process that is removed
    /// when the process exits (each run used to leave its databases behind).
    static func temporaryFolder() -> URL {
        let url = testFolders.appendingPathComponent(UUID().uuidString)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private static let testFolders: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("smartvl-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: StoreFixture.testFolders) }
        return url
    }()

    var database: AppDatabase { store.database }

    func count(_ table: String) async throws -> Int {
        try await database.reader.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)")! }
    }

    /// Files feedback as the server does: submitted, then received with a tracking code and routed.
    func fileFeedback(title: String = "Ổ gà trên đường Đồng Khởi", anonymous: Bool = false, isPublic: Bool = true) async throws -> Feedback {
        let draft = FeedbackDraft(
            category: "giao-thong", title: title, description: "Ổ gà sâu, nguy hiểm cho xe máy vào ban đêm.",
            latitude: 10.2415, longitude: 106.3759, commune: "28756", anonymous: anonymous, isPublic: isPublic)
        let (submitted, event) = try Feedback.submit(draft, id: UUID(), by: citizen, at: now, catalog: catalog)
        let catalog = self.catalog, now = self.now
        return try await store.create(submitted, event: event, at: now) { feedback, sequences in
            let day = VietnamTime.local(now).date
            let code = TrackingCode(date: day, sequence: try sequences.next(kind: "feedback", scope: "province", day: day))
            let category = catalog.category(feedback.categoryCode)!
            let (received, e1) = try feedback.applying(
                .receive(trackingCode: code, category: category, calendar: catalog.workingCalendar), by: .system, at: now)
            let (routed, e2) = try received.applying(.route(agency: received.defaultAgency(in: catalog)!), by: .system, at: now)
            return (routed, [e1, e2])
        }
    }

    /// An official of the agency feedback of `fileFeedback` is routed to (SXD, roads).
    func roadsOfficial() async throws -> Actor {
        let account = try await store.addStaff(
            id: UUID(), username: try Username("cb.xaydung"), role: .official, agencyCode: "SXD", passwordHash: "x", at: now)
        return .staff(account.id, role: .official, agency: "SXD")
    }

    /// Feedback filed, taken up and answered by `official`, then rated by the citizen with a comment.
    func resolvedAndRatedFeedback(by official: Actor, answer: String = "Đã thay bóng đèn.") async throws -> Feedback {
        let filed = try await fileFeedback(title: "Đèn đường hỏng")
        for command in [FeedbackCommand.start, .resolve(answer: answer)] {
            _ = try await store.update(id: filed.id, at: now) { try $0.applying(command, by: official, at: self.now) }
        }
        return try await store.update(id: filed.id, at: now) {
            try $0.applying(.rate(stars: 4, comment: "Nhanh, cảm ơn", policy: .standard), by: self.citizen, at: self.now)
        }
    }

    /// An open invoice of the citizen and a pending payment for it.
    func pendingPayment(amount: Int64 = 200_000, key: String = UUID().uuidString) async throws -> Payment {
        let (invoice, e1) = try Invoice.issue(
            id: UUID(), to: citizen.id, agency: "STP", purpose: .other, description: "Phí cấp bản sao", amount: amount,
            by: official, at: now)
        try await store.createInvoice(invoice, event: e1, at: now)
        let (payment, e2) = try Payment.initiate(
            id: UUID(), invoice: invoice, method: .sandbox, idempotencyKey: key, by: citizen, at: now)
        try await store.createPayment(payment, event: e2, at: now)
        return payment
    }
}
