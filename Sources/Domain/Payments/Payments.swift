import Foundation

/// Where an invoice is in its lifecycle.
public enum InvoiceStatus: String, LifecycleStatus {
    /// Issued and waiting for payment.
    case open
    /// Paid in full.
    case paid
    /// Cancelled by the agency before payment.
    case cancelled
    /// Paid, then refunded in full.
    case refunded

    public var label: Message {
        switch self {
        case .open: Message(vi: "Chờ thanh toán", en: "Open")
        case .paid: Message(vi: "Đã thanh toán", en: "Paid")
        case .cancelled: Message(vi: "Đã hủy", en: "Cancelled")
        case .refunded: Message(vi: "Đã hoàn tiền", en: "Refunded")
        }
    }
}

/// What can be done to an invoice.
public enum InvoiceAction: String, LifecycleAction {
    /// Created by an official, or by the system for a dossier's fee.
    case issue
    /// Settled by a successful payment (system).
    case settle
    /// Cancelled by the agency before payment.
    case cancel
    /// Refunded in full (system, when refunds reach the paid amount).
    case refundInFull = "refund_in_full"
}

/// What an invoice is for.
public enum InvoicePurpose: String, Sendable, Codable, CaseIterable {
    /// The fee of a service request's procedure.
    case serviceFee = "service_fee"
    /// School fees.
    case schoolFee = "school_fee"
    /// Hospital fees.
    case hospitalFee = "hospital_fee"
    /// Anything else an agency collects.
    case other
}

/// Where a payment attempt is.
public enum PaymentStatus: String, LifecycleStatus {
    /// Created; waiting for the provider's confirmation.
    case pending
    /// Confirmed by the provider.
    case succeeded
    /// Declined, cancelled or timed out.
    case failed

    public var label: Message {
        switch self {
        case .pending: Message(vi: "Đang chờ xác nhận", en: "Pending")
        case .succeeded: Message(vi: "Thành công", en: "Succeeded")
        case .failed: Message(vi: "Thất bại", en: "Failed")
        }
    }
}

/// What can happen to a payment.
public enum PaymentAction: String, LifecycleAction {
    /// The citizen starts paying.
    case initiate
    /// The provider confirmed (system).
    case succeed
    /// The provider declined (system).
    case fail
}

/// How a payment is made.
public enum PaymentMethod: String, Sendable, Codable, CaseIterable {
    /// Bank transfer by scanning a VietQR code.
    case vietqr
    /// A card through a gateway.
    case card
    /// An e-wallet through a gateway.
    case ewallet
    /// The sandbox provider shipped for development.
    case sandbox
}

/// Where a refund is.
public enum RefundStatus: String, LifecycleStatus {
    /// Requested by an official; sent to the provider.
    case pending
    /// Confirmed by the provider.
    case succeeded
    /// Refused by the provider.
    case failed

    public var label: Message {
        switch self {
        case .pending: Message(vi: "Đang hoàn tiền", en: "Pending")
        case .succeeded: Message(vi: "Đã hoàn tiền", en: "Succeeded")
        case .failed: Message(vi: "Hoàn tiền thất bại", en: "Failed")
        }
    }
}

/// What can happen to a refund.
public enum RefundAction: String, LifecycleAction {
    /// An official requests it.
    case request
    /// The provider confirmed (system).
    case succeed
    /// The provider refused (system).
    case fail
}

/// Why a money operation was refused.
public enum PaymentError: DomainFailure, Equatable {
    /// The invoice lifecycle does not allow it.
    case invoice(TransitionError<InvoiceStatus, InvoiceAction>)
    /// The payment lifecycle does not allow it.
    case payment(TransitionError<PaymentStatus, PaymentAction>)
    /// The refund lifecycle does not allow it.
    case refund(TransitionError<RefundStatus, RefundAction>)
    /// An amount is invalid.
    case amount(MoneyError)
    /// A text field is invalid.
    case text(TextError)
    /// A payment's amount differs from what the invoice asks.
    case amountMismatch(expected: VND, got: VND)
    /// A refund would return more than was paid and not yet refunded.
    case refundExceedsPaid(refundable: VND, requested: VND)
    /// A refund of a payment that has not succeeded.
    case paymentNotSucceeded
    /// The idempotency key is not 8–255 visible ASCII characters.
    case invalidIdempotencyKey

