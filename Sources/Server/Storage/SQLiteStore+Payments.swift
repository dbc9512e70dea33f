import Domain
import Foundation
import GRDB

extension Invoice: TableMapped {
    static let table = "invoices"
    static let changeEntity = "invoice"
    static let columns = [
        "id", "citizen_id", "agency_code", "purpose", "description", "amount", "service_request_id", "status", "issued_at",
        "paid_at", "payment_id",
    ]
    static let selection = columns.joined(separator: ", ")
    static let statements = TableStatements(Self.self)

    var key: String { id.text }

    var values: [(any BoundValue)?] {
        [
            id.text, citizenID.text, agencyCode, purpose.rawValue, description.value, amount.amount,
            serviceRequestID?.text, status.rawValue, issuedAt.stored, paidAt?.stored, paymentID?.text,
        ]
    }

    var partition: ChangePartition { ChangePartition(ownerID: citizenID, agencyCode: agencyCode) }

    init(row: Row) throws {
        guard let id = row.uuid("id"), let citizen = row.uuid("citizen_id"), let status = InvoiceStatus(rawValue: row["status"]),
            let purpose = InvoicePurpose(rawValue: row["purpose"]), let issuedAt = row.time("issued_at")
        else { throw StorageDecodingError.corrupt(table: "invoices", column: "id") }
        self.init(
            id: id, citizenID: citizen, agencyCode: row["agency_code"], purpose: purpose,
            description: VietnameseText(stored: row["description"]), amount: VND(unchecked: row["amount"]),
            serviceRequestID: row.uuid("service_request_id"), status: status, issuedAt: issuedAt, paidAt: row.time("paid_at"),
            paymentID: row.uuid("payment_id"))
    }
}

extension Payment: TableMapped {
    static let table = "payments"
    static let changeEntity = "payment"
    static let columns = [
        "id", "invoice_id", "citizen_id", "agency_code", "amount", "method", "idempotency_key", "status",
        "provider_reference", "created_at", "settled_at", "failure_reason",
    ]
    static let selection = columns.joined(separator: ", ")
    static let statements = TableStatements(Self.self)

    var key: String { id.text }

    var values: [(any BoundValue)?] {
        [
            id.text, invoiceID.text, citizenID.text, agencyCode, amount.amount, method.rawValue,
            idempotencyKey, status.rawValue, providerReference, createdAt.stored, settledAt?.stored, failureReason,
        ]
    }

    var partition: ChangePartition { ChangePartition(ownerID: citizenID, agencyCode: agencyCode) }

    init(row: Row) throws {
        guard let id = row.uuid("id"), let invoice = row.uuid("invoice_id"), let citizen = row.uuid("citizen_id"),
            let status = PaymentStatus(rawValue: row["status"]), let method = PaymentMethod(rawValue: row["method"]),
            let createdAt = row.time("created_at")
        else { throw StorageDecodingError.corrupt(table: "payments", column: "id") }
        self.init(
            id: id, invoiceID: invoice, citizenID: citizen, agencyCode: row["agency_code"], amount: VND(unchecked: row["amount"]),
            method: method, idempotencyKey: row["idempotency_key"], status: status,
            providerReference: row["provider_reference"], createdAt: createdAt, settledAt: row.time("settled_at"),
            failureReason: row["failure_reason"])
    }
}

extension Receipt: TableMapped {
    static let table = "receipts"
    static let changeEntity = "receipt"
    static let columns = [
        "id", "payment_id", "invoice_id", "citizen_id", "agency_code", "series", "number", "amount", "amount_in_words",
        "description", "issued_at",
    ]
    static let selection = columns.joined(separator: ", ")
    static let statements = TableStatements(Self.self)

    var key: String { id.text }

    var values: [(any BoundValue)?] {
        [
            id.text, paymentID.text, invoiceID.text, citizenID.text, agencyCode, number.series,
            number.number, amount.amount, amountInWords, description, issuedAt.stored,
        ]
    }

    var partition: ChangePartition { ChangePartition(ownerID: citizenID, agencyCode: agencyCode) }

    init(row: Row) throws {
        guard let id = row.uuid("id"), let payment = row.uuid("payment_id"), let invoice = row.uuid("invoice_id"),
            let citizen = row.uuid("citizen_id"), let issuedAt = row.time("issued_at")
        else { throw StorageDecodingError.corrupt(table: "receipts", column: "id") }
        self.init(
            id: id, paymentID: payment, invoiceID: invoice, citizenID: citizen, agencyCode: row["agency_code"],
            number: ReceiptNumber(series: row["series"], number: row["number"]), amount: VND(unchecked: row["amount"]),
            amountInWords: row["amount_in_words"], description: row["description"], issuedAt: issuedAt)
    }
}

extension SQLiteStore: PaymentRepository {
    func createInvoice(_ invoice: Invoice, event: HistoryEvent, at now: Date) async throws {
        try await database.write { db in
            try Self.insert(invoice, db: db, at: now)
            try Self.record([event], db: db)
        }
    }

    func invoice(id: UUID) async throws -> Invoice? {
        try await database.reader.read { db in try Self.fetch(Invoice.self, key: id.text, db: db) }
    }

    func createPayment(_ payment: Payment, event: HistoryEvent, at now: Date) async throws {
        try await database.write { db in
            let taken = try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM payments WHERE citizen_id = ? AND idempotency_key = ?"),
                arguments: [payment.citizenID.text, payment.idempotencyKey])
            if taken == true { throw StoreError.conflict("idempotency key \(payment.idempotencyKey)") }
            try Self.insert(payment, db: db, at: now)
            try Self.record([event], db: db)
        }
    }

    func recordSuccess(
        paymentID: UUID, confirmedAmount: VND, providerReference: String, receiptID: UUID, at now: Date
    ) async throws -> Receipt {
        try await database.write { db in
            guard let payment = try Self.fetch(Payment.self, key: paymentID.text, db: db) else {
                throw StoreError.notFound("payment \(paymentID)")
            }
            return try PaymentService.succeed(payment, confirmed: confirmedAmount, providerReference: providerReference, receiptID: receiptID, at: now, db: db)
        }
    }

    func receipts(citizenID: UUID) async throws -> [Receipt] {
        try await database.reader.read { db in
            try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM receipts WHERE citizen_id = ? ORDER BY issued_at DESC, number DESC"),
                arguments: [citizenID.text]
            ).map(Receipt.init(row:))
        }
    }

    /// The next number of an agency's series, allocated in the current write: no gaps, no repeats.
    static func nextReceiptNumber(agency: String, series: String, db: Database) throws -> ReceiptNumber {
        ReceiptNumber(series: series, number: try CounterTable.receiptNumbers.next([agency, series], db: db))
    }
}
