import Domain
import Foundation
import Hummingbird
import NIOCore

/// Invoices, payments and receipts (reading, and officials issuing invoices).
struct MoneyController: Sendable {
    let store: SQLiteStore
    let catalog: CatalogProvider
    let ids: IDGenerator

    /// Citizens see their own; staff see their agency's; admins see all.
    static func mayRead(citizenID: UUID, agencyCode: String, _ viewer: Actor) -> Bool {
        switch viewer.role {
        case .citizen: citizenID == viewer.id
        case .official, .supervisor: agencyCode == viewer.agencyCode
        case .admin, .system: true
        }
    }

    func scope(_ user: Actor) -> (UUID?, String?) {
        switch user.role {
        case .citizen: (user.id, nil)
        case .official, .supervisor: (nil, user.agencyCode)
        case .admin, .system: (nil, nil)
        }
    }
}

extension APIRouter {
    /// A newest-first list of the caller's rows (citizens: their own; staff: their agency's).
    func registerList<T: TableMapped & Sendable, View: Codable & Sendable>(
        _ endpoint: Endpoint<NoContent, Page<View>>, _ type: T.Type, timeColumn: String, controller c: MoneyController,
        _ view: @escaping @Sendable (T) -> View
    ) {
        register(endpoint) { call in
            let (citizen, agency) = c.scope(try call.user)
            let after = try Cursor.decode(call.query("cursor"), sort: T.table)?.values
            let (items, last) = try await c.store.simplePage(
                T.self, timeColumn: timeColumn, citizenID: citizen, agencyCode: agency, after: after, limit: try call.limit())
            return page(items, last: last, sort: T.table, view)
        }
    }

    func addMoneyRoutes(_ controller: MoneyController) {
        let c = controller
        registerList(Endpoints.listInvoices, Invoice.self, timeColumn: "issued_at", controller: c, InvoiceView.init)
        registerList(Endpoints.listPayments, Payment.self, timeColumn: "created_at", controller: c, PaymentView.init)
        registerList(Endpoints.listReceipts, Receipt.self, timeColumn: "issued_at", controller: c, ReceiptView.init)
        register(Endpoints.getInvoice) { call in
            guard let invoice = try await c.store.find(Invoice.self, id: call.pathID()),
                MoneyController.mayRead(citizenID: invoice.citizenID, agencyCode: invoice.agencyCode, try call.user)
            else { throw APIError.notFound("invoice") }
            return InvoiceView(invoice)
        }
        register(Endpoints.issueInvoice) { call in
            let user = try call.user
            guard let agency = user.agencyCode else { throw APIError.forbidden }
            if let existing = try await c.store.find(Invoice.self, id: call.body.id) {
                guard existing.agencyCode == agency else { throw StoreError.conflict("invoice \(call.body.id)") }
                return InvoiceView(existing)
            }
            guard call.body.purpose != .serviceFee else {
                throw APIError(status: .unprocessableContent, code: "invoice.purpose_reserved", message: Message(
                    vi: "Lệ phí thủ tục được lập tự động khi tiếp nhận hồ sơ.",
                    en: "Procedure fees are invoiced automatically when a dossier is received."), field: "purpose")
            }
            let phone = try PhoneNumber(call.body.citizenPhone)
            // Validate before creating the citizen's account, so bad input stores nothing.
            _ = try Invoice.issue(
                id: call.body.id, to: UUID(), agency: agency, purpose: call.body.purpose, description: call.body.description,
                amount: call.body.amount, by: user, at: call.now)
            let citizen = try await c.store.citizen(phone: phone, newID: c.ids(), at: call.now)
            let (invoice, event) = try Invoice.issue(
                id: call.body.id, to: citizen.id, agency: agency, purpose: call.body.purpose, description: call.body.description,
                amount: call.body.amount, by: user, at: call.now)
            try await c.store.createInvoice(invoice, event: event, at: call.now)
            return InvoiceView(invoice)
        }
        register(Endpoints.getPayment) { call in
            guard let payment = try await c.store.find(Payment.self, id: call.pathID()),
                MoneyController.mayRead(citizenID: payment.citizenID, agencyCode: payment.agencyCode, try call.user)
            else { throw APIError.notFound("payment") }
            return PaymentView(payment)
        }
        register(Endpoints.getReceipt) { call in
            guard let receipt = try await c.store.find(Receipt.self, id: call.pathID()),
                MoneyController.mayRead(citizenID: receipt.citizenID, agencyCode: receipt.agencyCode, try call.user)
            else { throw APIError.notFound("receipt") }
            return ReceiptView(receipt)
        }
    }
}

extension APIRouter {
    /// Paying invoices, provider callbacks (raw, signed bodies) and refunds.
    func addPaymentRoutes(_ payments: PaymentService) {
        register(Endpoints.createPayment) { call in
            try await payments.start(invoiceID: try call.pathID(), call.body, by: try call.user)
        }
        register(Endpoints.createRefund) { call in
            try await payments.refund(paymentID: try call.pathID(), call.body, by: try call.user)
        }
        router.post("/v1/payments/callback") { request, context -> Response in
            let bytes = try await request.body.collect(upTo: 64 * 1024)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let ack = try await payments.receive(body: Data(buffer: bytes), headers: headers)
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: try WireCoding.encoder().encode(ack))))
        }
    }
}