    public var code: String {
        switch self {
        case .invoice(let e): e.code
        case .payment(let e): e.code
        case .refund(let e): e.code
        case .amount(let e): e.code
        case .text(let e): e.code
        case .amountMismatch: "payment.amount_mismatch"
        case .refundExceedsPaid: "refund.exceeds_paid"
        case .paymentNotSucceeded: "refund.payment_not_succeeded"
        case .invalidIdempotencyKey: "payment.invalid_idempotency_key"
        }
    }

    public var field: String? {
        switch self {
        case .amount(let e): e.field
        case .text(let e): e.field
        case .amountMismatch, .refundExceedsPaid: "amount"
        case .invalidIdempotencyKey: "idempotency_key"
        default: nil
        }
    }

    public var message: Message {
        switch self {
        case .invoice(let e): e.message
        case .payment(let e): e.message
        case .refund(let e): e.message
        case .amount(let e): e.message
        case .text(let e): e.message
        case .amountMismatch(let expected, let got):
            Message(
                vi: "Số tiền thanh toán \(got.formatted) khác số phải nộp \(expected.formatted).",
                en: "The payment of \(got.formatted) differs from the \(expected.formatted) due.")
        case .refundExceedsPaid(let refundable, let requested):
            Message(
                vi: "Số tiền hoàn \(requested.formatted) vượt quá số có thể hoàn \(refundable.formatted).",
                en: "The refund of \(requested.formatted) exceeds the refundable \(refundable.formatted).")
        case .paymentNotSucceeded:
            Message(vi: "Chỉ hoàn tiền cho giao dịch đã thành công.", en: "Only a succeeded payment can be refunded.")
        case .invalidIdempotencyKey:
            Message(
                vi: "Khóa chống trùng lặp phải gồm 8–255 ký tự ASCII hiển thị.",
                en: "The idempotency key must be 8–255 visible ASCII characters.")
        }
    }
}

/// An amount an agency asks a citizen to pay (khoản phải nộp).
public struct Invoice: Sendable, Equatable, Codable {
    /// The id.
    public let id: UUID
    /// Who must pay.
    public let citizenID: UUID
    /// The collecting agency.
    public let agencyCode: String
    /// What for.
    public let purpose: InvoicePurpose
    /// The line shown to the citizen, e.g. the procedure's name.
    public let description: VietnameseText
    /// The amount due.
    public let amount: VND
    /// The service request it charges the fee of.
    public let serviceRequestID: UUID?
    /// The current status.
    public var status: InvoiceStatus
    /// When it was issued.
    public let issuedAt: Date
    /// When it was paid.
    public var paidAt: Date?
    /// The successful payment.
    public var paymentID: UUID?

    /// The invoice lifecycle.
    public static let lifecycle = Lifecycle<InvoiceStatus, InvoiceAction>([
        .init(.settle, from: [.open], to: .paid, by: [.system]),
        .init(.cancel, from: [.open], to: .cancelled, by: [.official, .supervisor]),
        .init(.refundInFull, from: [.paid], to: .refunded, by: [.system]),
    ])

    /// Issues an invoice. Staff issue for their own agency; the system issues dossier fees.
    /// - Throws: `PaymentError`.
    public static func issue(
        id: UUID, to citizen: UUID, agency: String, purpose: InvoicePurpose, description: String, amount: Int64,
        serviceRequestID: UUID? = nil, by actor: Actor, at now: Date
    ) throws(PaymentError) -> (Invoice, HistoryEvent) {
        switch actor.role {
        case .system: break
        case .official, .supervisor:
            guard actor.agencyCode == agency else { throw .invoice(.otherAgency(.issue)) }
        default: throw .invoice(.roleNotAllowed(actor.role, .issue))
        }
        let money: VND
        do { money = try VND.positive(amount) } catch { throw .amount(error) }
        let text: VietnameseText
        do { text = try VietnameseText(description, field: "purpose", minLength: 3, maxLength: 300) } catch {
            throw .text(error)
        }
        let invoice = Invoice(
            id: id, citizenID: citizen, agencyCode: agency, purpose: purpose, description: text, amount: money,
            serviceRequestID: serviceRequestID, status: .open, issuedAt: now)
        let event = HistoryEvent(
            .invoice, item: id, action: InvoiceAction.issue, from: nil as InvoiceStatus?, to: .open, by: actor, at: now)
        return (invoice, event)
    }

