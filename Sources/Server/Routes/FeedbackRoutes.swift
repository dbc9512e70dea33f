import Domain
import Foundation
import GRDB
import Hummingbird

/// Feedback: filing, reading, the thread, and the agency's work on it.
struct FeedbackController: Sendable {
    let store: SQLiteStore
    let catalog: CatalogProvider
    let ids: IDGenerator
    let policy = FeedbackPolicy.standard

    /// Whether `viewer` may read `feedback`: the reporter, the agency working it, admins, and
    /// anyone for public items once received.
    static func mayRead(_ feedback: Feedback, _ viewer: Actor) -> Bool {
        switch viewer.role {
        case .citizen: feedback.citizenID == viewer.id || feedback.isReadableByEveryCitizen
        case .official, .supervisor: feedback.agencyCode != nil && feedback.agencyCode == viewer.agencyCode
        case .admin, .system: true
        }
    }

    /// `mayRead` as an SQL condition on the `feedback` table aliased `f`, for queries over many
    /// items (the sync digest). The two must agree; SyncTests compare both ways.
    static func readableCondition(_ viewer: Actor) -> (String, [DatabaseValue]) {
        switch viewer.role {
        case .citizen: ("(f.citizen_id = ? OR (f.is_public = 1 AND f.status != 'submitted'))", [viewer.id.text.databaseValue])
        case .official, .supervisor: ("f.agency_code = ?", [(viewer.agencyCode ?? "").databaseValue])
        case .admin, .system: ("1 = 1", [])
        }
    }

    func readable(_ id: UUID, by viewer: Actor) async throws -> Feedback {
        guard let feedback = try await store.feedback(id: id), Self.mayRead(feedback, viewer) else { throw APIError.notFound("feedback") }
        return feedback
    }

    /// Applies a command to an item the caller may read; refusals change nothing.
    func apply(_ id: UUID, by actor: Actor, at now: Date, _ command: @escaping @Sendable (Feedback) throws -> FeedbackCommand) async throws -> FeedbackView {
        let updated = try await store.database.write { db in try self.apply(db, id, by: actor, at: now, command) }
        return FeedbackView(updated, viewer: actor, now: now)
    }

    /// The same, inside the caller's transaction (sync pushes apply many in one).
    func apply(_ db: Database, _ id: UUID, by actor: Actor, at now: Date, _ command: (Feedback) throws -> FeedbackCommand) throws -> Feedback {
        guard let current = try SQLiteStore.fetch(Feedback.self, key: id.text, db: db), Self.mayRead(current, actor) else {
            throw APIError.notFound("feedback")
        }
        return try SQLiteStore.updateFeedback(db, id: id, at: now) { current in
            try current.applying(command(current), by: actor, at: now)
        }
    }

    func create(_ body: FeedbackCreate, by citizen: Actor, at now: Date) async throws -> FeedbackView {
        let filing = filing(body, by: citizen, at: now)
        let created = try await store.database.write { db in try self.create(db, filing) }
        return FeedbackView(created, viewer: citizen, now: now)
    }

    /// Feedback to file, its draft already checked.
    struct Filing: Sendable {
        let body: FeedbackCreate
        let citizen: Actor
        let now: Date
        let catalog: ReferenceCatalog
        /// The submitted item and its event, or why the draft is refused.
        let checked: Result<(Feedback, HistoryEvent), FeedbackError>
    }

    /// Checks a draft before the write that files it: the check reads no stored data, and the
    /// single writer runs one write at a time (the text checks were 7% of its time for each item
    /// filed).
    func filing(_ body: FeedbackCreate, by citizen: Actor, at now: Date) -> Filing {
        let catalog = self.catalog.current
        return Filing(body: body, citizen: citizen, now: now, catalog: catalog, checked: Result { () throws(FeedbackError) in
            try Feedback.submit(body.draft, id: body.id, by: citizen, at: now, catalog: catalog, policy: policy)
        })
    }

    /// Files feedback inside the caller's transaction; a retry of the same id returns what was
    /// stored, whatever its draft.
    func create(_ db: Database, _ filing: Filing) throws -> Feedback {
        let body = filing.body, now = filing.now, catalog = filing.catalog
        // Whether the id is taken, from its index alone: reading a row through GRDB's `Row` maps
        // every column's name first, a tenth of filing an item with this table's 37.
        if try db.int("SELECT 1 FROM feedback WHERE id = ?", binding: [body.id.text]) != nil,
            let existing = try SQLiteStore.fetch(Feedback.self, key: body.id.text, db: db)
        {
            guard existing.citizenID == filing.citizen.id else { throw StoreError.conflict("feedback \(body.id)") }
            return existing
        }
        let (submitted, event) = try filing.checked.get()
        try SQLiteStore.requireAttachments(db, submitted.photos, imagesOnly: true)
        return try SQLiteStore.createFeedback(db, submitted, event: event, at: now) { feedback, sequences in
            try Self.accept(feedback, sequences: sequences, catalog: catalog, at: now)
        }
    }

