import Foundation

/// Where feedback is in its lifecycle.
public enum FeedbackStatus: String, LifecycleStatus {
    /// Created on the device, maybe offline.
    case submitted
    /// Accepted by the server: tracking code issued, due times computed.
    case received
    /// Routed to an agency.
    case assigned
    /// Being worked by the agency.
    case inProgress = "in_progress"
    /// Answered publicly by the agency.
    case resolved
    /// Rated by the citizen, or the rating window ended.
    case closed
    /// Refused: spam, out of scope or a duplicate.
    case rejected
    /// Withdrawn by the citizen before work started.
    case withdrawn
    /// The citizen disputed the resolution; back with the agency.
    case reopened

    public var label: Message {
        switch self {
        case .submitted: Message(vi: "Đã gửi", en: "Submitted")
        case .received: Message(vi: "Đã tiếp nhận", en: "Received")
        case .assigned: Message(vi: "Đã chuyển xử lý", en: "Assigned")
        case .inProgress: Message(vi: "Đang xử lý", en: "In progress")
        case .resolved: Message(vi: "Đã xử lý", en: "Resolved")
        case .closed: Message(vi: "Đã đóng", en: "Closed")
        case .rejected: Message(vi: "Đã từ chối", en: "Rejected")
        case .withdrawn: Message(vi: "Đã rút", en: "Withdrawn")
        case .reopened: Message(vi: "Mở lại", en: "Reopened")
        }
    }

    /// Whether nothing more happens to the item.
    public var isFinal: Bool { self == .closed || self == .rejected || self == .withdrawn }
}

/// What can be done to feedback.
public enum FeedbackAction: String, LifecycleAction {
    /// The server accepts it (system).
    case receive
    /// Routed to its first agency (system, by the category's routing).
    case route
    /// Given to an official of the agency (supervisor); the status stays.
    case assignOfficial = "assign_official"
    /// Sent to another agency (supervisor).
    case transfer
    /// Work starts (official).
    case start
    /// The agency's public answer (official).
    case resolve
    /// The citizen's 1–5 rating, which closes it.
    case rate
    /// The rating window ended without a rating (system).
    case close
    /// The citizen disputes the answer within the window.
    case reopen
    /// Refused with a reason (official).
    case reject
    /// Withdrawn by the citizen.
    case withdraw
}

/// Why feedback is refused.
public enum RejectionReason: String, Sendable, Codable, CaseIterable {
    /// Advertising, abuse, nonsense.
    case spam
    /// Not something a provincial agency handles (e.g. a private dispute, a court matter).
    case outOfScope = "out_of_scope"
    /// Already reported: the item points at the original.
    case duplicate
}

/// Where the problem is: a point, a commune, an address, or several of these.
public struct FeedbackLocation: Sendable, Equatable, Codable {
    /// A point inside the province.
    public var point: GeoPoint?
    /// The commune the problem is in.
    public var commune: CommuneCode?
    /// Free address text (house number, street, hamlet).
    public var address: VietnameseText?

    /// Creates a location.
    public init(point: GeoPoint? = nil, commune: CommuneCode? = nil, address: VietnameseText? = nil) {
        self.point = point
        self.commune = commune
        self.address = address
    }
}

/// The citizen's satisfaction rating.
public struct Rating: Sendable, Equatable, Codable {
    /// 1 (very unsatisfied) to 5 (very satisfied).
    public var stars: Int
    /// An optional comment.
    public var comment: VietnameseText?
    /// When it was given.
    public var at: Date

    /// Creates the value.
    public init(
        stars: Int, comment: VietnameseText? = nil, at: Date
    ) {
        self.stars = stars
        self.comment = comment
        self.at = at
    }
}

/// How feedback was refused.
public struct Rejection: Sendable, Equatable, Codable {
    /// The kind of reason.
    public var reason: RejectionReason
    /// The explanation given to the citizen.
    public var note: VietnameseText
    /// The original item, for a duplicate.
    public var duplicateOf: UUID?

    /// Creates the value.
    public init(
        reason: RejectionReason, note: VietnameseText, duplicateOf: UUID? = nil
    ) {
        self.reason = reason
        self.note = note
        self.duplicateOf = duplicateOf
    }

    enum CodingKeys: String, CodingKey { case reason, note, duplicateOf = "duplicate_of" }
}

/// Timing rules of feedback that are policy, not reference data.
public struct FeedbackPolicy: Sendable, Equatable {
    /// How long after a resolution the citizen may reopen or rate before it closes by itself.
    public var ratingWindow: TimeInterval
    /// Photos allowed on one item.
    public var maximumPhotos: Int

    /// Creates a policy.
    public init(ratingWindow: TimeInterval = 7 * 86400, maximumPhotos: Int = 5) {
        self.ratingWindow = ratingWindow
        self.maximumPhotos = maximumPhotos
    }

