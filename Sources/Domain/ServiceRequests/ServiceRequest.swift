import Foundation

/// Where a dossier is in its lifecycle.
public enum DossierStatus: String, LifecycleStatus {
    /// Being prepared by the citizen; not yet sent.
    case draft
    /// Sent by the citizen, waiting for the completeness check.
    case submitted
    /// Accepted: dossier code issued, promised date computed.
    case received
    /// Being processed.
    case inProcessing = "in_processing"
    /// Waiting for the citizen's supplement; the deadline clock is paused.
    case supplementRequested = "supplement_requested"
    /// The result is ready to be returned.
    case resultReady = "result_ready"
    /// The result was delivered.
    case completed
    /// Refused, with a reason.
    case rejected
    /// Withdrawn by the citizen.
    case withdrawn

    public var label: Message {
        switch self {
        case .draft: Message(vi: "Nháp", en: "Draft")
        case .submitted: Message(vi: "Đã nộp", en: "Submitted")
        case .received: Message(vi: "Đã tiếp nhận", en: "Received")
        case .inProcessing: Message(vi: "Đang xử lý", en: "In processing")
        case .supplementRequested: Message(vi: "Yêu cầu bổ sung", en: "Supplement requested")
        case .resultReady: Message(vi: "Có kết quả", en: "Result ready")
        case .completed: Message(vi: "Đã trả kết quả", en: "Completed")
        case .rejected: Message(vi: "Từ chối", en: "Rejected")
        case .withdrawn: Message(vi: "Đã rút hồ sơ", en: "Withdrawn")
        }
    }

    /// Whether nothing more happens to the dossier.
    public var isFinal: Bool { self == .completed || self == .rejected || self == .withdrawn }
}

/// What can be done to a dossier.
public enum DossierAction: String, LifecycleAction {
    /// The citizen sends the draft.
    case submit
    /// An official accepts it after the completeness check.
    case receive
    /// Processing starts.
    case startProcessing = "start_processing"
    /// An official lists everything missing, once.
    case requestSupplement = "request_supplement"
    /// The citizen sends what was missing.
    case supplement
    /// An official issues the apology slip with a new date (the status stays).
    case issueApology = "issue_apology"
    /// The result is ready.
    case markResultReady = "result_ready"
    /// The result was delivered.
    case complete
    /// Refused with a reason.
    case reject
    /// Withdrawn by the citizen.
    case withdraw
}

/// The written request for missing documents (phiếu yêu cầu bổ sung), given once.
public struct SupplementRequest: Sendable, Equatable, Codable {
    /// Everything missing, listed at once.
    public var missing: VietnameseText
    /// When it was issued.
    public var requestedAt: Date
    /// When the citizen supplied it.
    public var suppliedAt: Date?

    /// Creates the value.
    public init(
        missing: VietnameseText, requestedAt: Date, suppliedAt: Date? = nil
    ) {
        self.missing = missing
        self.requestedAt = requestedAt
        self.suppliedAt = suppliedAt
    }

    enum CodingKeys: String, CodingKey { case missing, requestedAt = "requested_at", suppliedAt = "supplied_at" }
}

/// The apology-and-new-date slip (phiếu xin lỗi và hẹn lại ngày trả kết quả).
public struct ApologySlip: Sendable, Equatable, Codable {
    /// Why the office is late.
    public var reason: VietnameseText
    /// The new date promised.
    public var newDueAt: Date
    /// When it was issued.
    public var issuedAt: Date
    /// The due time it replaced, which still judges timeliness.
    public var replacedDueAt: Date

    /// Creates the value.
    public init(
        reason: VietnameseText, newDueAt: Date, issuedAt: Date, replacedDueAt: Date
    ) {
        self.reason = reason
        self.newDueAt = newDueAt
        self.issuedAt = issuedAt
        self.replacedDueAt = replacedDueAt
    }

