import Domain
import Foundation
import HTTPTypes
import GRDB
import Testing
@testable import Server

/// Calls every endpoint as every principal and compares the outcome with a declarative policy:
/// who is refused as unauthenticated (401), who is forbidden by role (403), for whom the item
/// does not exist (404), and who gets through (any other status: success or a state conflict).
@Suite struct AccessMatrixTests {
    enum Principal: String, CaseIterable {
        case anonymous, citizenA, citizenB, officialSXD, officialSYT, officialSTP, supervisorSXD, admin
    }

    enum Outcome: Equatable {
        case through, unauthenticated, forbidden, hidden

        init(_ status: HTTPResponse.Status) {
            switch status.code {
            case 401: self = .unauthenticated
            case 403: self = .forbidden
            case 404: self = .hidden
            default: self = .through
            }
        }
    }

    /// The policy, restated from PRODUCT.md: feedback F belongs to citizen A and is worked by SXD;
    /// dossier R belongs to citizen A and is worked by STP; invoice, payment and receipt are R's.
    static func expected(_ endpoint: String, _ p: Principal) -> Outcome {
        if p == .anonymous { return ["jwks", "catalog"].contains(endpoint) ? .through : .unauthenticated }
        let citizen = p == .citizenA || p == .citizenB
        let staff = [.officialSXD, .officialSYT, .officialSTP, .supervisorSXD].contains(p)
        let feedbackAgency = p == .officialSXD || p == .supervisorSXD
        let requestAgency = p == .officialSTP
        switch endpoint {
        case "jwks", "catalog", "me", "listFeedback", "listRequests", "listInvoices", "listPayments", "listReceipts", "registerDevice", "syncPush", "syncPull":
            return .through
        case "createFeedback", "createRequest":
            return citizen ? .through : .forbidden
        case "getFeedback", "feedbackMessages", "feedbackHistory":
            if p == .admin || p == .citizenA || feedbackAgency { return .through }
            return .hidden
        case "postFeedbackMessage":
            if p == .citizenA || feedbackAgency { return .through }
            return .hidden
        case "withdrawFeedback", "rateFeedback", "reopenFeedback":
            if !citizen { return .forbidden }
            return p == .citizenA ? .through : .hidden
        case "feedbackQueue", "requestQueue":
            return staff ? .through : .forbidden
        case "assignFeedback", "transferFeedback":
            if p != .supervisorSXD { return .forbidden }
            return .through
        case "startFeedback", "resolveFeedback", "rejectFeedback":
            if !staff { return .forbidden }
            return feedbackAgency ? .through : .hidden
        case "getRequest", "requestHistory", "getInvoice", "getPayment", "getReceipt":
            if p == .admin || p == .citizenA || requestAgency { return .through }
            return .hidden
        case "supplementRequest", "withdrawRequest":
            if !citizen { return .forbidden }
            return p == .citizenA ? .through : .hidden
        case "receiveRequest", "startRequest", "askSupplement", "apologise", "resultReady", "completeRequest", "rejectRequest":
            if !staff { return .forbidden }
            return requestAgency ? .through : .hidden
        case "issueInvoice":
            return staff ? .through : .forbidden
        case "createPayment":
            if !citizen { return .forbidden }
            return p == .citizenA ? .through : .hidden
        case "createRefund":
            if !staff { return .forbidden }
            return requestAgency ? .through : .hidden
        case "logout":
            return .through
        default:
            Issue.record("no policy for \(endpoint)")
            return .through
        }
    }

    struct Items {
        var feedback: UUID
        var request: UUID
        var invoice: UUID
        var payment: UUID
        var receipt: UUID
    }

    @Test func everyEndpointAsEveryPrincipal() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            var tokens: [Principal: String] = [:]
            tokens[.citizenA] = try await api.citizen("0912345678").accessToken
            tokens[.citizenB] = try await api.citizen("0987654321").accessToken
            tokens[.officialSXD] = try await api.staff("cb.xaydung").accessToken
            tokens[.officialSYT] = try await api.staff("cb.yte").accessToken
            tokens[.officialSTP] = try await api.staff("cb.tuphap").accessToken
            tokens[.supervisorSXD] = try await api.staff("gs.xaydung").accessToken
            tokens[.admin] = try await api.staff("quantri").accessToken
            let citizenID = try #require(try await api.call(Endpoints.me, token: tokens[.citizenA]).value).id