    /// The province's defaults: 7 days to rate or reopen, 5 photos.
    public static let standard = FeedbackPolicy()
}

/// Why a feedback operation was refused.
public enum FeedbackError: DomainFailure, Equatable {
    /// The lifecycle does not allow it (status, role, owner or agency).
    case transition(TransitionError<FeedbackStatus, FeedbackAction>)
    /// A text field is invalid.
    case text(TextError)
    /// The location is invalid or missing.
    case location(LocationError)
    /// The category code is not in the catalogue.
    case unknownCategory(String)
    /// The agency code is not in the catalogue.
    case unknownAgency(String)
    /// The category routes to the commune's People's Committee, so a commune is required.
    case communeRequired(category: String)
    /// More photos than allowed, or a photo reference that is not a SHA-256 hex digest.
    case invalidPhotos(reason: String)
    /// A rating outside 1–5.
    case ratingOutOfRange(Int)
    /// The window to rate or reopen has ended.
    case windowClosed(endedAt: Date)
    /// The window to rate or reopen is still open, so the item cannot close by itself yet.
    case windowStillOpen(endsAt: Date)
    /// A duplicate rejection needs the original item, which must be another item.
    case duplicateTargetInvalid
    /// A transfer to the agency that already has the item.
    case sameAgency(String)
    /// The official to assign is not staff of the item's agency.
    case assigneeNotInAgency

    public var code: String {
        switch self {
        case .transition(let e): e.code
        case .text(let e): e.code
        case .location(let e): e.code
        case .unknownCategory: "category.unknown"
        case .unknownAgency: "agency.unknown"
        case .communeRequired: "feedback.commune_required"
        case .invalidPhotos: "feedback.invalid_photos"
        case .ratingOutOfRange: "feedback.rating_out_of_range"
        case .windowClosed: "feedback.window_closed"
        case .windowStillOpen: "feedback.window_open"
        case .duplicateTargetInvalid: "feedback.duplicate_target_invalid"
        case .sameAgency: "feedback.same_agency"
        case .assigneeNotInAgency: "feedback.assignee_not_in_agency"
        }
    }

    public var field: String? {
        switch self {
        case .transition: nil
        case .text(let e): e.field
        case .location(let e): e.field
        case .unknownCategory, .communeRequired: "category"
        case .unknownAgency, .sameAgency: "agency"
        case .invalidPhotos: "photos"
        case .ratingOutOfRange: "stars"
        case .windowClosed, .windowStillOpen: nil
        case .duplicateTargetInvalid: "duplicate_of"
        case .assigneeNotInAgency: "assignee"
        }
    }

    public var message: Message {
        switch self {
        case .transition(let e): e.message
        case .text(let e): e.message
        case .location(let e): e.message
        case .unknownCategory(let code):
            Message(vi: "Lĩnh vực “\(code)” không tồn tại.", en: "Category “\(code)” does not exist.")
        case .unknownAgency(let code):
            Message(vi: "Cơ quan “\(code)” không tồn tại.", en: "Agency “\(code)” does not exist.")
        case .communeRequired:
            Message(
                vi: "Lĩnh vực này do UBND xã/phường xử lý: vui lòng chọn xã/phường.",
                en: "This category is handled by the commune's People's Committee: choose a commune.")
        case .invalidPhotos(let reason):
            Message(vi: "Ảnh đính kèm không hợp lệ: \(reason).", en: "Invalid photos: \(reason).")
        case .ratingOutOfRange(let stars):
            Message(vi: "Mức đánh giá phải từ 1 đến 5 sao (nhận được \(stars)).", en: "A rating is 1 to 5 stars (got \(stars)).")
        case .windowClosed(let end):
            Message(
                vi: "Đã hết hạn đánh giá hoặc mở lại (hết hạn lúc \(VietnamTime.format(end))).",
                en: "The window to rate or reopen ended at \(VietnamTime.format(end)).")
        case .windowStillOpen(let end):
            Message(
                vi: "Người dân vẫn có thể đánh giá đến \(VietnamTime.format(end)).",
                en: "The citizen may still rate until \(VietnamTime.format(end)).")
        case .duplicateTargetInvalid:
            Message(
                vi: "Phản ánh trùng phải chỉ ra một phản ánh gốc khác.",
                en: "A duplicate must point at another, original item.")
        case .sameAgency(let code):
            Message(vi: "Phản ánh đã thuộc cơ quan “\(code)”.", en: "The item is already with agency “\(code)”.")
        case .assigneeNotInAgency:
            Message(vi: "Cán bộ được giao không thuộc cơ quan xử lý.", en: "The assignee is not staff of the handling agency.")
        }
    }
}
