import Foundation

/// Applies for a procedure.
public struct ServiceRequestCreate: Codable, Sendable, Equatable {
    /// The id the device generated.
    public var id: UUID
    /// The procedure code.
    public var procedure: String
    /// The receiving commune for commune-level procedures.
    public var commune: String?
    /// Form values by key.
    public var fields: [String: String]
    /// Document digests.
    public var documents: [String]?
    /// Creates the request.
    public init(id: UUID, draft: ServiceRequestDraft) {
        self.id = id
        procedure = draft.procedure
        commune = draft.commune
        fields = draft.fields
        documents = draft.documents
    }
    /// The draft it carries.
    public var draft: ServiceRequestDraft {
        ServiceRequestDraft(procedure: procedure, commune: commune, fields: fields, documents: documents ?? [])
    }
}

/// A dossier as shown.
public struct ServiceRequestView: Codable, Sendable, Equatable {
    public var id: UUID
    public var dossierCode: String?
    public var procedure: String
    public var agency: String
    public var citizenId: UUID?
    public var mine: Bool
    public var fields: [String: String]
    public var documents: [String]
    public var fee: Int64
    public var status: DossierStatus
    public var submittedAt: Date?
    public var receivedAt: Date?
    public var promisedAt: Date?
    public var dueAt: Date?
    public var paused: Bool
    public var overdue: Bool
    public var supplementMissing: String?
    public var supplementRequestedAt: Date?
    public var supplementSuppliedAt: Date?
    public var apologyReason: String?
    public var apologyNewDueAt: Date?
    public var resultReadyAt: Date?
    public var finishedAt: Date?
    public var timeliness: Timeliness?
    public var closingReason: String?

    /// The view of a dossier for `viewer` at `now`.
    public init(_ request: ServiceRequest, viewer: Actor, now: Date) {
        id = request.id
        dossierCode = request.dossierCode?.value
        procedure = request.procedureCode
        agency = request.agencyCode
        mine = viewer.role == .citizen && viewer.id == request.citizenID
        citizenId = viewer.role == .citizen && !mine ? nil : request.citizenID
        fields = request.fields
        documents = request.documents
        fee = request.fee.amount
        status = request.status
        submittedAt = request.submittedAt
        receivedAt = request.receivedAt
        promisedAt = request.promisedAt
        dueAt = request.deadline?.dueAt
        paused = request.deadline?.isPaused ?? false
        overdue = request.isOverdue(at: now)
        supplementMissing = request.supplementRequest?.missing.value
        supplementRequestedAt = request.supplementRequest?.requestedAt
        supplementSuppliedAt = request.supplementRequest?.suppliedAt
        apologyReason = request.apology?.reason.value
        apologyNewDueAt = request.apology?.newDueAt
        resultReadyAt = request.resultReadyAt
        finishedAt = request.finishedAt
        timeliness = request.timeliness
        closingReason = request.closingReason
    }

    enum CodingKeys: String, CodingKey { case id, dossierCode = "dossier_code", procedure, agency, citizenId = "citizen_id", mine, fields, documents, fee, status, submittedAt = "submitted_at", receivedAt = "received_at", promisedAt = "promised_at", dueAt = "due_at", paused, overdue, supplementMissing = "supplement_missing", supplementRequestedAt = "supplement_requested_at", supplementSuppliedAt = "supplement_supplied_at", apologyReason = "apology_reason", apologyNewDueAt = "apology_new_due_at", resultReadyAt = "result_ready_at", finishedAt = "finished_at", timeliness, closingReason = "closing_reason" }
}

/// Supplies what a supplement request listed.
public struct SupplementBody: Codable, Sendable, Equatable {
    /// New document digests.
    public var documents: [String]
    /// Creates the body.
    public init(documents: [String]) { self.documents = documents }
}

/// Asks for what is missing, once.
public struct SupplementRequestBody: Codable, Sendable, Equatable {
    /// Everything missing, listed at once.
    public var missing: String
    /// Creates the body.
    public init(missing: String) { self.missing = missing }
}