    enum CodingKeys: String, CodingKey { case reason, newDueAt = "new_due_at", issuedAt = "issued_at", replacedDueAt = "replaced_due_at" }
}

/// Why a dossier operation was refused.
public enum DossierError: DomainFailure, Equatable {
    /// The lifecycle does not allow it.
    case transition(TransitionError<DossierStatus, DossierAction>)
    /// A text field is invalid.
    case text(TextError)
    /// The procedure code is not in the catalogue.
    case unknownProcedure(String)
    /// A commune-level procedure needs the commune whose committee receives it.
    case communeRequired
    /// The commune is invalid.
    case location(LocationError)
    /// A form field is missing or invalid.
    case form(FormError)
    /// Document references that are not distinct SHA-256 digests.
    case invalidDocuments
    /// Guidance to supplement is given once; it was already given.
    case supplementAlreadyRequested
    /// The dossier is past its due time and needs an apology slip before its result.
    case apologyRequired(dueAt: Date)
    /// An apology slip's new date must be after the current due time.
    case apologyDateNotLater
    /// The dossier code could not be issued.
    case code(CodeError)

    public var code: String {
        switch self {
        case .transition(let e): e.code
        case .text(let e): e.code
        case .unknownProcedure: "procedure.unknown"
        case .communeRequired: "dossier.commune_required"
        case .location(let e): e.code
        case .form(let e): e.code
        case .invalidDocuments: "dossier.invalid_documents"
        case .supplementAlreadyRequested: "dossier.supplement_already_requested"
        case .apologyRequired: "dossier.apology_required"
        case .apologyDateNotLater: "dossier.apology_date_not_later"
        case .code(let e): e.code
        }
    }

    public var field: String? {
        switch self {
        case .text(let e): e.field
        case .location(let e): e.field
        case .form(let e): e.field
        case .unknownProcedure: "procedure"
        case .communeRequired: "commune"
        case .invalidDocuments: "documents"
        case .apologyDateNotLater: "new_due_at"
        default: nil
        }
    }

    public var message: Message {
        switch self {
        case .transition(let e): e.message
        case .text(let e): e.message
        case .location(let e): e.message
        case .form(let e): e.message
        case .code(let e): e.message
        case .unknownProcedure(let code):
            Message(vi: "Thủ tục “\(code)” không có trong danh mục.", en: "Procedure “\(code)” is not in the catalogue.")
        case .communeRequired:
            Message(
                vi: "Thủ tục cấp xã cần chọn xã/phường tiếp nhận hồ sơ.",
                en: "A commune-level procedure needs the commune that receives it.")
        case .invalidDocuments:
            Message(
                vi: "Mỗi tài liệu đính kèm được tham chiếu một lần bằng mã SHA-256.",
                en: "Each document is referenced once by its SHA-256 digest.")
        case .supplementAlreadyRequested:
            Message(
                vi: "Hồ sơ đã được hướng dẫn bổ sung một lần; không yêu cầu bổ sung lần nữa.",
                en: "Supplement guidance was already given once; it cannot be requested again.")
        case .apologyRequired(let due):
            Message(
                vi: "Hồ sơ đã quá hạn (\(VietnamTime.format(due))): cần phát hành phiếu xin lỗi và hẹn lại ngày trả kết quả.",
                en: "The dossier is past due (\(VietnamTime.format(due))): issue an apology slip with a new date first.")
        case .apologyDateNotLater:
            Message(vi: "Ngày hẹn mới phải sau ngày hẹn hiện tại.", en: "The new date must be after the current due date.")
        }
    }
}

