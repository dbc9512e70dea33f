import Domain
import Foundation
import GRDB
import Hummingbird

/// Service requests: applying, reading, supplementing, and the agency's processing.
struct DossierController: Sendable {
    let store: SQLiteStore
    let catalog: CatalogProvider
    let ids: IDGenerator

    static func mayRead(_ request: ServiceRequest, _ viewer: Actor) -> Bool {
        switch viewer.role {
        case .citizen: request.citizenID == viewer.id
        case .official, .supervisor: request.agencyCode == viewer.agencyCode && request.status != .draft
        case .admin, .system: true
        }
    }

    func readable(_ id: UUID, by viewer: Actor) async throws -> ServiceRequest {
        guard let request = try await store.serviceRequest(id: id), Self.mayRead(request, viewer) else {
            throw APIError.notFound("request")
        }
        return request
    }

    func create(_ body: ServiceRequestCreate, by citizen: Actor, at now: Date) async throws -> ServiceRequestView {
        let created = try await store.database.write { db in try self.create(db, body, by: citizen, at: now) }
        return ServiceRequestView(created, viewer: citizen, now: now)
    }

    /// Applies for a procedure inside the caller's transaction; a retry of the same id returns what was stored.
    func create(_ db: Database, _ body: ServiceRequestCreate, by citizen: Actor, at now: Date) throws -> ServiceRequest {
        if let existing = try SQLiteStore.fetch(ServiceRequest.self, key: body.id.text, db: db) {
            guard existing.citizenID == citizen.id else { throw StoreError.conflict("request \(body.id)") }
            return existing
        }
        let (draft, e1) = try ServiceRequest.create(body.draft, id: body.id, by: citizen, at: now, catalog: catalog.current)
        try SQLiteStore.requireAttachments(db, draft.documents)
        let (submitted, e2) = try draft.applying(.submit, by: citizen, at: now)
        try SQLiteStore.createRequest(db, submitted, events: [e1, e2], at: now)
        return submitted
    }

    /// What a command may draw on inside the write: the catalogue, and the next dossier code of
    /// the receiving unit (allocated in the same transaction).
    struct Allocation {
        let catalog: ReferenceCatalog
        let nextCode: () throws -> DossierCode
    }

    /// Applies a command; receiving also issues the fee invoice in the same write.
    func apply(
        _ id: UUID, by actor: Actor, at now: Date,
        _ command: @escaping @Sendable (ServiceRequest, Allocation) throws -> DossierCommand
    ) async throws -> ServiceRequestView {
        let updated = try await store.database.write { db in try self.apply(db, id, by: actor, at: now, command) }
        return ServiceRequestView(updated, viewer: actor, now: now)
    }

    /// The same, inside the caller's transaction.
    func apply(
        _ db: Database, _ id: UUID, by actor: Actor, at now: Date, _ command: (ServiceRequest, Allocation) throws -> DossierCommand
    ) throws -> ServiceRequest {
        guard let existing = try SQLiteStore.fetch(ServiceRequest.self, key: id.text, db: db), Self.mayRead(existing, actor) else {
            throw APIError.notFound("request")
        }
        let catalog = self.catalog.current
        let invoiceID = ids()
        return try SQLiteStore.updateRequest(db, id: id, at: now) { current, sequences in
            let allocation = Allocation(catalog: catalog) {
                guard let agency = catalog.agency(current.agencyCode) else { throw FeedbackError.unknownAgency(current.agencyCode) }
                let day = VietnamTime.local(now).date
                do {
                    return try DossierCode(
                        unitCode: agency.unitCode, date: day,
                        sequence: try sequences.next(kind: "dossier", scope: agency.unitCode, day: day))
                } catch let error as CodeError { throw DossierError.code(error) }
            }
            let cmd = try command(current, allocation)
            if case .supplement(let documents, _) = cmd { try SQLiteStore.requireAttachments(db, documents) }
            let (next, event) = try current.applying(cmd, by: actor, at: now)
            var invoice: (Invoice, HistoryEvent)?
            if cmd.action == .receive, current.fee.amount > 0 {
                let name = catalog.procedure(current.procedureCode)?.name ?? current.procedureCode
                invoice = try Invoice.issue(
                    id: invoiceID, to: current.citizenID, agency: current.agencyCode, purpose: .serviceFee,
                    description: "Lệ phí: \(name)", amount: current.fee.amount, serviceRequestID: current.id, by: .system, at: now)
            }
            return (next, [event], invoice)
        }
    }