    /// Adds a message to the thread of an item the caller may talk on.
    func postMessage(_ db: Database, feedbackID: UUID, message: MessageCreate, by user: Actor, at now: Date) throws -> (StoredMessage, Feedback) {
        guard let feedback = try SQLiteStore.fetch(Feedback.self, key: feedbackID.text, db: db), Self.mayRead(feedback, user),
            APIRouter.mayTalk(feedback, user), user.role != .admin
        else { throw APIError.notFound("feedback") }
        guard !feedback.status.isFinal else { throw FeedbackError.transition(.notAllowedFrom(feedback.status, .resolve)) }
        let text: VietnameseText
        do throws(TextError) { text = try VietnameseText(message.body, field: "body", maxLength: 2000, multiline: true) } catch {
            throw FeedbackError.text(error)
        }
        let stored = try SQLiteStore.addMessage(
            db, StoredMessage(id: message.id, feedbackID: feedback.id, authorID: user.id, authorRole: user.role, body: text.value, createdAt: now),
            partition: ChangePartition(ownerID: feedback.citizenID, agencyCode: feedback.agencyCode))
        return (stored, feedback)
    }

    /// What the server does on accepting feedback: tracking code, due times, routing.
    static func accept(
        _ feedback: Feedback, sequences: any SequenceAllocator, catalog: ReferenceCatalog, at now: Date
    ) throws -> (Feedback, [HistoryEvent]) {
        let day = VietnamTime.local(now).date
        let code = TrackingCode(date: day, sequence: try sequences.next(kind: "feedback", scope: "province", day: day))
        guard let category = catalog.category(feedback.categoryCode) else { throw FeedbackError.unknownCategory(feedback.categoryCode) }
        let (received, e1) = try feedback.applying(
            .receive(trackingCode: code, category: category, calendar: catalog.workingCalendar), by: .system, at: now)
        guard let agency = received.defaultAgency(in: catalog) else { throw FeedbackError.communeRequired(category: category.code) }
        let (routed, e2) = try received.applying(.route(agency: agency), by: .system, at: now)
        return (routed, [e1, e2])
    }

    func list(_ call: Call<NoContent>, queue: Bool) async throws -> Page<FeedbackView> {
        let user = try call.user
        var query = FeedbackQuery(limit: try call.limit())
        query.sort = try call.sort(queue ? FeedbackQuery.Sort.due : .newest)
        switch user.role {
        case .citizen:
            switch try call.query("scope") ?? "mine" {
            case "mine": query.citizenID = user.id
            case "public": query.publicOnly = true
            default: throw APIError.badQuery("scope", "expected mine or public")
            }
        case .official, .supervisor:
            query.agencyCode = user.agencyCode
        case .admin, .system:
            break
        }
        query.statuses = try call.statuses(FeedbackStatus.self) ?? (queue ? [.assigned, .inProgress, .reopened] : [])
        if let category = try call.query("category") {
            guard catalog.current.category(category) != nil else { throw APIError.badQuery("category", "unknown category") }
            query.category = category
        }
        if let commune = try call.query("commune") {
            guard catalog.current.communeDirectory.contains(commune) else { throw APIError.badQuery("commune", "unknown commune") }
            query.commune = commune
        }
        if try call.flag("overdue") { query.overdueAt = call.now }
        if try call.flag("mine"), user.role.isStaff { query.assigneeID = user.id }
        query.search = try call.query("q")
        query.after = try Cursor.decode(call.query("cursor"), sort: query.sort.rawValue)?.values
        let (items, last) = try await store.feedbackPage(query)
        return page(items, last: last, sort: query.sort.rawValue) { FeedbackView($0, viewer: user, now: call.now) }
    }
}

