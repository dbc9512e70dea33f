import Foundation

/// A citizen's feedback or field report (phản ánh kiến nghị).
public struct Feedback: Sendable, Equatable, Codable {
    /// The id the device generated.
    public let id: UUID
    /// The citizen who filed it.
    public let citizenID: UUID
    /// The public tracking code, once received.
    public var trackingCode: TrackingCode?
    /// The category code.
    public var categoryCode: String
    /// A short title.
    public var title: VietnameseText
    /// What is wrong.
    public var description: VietnameseText
    /// Where.
    public var location: FeedbackLocation
    /// SHA-256 hex digests of attached photos.
    public var photos: [String]
    /// Hides the reporter from the public and from officials (never from the audit).
    public var isAnonymous: Bool
    /// Shown to other citizens (with personal data removed).
    public var isPublic: Bool
    /// The category's urgency when filed.
    public var urgency: Urgency
    /// The current status.
    public var status: FeedbackStatus
    /// The agency working it.
    public var agencyCode: String?
    /// The official it is assigned to within the agency.
    public var assigneeID: UUID?
    /// When the server received it.
    public var receivedAt: Date?
    /// When the agency must have taken it up (8 working hours unless urgent).
    public var acknowledgeDueAt: Date?
    /// When the agency must have answered.
    public var answerDueAt: Date?
    /// The public answer.
    public var answer: VietnameseText?
    /// When it was resolved.
    public var resolvedAt: Date?
    /// When it closed.
    public var closedAt: Date?
    /// The citizen's rating.
    public var rating: Rating?
    /// Why it was rejected.
    public var rejection: Rejection?
    /// How many times the citizen reopened it.
    public var reopenCount: Int

    /// Whether the agency is late at `now`: not taken up in time, or not answered in time.
    public func isOverdue(at now: Date) -> Bool {
        Self.isOverdue(status: status, acknowledgeDueAt: acknowledgeDueAt, answerDueAt: answerDueAt, at: now)
    }

    /// `isOverdue(at:)` from the fields it depends on (a pull page decides it from a row's
    /// columns without making the item).
    public static func isOverdue(status: FeedbackStatus, acknowledgeDueAt: Date?, answerDueAt: Date?, at now: Date) -> Bool {
        switch status {
        case .received, .assigned:
            if let due = acknowledgeDueAt, now > due { return true }
            if let due = answerDueAt, now > due { return true }
            return false
        case .inProgress, .reopened:
            if let due = answerDueAt { return now > due }
            return false
        default:
            return false
        }
    }

    /// Restores a value read back from storage; no validation.
    public init(
        id: UUID, citizenID: UUID, trackingCode: TrackingCode? = nil, categoryCode: String, title: VietnameseText, description: VietnameseText, location: FeedbackLocation, photos: [String], isAnonymous: Bool, isPublic: Bool, urgency: Urgency, status: FeedbackStatus, agencyCode: String? = nil, assigneeID: UUID? = nil, receivedAt: Date? = nil, acknowledgeDueAt: Date? = nil, answerDueAt: Date? = nil, answer: VietnameseText? = nil, resolvedAt: Date? = nil, closedAt: Date? = nil, rating: Rating? = nil, rejection: Rejection? = nil, reopenCount: Int
    ) {
        self.id = id
        self.citizenID = citizenID
        self.trackingCode = trackingCode
        self.categoryCode = categoryCode
        self.title = title
        self.description = description
        self.location = location
        self.photos = photos
        self.isAnonymous = isAnonymous
        self.isPublic = isPublic
        self.urgency = urgency
        self.status = status
        self.agencyCode = agencyCode
        self.assigneeID = assigneeID
        self.receivedAt = receivedAt
        self.acknowledgeDueAt = acknowledgeDueAt
        self.answerDueAt = answerDueAt
        self.answer = answer
        self.resolvedAt = resolvedAt
        self.closedAt = closedAt
        self.rating = rating
        self.rejection = rejection
        self.reopenCount = reopenCount
    }

    enum CodingKeys: String, CodingKey { case id, citizenID = "citizen_id", trackingCode = "tracking_code", categoryCode = "category_code", title, description, location, photos, isAnonymous = "is_anonymous", isPublic = "is_public", urgency, status, agencyCode = "agency_code", assigneeID = "assignee_id", receivedAt = "received_at", acknowledgeDueAt = "acknowledge_due_at", answerDueAt = "answer_due_at", answer, resolvedAt = "resolved_at", closedAt = "closed_at", rating, rejection, reopenCount = "reopen_count" }
}