    /// Moves the invoice along its lifecycle.
    /// - Throws: `PaymentError.invoice`.
    public func applying(
        _ action: InvoiceAction, paymentID: UUID? = nil, reason: String? = nil, by actor: Actor, at now: Date
    ) throws(PaymentError) -> (Invoice, HistoryEvent) {
        let target: InvoiceStatus
        do {
            target = try Self.lifecycle.target(
                of: action, from: status, by: actor, on: Stakeholders(ownerID: citizenID, agencyCode: agencyCode))
        } catch { throw .invoice(error) }
        var next = self
        next.status = target
        var note = reason
        switch action {
        case .settle:
            next.paidAt = now
            next.paymentID = paymentID
        case .cancel:
            do { note = try VietnameseText(reason ?? "", field: "reason", minLength: 5, maxLength: 1000).value } catch {
                throw .text(error)
            }
        case .issue, .refundInFull:
            break
        }
        return (next, HistoryEvent(.invoice, item: id, action: action, from: status, to: target, by: actor, at: now, reason: note))
    }

    /// Restores a value read back from storage; no validation.
    public init(
        id: UUID, citizenID: UUID, agencyCode: String, purpose: InvoicePurpose, description: VietnameseText, amount: VND, serviceRequestID: UUID? = nil, status: InvoiceStatus, issuedAt: Date, paidAt: Date? = nil, paymentID: UUID? = nil
    ) {
        self.id = id
        self.citizenID = citizenID
        self.agencyCode = agencyCode
        self.purpose = purpose
        self.description = description
        self.amount = amount
        self.serviceRequestID = serviceRequestID
        self.status = status
        self.issuedAt = issuedAt
        self.paidAt = paidAt
        self.paymentID = paymentID
    }

    enum CodingKeys: String, CodingKey { case id, citizenID = "citizen_id", agencyCode = "agency_code", purpose, description, amount, serviceRequestID = "service_request_id", status, issuedAt = "issued_at", paidAt = "paid_at", paymentID = "payment_id" }
}

/// One attempt to pay an invoice through a provider.
public struct Payment: Sendable, Equatable, Codable {
    /// The id.
    public let id: UUID
    /// The invoice paid.
    public let invoiceID: UUID
    /// The payer.
    public let citizenID: UUID
    /// The collecting agency (from the invoice).
    public let agencyCode: String
    /// The amount.
    public let amount: VND
    /// How.
    public let method: PaymentMethod
    /// The client-generated key that makes retries safe.
    public let idempotencyKey: String
    /// The current status.
    public var status: PaymentStatus
    /// The provider's transaction reference, once known.
    public var providerReference: String?
    /// When it was created.
    public let createdAt: Date
    /// When it succeeded or failed.
    public var settledAt: Date?
    /// Why it failed.
    public var failureReason: String?

    /// The payment lifecycle.
    public static let lifecycle = Lifecycle<PaymentStatus, PaymentAction>([
        .init(.succeed, from: [.pending], to: .succeeded, by: [.system]),
        .init(.fail, from: [.pending], to: .failed, by: [.system]),
    ])

    /// Whether an idempotency key is acceptable: 8–255 visible ASCII characters.
    public static func isValidIdempotencyKey(_ key: String) -> Bool {
        (8...255).contains(key.utf8.count) && key.utf8.allSatisfy { (33...126).contains($0) }
    }

    /// Starts paying an open invoice; the amount is the invoice's, in full.
    /// - Throws: `PaymentError`.
    public static func initiate(
        id: UUID, invoice: Invoice, method: PaymentMethod, idempotencyKey: String, by actor: Actor, at now: Date
    ) throws(PaymentError) -> (Payment, HistoryEvent) {
        guard actor.role == .citizen else { throw .payment(.roleNotAllowed(actor.role, .initiate)) }
        guard actor.id == invoice.citizenID else { throw .payment(.notOwner(.initiate)) }
        guard invoice.status == .open else { throw .invoice(.notAllowedFrom(invoice.status, .settle)) }
        guard isValidIdempotencyKey(idempotencyKey) else { throw .invalidIdempotencyKey }
        let payment = Payment(
            id: id, invoiceID: invoice.id, citizenID: invoice.citizenID, agencyCode: invoice.agencyCode,
            amount: invoice.amount, method: method, idempotencyKey: idempotencyKey, status: .pending,
            createdAt: now)
        let event = HistoryEvent(
            .payment, item: id, action: PaymentAction.initiate, from: nil as PaymentStatus?, to: .pending, by: actor, at: now)
        return (payment, event)
    }