    func list(_ call: Call<NoContent>, queue: Bool) async throws -> Page<ServiceRequestView> {
        let user = try call.user
        var query = ServiceRequestQuery(limit: try call.limit())
        query.sort = try call.sort(queue ? ServiceRequestQuery.Sort.due : .newest)
        switch user.role {
        case .citizen: query.citizenID = user.id
        case .official, .supervisor: query.agencyCode = user.agencyCode
        case .admin, .system: break
        }
        query.statuses = try call.statuses(DossierStatus.self)
            ?? (queue ? [.submitted, .received, .inProcessing, .supplementRequested, .resultReady] : [])
        if try call.flag("overdue") { query.overdueAt = call.now }
        query.after = try Cursor.decode(call.query("cursor"), sort: query.sort.rawValue)?.values
        let (items, last) = try await store.serviceRequestPage(query)
        return page(items, last: last, sort: query.sort.rawValue) { ServiceRequestView($0, viewer: user, now: call.now) }
    }
}

extension APIRouter {
    func addDossierRoutes(_ controller: DossierController) {
        let c = controller
        register(Endpoints.createRequest) { call in try await c.create(call.body, by: call.user, at: call.now) }
        register(Endpoints.listRequests) { call in try await c.list(call, queue: false) }
        register(Endpoints.requestQueue) { call in try await c.list(call, queue: true) }
        register(Endpoints.getRequest) { call in
            ServiceRequestView(try await c.readable(call.pathID(), by: call.user), viewer: try call.user, now: call.now)
        }
        register(Endpoints.supplementRequest) { call in
            try await c.apply(call.pathID(), by: call.user, at: call.now) { _, a in .supplement(documents: call.body.documents, calendar: a.catalog.workingCalendar) }
        }
        register(Endpoints.withdrawRequest) { call in
            try await c.apply(call.pathID(), by: call.user, at: call.now) { _, _ in .withdraw(reason: call.body.reason) }
        }
        register(Endpoints.receiveRequest) { call in
            // The code and promised date are filled in inside the write.
            try await c.apply(call.pathID(), by: call.user, at: call.now) { current, a in
                guard let procedure = a.catalog.procedure(current.procedureCode) else {
                    throw DossierError.unknownProcedure(current.procedureCode)
                }
                return .receive(code: try a.nextCode(), processingDays: procedure.processingDays, calendar: a.catalog.workingCalendar)
            }
        }
        register(Endpoints.startRequest) { call in
            try await c.apply(call.pathID(), by: call.user, at: call.now) { _, _ in .startProcessing }
        }
        register(Endpoints.askSupplement) { call in
            try await c.apply(call.pathID(), by: call.user, at: call.now) { _, a in .requestSupplement(missing: call.body.missing, calendar: a.catalog.workingCalendar) }
        }
        register(Endpoints.apologise) { call in
            try await c.apply(call.pathID(), by: call.user, at: call.now) { _, _ in .issueApology(reason: call.body.reason, newDueAt: call.body.newDueAt) }
        }
        register(Endpoints.resultReady) { call in
            try await c.apply(call.pathID(), by: call.user, at: call.now) { _, _ in .markResultReady }
        }
        register(Endpoints.completeRequest) { call in
            try await c.apply(call.pathID(), by: call.user, at: call.now) { _, a in .complete(calendar: a.catalog.workingCalendar) }
        }
        register(Endpoints.rejectRequest) { call in
            try await c.apply(call.pathID(), by: call.user, at: call.now) { _, _ in .reject(reason: call.body.reason ?? "") }
        }
        register(Endpoints.requestHistory) { call in
            let user = try call.user
            let request = try await c.readable(call.pathID(), by: user)
            return try await c.store.history(of: .serviceRequest, id: request.id).map {
                HistoryView($0, revealActor: user.role != .citizen || $0.actorRole == .citizen)
            }
        }
    }
}