/// What a citizen sends to file feedback (validated by `Feedback.submit`).
public struct FeedbackDraft: Sendable, Equatable, Codable {
    /// The category code.
    public var category: String
    /// A short title, 5–150 characters.
    public var title: String
    /// What is wrong, 10–5,000 characters.
    public var description: String
    /// Latitude, with `longitude`.
    public var latitude: Double?
    /// Longitude, with `latitude`.
    public var longitude: Double?
    /// A commune code.
    public var commune: String?
    /// Address text, up to 300 characters.
    public var address: String?
    /// SHA-256 hex digests of photos uploaded or queued with the item.
    public var photos: [String]
    /// Hide the reporter's identity.
    public var anonymous: Bool
    /// Show the item to other citizens.
    public var isPublic: Bool

    /// Creates a draft.
    public init(
        category: String, title: String, description: String, latitude: Double? = nil, longitude: Double? = nil,
        commune: String? = nil, address: String? = nil, photos: [String] = [], anonymous: Bool = false,
        isPublic: Bool = true
    ) {
        self.category = category
        self.title = title
        self.description = description
        self.latitude = latitude
        self.longitude = longitude
        self.commune = commune
        self.address = address
        self.photos = photos
        self.anonymous = anonymous
        self.isPublic = isPublic
    }

    enum CodingKeys: String, CodingKey {
        case category, title, description, latitude, longitude, commune, address, photos, anonymous
        case isPublic = "public"
    }

    /// Decodes a draft; `photos`, `anonymous` and `public` may be left out (none, false, true).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            category: try c.decode(String.self, forKey: .category), title: try c.decode(String.self, forKey: .title),
            description: try c.decode(String.self, forKey: .description),
            latitude: try c.decodeIfPresent(Double.self, forKey: .latitude),
            longitude: try c.decodeIfPresent(Double.self, forKey: .longitude),
            commune: try c.decodeIfPresent(String.self, forKey: .commune), address: try c.decodeIfPresent(String.self, forKey: .address),
            photos: try c.decodeIfPresent([String].self, forKey: .photos) ?? [],
            anonymous: try c.decodeIfPresent(Bool.self, forKey: .anonymous) ?? false,
            isPublic: try c.decodeIfPresent(Bool.self, forKey: .isPublic) ?? true)
    }
}

/// A change to feedback, with what it needs.
public enum FeedbackCommand: Sendable {
    /// The server accepts it: tracking code and due times.
    case receive(trackingCode: TrackingCode, category: FeedbackCategory, calendar: WorkingCalendar)
    /// Routed to the first agency.
    case route(agency: String)
    /// Given to an official of the agency (`staffAgency` is that official's agency).
    case assignOfficial(UUID, staffAgency: String)
    /// Sent to another agency.
    case transfer(agency: String, reason: String)
    /// Work starts.
    case start
    /// The public answer.
    case resolve(answer: String)
    /// The citizen's rating.
    case rate(stars: Int, comment: String?, policy: FeedbackPolicy)
    /// Closed after the rating window.
    case close(policy: FeedbackPolicy)
    /// Disputed by the citizen.
    case reopen(reason: String, policy: FeedbackPolicy)
    /// Refused.
    case reject(RejectionReason, note: String, duplicateOf: UUID?)
    /// Withdrawn by the citizen.
    case withdraw(reason: String?)

    /// The lifecycle action this command performs.
    public var action: FeedbackAction {
        switch self {
        case .receive: .receive
        case .route: .route
        case .assignOfficial: .assignOfficial
        case .transfer: .transfer
        case .start: .start
        case .resolve: .resolve
        case .rate: .rate
        case .close: .close
        case .reopen: .reopen
        case .reject: .reject
        case .withdraw: .withdraw
        }
    }
}