            /// Fresh items for each call, so one call's effect (a transfer, a withdrawal) cannot change another's outcome.
            func freshItems() async throws -> Items {
                let feedback = try await api.fileFeedback(tokens[.citizenA]!, isPublic: false)
                let draft = ServiceRequestDraft(procedure: "2.000908", fields: [
                    "full_name": "Trần Thị Bích", "birth_date": "1990-05-17", "cccd": "086190123456",
                    "form_number": "Phiếu số 1", "purpose": "Xin việc",
                ])
                let request = try #require(try await api.call(Endpoints.createRequest, ServiceRequestCreate(id: UUID(), draft: draft), token: tokens[.citizenA]).value)
                _ = try await api.call(Endpoints.receiveRequest, NoContent(), token: tokens[.officialSTP], id: request.id)
                let invoiceID = try await fixture.store.database.reader.read { db in
                    try String.fetchOne(db, sql: "SELECT id FROM invoices WHERE service_request_id = ?", arguments: [request.id.uuidString])
                }
                let invoiceUUID = try #require(invoiceID.flatMap(UUID.init(uuidString:)))
                let stored = try #require(try await fixture.store.invoice(id: invoiceUUID))
                let (payment, event) = try Payment.initiate(
                    id: UUID(), invoice: stored, method: .sandbox, idempotencyKey: UUID().uuidString,
                    by: .citizen(citizenID), at: api.clock.now)
                try await fixture.store.createPayment(payment, event: event, at: api.clock.now)
                let receipt = try await fixture.store.recordSuccess(
                    paymentID: payment.id, confirmedAmount: payment.amount, providerReference: "SBX", receiptID: UUID(), at: api.clock.now)
                return Items(feedback: feedback.id, request: request.id, invoice: stored.id, payment: payment.id, receipt: receipt.id)
            }

