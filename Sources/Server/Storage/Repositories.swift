import Domain
import Foundation

/// Hands out gapless per-day sequence numbers inside the write that uses them: a rolled-back
/// write never consumes one.
protocol SequenceAllocator {
    /// The next value of the sequence `kind` for `scope` on `day`, starting at 1.
    func next(kind: String, scope: String, day: LocalDate) throws -> Int
}

/// A person who can sign in.
struct UserAccount: Sendable, Equatable {
    /// The id.
    var id: UUID
    /// The role.
    var role: Role
    /// A citizen's phone.
    var phone: PhoneNumber?
    /// Staff username.
    var username: String?
    /// Staff agency.
    var agencyCode: String?
    /// Whether the account is disabled.
    var disabled: Bool
    /// Tokens issued before this instant are refused (logout everywhere, disabling).
    var tokensValidAfter: Date?
}

/// Reference data: the catalogue in force.
protocol ReferenceRepository: Sendable {
    /// The catalogue in force, or nil before the first load.
    func catalog() async throws -> ReferenceCatalog?
    /// Installs a catalogue: adds and updates records, retires (never deletes) what the new one
    /// lacks, since stored items keep the codes they were filed under.
    /// - Returns: false when this version was already installed.
    func install(_ catalog: ReferenceCatalog, at now: Date) async throws -> Bool
}

/// Accounts.
protocol UserRepository: Sendable {
    /// The citizen with this phone, created on first sign-in.
    func citizen(phone: PhoneNumber, newID: UUID, at now: Date) async throws -> UserAccount
    /// Adds a staff or admin account with an already hashed password.
    func addStaff(id: UUID, username: Username, role: Role, agencyCode: String?, passwordHash: String, at now: Date)
        async throws -> UserAccount
    /// An account by id.
    func user(id: UUID) async throws -> UserAccount?
}

/// Feedback, its history and its change-log entries.
protocol FeedbackRepository: Sendable {
    /// Stores new feedback in one transaction: `accept` turns the submitted item into its received
    /// and routed state using sequences allocated in that same transaction.
    func create(
        _ submitted: Feedback, event: HistoryEvent, at now: Date,
        accept: @escaping @Sendable (Feedback, any SequenceAllocator) throws -> (Feedback, [HistoryEvent])
    ) async throws -> Feedback
    /// Feedback by id.
    func feedback(id: UUID) async throws -> Feedback?
    /// Applies a change to the current state in one transaction; nothing is stored if it throws.
    func update(
        id: UUID, at now: Date, _ change: @escaping @Sendable (Feedback) throws -> (Feedback, HistoryEvent)
    ) async throws -> Feedback
}

/// Service requests.
protocol ServiceRequestRepository: Sendable {
    /// Stores a new dossier with its first event.
    func create(_ request: ServiceRequest, events: [HistoryEvent], at now: Date) async throws
    /// A dossier by id.
    func serviceRequest(id: UUID) async throws -> ServiceRequest?
    /// Applies a change in one transaction; `change` may allocate the dossier code's sequence and
    /// return the fee invoice to issue with it.
    func update(
        id: UUID, at now: Date,
        _ change: @escaping @Sendable (ServiceRequest, any SequenceAllocator) throws -> (ServiceRequest, [HistoryEvent], (Invoice, HistoryEvent)?)
    ) async throws -> ServiceRequest
}

/// Invoices, payments, receipts and refunds.
protocol PaymentRepository: Sendable {
    /// Stores a new invoice.
    func createInvoice(_ invoice: Invoice, event: HistoryEvent, at now: Date) async throws
    /// An invoice by id.
    func invoice(id: UUID) async throws -> Invoice?
    /// Stores a new payment attempt.
    func createPayment(_ payment: Payment, event: HistoryEvent, at now: Date) async throws
    /// Records a provider's confirmation in one transaction: the payment succeeds, the invoice is
    /// settled, and a receipt is issued with the agency's next number in the year's series.
    func recordSuccess(
        paymentID: UUID, confirmedAmount: VND, providerReference: String, receiptID: UUID, at now: Date
    ) async throws -> Receipt
    /// The receipts of a citizen, newest first.
    func receipts(citizenID: UUID) async throws -> [Receipt]
}

/// A history reader for any kind of item.
protocol HistoryRepository: Sendable {
    /// The recorded transitions of an item, oldest first.
    func history(of kind: ItemKind, id: UUID) async throws -> [HistoryEvent]
}

/// A store failure with a meaning for callers.
enum StoreError: Error, Equatable {
    /// No such record.
    case notFound(String)
    /// A unique key (idempotency key, code) is taken.
    case conflict(String)
}