extension Feedback {
    /// The feedback state machine: every allowed move and who may make it.
    public static let lifecycle = Lifecycle<FeedbackStatus, FeedbackAction>([
        .init(.receive, from: [.submitted], to: .received, by: [.system]),
        .init(.route, from: [.received], to: .assigned, by: [.system]),
        .init(.assignOfficial, from: [.assigned, .inProgress, .reopened], to: nil, by: [.supervisor]),
        .init(.transfer, from: [.assigned, .inProgress, .reopened], to: .assigned, by: [.supervisor]),
        .init(.start, from: [.assigned, .reopened], to: .inProgress, by: [.official, .supervisor]),
        .init(.resolve, from: [.inProgress], to: .resolved, by: [.official, .supervisor]),
        .init(.rate, from: [.resolved], to: .closed, by: [.citizen]),
        .init(.close, from: [.resolved], to: .closed, by: [.system]),
        .init(.reopen, from: [.resolved], to: .reopened, by: [.citizen]),
        .init(.reject, from: [.assigned, .inProgress, .reopened], to: .rejected, by: [.official, .supervisor]),
        .init(.withdraw, from: [.submitted, .received, .assigned], to: .withdrawn, by: [.citizen]),
    ])

    /// Validates a draft and creates the item in `submitted`, with its first history event.
    /// - Parameters:
    ///   - draft: what the citizen sent.
    ///   - id: the id the device generated.
    ///   - citizen: the citizen filing it.
    ///   - now: the server's time.
    ///   - catalog: categories and communes to check against.
    ///   - policy: photo limits.
    /// - Throws: `FeedbackError` naming the first invalid field.
    public static func submit(
        _ draft: FeedbackDraft, id: UUID, by citizen: Actor, at now: Date, catalog: ReferenceCatalog,
        policy: FeedbackPolicy = .standard
    ) throws(FeedbackError) -> (Feedback, HistoryEvent) {
        guard citizen.role == .citizen else { throw .transition(.roleNotAllowed(citizen.role, .receive)) }
        guard let category = catalog.category(draft.category) else { throw .unknownCategory(draft.category) }
        let title: VietnameseText
        let description: VietnameseText
        var address: VietnameseText?
        do {
            title = try VietnameseText(draft.title, field: "title", minLength: 5, maxLength: 150)
            description = try VietnameseText(
                draft.description, field: "description", minLength: 10, maxLength: 5000, multiline: true)
            if let raw = draft.address, !raw.trimmingSpace(newlines: false).isEmpty {
                address = try VietnameseText(raw, field: "address", maxLength: 300)
            }
        } catch { throw .text(error) }
        var location = FeedbackLocation(address: address)
        do throws(LocationError) {
            switch (draft.latitude, draft.longitude) {
            case (let lat?, let lon?): location.point = try GeoPoint(latitude: lat, longitude: lon)
            case (nil, nil): break
            default: throw LocationError.invalidCoordinate
            }
            if let commune = draft.commune {
                location.commune = try CommuneCode(commune, in: catalog.communeDirectory)
            }
            if location.point == nil, location.commune == nil { throw LocationError.missing }
        } catch { throw .location(error) }
        if category.routing == .communeCommittee, location.commune == nil {
            throw .communeRequired(category: category.code)
        }
        guard draft.photos.count <= policy.maximumPhotos else {
            throw .invalidPhotos(reason: "at most \(policy.maximumPhotos) photos")
        }
        guard draft.photos.allSatisfy(isSHA256Hex), Set(draft.photos).count == draft.photos.count else {
            throw .invalidPhotos(reason: "each photo is referenced once by its SHA-256 digest")
        }
        let feedback = Feedback(
            id: id, citizenID: citizen.id, trackingCode: nil, categoryCode: category.code, title: title,
            description: description, location: location, photos: draft.photos, isAnonymous: draft.anonymous,
            isPublic: draft.isPublic, urgency: category.urgency, status: .submitted, agencyCode: nil, assigneeID: nil,
            receivedAt: nil, acknowledgeDueAt: nil, answerDueAt: nil, answer: nil, resolvedAt: nil, closedAt: nil,
            rating: nil, rejection: nil, reopenCount: 0)
        let event = HistoryEvent(
            .feedback, item: id, action: FeedbackAction.receive, from: nil as FeedbackStatus?, to: .submitted,
            by: citizen, at: now)
        return (feedback, event)
    }

    /// The agency a category routes this feedback to.
    public func defaultAgency(in catalog: ReferenceCatalog) -> String? {
        guard let category = catalog.category(categoryCode) else { return nil }
        switch category.routing {
        case .agency(let code): return code
        case .communeCommittee: return location.commune.map { Agency.committeeCode(commune: $0.value) }
        }
    }