            var mismatches: [String] = []
            var calls = 0
            for principal in Principal.allCases {
                let token = tokens[principal]
                var items = try await freshItems()
                func check<In, Out>(_ endpoint: Endpoint<In, Out>, _ body: In, id: UUID? = nil) async throws {
                    let answer = try await api.call(endpoint, body, token: token, id: id)
                    calls += 1
                    let outcome = Outcome(answer.status)
                    let want = Self.expected(endpoint.name, principal)
                    if outcome != want {
                        mismatches.append("\(endpoint.name) as \(principal): got \(answer.status.code) \(answer.problem?.code ?? ""), want \(want)")
                    }
                    if answer.status.code >= 500 { mismatches.append("\(endpoint.name) as \(principal): server error") }
                    // Refresh items after anything that may have moved them.
                    if outcome == .through, endpoint.method == .post { items = try await freshItems() }
                }
                let f = items.feedback
                try await check(Endpoints.jwks, NoContent())
                try await check(Endpoints.catalog, NoContent())
                try await check(Endpoints.me, NoContent())
                try await check(Endpoints.createFeedback, FeedbackCreate(id: UUID(), draft: FeedbackDraft(
                    category: "giao-thong", title: "Ổ gà mới phát hiện", description: "Ổ gà sâu nguy hiểm cho xe máy.", commune: "28756")))
                try await check(Endpoints.listFeedback, NoContent())
                try await check(Endpoints.getFeedback, NoContent(), id: items.feedback)
                try await check(Endpoints.feedbackMessages, NoContent(), id: items.feedback)
                try await check(Endpoints.feedbackHistory, NoContent(), id: items.feedback)
                try await check(Endpoints.postFeedbackMessage, MessageCreate(id: UUID(), body: "Xin cập nhật tiến độ"), id: items.feedback)
                try await check(Endpoints.withdrawFeedback, ReasonBody(reason: "Không cần nữa"), id: items.feedback)
                try await check(Endpoints.rateFeedback, RatingBody(stars: 4), id: items.feedback)
                try await check(Endpoints.reopenFeedback, ReasonBody(reason: "Chưa xử lý xong"), id: items.feedback)
                try await check(Endpoints.feedbackQueue, NoContent())
                try await check(Endpoints.assignFeedback, AssignBody(username: "cb.xaydung"), id: items.feedback)
                try await check(Endpoints.transferFeedback, TransferBody(agency: "UBND-28756", reason: "Thuộc thẩm quyền phường"), id: items.feedback)
                try await check(Endpoints.startFeedback, NoContent(), id: items.feedback)
                try await check(Endpoints.resolveFeedback, AnswerBody(answer: "Đã xử lý xong ổ gà."), id: items.feedback)
                try await check(Endpoints.rejectFeedback, RejectBody(reason: .spam, note: "Nội dung quảng cáo"), id: items.feedback)
                _ = f
                try await check(Endpoints.createRequest, ServiceRequestCreate(id: UUID(), draft: ServiceRequestDraft(
                    procedure: "2.000815", commune: "28756", fields: ["document_title": "Bằng tốt nghiệp", "pages": "2"])))
                try await check(Endpoints.listRequests, NoContent())
                try await check(Endpoints.getRequest, NoContent(), id: items.request)
                try await check(Endpoints.requestHistory, NoContent(), id: items.request)
                try await check(Endpoints.requestQueue, NoContent())
                try await check(Endpoints.supplementRequest, SupplementBody(documents: [String(repeating: "ef", count: 32)]), id: items.request)
                try await check(Endpoints.withdrawRequest, ReasonBody(reason: "Nộp nhầm"), id: items.request)
                try await check(Endpoints.receiveRequest, NoContent(), id: items.request)
                try await check(Endpoints.startRequest, NoContent(), id: items.request)
                try await check(Endpoints.askSupplement, SupplementRequestBody(missing: "Thiếu tờ khai có chữ ký"), id: items.request)
                try await check(Endpoints.apologise, ApologyBody(reason: "Cần xác minh thêm", newDueAt: api.clock.now.addingTimeInterval(30 * 86400)), id: items.request)
                try await check(Endpoints.resultReady, NoContent(), id: items.request)
                try await check(Endpoints.completeRequest, NoContent(), id: items.request)
                try await check(Endpoints.rejectRequest, ReasonBody(reason: "Không đủ điều kiện"), id: items.request)
                try await check(Endpoints.listInvoices, NoContent())
                try await check(Endpoints.getInvoice, NoContent(), id: items.invoice)
                try await check(Endpoints.issueInvoice, InvoiceCreate(id: UUID(), citizenPhone: "0912345678", purpose: .schoolFee, description: "Học phí học kỳ 1", amount: 500_000))
                try await check(Endpoints.listPayments, NoContent())
                try await check(Endpoints.getPayment, NoContent(), id: items.payment)
                try await check(Endpoints.listReceipts, NoContent())
                try await check(Endpoints.getReceipt, NoContent(), id: items.receipt)
                try await check(Endpoints.createPayment, PaymentCreate(idempotencyKey: UUID().uuidString, method: .sandbox), id: items.invoice)
                try await check(Endpoints.createRefund, RefundCreate(id: UUID(), amount: 1000, reason: "Thu thừa lệ phí"), id: items.payment)
                let device = try await api.call(Endpoints.registerDevice, DeviceRegistration(name: "matrix"), token: token).value?.deviceId ?? UUID()
                try await check(Endpoints.registerDevice, DeviceRegistration(name: "matrix"))
                try await check(Endpoints.syncPush, PushRequest(deviceId: device, mutations: []))
                try await check(Endpoints.syncPull, PullRequest(deviceId: device))
                try await check(Endpoints.logout, LogoutRequest())
            }
            #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
            // Every typed endpoint but the sign-in ones was called as every principal.
            let signIn: Set = ["requestOTP", "verifyOTP", "passwordLogin", "refresh"]
            #expect(calls == (Endpoints.all.count - signIn.count) * Principal.allCases.count)
        }
    }
}