/// A citizen's application for a procedure (hồ sơ thủ tục hành chính).
public struct ServiceRequest: Sendable, Equatable, Codable {
    /// The id the device generated.
    public let id: UUID
    /// The applicant.
    public let citizenID: UUID
    /// The procedure code.
    public var procedureCode: String
    /// The receiving agency.
    public var agencyCode: String
    /// The validated form values, by field key.
    public var fields: [String: String]
    /// SHA-256 digests of attached documents.
    public var documents: [String]
    /// The fee at the time of application.
    public var fee: VND
    /// The current status.
    public var status: DossierStatus
    /// The dossier code, once received.
    public var dossierCode: DossierCode?
    /// When it was submitted (server time).
    public var submittedAt: Date?
    /// When it was received.
    public var receivedAt: Date?
    /// The date promised on receipt (giấy hẹn), never moved afterwards.
    public var promisedAt: Date?
    /// The running (or paused) deadline.
    public var deadline: Deadline?
    /// The supplement request, if one was made.
    public var supplementRequest: SupplementRequest?
    /// The apology slip, if the office was late.
    public var apology: ApologySlip?
    /// When the result was ready.
    public var resultReadyAt: Date?
    /// When it was finished (completed, rejected or withdrawn).
    public var finishedAt: Date?
    /// Early, on time or late, for a completed dossier.
    public var timeliness: Timeliness?
    /// Why it was rejected or withdrawn.
    public var closingReason: String?

    /// Restores a value read back from storage; no validation.
    public init(
        id: UUID, citizenID: UUID, procedureCode: String, agencyCode: String, fields: [String: String], documents: [String], fee: VND, status: DossierStatus, dossierCode: DossierCode? = nil, submittedAt: Date? = nil, receivedAt: Date? = nil, promisedAt: Date? = nil, deadline: Deadline? = nil, supplementRequest: SupplementRequest? = nil, apology: ApologySlip? = nil, resultReadyAt: Date? = nil, finishedAt: Date? = nil, timeliness: Timeliness? = nil, closingReason: String? = nil
    ) {
        self.id = id
        self.citizenID = citizenID
        self.procedureCode = procedureCode
        self.agencyCode = agencyCode
        self.fields = fields
        self.documents = documents
        self.fee = fee
        self.status = status
        self.dossierCode = dossierCode
        self.submittedAt = submittedAt
        self.receivedAt = receivedAt
        self.promisedAt = promisedAt
        self.deadline = deadline
        self.supplementRequest = supplementRequest
        self.apology = apology
        self.resultReadyAt = resultReadyAt
        self.finishedAt = finishedAt
        self.timeliness = timeliness
        self.closingReason = closingReason
    }

    enum CodingKeys: String, CodingKey { case id, citizenID = "citizen_id", procedureCode = "procedure_code", agencyCode = "agency_code", fields, documents, fee, status, dossierCode = "dossier_code", submittedAt = "submitted_at", receivedAt = "received_at", promisedAt = "promised_at", deadline, supplementRequest = "supplement_request", apology, resultReadyAt = "result_ready_at", finishedAt = "finished_at", timeliness, closingReason = "closing_reason" }
}

/// What a citizen sends to apply for a procedure.
public struct ServiceRequestDraft: Sendable, Equatable, Codable {
    /// The procedure code.
    public var procedure: String
    /// The commune whose committee receives a commune-level procedure.
    public var commune: String?
    /// Form values by field key.
    public var fields: [String: String]
    /// SHA-256 digests of documents.
    public var documents: [String]

    /// Creates a draft.
    public init(procedure: String, commune: String? = nil, fields: [String: String] = [:], documents: [String] = []) {
        self.procedure = procedure
        self.commune = commune
        self.fields = fields
        self.documents = documents
    }
}

/// A change to a dossier, with what it needs.
public enum DossierCommand: Sendable {
    /// Send the draft.
    case submit
    /// Accept after the completeness check: the code and the calendar for the promised date.
    case receive(code: DossierCode, processingDays: Int, calendar: WorkingCalendar)
    /// Start processing.
    case startProcessing
    /// Ask for everything missing, once; the clock pauses.
    case requestSupplement(missing: String, calendar: WorkingCalendar)
    /// Supply what was missing; the clock restarts.
    case supplement(documents: [String], calendar: WorkingCalendar)
    /// Apologise and promise a new date.
    case issueApology(reason: String, newDueAt: Date)
    /// The result is ready.
    case markResultReady
    /// The result was delivered.
    case complete(calendar: WorkingCalendar)
    /// Refuse with a reason.
    case reject(reason: String)
    /// Withdraw.
    case withdraw(reason: String?)