extension APIRouter {
    func addFeedbackRoutes(_ controller: FeedbackController) {
        let c = controller
        register(Endpoints.createFeedback) { call in try await c.create(call.body, by: call.user, at: call.now) }
        register(Endpoints.listFeedback) { call in try await c.list(call, queue: false) }
        register(Endpoints.feedbackQueue) { call in try await c.list(call, queue: true) }
        register(Endpoints.getFeedback) { call in
            FeedbackView(try await c.readable(call.pathID(), by: call.user), viewer: try call.user, now: call.now)
        }
        register(Endpoints.withdrawFeedback) { call in
            try await c.apply(call.pathID(), by: call.user, at: call.now) { _ in .withdraw(reason: call.body.reason) }
        }
        register(Endpoints.rateFeedback) { call in
            try await c.apply(call.pathID(), by: call.user, at: call.now) { _ in
                .rate(stars: call.body.stars, comment: call.body.comment, policy: c.policy)
            }
        }
        register(Endpoints.reopenFeedback) { call in
            try await c.apply(call.pathID(), by: call.user, at: call.now) { _ in .reopen(reason: call.body.reason ?? "", policy: c.policy) }
        }
        register(Endpoints.startFeedback) { call in
            try await c.apply(call.pathID(), by: call.user, at: call.now) { _ in .start }
        }
        register(Endpoints.resolveFeedback) { call in
            try await c.apply(call.pathID(), by: call.user, at: call.now) { _ in .resolve(answer: call.body.answer) }
        }
        register(Endpoints.rejectFeedback) { call in
            let user = try call.user
            if let original = call.body.duplicateOf {
                guard let target = try await c.store.feedback(id: original), FeedbackController.mayRead(target, user) else {
                    throw APIError(status: .unprocessableContent, code: "feedback.duplicate_target_invalid",
                                   message: FeedbackError.duplicateTargetInvalid.message, field: "duplicate_of")
                }
            }
            return try await c.apply(call.pathID(), by: user, at: call.now) { _ in
                .reject(call.body.reason, note: call.body.note, duplicateOf: call.body.duplicateOf)
            }
        }
        register(Endpoints.assignFeedback) { call in
            let user = try call.user
            guard let official = try await c.store.staff(username: call.body.username) else {
                throw APIError(status: .unprocessableContent, code: "feedback.assignee_not_in_agency",
                               message: FeedbackError.assigneeNotInAgency.message, field: "username")
            }
            return try await c.apply(call.pathID(), by: user, at: call.now) { _ in
                .assignOfficial(official.id, staffAgency: official.agencyCode ?? "")
            }
        }
        register(Endpoints.transferFeedback) { call in
            guard c.catalog.current.agency(call.body.agency) != nil else { throw FeedbackError.unknownAgency(call.body.agency) }
            return try await c.apply(call.pathID(), by: call.user, at: call.now) { _ in
                .transfer(agency: call.body.agency, reason: call.body.reason)
            }
        }
        register(Endpoints.feedbackMessages) { call in
            let user = try call.user
            let feedback = try await c.readable(call.pathID(), by: user)
            guard Self.mayTalk(feedback, user) else { throw APIError.notFound("feedback") }
            return try await c.store.messages(feedbackID: feedback.id).map { Self.view($0, feedback: feedback, viewer: user) }
        }
        register(Endpoints.postFeedbackMessage) { call in
            let user = try call.user
            let id = try call.pathID()
            let (stored, feedback) = try await c.store.database.write { db in
                try c.postMessage(db, feedbackID: id, message: call.body, by: user, at: call.now)
            }
            return Self.view(stored, feedback: feedback, viewer: user)
        }
        register(Endpoints.feedbackHistory) { call in
            let user = try call.user
            let feedback = try await c.readable(call.pathID(), by: user)
            let isOwner = user.role == .citizen && user.id == feedback.citizenID
            return try await c.store.history(of: .feedback, id: feedback.id).map { event in
                let hideCitizen = event.actorRole == .citizen && (feedback.isAnonymous || user.role == .citizen) && !isOwner
                let hideStaff = user.role == .citizen && event.actorRole != .citizen
                return HistoryView(event, revealActor: user.role == .admin || !(hideCitizen || hideStaff))
            }
        }
    }

    /// The thread is between the reporter and the agency.
    static func mayTalk(_ feedback: Feedback, _ user: Actor) -> Bool {
        user.role == .admin || (user.role == .citizen && user.id == feedback.citizenID)
            || (user.role.isStaff && user.agencyCode == feedback.agencyCode)
    }

    static func view(_ message: StoredMessage, feedback: Feedback, viewer: Actor) -> MessageView {
        let reveal = viewer.role == .admin || message.authorID == viewer.id
            || (message.authorRole == .citizen ? !feedback.isAnonymous : viewer.role.isStaff)
        return MessageView(
            id: message.id, feedbackId: message.feedbackID, authorRole: message.authorRole,
            authorId: reveal ? message.authorID : nil, body: message.body, createdAt: message.createdAt)
    }
}
