import Foundation

/// What the sandbox provider should do with a payment (development and tests only).
public enum SandboxOutcome: String, Codable, Sendable, CaseIterable {
    /// Confirm at once.
    case succeed
    /// Decline at once.
    case fail
    /// Confirm, but only after a delay (the citizen sees "pending" first).
    case late
    /// Confirm, delivering the same callback twice.
    case twice
}

/// Starts paying an invoice. Retrying with the same key returns the same payment; the same key
/// with a different request is refused (422).
public struct PaymentCreate: Codable, Sendable, Equatable {
    /// Client-generated, 8–255 visible ASCII characters, kept by the server at least 7 days.
    public var idempotencyKey: String
    /// `vietqr` or `sandbox` (card and e-wallet gateways are adapters to come).
    public var method: PaymentMethod
    /// For the sandbox provider: what it should do (default `succeed`).
    public var sandboxOutcome: SandboxOutcome?

    public init(idempotencyKey: String, method: PaymentMethod, sandboxOutcome: SandboxOutcome? = nil) {
        self.idempotencyKey = idempotencyKey
        self.method = method
        self.sandboxOutcome = sandboxOutcome
    }

    enum CodingKeys: String, CodingKey { case idempotencyKey = "idempotency_key", method, sandboxOutcome = "sandbox_outcome" }
}

/// A payment just started (or the one a retried key started).
public struct PaymentStarted: Codable, Sendable, Equatable {
    public var payment: PaymentView
    /// For `vietqr`: the EMVCo payload to show as a QR code; its transfer note carries the payment reference.
    public var vietqr: String?
    /// The reference the transfer note and the provider's callback carry.
    public var reference: String

    public init(payment: PaymentView, vietqr: String?, reference: String) {
        self.payment = payment
        self.vietqr = vietqr
        self.reference = reference
    }
}

/// An official's refund of a successful payment: in full or in part, never more than was paid.
public struct RefundCreate: Codable, Sendable, Equatable {
    /// Client-generated: a retry with the same id returns the same refund.
    public var id: UUID
    /// đồng, at most what is still refundable.
    public var amount: Int64
    /// Why (the citizen reads it).
    public var reason: String

    public init(id: UUID, amount: Int64, reason: String) {
        self.id = id
        self.amount = amount
        self.reason = reason
    }
}

/// A refund as shown.
public struct RefundView: Codable, Sendable, Equatable {
    public var id: UUID
    public var paymentId: UUID
    public var amount: Int64
    public var reason: String
    public var status: RefundStatus
    public var requestedAt: Date
    public var settledAt: Date?

    public init(_ refund: Refund) {
        id = refund.id
        paymentId = refund.paymentID
        amount = refund.amount.amount
        reason = refund.reason.value
        status = refund.status
        requestedAt = refund.requestedAt
        settledAt = refund.settledAt
    }

    enum CodingKeys: String, CodingKey { case id, paymentId = "payment_id", amount, reason, status, requestedAt = "requested_at", settledAt = "settled_at" }
}

/// The body a payment provider posts to `/v1/payments/callback` (see `Docs/payments.md`): signed
/// per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature` headers).
public struct ProviderCallback: Codable, Sendable, Equatable {
    /// Our payment id (the reference in the transfer note).
    public var paymentId: UUID
    /// The provider's transaction reference.
    public var providerReference: String
    /// `succeeded` or `failed`.
    public var status: PaymentStatus
    /// đồng the provider collected.
    public var amount: Int64
    /// Always `VND`.
    public var currency: String
    /// Why it failed, when it did.
    public var reason: String?

    public init(paymentId: UUID, providerReference: String, status: PaymentStatus, amount: Int64, currency: String = "VND", reason: String? = nil) {
        self.paymentId = paymentId
        self.providerReference = providerReference
        self.status = status
        self.amount = amount
        self.currency = currency
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey { case paymentId = "payment_id", providerReference = "provider_reference", status, amount, currency, reason }
}

/// The answer to a callback the server accepted.
public struct CallbackAck: Codable, Sendable, Equatable {
    /// `applied` (it changed the payment) or `duplicate` (already known: nothing changed).
    public var result: String
    public init(result: String) { self.result = result }
}

extension Endpoints {
    public static let createPayment = Endpoint<PaymentCreate, PaymentStarted>(
        "createPayment", .post, "/v1/invoices/{id}/payments", access: .citizen, success: 201, maxBodyBytes: 2048)
    public static let createRefund = Endpoint<RefundCreate, RefundView>(
        "createRefund", .post, "/v1/payments/{id}/refunds", access: .staff, success: 201, maxBodyBytes: 4096)
    /// Provider callbacks: the raw body is signed, so the route reads bytes (listed with `binary`).
    public static let paymentCallback = EndpointDescription(
        name: "paymentCallback", method: .post, path: "/v1/payments/callback", access: .anyone, successStatus: 200)
}
