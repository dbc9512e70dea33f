import Foundation

/// A page of a list, with the opaque cursor of the next page.
public struct Page<Item: Codable & Sendable>: Codable, Sendable {
    /// The items of this page.
    public var items: [Item]
    /// Pass as `cursor` to get the next page; nil on the last page.
    public var nextCursor: String?
    /// Creates a page.
    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    enum CodingKeys: String, CodingKey { case items, nextCursor = "next_cursor" }
}

extension Page: Equatable where Item: Equatable {}

/// The reference data a client needs.
public struct CatalogView: Codable, Sendable, Equatable {
    /// The edition.
    public var version: String
    /// Communes.
    public var communes: [Commune]
    /// Agencies.
    public var agencies: [Agency]
    /// Feedback categories.
    public var categories: [FeedbackCategory]
    /// Procedures.
    public var procedures: [Procedure]
    /// Calendar exceptions.
    public var calendarDays: [CalendarDay]

    /// The view of a catalogue.
    public init(_ catalog: ReferenceCatalog) {
        version = catalog.version
        communes = catalog.communes
        agencies = catalog.agencies
        categories = catalog.categories
        procedures = catalog.procedures
        calendarDays = catalog.calendarDays
    }

    enum CodingKeys: String, CodingKey { case version, communes, agencies, categories, procedures, calendarDays = "calendar_days" }
}

/// Files feedback: the draft and the id the device generated (a retry with the same id is safe).
/// On the wire it is one flat object: `id` beside the draft's fields.
public struct FeedbackCreate: Codable, Sendable, Equatable {
    /// The id the device generated.
    public var id: UUID
    /// What the citizen filed.
    public var draft: FeedbackDraft

    /// Creates the request.
    public init(id: UUID, draft: FeedbackDraft) {
        self.id = id
        self.draft = draft
    }

    private enum CodingKeys: String, CodingKey { case id }

    public init(from decoder: any Decoder) throws {
        id = try decoder.container(keyedBy: CodingKeys.self).decode(UUID.self, forKey: .id)
        draft = try FeedbackDraft(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try draft.encode(to: encoder)
    }
}

/// Feedback as a given viewer may see it.
public struct FeedbackView: Codable, Sendable, Equatable {
    public var id: UUID
    public var trackingCode: String?
    public var category: String
    public var title: String
    public var description: String
    public var latitude: Double?
    public var longitude: Double?
    public var commune: String?
    public var address: String?
    public var photos: [String]
    public var anonymous: Bool
    public var `public`: Bool
    public var urgency: Urgency
    public var status: FeedbackStatus
    public var agency: String?
    public var assigneeId: UUID?
    /// The reporter's id: for the reporter, admins and (unless anonymous) the agency.
    public var citizenId: UUID?
    /// Whether the viewer filed it.
    public var mine: Bool
    public var receivedAt: Date?
    public var acknowledgeDueAt: Date?
    public var answerDueAt: Date?
    public var overdue: Bool
    public var answer: String?
    public var resolvedAt: Date?
    public var closedAt: Date?
    public var ratingStars: Int?
    public var ratingComment: String?
    public var rejectionReason: RejectionReason?
    public var rejectionNote: String?
    public var duplicateOf: UUID?
    public var reopenCount: Int

    /// The view of `feedback` for `viewer` at `now`, with personal data removed where the viewer
    /// may not see it.
    public init(_ feedback: Feedback, viewer: Actor, now: Date) {
        let isOwner = viewer.role == .citizen && viewer.id == feedback.citizenID
        let staffMaySee = viewer.role.isStaff && !feedback.isAnonymous
        id = feedback.id
        trackingCode = feedback.trackingCode?.value
        category = feedback.categoryCode
        title = feedback.title.value
        description = feedback.description.value
        latitude = feedback.location.point?.latitude
        longitude = feedback.location.point?.longitude
        commune = feedback.location.commune?.value
        address = feedback.location.address?.value
        photos = feedback.photos
        anonymous = feedback.isAnonymous
        self.public = feedback.isPublic
        urgency = feedback.urgency
        status = feedback.status
        agency = feedback.agencyCode
        assigneeId = viewer.role.isStaff || viewer.role == .admin ? feedback.assigneeID : nil
        citizenId = isOwner || staffMaySee || viewer.role == .admin ? feedback.citizenID : nil
        mine = isOwner
        receivedAt = feedback.receivedAt
        acknowledgeDueAt = feedback.acknowledgeDueAt
        answerDueAt = feedback.answerDueAt
        overdue = feedback.isOverdue(at: now)
        answer = feedback.answer?.value
        resolvedAt = feedback.resolvedAt
        closedAt = feedback.closedAt
        ratingStars = feedback.rating?.stars
        ratingComment = isOwner || viewer.role != .citizen ? feedback.rating?.comment?.value : nil
        rejectionReason = feedback.rejection?.reason
        rejectionNote = feedback.rejection?.note.value
        duplicateOf = feedback.rejection?.duplicateOf
        reopenCount = feedback.reopenCount
    }

