import Domain
import Foundation
import GRDB

extension ServiceRequest: Versioned {
    static let table = "service_requests"
    static let changeEntity = "service_request"
    static let columns = [
        "id", "dossier_code", "citizen_id", "procedure_code", "agency_code", "fields", "documents", "fee", "status",
        "submitted_at", "received_at", "promised_at", "due_at", "paused_at", "remaining_minutes", "supplement_missing",
        "supplement_requested_at", "supplement_supplied_at", "apology_reason", "apology_new_due_at", "apology_issued_at",
        "apology_replaced_due_at", "result_ready_at", "finished_at", "timeliness", "closing_reason",
    ]
    static let selection = columns.joined(separator: ", ")
    static let statements = TableStatements(Self.self)

    var key: String { id.text }

    var values: [(any BoundValue)?] {
        [
            id.text, dossierCode?.value, citizenID.text, procedureCode, agencyCode, jsonText(fields),
            jsonText(documents), fee.amount, status.rawValue, submittedAt?.stored, receivedAt?.stored, promisedAt?.stored,
            deadline?.dueAt.stored, deadline?.pausedAt?.stored,
            deadline?.pausedAt == nil ? nil : (deadline?.remainingMinutesAtPause ?? 0),
            supplementRequest?.missing.value, supplementRequest?.requestedAt.stored, supplementRequest?.suppliedAt?.stored,
            apology?.reason.value, apology?.newDueAt.stored, apology?.issuedAt.stored, apology?.replacedDueAt.stored,
            resultReadyAt?.stored, finishedAt?.stored, timeliness?.rawValue, closingReason,
        ]
    }

    var partition: ChangePartition { ChangePartition(ownerID: citizenID, agencyCode: status == .draft ? nil : agencyCode) }

    init(row: Row) throws {
        guard let id = row.uuid("id"), let citizenID = row.uuid("citizen_id"),
            let status = DossierStatus(rawValue: row["status"])
        else { throw StorageDecodingError.corrupt(table: "service_requests", column: "id") }
        var deadline: Deadline?
        if let due = row.time("due_at") {
            deadline = Deadline(dueAt: due)
            deadline?.pausedAt = row.time("paused_at")
            deadline?.remainingMinutesAtPause = row["remaining_minutes"]
        }
        var supplement: SupplementRequest?
        if let missing = row["supplement_missing"] as String?, let at = row.time("supplement_requested_at") {
            supplement = SupplementRequest(
                missing: VietnameseText(stored: missing), requestedAt: at, suppliedAt: row.time("supplement_supplied_at"))
        }
        var apology: ApologySlip?
        if let reason = row["apology_reason"] as String?, let newDue = row.time("apology_new_due_at"),
            let issued = row.time("apology_issued_at"), let replaced = row.time("apology_replaced_due_at")
        {
            apology = ApologySlip(reason: VietnameseText(stored: reason), newDueAt: newDue, issuedAt: issued, replacedDueAt: replaced)
        }
        self.init(
            id: id, citizenID: citizenID, procedureCode: row["procedure_code"], agencyCode: row["agency_code"],
            fields: try jsonValue(row["fields"]), documents: try jsonValue(row["documents"]),
            fee: VND(unchecked: row["fee"]), status: status,
            dossierCode: try (row["dossier_code"] as String?).map(DossierCode.init(parsing:)),
            submittedAt: row.time("submitted_at"), receivedAt: row.time("received_at"), promisedAt: row.time("promised_at"),
            deadline: deadline, supplementRequest: supplement, apology: apology, resultReadyAt: row.time("result_ready_at"),
            finishedAt: row.time("finished_at"), timeliness: (row["timeliness"] as String?).flatMap(Timeliness.init(rawValue:)),
            closingReason: row["closing_reason"])
    }
}

extension SQLiteStore: ServiceRequestRepository {
    func create(_ request: ServiceRequest, events: [HistoryEvent], at now: Date) async throws {
        try await database.write { db in try Self.createRequest(db, request, events: events, at: now) }
    }

    func serviceRequest(id: UUID) async throws -> ServiceRequest? {
        try await database.reader.read { db in try Self.fetch(ServiceRequest.self, key: id.text, db: db) }
    }

    func update(
        id: UUID, at now: Date,
        _ change: @escaping @Sendable (ServiceRequest, any SequenceAllocator) throws -> (ServiceRequest, [HistoryEvent], (Invoice, HistoryEvent)?)
    ) async throws -> ServiceRequest {
        try await database.write { db in try Self.updateRequest(db, id: id, at: now, change) }
    }

    /// Stores a new dossier inside the caller's transaction.
    static func createRequest(_ db: Database, _ request: ServiceRequest, events: [HistoryEvent], at now: Date) throws {
        try insert(request, db: db, at: now)
        try record(events, db: db)
    }

    /// Changes a dossier inside the caller's transaction (see `update`).
    static func updateRequest(
        _ db: Database, id: UUID, at now: Date,
        _ change: (ServiceRequest, any SequenceAllocator) throws -> (ServiceRequest, [HistoryEvent], (Invoice, HistoryEvent)?)
    ) throws -> ServiceRequest {
        guard let current = try fetch(ServiceRequest.self, key: id.text, db: db) else {
            throw StoreError.notFound("service request \(id)")
        }
        let (next, events, invoice) = try change(current, DatabaseSequences(db: db))
        try update(next, db: db, at: now)
        try record(events, db: db)
        if let (invoice, event) = invoice {
            try insert(invoice, db: db, at: now)
            try record([event], db: db)
        }
        return next
    }
}