    /// Records the provider's answer: success (with the amount it confirmed) or failure.
    /// - Throws: `PaymentError.payment` from a non-pending state, `.amountMismatch` for a wrong amount.
    public func applying(
        _ action: PaymentAction, confirmedAmount: VND? = nil, providerReference: String? = nil, reason: String? = nil,
        by actor: Actor, at now: Date
    ) throws(PaymentError) -> (Payment, HistoryEvent) {
        let target: PaymentStatus
        do {
            target = try Self.lifecycle.target(
                of: action, from: status, by: actor, on: Stakeholders(ownerID: citizenID, agencyCode: agencyCode))
        } catch { throw .payment(error) }
        if action == .succeed, let confirmedAmount, confirmedAmount != amount {
            throw .amountMismatch(expected: amount, got: confirmedAmount)
        }
        var next = self
        next.status = target
        next.settledAt = now
        next.providerReference = providerReference ?? self.providerReference
        if action == .fail { next.failureReason = reason }
        return (next, HistoryEvent(.payment, item: id, action: action, from: status, to: target, by: actor, at: now, reason: reason))
    }

    /// Restores a value read back from storage; no validation.
    public init(
        id: UUID, invoiceID: UUID, citizenID: UUID, agencyCode: String, amount: VND, method: PaymentMethod, idempotencyKey: String, status: PaymentStatus, providerReference: String? = nil, createdAt: Date, settledAt: Date? = nil, failureReason: String? = nil
    ) {
        self.id = id
        self.invoiceID = invoiceID
        self.citizenID = citizenID
        self.agencyCode = agencyCode
        self.amount = amount
        self.method = method
        self.idempotencyKey = idempotencyKey
        self.status = status
        self.providerReference = providerReference
        self.createdAt = createdAt
        self.settledAt = settledAt
        self.failureReason = failureReason
    }

    enum CodingKeys: String, CodingKey { case id, invoiceID = "invoice_id", citizenID = "citizen_id", agencyCode = "agency_code", amount, method, idempotencyKey = "idempotency_key", status, providerReference = "provider_reference", createdAt = "created_at", settledAt = "settled_at", failureReason = "failure_reason" }
}

/// Money returned to a citizen, in full or in part, never more than was paid.
public struct Refund: Sendable, Equatable, Codable {
    /// The id.
    public let id: UUID
    /// The payment refunded.
    public let paymentID: UUID
    /// The amount returned.
    public let amount: VND
    /// Why.
    public let reason: VietnameseText
    /// The current status.
    public var status: RefundStatus
    /// The official who requested it.
    public let requestedBy: UUID
    /// When.
    public let requestedAt: Date
    /// When the provider answered.
    public var settledAt: Date?

    /// The refund lifecycle.
    public static let lifecycle = Lifecycle<RefundStatus, RefundAction>([
        .init(.succeed, from: [.pending], to: .succeeded, by: [.system]),
        .init(.fail, from: [.pending], to: .failed, by: [.system]),
    ])

