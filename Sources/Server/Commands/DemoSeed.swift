import Domain
import Foundation
import HummingbirdBcrypt
import Logging

/// Demo accounts and items in every state, so an app team has a working sandbox in one command.
enum DemoSeed {
    struct Account {
        var username: String
        var role: Role
        var agency: String?
    }

    static let accounts = [
        Account(username: "quantri", role: .admin, agency: nil),
        Account(username: "cb.xaydung", role: .official, agency: "SXD"),
        Account(username: "gs.xaydung", role: .supervisor, agency: "SXD"),
        Account(username: "cb.tuphap", role: .official, agency: "STP"),
        Account(username: "cb.yte", role: .official, agency: "SYT"),
        Account(username: "cb.phukhuong", role: .official, agency: "UBND-28756"),
    ]

    static let citizenPhones = ["0900000001", "0900000002"]

    /// Seeds the demo; returns the lines to print once (credentials), or nil when already seeded.
    static func run(store: SQLiteStore, catalog: ReferenceCatalog, now: Date, random: RandomSource, bcryptCost: UInt8) async throws -> [String]? {
        if try await store.staffCredentials(username: "quantri") != nil { return nil }
        var lines: [String] = ["Demo accounts (passwords are shown only now):"]
        var staff: [String: Actor] = [:]
        for account in accounts {
            let password = "demo-" + random.token().prefix(16)
            let created = try await store.addStaff(
                id: UUID.timeOrdered(), username: try Username(account.username), role: account.role, agencyCode: account.agency,
                passwordHash: Bcrypt.hash(password, cost: bcryptCost), at: now)
            staff[account.username] = Actor(id: created.id, role: account.role, agencyCode: account.agency)
            lines.append("  \(account.username.padding(toLength: 14, withPad: " ", startingAt: 0)) \(account.role.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \((account.agency ?? "-").padding(toLength: 11, withPad: " ", startingAt: 0)) \(password)")
        }
        var accounts: [Actor] = []
        for phone in citizenPhones {
            let account = try await store.citizen(phone: try PhoneNumber(phone), newID: UUID.timeOrdered(), at: now)
            accounts.append(.citizen(account.id))
        }
        let citizens = accounts
        lines.append("Demo citizens sign in with a one-time code (see sms-outbox.log): \(citizenPhones.joined(separator: ", "))")

        // Feedback in every state the server holds.
        let official = staff["cb.xaydung"]!, supervisor = staff["gs.xaydung"]!
        let steps: [(String, [(FeedbackCommand, Actor)])] = [
            ("Ổ gà lớn trước chợ", []),
            ("Đường ngập sau mưa", [(.start, official)]),
            ("Cầu yếu cần gia cố", [(.start, official), (.resolve(answer: "Đã gia cố cầu và đặt biển báo tải trọng."), official)]),
            ("Vỉa hè bị đào bới", [(.start, official), (.resolve(answer: "Đơn vị thi công đã hoàn trả mặt bằng."), official),
                                  (.rate(stars: 4, comment: "Xử lý khá nhanh", policy: .standard), citizens[0])]),
            ("Quảng cáo bán hàng", [(.reject(.spam, note: "Nội dung quảng cáo, không phải phản ánh", duplicateOf: nil), official)]),
            ("Báo nhầm lĩnh vực", [(.withdraw(reason: "Gửi nhầm"), citizens[0])]),
            ("Cống vẫn còn nghẹt", [(.start, official), (.resolve(answer: "Đã nạo vét cống."), official),
                                   (.reopen(reason: "Cống vẫn còn nghẹt sau hai ngày", policy: .standard), citizens[0])]),
            ("Đèn tín hiệu hỏng", [(.assignOfficial(official.id, staffAgency: "SXD"), supervisor)]),
        ]
        for (index, (title, commands)) in steps.enumerated() {
            let draft = FeedbackDraft(
                category: "giao-thong", title: title, description: "Phản ánh mẫu để thử ứng dụng: \(title.lowercased()).",
                latitude: 10.2415 + Double(index) * 0.001, longitude: 106.3759, commune: "28756", isPublic: index % 2 == 0)
            let (submitted, event) = try Feedback.submit(draft, id: UUID.timeOrdered(), by: citizens[0], at: now, catalog: catalog)
            var item = try await store.create(submitted, event: event, at: now) { feedback, sequences in
                try FeedbackController.accept(feedback, sequences: sequences, catalog: catalog, at: now)
            }
            for (command, actor) in commands {
                item = try await store.update(id: item.id, at: now) { current in try current.applying(command, by: actor, at: now) }
            }
        }

        // Dossiers in every state.
        let clerk = staff["cb.tuphap"]!
        let dossierSteps: [[DossierAction]] = [
            [], [.receive], [.receive, .startProcessing], [.receive, .startProcessing, .requestSupplement],
            [.receive, .startProcessing, .markResultReady], [.receive, .startProcessing, .markResultReady, .complete],
            [.reject], [.withdraw],
        ]
        for actions in dossierSteps {
            let draft = ServiceRequestDraft(procedure: "2.000908", fields: [
                "full_name": "Nguyễn Văn An", "birth_date": "1988-03-12", "cccd": "086088123456",
                "form_number": "Phiếu số 1", "purpose": "Bổ sung hồ sơ xin việc",
            ])
            let (created, e1) = try ServiceRequest.create(draft, id: UUID.timeOrdered(), by: citizens[0], at: now, catalog: catalog)
            let (submitted, e2) = try created.applying(.submit, by: citizens[0], at: now)
            try await store.create(submitted, events: [e1, e2], at: now)
            for action in actions {
                _ = try await store.update(id: submitted.id, at: now) { current, sequences in
                    let calendar = catalog.workingCalendar
                    let command: DossierCommand
                    var actor = clerk
                    var invoice: (Invoice, HistoryEvent)?
                    switch action {
                    case .receive:
                        let unit = catalog.agency(current.agencyCode)!.unitCode
                        let day = VietnamTime.local(now).date
                        command = .receive(
                            code: try DossierCode(unitCode: unit, date: day, sequence: try sequences.next(kind: "dossier", scope: unit, day: day)),
                            processingDays: catalog.procedure(current.procedureCode)!.processingDays, calendar: calendar)
                        invoice = try Invoice.issue(
                            id: UUID.timeOrdered(), to: current.citizenID, agency: current.agencyCode, purpose: .serviceFee,
                            description: "Lệ phí: \(catalog.procedure(current.procedureCode)!.name)", amount: current.fee.amount,
                            serviceRequestID: current.id, by: .system, at: now)
                    case .startProcessing: command = .startProcessing
                    case .requestSupplement: command = .requestSupplement(missing: "Thiếu bản chụp CCCD mặt sau", calendar: calendar)
                    case .markResultReady: command = .markResultReady
                    case .complete: command = .complete(calendar: calendar)
                    case .reject: command = .reject(reason: "Hồ sơ không thuộc thẩm quyền")
                    default:
                        command = .withdraw(reason: "Nộp nhầm thủ tục")
                        actor = citizens[0]
                    }
                    let (next, event) = try current.applying(command, by: actor, at: now)
                    return (next, [event], invoice)
                }
            }
        }
        let (schoolFee, event) = try Invoice.issue(
            id: UUID.timeOrdered(), to: citizens[0].id, agency: "SGDDT", purpose: .schoolFee, description: "Học phí học kỳ I năm học 2026–2027",
            amount: 1_250_000, by: .system, at: now)
        try await store.createInvoice(schoolFee, event: event, at: now)
        lines.append("Demo items: 8 feedback items, 8 dossiers and their fee invoices, 1 school-fee invoice (citizen \(citizenPhones[0])).")
        return lines
    }
}