    /// The lifecycle action this command performs.
    public var action: DossierAction {
        switch self {
        case .submit: .submit
        case .receive: .receive
        case .startProcessing: .startProcessing
        case .requestSupplement: .requestSupplement
        case .supplement: .supplement
        case .issueApology: .issueApology
        case .markResultReady: .markResultReady
        case .complete: .complete
        case .reject: .reject
        case .withdraw: .withdraw
        }
    }
}

extension ServiceRequest {
    /// The dossier state machine.
    public static let lifecycle = Lifecycle<DossierStatus, DossierAction>([
        .init(.submit, from: [.draft], to: .submitted, by: [.citizen]),
        .init(.receive, from: [.submitted], to: .received, by: [.official, .supervisor]),
        .init(.startProcessing, from: [.received], to: .inProcessing, by: [.official, .supervisor]),
        .init(.requestSupplement, from: [.received, .inProcessing], to: .supplementRequested, by: [.official, .supervisor]),
        .init(.supplement, from: [.supplementRequested], to: .inProcessing, by: [.citizen]),
        .init(.issueApology, from: [.received, .inProcessing], to: nil, by: [.official, .supervisor]),
        .init(.markResultReady, from: [.inProcessing], to: .resultReady, by: [.official, .supervisor]),
        .init(.complete, from: [.resultReady], to: .completed, by: [.official, .supervisor]),
        .init(.reject, from: [.submitted, .received, .inProcessing, .supplementRequested], to: .rejected, by: [.official, .supervisor]),
        .init(.withdraw, from: [.draft, .submitted, .received, .inProcessing, .supplementRequested], to: .withdrawn, by: [.citizen]),
    ])

    /// Validates a draft against its procedure and creates the dossier in `draft`.
    /// - Throws: `DossierError` naming the first problem.
    public static func create(
        _ draft: ServiceRequestDraft, id: UUID, by citizen: Actor, at now: Date, catalog: ReferenceCatalog
    ) throws(DossierError) -> (ServiceRequest, HistoryEvent) {
        guard citizen.role == .citizen else { throw .transition(.roleNotAllowed(citizen.role, .submit)) }
        guard let procedure = catalog.procedure(draft.procedure) else { throw .unknownProcedure(draft.procedure) }
        let agency: String
        if let code = procedure.agencyCode {
            agency = code
        } else {
            guard let commune = draft.commune else { throw .communeRequired }
            do {
                agency = Agency.committeeCode(commune: try CommuneCode(commune, in: catalog.communeDirectory).value)
            } catch { throw .location(error) }
        }
        let fields: [String: String]
        do { fields = try FormValidator.validate(draft.fields, against: procedure.fields, catalog: catalog, now: now) } catch {
            throw .form(error)
        }
        guard draft.documents.allSatisfy(isSHA256Hex), Set(draft.documents).count == draft.documents.count,
            draft.documents.count <= 20
        else { throw .invalidDocuments }
        let request = ServiceRequest(
            id: id, citizenID: citizen.id, procedureCode: procedure.code, agencyCode: agency, fields: fields,
            documents: draft.documents, fee: procedure.fee, status: .draft)
        let event = HistoryEvent(
            .serviceRequest, item: id, action: DossierAction.submit, from: nil as DossierStatus?, to: .draft,
            by: citizen, at: now)
        return (request, event)
    }