/// The apology slip.
public struct ApologyBody: Codable, Sendable, Equatable {
    /// Why the office is late.
    public var reason: String
    /// The new date promised.
    public var newDueAt: Date
    /// Creates the body.
    public init(reason: String, newDueAt: Date) {
        self.reason = reason
        self.newDueAt = newDueAt
    }

    enum CodingKeys: String, CodingKey { case reason, newDueAt = "new_due_at" }
}

/// Issues an invoice (school, hospital or other fees).
public struct InvoiceCreate: Codable, Sendable, Equatable {
    /// The id the device generated.
    public var id: UUID
    /// The citizen's phone.
    public var citizenPhone: String
    /// What for.
    public var purpose: InvoicePurpose
    /// The line shown to the citizen.
    public var description: String
    /// The amount in đồng.
    public var amount: Int64
    /// Creates the body.
    public init(id: UUID, citizenPhone: String, purpose: InvoicePurpose, description: String, amount: Int64) {
        self.id = id
        self.citizenPhone = citizenPhone
        self.purpose = purpose
        self.description = description
        self.amount = amount
    }

    enum CodingKeys: String, CodingKey { case id, citizenPhone = "citizen_phone", purpose, description, amount }
}

/// An invoice as shown.
public struct InvoiceView: Codable, Sendable, Equatable {
    public var id: UUID
    public var citizenId: UUID
    public var agency: String
    public var purpose: InvoicePurpose
    public var description: String
    public var amount: Int64
    public var serviceRequestId: UUID?
    public var status: InvoiceStatus
    public var issuedAt: Date
    public var paidAt: Date?
    public var paymentId: UUID?
    /// The view of an invoice.
    public init(_ invoice: Invoice) {
        id = invoice.id
        citizenId = invoice.citizenID
        agency = invoice.agencyCode
        purpose = invoice.purpose
        description = invoice.description.value
        amount = invoice.amount.amount
        serviceRequestId = invoice.serviceRequestID
        status = invoice.status
        issuedAt = invoice.issuedAt
        paidAt = invoice.paidAt
        paymentId = invoice.paymentID
    }

    enum CodingKeys: String, CodingKey { case id, citizenId = "citizen_id", agency, purpose, description, amount, serviceRequestId = "service_request_id", status, issuedAt = "issued_at", paidAt = "paid_at", paymentId = "payment_id" }
}

/// A payment as shown.
public struct PaymentView: Codable, Sendable, Equatable {
    public var id: UUID
    public var invoiceId: UUID
    public var amount: Int64
    public var method: PaymentMethod
    public var status: PaymentStatus
    public var providerReference: String?
    public var createdAt: Date
    public var settledAt: Date?
    public var failureReason: String?
    /// The view of a payment.
    public init(_ payment: Payment) {
        id = payment.id
        invoiceId = payment.invoiceID
        amount = payment.amount.amount
        method = payment.method
        status = payment.status
        providerReference = payment.providerReference
        createdAt = payment.createdAt
        settledAt = payment.settledAt
        failureReason = payment.failureReason
    }

    enum CodingKeys: String, CodingKey { case id, invoiceId = "invoice_id", amount, method, status, providerReference = "provider_reference", createdAt = "created_at", settledAt = "settled_at", failureReason = "failure_reason" }
}

/// A receipt as shown.
public struct ReceiptView: Codable, Sendable, Equatable {
    public var id: UUID
    public var number: String
    public var series: String
    public var agency: String
    public var paymentId: UUID
    public var invoiceId: UUID
    public var amount: Int64
    public var amountInWords: String
    public var description: String
    public var issuedAt: Date
    /// The view of a receipt.
    public init(_ receipt: Receipt) {
        id = receipt.id
        number = receipt.number.formatted
        series = receipt.number.series
        agency = receipt.agencyCode
        paymentId = receipt.paymentID
        invoiceId = receipt.invoiceID
        amount = receipt.amount.amount
        amountInWords = receipt.amountInWords
        description = receipt.description
        issuedAt = receipt.issuedAt
    }

    enum CodingKeys: String, CodingKey { case id, number, series, agency, paymentId = "payment_id", invoiceId = "invoice_id", amount, amountInWords = "amount_in_words", description, issuedAt = "issued_at" }
}