    /// Requests a refund.
    /// - Parameters:
    ///   - alreadyRefunded: the sum of the payment's refunds that are pending or succeeded.
    /// - Throws: `PaymentError`.
    public static func request(
        id: UUID, of payment: Payment, amount: Int64, reason: String, alreadyRefunded: VND, by actor: Actor, at now: Date
    ) throws(PaymentError) -> (Refund, HistoryEvent) {
        guard actor.role.isStaff else { throw .refund(.roleNotAllowed(actor.role, .request)) }
        guard actor.agencyCode == payment.agencyCode else { throw .refund(.otherAgency(.request)) }
        guard payment.status == .succeeded else { throw .paymentNotSucceeded }
        let money: VND
        do { money = try VND.positive(amount) } catch { throw .amount(error) }
        let refundable = payment.amount - alreadyRefunded
        guard money <= refundable else { throw .refundExceedsPaid(refundable: refundable, requested: money) }
        let text: VietnameseText
        do { text = try VietnameseText(reason, field: "reason", minLength: 5, maxLength: 1000, multiline: true) } catch {
            throw .text(error)
        }
        let refund = Refund(
            id: id, paymentID: payment.id, amount: money, reason: text, status: .pending, requestedBy: actor.id,
            requestedAt: now)
        let event = HistoryEvent(
            .refund, item: id, action: RefundAction.request, from: nil as RefundStatus?, to: .pending, by: actor, at: now,
            reason: text.value)
        return (refund, event)
    }

    /// Records the provider's answer.
    /// - Throws: `PaymentError.refund` from a non-pending state.
    public func applying(_ action: RefundAction, by actor: Actor, at now: Date) throws(PaymentError) -> (Refund, HistoryEvent) {
        let target: RefundStatus
        do {
            target = try Self.lifecycle.target(
                of: action, from: status, by: actor, on: Stakeholders(ownerID: requestedBy, agencyCode: nil))
        } catch { throw .refund(error) }
        var next = self
        next.status = target
        next.settledAt = now
        return (next, HistoryEvent(.refund, item: id, action: action, from: status, to: target, by: actor, at: now))
    }

    /// Restores a value read back from storage; no validation.
    public init(
        id: UUID, paymentID: UUID, amount: VND, reason: VietnameseText, status: RefundStatus, requestedBy: UUID, requestedAt: Date, settledAt: Date? = nil
    ) {
        self.id = id
        self.paymentID = paymentID
        self.amount = amount
        self.reason = reason
        self.status = status
        self.requestedBy = requestedBy
        self.requestedAt = requestedAt
        self.settledAt = settledAt
    }

    enum CodingKeys: String, CodingKey { case id, paymentID = "payment_id", amount, reason, status, requestedBy = "requested_by", requestedAt = "requested_at", settledAt = "settled_at" }
}

/// An electronic receipt (biên lai điện tử): immutable once issued.
public struct Receipt: Sendable, Equatable, Codable {
    /// The id.
    public let id: UUID
    /// The payment it acknowledges.
    public let paymentID: UUID
    /// The invoice paid.
    public let invoiceID: UUID
    /// The payer.
    public let citizenID: UUID
    /// The collecting agency.
    public let agencyCode: String
    /// The number within the agency's series.
    public let number: ReceiptNumber
    /// The amount.
    public let amount: VND
    /// The amount in words, as printed.
    public let amountInWords: String
    /// What was paid for.
    public let description: String
    /// When it was issued (the payment's success).
    public let issuedAt: Date

    /// Issues the receipt of a successful payment with the number the store allocated.
    public static func issue(
        id: UUID, for payment: Payment, invoice: Invoice, number: ReceiptNumber, at now: Date
    ) -> Receipt {
        precondition(payment.status == .succeeded, "receipts are issued only for successful payments")
        return Receipt(
            id: id, paymentID: payment.id, invoiceID: invoice.id, citizenID: invoice.citizenID,
            agencyCode: invoice.agencyCode, number: number, amount: payment.amount,
            amountInWords: payment.amount.inWords, description: invoice.description.value, issuedAt: now)
    }

    /// Restores a value read back from storage; no validation.
    public init(
        id: UUID, paymentID: UUID, invoiceID: UUID, citizenID: UUID, agencyCode: String, number: ReceiptNumber, amount: VND, amountInWords: String, description: String, issuedAt: Date
    ) {
        self.id = id
        self.paymentID = paymentID
        self.invoiceID = invoiceID
        self.citizenID = citizenID
        self.agencyCode = agencyCode
        self.number = number
        self.amount = amount
        self.amountInWords = amountInWords
        self.description = description
        self.issuedAt = issuedAt
    }

    enum CodingKeys: String, CodingKey { case id, paymentID = "payment_id", invoiceID = "invoice_id", citizenID = "citizen_id", agencyCode = "agency_code", number, amount, amountInWords = "amount_in_words", description, issuedAt = "issued_at" }
}
