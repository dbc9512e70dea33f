import Crypto
import Domain
import Foundation
import GRDB
import Logging

/// Runs work later (the sandbox provider's callbacks); tests inject one they drive by hand.
struct Scheduler: Sendable {
    let run: @Sendable (Duration, @escaping @Sendable () async -> Void) -> Void

    /// A detached task that sleeps, then runs the work.
    static let live = Scheduler { delay, work in
        Task {
            if delay > .zero { try? await Task.sleep(for: delay) }
            await work()
        }
    }
}

/// Where VietQR transfers go: the collecting account (one province account for now).
struct PaymentSettings: Sendable {
    var bankBIN = "970418"
    var account = "1234567890"
}

/// Payments: idempotent starts, provider callbacks (signed, fresh, once), receipts and ledger
/// entries in the same transaction as the success, refunds never above what was paid.
struct PaymentService: Sendable {
    let store: SQLiteStore
    let signature: CallbackSignature
    let provider: any PaymentProvider
    let settings: PaymentSettings
    let now: DateGenerator
    let ids: IDGenerator
    let logger: Logger

    // MARK: Errors

    static let idempotencyMismatch = APIError(status: .unprocessableContent, code: "payment.idempotency_mismatch", message: Message(
        vi: "Khóa chống trùng này đã được dùng cho một yêu cầu thanh toán khác.",
        en: "This idempotency key was already used for a different payment request."), field: "idempotency_key")
    static let inProgress = APIError(status: .conflict, code: "payment.in_progress", message: Message(
        vi: "Hóa đơn đang có một giao dịch chờ xác nhận; hãy đợi kết quả trước khi thanh toán lại.",
        en: "A payment of this invoice is awaiting confirmation; wait for its result before paying again."))
    static let unsupportedMethod = APIError(status: .unprocessableContent, code: "payment.method_unsupported", message: Message(
        vi: "Phương thức thanh toán này chưa được hỗ trợ; hãy dùng vietqr.", en: "This payment method is not supported yet; use vietqr."),
        field: "method")

    // MARK: Starting a payment

    /// The reference a transfer note carries: short, ASCII, unique to the payment.
    static func reference(_ id: UUID) -> String { "SVL" + id.text.replacingOccurrences(of: "-", with: "").prefix(16) }