    /// Applies a command for `actor` at `now`; returns the new state and the history event.
    /// - Throws: `FeedbackError`; on error nothing changes.
    public func applying(
        _ command: FeedbackCommand, by actor: Actor, at now: Date
    ) throws(FeedbackError) -> (Feedback, HistoryEvent) {
        let target: FeedbackStatus
        do {
            target = try Self.lifecycle.target(
                of: command.action, from: status, by: actor,
                on: Stakeholders(ownerID: citizenID, agencyCode: agencyCode))
        } catch { throw .transition(error) }
        var next = self
        next.status = target
        var reason: String?
        switch command {
        case .receive(let code, let category, let calendar):
            next.trackingCode = code
            next.receivedAt = now
            let acknowledge = calendar.adding(workingMinutes: category.receiveWithin.minutes(in: calendar), to: now)
            next.acknowledgeDueAt = acknowledge
            next.answerDueAt = calendar.adding(workingMinutes: category.answerWithin.minutes(in: calendar), to: acknowledge)
        case .route(let agency):
            next.agencyCode = agency
        case .assignOfficial(let official, let staffAgency):
            guard staffAgency == agencyCode else { throw .assigneeNotInAgency }
            next.assigneeID = official
            reason = official.uuidString
        case .transfer(let agency, let text):
            guard agency != agencyCode else { throw .sameAgency(agency) }
            reason = try Self.text(text, field: "reason", min: 5, max: 1000).value
            next.agencyCode = agency
            next.assigneeID = nil
        case .start:
            if next.assigneeID == nil, actor.role.isStaff { next.assigneeID = actor.id }
        case .resolve(let text):
            do {
                next.answer = try VietnameseText(text, field: "answer", minLength: 10, maxLength: 5000, multiline: true)
            } catch { throw .text(error) }
            next.resolvedAt = now
        case .rate(let stars, let comment, let policy):
            try requireWindowOpen(at: now, policy: policy)
            guard (1...5).contains(stars) else { throw .ratingOutOfRange(stars) }
            var note: VietnameseText?
            if let comment, !comment.trimmingSpace().isEmpty {
                do { note = try VietnameseText(comment, field: "comment", maxLength: 1000, multiline: true) } catch {
                    throw .text(error)
                }
            }
            next.rating = Rating(stars: stars, comment: note, at: now)
            next.closedAt = now
            reason = note?.value
        case .close(let policy):
            let end = (resolvedAt ?? now).addingTimeInterval(policy.ratingWindow)
            guard now >= end else { throw .windowStillOpen(endsAt: end) }
            next.closedAt = now
        case .reopen(let text, let policy):
            try requireWindowOpen(at: now, policy: policy)
            reason = try Self.text(text, field: "reason", min: 5, max: 1000).value
            next.reopenCount += 1
            next.resolvedAt = nil
        case .reject(let kind, let text, let duplicateOf):
            let note = try Self.text(text, field: "reason", min: 5, max: 1000)
            if kind == .duplicate {
                guard let original = duplicateOf, original != id else { throw .duplicateTargetInvalid }
            } else if duplicateOf != nil {
                throw .duplicateTargetInvalid
            }
            next.rejection = Rejection(reason: kind, note: note, duplicateOf: duplicateOf)
            next.closedAt = now
            reason = kind.rawValue + ": " + note.value
        case .withdraw(let text):
            if let text, !text.trimmingSpace().isEmpty {
                reason = try Self.text(text, field: "reason", min: 1, max: 1000).value
            }
            next.closedAt = now
        }
        let event = HistoryEvent(
            .feedback, item: id, action: command.action, from: status, to: target, by: actor, at: now, reason: reason)
        return (next, event)
    }

    private func requireWindowOpen(at now: Date, policy: FeedbackPolicy) throws(FeedbackError) {
        let end = (resolvedAt ?? now).addingTimeInterval(policy.ratingWindow)
        guard now <= end else { throw .windowClosed(endedAt: end) }
    }

    private static func text(_ raw: String, field: String, min: Int, max: Int) throws(FeedbackError) -> VietnameseText {
        do { return try VietnameseText(raw, field: field, minLength: min, maxLength: max, multiline: true) } catch {
            throw .text(error)
        }
    }
}

/// Whether a string is a lower-case SHA-256 hex digest (64 characters).
public func isSHA256Hex(_ text: String) -> Bool {
    text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
}