    /// What `init(publicViewOf:)` writes: its fields, and a version to bump whenever what it
    /// shows changes otherwise (a rule of who sees a field, a field's format). The server clears
    /// the views it stored under another format when it starts.
    public static let publicViewFormat = "1:" + CodingKeys.allCases.map(\.rawValue).joined(separator: ",")

    /// The view every citizen but the reporter gets of a public item, as of a time it is not
    /// overdue (`overdue` false): the same for all of them, so the server keeps it written with
    /// the item and copies it into their pull pages while the item is not overdue.
    public init(publicViewOf feedback: Feedback) {
        // No citizen has the nil UUID (it is the system's), so the viewer is never the reporter.
        self.init(feedback, viewer: .citizen(Actor.system.id), now: .distantPast)
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case id, trackingCode = "tracking_code", category, title, description, latitude, longitude, commune, address, photos, anonymous, `public`, urgency, status, agency, assigneeId = "assignee_id", citizenId = "citizen_id", mine, receivedAt = "received_at", acknowledgeDueAt = "acknowledge_due_at", answerDueAt = "answer_due_at", overdue, answer, resolvedAt = "resolved_at", closedAt = "closed_at", ratingStars = "rating_stars", ratingComment = "rating_comment", rejectionReason = "rejection_reason", rejectionNote = "rejection_note", duplicateOf = "duplicate_of", reopenCount = "reopen_count" }
}

/// A reason, where an action needs one.
public struct ReasonBody: Codable, Sendable, Equatable {
    /// The reason text.
    public var reason: String?
    /// Creates the body.
    public init(reason: String? = nil) { self.reason = reason }
}

/// A rating.
public struct RatingBody: Codable, Sendable, Equatable {
    /// 1–5.
    public var stars: Int
    /// Optional comment.
    public var comment: String?
    /// Creates the body.
    public init(stars: Int, comment: String? = nil) {
        self.stars = stars
        self.comment = comment
    }
}

/// The agency's public answer.
public struct AnswerBody: Codable, Sendable, Equatable {
    /// The answer text.
    public var answer: String
    /// Creates the body.
    public init(answer: String) { self.answer = answer }
}

/// Assigns an item to an official of the agency.
public struct AssignBody: Codable, Sendable, Equatable {
    /// The official's username.
    public var username: String
    /// Creates the body.
    public init(username: String) { self.username = username }
}

/// Transfers an item to another agency.
public struct TransferBody: Codable, Sendable, Equatable {
    /// The receiving agency's code.
    public var agency: String
    /// Why.
    public var reason: String
    /// Creates the body.
    public init(agency: String, reason: String) {
        self.agency = agency
        self.reason = reason
    }
}

/// Rejects feedback.
public struct RejectBody: Codable, Sendable, Equatable {
    /// The kind of reason.
    public var reason: RejectionReason
    /// The explanation for the citizen.
    public var note: String
    /// The original item, for a duplicate.
    public var duplicateOf: UUID?
    /// Creates the body.
    public init(reason: RejectionReason, note: String, duplicateOf: UUID? = nil) {
        self.reason = reason
        self.note = note
        self.duplicateOf = duplicateOf
    }

    enum CodingKeys: String, CodingKey { case reason, note, duplicateOf = "duplicate_of" }
}

/// A message in an item's thread.
public struct MessageCreate: Codable, Sendable, Equatable {
    /// The id the device generated.
    public var id: UUID
    /// The text.
    public var body: String
    /// Creates the body.
    public init(id: UUID, body: String) {
        self.id = id
        self.body = body
    }
}

/// A message as shown.
public struct MessageView: Codable, Sendable, Equatable {
    public var id: UUID
    public var feedbackId: UUID
    /// Who wrote it: `citizen` or the agency's staff.
    public var authorRole: Role
    /// The author's id, hidden from other parties where the item is anonymous.
    public var authorId: UUID?
    public var body: String
    public var createdAt: Date
    /// Creates the view.
    public init(id: UUID, feedbackId: UUID, authorRole: Role, authorId: UUID?, body: String, createdAt: Date) {
        self.id = id
        self.feedbackId = feedbackId
        self.authorRole = authorRole
        self.authorId = authorId
        self.body = body
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey { case id, feedbackId = "feedback_id", authorRole = "author_role", authorId = "author_id", body, createdAt = "created_at" }
}

/// One recorded transition as shown.
public struct HistoryView: Codable, Sendable, Equatable {
    public var at: Date
    public var actorRole: Role
    /// The actor, hidden where the viewer may not know who acted (an anonymous reporter).
    public var actorId: UUID?
    public var deviceId: UUID?
    public var action: String
    public var fromStatus: String?
    public var toStatus: String
    public var reason: String?
    /// Creates the view.
    public init(_ event: HistoryEvent, revealActor: Bool) {
        at = event.at
        actorRole = event.actorRole
        actorId = revealActor ? event.actorID : nil
        deviceId = revealActor ? event.deviceID : nil
        action = event.action
        fromStatus = event.fromStatus
        toStatus = event.toStatus
        reason = event.reason
    }

    enum CodingKeys: String, CodingKey { case at, actorRole = "actor_role", actorId = "actor_id", deviceId = "device_id", action, fromStatus = "from_status", toStatus = "to_status", reason }
}