    static func requestHash(invoiceID: UUID, _ body: PaymentCreate) -> String {
        let text = "\(invoiceID.text)|\(body.method.rawValue)|\(body.sandboxOutcome?.rawValue ?? "")"
        return SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Starts paying an invoice, or returns the payment this key already started.
    func start(invoiceID: UUID, _ body: PaymentCreate, by user: Actor) async throws -> PaymentStarted {
        guard provider.methods.contains(body.method) else { throw Self.unsupportedMethod }
        guard Payment.isValidIdempotencyKey(body.idempotencyKey) else { throw PaymentError.invalidIdempotencyKey }
        let hash = Self.requestHash(invoiceID: invoiceID, body)
        let id = ids(), at = now()
        let (payment, created) = try await store.database.write { db -> (Payment, Bool) in
            if let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM payments WHERE citizen_id = ? AND idempotency_key = ?"),
                arguments: [user.id.text, body.idempotencyKey])
            {
                guard row["request_hash"] as String? == hash else { throw Self.idempotencyMismatch }
                return (try Payment(row: row), false)
            }
            guard let invoice = try SQLiteStore.fetch(Invoice.self, key: invoiceID.text, db: db), invoice.citizenID == user.id else {
                throw APIError.notFound("invoice")
            }
            if try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM payments WHERE invoice_id = ? AND status = 'pending'"), arguments: [invoiceID.text]) == true {
                throw Self.inProgress
            }
            let (payment, event) = try Payment.initiate(
                id: id, invoice: invoice, method: body.method, idempotencyKey: body.idempotencyKey, by: user, at: at)
            try SQLiteStore.insert(payment, db: db, at: at)
            try db.run("UPDATE payments SET request_hash = ? WHERE id = ?", [hash, id.text])
            try SQLiteStore.record([event], db: db)
            return (payment, true)
        }
        if created {
            let service = self
            provider.started(payment, request: body, callbacks: CallbackSink { body, headers in
                do { _ = try await service.receive(body: body, headers: headers) } catch {
                    service.logger.warning("in-process callback refused", metadata: ["error": "\(error)"])
                }
            })
        }
        let reference = Self.reference(payment.id)
        let qr = payment.method == .vietqr
            ? try? VietQR(bankBIN: settings.bankBIN, account: settings.account, amount: payment.amount.amount, note: reference).payload()
            : nil
        return PaymentStarted(payment: PaymentView(payment), vietqr: qr, reference: reference)
    }

    // MARK: Callbacks

    /// What a callback did.
    enum CallbackOutcome: Equatable {
        case applied
        case duplicate
        case unknownPayment
        case amountMismatch
        case invalid
    }

    static let unknownPayment = APIError(status: .notFound, code: "payment.unknown", message: Message(
        vi: "Không có giao dịch với mã này.", en: "No payment with this reference."))
    static let amountMismatch = APIError(status: .unprocessableContent, code: "payment.amount_mismatch", message: Message(
        vi: "Số tiền xác nhận không khớp số tiền của giao dịch.", en: "The confirmed amount does not match the payment."))
    static let badSignature = APIError(status: .unauthorized, code: "callback.bad_signature", message: Message(
        vi: "Chữ ký callback không hợp lệ.", en: "The callback signature is invalid."))
    static let staleCallback = APIError(status: .unauthorized, code: "callback.stale", message: Message(
        vi: "Callback quá cũ hoặc thời điểm không hợp lệ (lệch quá 300 giây).", en: "The callback is stale or its timestamp is off by more than 300 s."))
    static let invalidCallback = APIError(status: .badRequest, code: "callback.invalid", message: Message(
        vi: "Nội dung callback không hợp lệ.", en: "The callback body is invalid."))

    /// Handles a provider callback: checks the signature and the time, answers a replayed message
    /// id from the record, and applies a success (receipt and ledger in the same transaction) or a
    /// failure once. Refused callbacks change nothing but are kept on record.
    func receive(body: Data, headers: [String: String]) async throws -> CallbackAck {
        let at = now()
        let messageID: String
        do { messageID = try signature.verify(headers: headers, body: body, now: at) } catch {
            logger.warning("callback refused", metadata: ["reason": "\(error)"])
            throw error == .stale ? Self.staleCallback : Self.badSignature
        }
        let callback = try? WireCoding.decoder().decode(ProviderCallback.self, from: body)
        let receiptID = ids()
        let outcome = try await store.database.write { db -> CallbackOutcome in
            if let stored = try String.fetchOne(try db.cachedStatement(sql: "SELECT outcome FROM provider_callbacks WHERE message_id = ?"), arguments: [messageID]) {
                // A replay: the first answer again, nothing applied twice.
                return stored == "applied" ? .duplicate : Self.outcome(stored)
            }
            let outcome = try Self.apply(callback, receiptID: receiptID, at: at, db: db)
            try db.run("INSERT INTO provider_callbacks (message_id, payment_id, received_at, body, outcome) VALUES (?, ?, ?, ?, ?)", [messageID, callback?.paymentId.text, at.stored, String(decoding: body, as: UTF8.self), Self.name(outcome)])
            return outcome
        }
        switch outcome {
        case .applied: return CallbackAck(result: "applied")
        case .duplicate: return CallbackAck(result: "duplicate")
        case .unknownPayment:
            logger.warning("callback for an unknown payment", metadata: ["message_id": "\(messageID)"])
            throw Self.unknownPayment
        case .amountMismatch:
            logger.warning("callback with a wrong amount", metadata: ["message_id": "\(messageID)"])
            throw Self.amountMismatch
        case .invalid: throw Self.invalidCallback
        }
    }

    private static func name(_ outcome: CallbackOutcome) -> String {
        switch outcome {
        case .applied: "applied"
        case .duplicate: "duplicate"
        case .unknownPayment: "unknown_payment"
        case .amountMismatch: "amount_mismatch"
        case .invalid: "invalid"
        }
    }

    private static func outcome(_ name: String) -> CallbackOutcome {
        switch name {
        case "unknown_payment": .unknownPayment
        case "amount_mismatch": .amountMismatch
        case "invalid": .invalid
        default: .duplicate
        }
    }

    private static func apply(_ callback: ProviderCallback?, receiptID: UUID, at now: Date, db: Database) throws -> CallbackOutcome {
        guard let callback, callback.currency == "VND", callback.status != .pending, !callback.providerReference.isEmpty else { return .invalid }
        guard let payment = try SQLiteStore.fetch(Payment.self, key: callback.paymentId.text, db: db) else { return .unknownPayment }
        guard payment.status == .pending else { return .duplicate }  // already settled: a late duplicate or a failure after success
        guard let confirmed = try? VND(callback.amount), confirmed == payment.amount else { return .amountMismatch }
        if callback.status == .failed {
            let (failed, event) = try payment.applying(.fail, providerReference: callback.providerReference, reason: callback.reason, by: .system, at: now)
            try SQLiteStore.update(failed, db: db, at: now)
            try SQLiteStore.record([event], db: db)
            return .applied
        }
        _ = try succeed(payment, confirmed: confirmed, providerReference: callback.providerReference, receiptID: receiptID, at: now, db: db)
        return .applied
    }

    /// A payment's success, all in the caller's transaction: the payment, the invoice settled, the
    /// receipt with the next number of the agency's series, the history, the ledger entries.
    static func succeed(_ payment: Payment, confirmed: VND, providerReference: String, receiptID: UUID, at now: Date, db: Database) throws -> Receipt {
        guard let invoice = try SQLiteStore.fetch(Invoice.self, key: payment.invoiceID.text, db: db) else {
            throw StoreError.notFound("invoice \(payment.invoiceID)")
        }
        let (succeeded, paymentEvent) = try payment.applying(.succeed, confirmedAmount: confirmed, providerReference: providerReference, by: .system, at: now)
        let (settled, invoiceEvent) = try invoice.applying(.settle, paymentID: payment.id, by: .system, at: now)
        let number = try SQLiteStore.nextReceiptNumber(agency: invoice.agencyCode, series: ReceiptNumber.series(at: now), db: db)
        let receipt = Receipt.issue(id: receiptID, for: succeeded, invoice: settled, number: number, at: now)
        try SQLiteStore.update(succeeded, db: db, at: now)
        try SQLiteStore.update(settled, db: db, at: now)
        try SQLiteStore.insert(receipt, db: db, at: now)
        try SQLiteStore.record([paymentEvent, invoiceEvent], db: db)
        try Ledger.post(Ledger.paymentEntries(succeeded), kind: "payment", paymentID: payment.id, refundID: nil,
                        providerReference: providerReference, at: now, db: db)
        return receipt
    }

    // MARK: Refunds

    /// An official refunds part or all of a successful payment of their agency. The sandbox
    /// provider settles refunds at once; the refund, its ledger entries and (in full) the invoice's
    /// new status are written together.
    func refund(paymentID: UUID, _ body: RefundCreate, by user: Actor) async throws -> RefundView {
        let at = now()
        return try await store.database.write { db -> RefundView in
            if let existing = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM refunds WHERE id = ?"), arguments: [body.id.text]) {
                guard existing["payment_id"] as String == paymentID.text else { throw StoreError.conflict("refund \(body.id)") }
                return RefundView(try Self.refund(row: existing))
            }
            guard let payment = try SQLiteStore.fetch(Payment.self, key: paymentID.text, db: db),
                MoneyController.mayRead(citizenID: payment.citizenID, agencyCode: payment.agencyCode, user)
            else { throw APIError.notFound("payment") }
            let already = try Int64.fetchOne(try db.cachedStatement(sql: "SELECT coalesce(sum(amount), 0) FROM refunds WHERE payment_id = ? AND status IN ('pending', 'succeeded')"),
                arguments: [paymentID.text]) ?? 0
            let (requested, requestEvent) = try Refund.request(
                id: body.id, of: payment, amount: body.amount, reason: body.reason, alreadyRefunded: VND(unchecked: already), by: user, at: at)
            let (settled, settleEvent) = try requested.applying(.succeed, by: .system, at: at)
            let reference = "SBX-R-" + body.id.shortText.uppercased()
            try db.run("""
                    INSERT INTO refunds (id, payment_id, amount, reason, status, requested_by, requested_at, settled_at, provider_reference)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, [settled.id.text, payment.id.text, settled.amount.amount, settled.reason.value, settled.status.rawValue,
                            user.id.text, at.stored, at.stored, reference])
            try SQLiteStore.record([requestEvent, settleEvent], db: db)
            try Ledger.post(Ledger.refundEntries(settled, of: payment), kind: "refund", paymentID: payment.id, refundID: settled.id,
                            providerReference: reference, at: at, db: db)
            if already + settled.amount.amount == payment.amount.amount,
                let invoice = try SQLiteStore.fetch(Invoice.self, key: payment.invoiceID.text, db: db)
            {
                let (refunded, event) = try invoice.applying(.refundInFull, paymentID: payment.id, by: .system, at: at)
                try SQLiteStore.update(refunded, db: db, at: at)
                try SQLiteStore.record([event], db: db)
            }
            return RefundView(settled)
        }
    }

    static func refund(row: Row) throws -> Refund {
        guard let id = row.uuid("id"), let payment = row.uuid("payment_id"), let status = RefundStatus(rawValue: row["status"]),
            let by = row.uuid("requested_by"), let at = row.time("requested_at")
        else { throw StorageDecodingError.corrupt(table: "refunds", column: "id") }
        return Refund(id: id, paymentID: payment, amount: VND(unchecked: row["amount"]), reason: VietnameseText(stored: row["reason"]),
                      status: status, requestedBy: by, requestedAt: at, settledAt: row.time("settled_at"))
    }
}

extension PaymentSettings {
    /// From `SMARTVL_VIETQR_BIN` and `SMARTVL_VIETQR_ACCOUNT` where set.
    init(environment: [String: String]) {
        self.init()
        if let bin = environment["SMARTVL_VIETQR_BIN"] { bankBIN = bin }
        if let account = environment["SMARTVL_VIETQR_ACCOUNT"] { self.account = account }
    }
}