    /// Applies a command for `actor` at `now`; returns the new state and the history event.
    /// - Throws: `DossierError`; on error nothing changes.
    public func applying(
        _ command: DossierCommand, by actor: Actor, at now: Date
    ) throws(DossierError) -> (ServiceRequest, HistoryEvent) {
        let target: DossierStatus
        do {
            target = try Self.lifecycle.target(
                of: command.action, from: status, by: actor, on: Stakeholders(ownerID: citizenID, agencyCode: agencyCode))
        } catch { throw .transition(error) }
        var next = self
        next.status = target
        var reason: String?
        switch command {
        case .submit:
            next.submittedAt = now
        case .receive(let code, let days, let calendar):
            next.dossierCode = code
            next.receivedAt = now
            let due = calendar.adding(workingDays: days, to: calendar.nextWorkingInstant(atOrAfter: now))
            next.promisedAt = due
            next.deadline = Deadline(dueAt: due)
            reason = code.value
        case .startProcessing:
            break
        case .requestSupplement(let missing, let calendar):
            guard supplementRequest == nil else { throw .supplementAlreadyRequested }
            let text = try Self.text(missing, field: "missing", min: 5, max: 2000)
            next.supplementRequest = SupplementRequest(missing: text, requestedAt: now)
            next.deadline = deadline?.paused(at: now, calendar: calendar)
            reason = text.value
        case .supplement(let documents, let calendar):
            guard documents.allSatisfy(isSHA256Hex), Set(documents + self.documents).count == documents.count + self.documents.count
            else { throw .invalidDocuments }
            next.documents += documents
            next.supplementRequest?.suppliedAt = now
            next.deadline = deadline?.resumed(at: now, calendar: calendar)
        case .issueApology(let text, let newDue):
            let slipReason = try Self.text(text, field: "reason", min: 5, max: 1000)
            guard let current = deadline?.dueAt, newDue > current else { throw .apologyDateNotLater }
            next.apology = ApologySlip(
                reason: slipReason, newDueAt: newDue, issuedAt: now, replacedDueAt: apology?.replacedDueAt ?? current)
            next.deadline = Deadline(dueAt: newDue)
            reason = slipReason.value
        case .markResultReady:
            try requireApologyIfLate(at: now)
            next.resultReadyAt = now
        case .complete(let calendar):
            next.finishedAt = now
            // Timeliness is judged when the result was ready, against the date first promised
            // (extended by supplement pauses, never by an apology).
            let finished = resultReadyAt ?? now
            next.timeliness = calendar.timeliness(finishedAt: finished, dueAt: judgedDueAt ?? finished)
        case .reject(let text):
            reason = try Self.text(text, field: "reason", min: 5, max: 1000).value
            next.finishedAt = now
            next.closingReason = reason
        case .withdraw(let text):
            if let text, !text.trimmingSpace().isEmpty {
                reason = try Self.text(text, field: "reason", min: 1, max: 1000).value
            }
            next.finishedAt = now
            next.closingReason = reason
        }
        let event = HistoryEvent(
            .serviceRequest, item: id, action: command.action, from: status, to: target, by: actor, at: now, reason: reason)
        return (next, event)
    }

    /// The due instant that timeliness is judged against: the promised date moved only by
    /// supplement pauses, never by an apology slip.
    public var judgedDueAt: Date? { apology?.replacedDueAt ?? deadline?.dueAt }

    /// Whether the dossier is past due and not paused at `now`.
    public func isOverdue(at now: Date) -> Bool {
        guard !status.isFinal, status != .resultReady, let deadline else { return false }
        return deadline.isOverdue(at: now)
    }

    private func requireApologyIfLate(at now: Date) throws(DossierError) {
        if let deadline, deadline.isOverdue(at: now), apology == nil {
            throw .apologyRequired(dueAt: deadline.dueAt)
        }
    }

    private static func text(_ raw: String, field: String, min: Int, max: Int) throws(DossierError) -> VietnameseText {
        do { return try VietnameseText(raw, field: field, minLength: min, maxLength: max, multiline: true) } catch {
            throw .text(error)
        }
    }
}
