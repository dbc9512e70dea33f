import Foundation

/// A status of one of the lifecycles (feedback, dossier, invoice, payment, refund).
public protocol LifecycleStatus: RawRepresentable<String>, Hashable, Sendable, CaseIterable, Codable {
    /// The name people read, in both languages.
    var label: Message { get }
}

/// An action that moves an item along its lifecycle.
public protocol LifecycleAction: RawRepresentable<String>, Hashable, Sendable, CaseIterable, Codable {}

/// Why a lifecycle refused an action before looking at its content.
public enum TransitionError<Status: LifecycleStatus, Action: LifecycleAction>: Error, Equatable, Sendable {
    /// The action is not possible from the current status.
    case notAllowedFrom(Status, Action)
    /// The role may never perform this action.
    case roleNotAllowed(Role, Action)
    /// A citizen acting on someone else's item.
    case notOwner(Action)
    /// Staff acting on an item of another agency.
    case otherAgency(Action)

    /// A stable machine code.
    public var code: String {
        switch self {
        case .notAllowedFrom: "transition.not_allowed"
        case .roleNotAllowed: "transition.role_not_allowed"
        case .notOwner: "transition.not_owner"
        case .otherAgency: "transition.other_agency"
        }
    }

    /// The explanation in both languages.
    public var message: Message {
        switch self {
        case .notAllowedFrom(let status, let action):
            Message(
                vi: "Không thể thực hiện “\(action.rawValue)” khi hồ sơ đang ở trạng thái “\(status.label.vi)”.",
                en: "“\(action.rawValue)” is not possible while the item is “\(status.label.en)”.")
        case .roleNotAllowed(let role, let action):
            Message(
                vi: "Vai trò “\(role.rawValue)” không được thực hiện “\(action.rawValue)”.",
                en: "The role “\(role.rawValue)” may not perform “\(action.rawValue)”.")
        case .notOwner:
            Message(vi: "Bạn chỉ được thao tác trên mục của chính mình.", en: "You may act only on your own items.")
        case .otherAgency:
            Message(
                vi: "Mục này không thuộc cơ quan của bạn.",
                en: "This item does not belong to your agency.")
        }
    }
}

/// One allowed move: an action, the statuses it starts from, where it leads, and who may do it.
public struct TransitionRule<Status: LifecycleStatus, Action: LifecycleAction>: Sendable {
    /// The action.
    public let action: Action
    /// The statuses it may start from.
    public let from: Set<Status>
    /// The status it leads to; nil keeps the current status (e.g. assigning within an agency).
    public let to: Status?
    /// The roles that may perform it.
    public let roles: Set<Role>

    /// Creates a rule.
    public init(_ action: Action, from: Set<Status>, to: Status?, by roles: Set<Role>) {
        self.action = action
        self.from = from
        self.to = to
        self.roles = roles
    }
}

/// The parties that may act on an item: its owner and the agency working it.
public struct Stakeholders: Sendable, Equatable {
    /// The citizen the item belongs to.
    public var ownerID: UUID
    /// The agency currently working the item, if routed.
    public var agencyCode: String?

    /// Creates stakeholders.
    public init(ownerID: UUID, agencyCode: String?) {
        self.ownerID = ownerID
        self.agencyCode = agencyCode
    }
}

/// A table of transition rules: the whole state machine of one kind of item.
public struct Lifecycle<Status: LifecycleStatus, Action: LifecycleAction>: Sendable {
    /// The rules, at most one per action and starting status.
    public let rules: [TransitionRule<Status, Action>]

    /// Creates a lifecycle from its rules.
    public init(_ rules: [TransitionRule<Status, Action>]) {
        self.rules = rules
    }

    /// Checks that `actor` may perform `action` on an item in `status`, and returns the new status.
    ///
    /// Citizens may act only on their own items; officials and supervisors only on items of their
    /// agency; the system on any item.
    /// - Throws: `TransitionError`.
    public func target(
        of action: Action, from status: Status, by actor: Actor, on item: Stakeholders
    ) throws(TransitionError<Status, Action>) -> Status {
        let candidates = rules.filter { $0.action == action }
        guard candidates.contains(where: { $0.roles.contains(actor.role) }) else {
            throw .roleNotAllowed(actor.role, action)
        }
        switch actor.role {
        case .citizen:
            guard actor.id == item.ownerID else { throw .notOwner(action) }
        case .official, .supervisor:
            guard let agency = actor.agencyCode, agency == item.agencyCode else { throw .otherAgency(action) }
        case .admin, .system:
            break
        }
        guard let rule = candidates.first(where: { $0.from.contains(status) && $0.roles.contains(actor.role) }) else {
            throw .notAllowedFrom(status, action)
        }
        return rule.to ?? status
    }

    /// Whether any rule allows `action` from `status` for `role` (ownership aside).
    public func allows(_ action: Action, from status: Status, role: Role) -> Bool {
        rules.contains { $0.action == action && $0.from.contains(status) && $0.roles.contains(role) }
    }
}

/// The kinds of item that keep a history.
public enum ItemKind: String, Sendable, Codable, CaseIterable {
    /// Feedback (phản ánh kiến nghị).
    case feedback
    /// A service request (hồ sơ).
    case serviceRequest = "service_request"
    /// An invoice.
    case invoice
    /// A payment.
    case payment
    /// A refund.
    case refund
}

/// One recorded transition: who did what to which item, when, from where, and why.
public struct HistoryEvent: Sendable, Codable, Equatable {
    /// The kind of item.
    public var itemKind: ItemKind
    /// The item's id.
    public var itemID: UUID
    /// When it happened (server time).
    public var at: Date
    /// Who did it.
    public var actorID: UUID
    /// In which role.
    public var actorRole: Role
    /// From which device, when known.
    public var deviceID: UUID?
    /// The action's name, e.g. `resolve`.
    public var action: String
    /// The status before, nil for a creation.
    public var fromStatus: String?
    /// The status after.
    public var toStatus: String
    /// The reason or note given, where there is one.
    public var reason: String?

    /// Restores an event read back from storage or the wire.
    public init(
        itemKind: ItemKind, itemID: UUID, at: Date, actorID: UUID, actorRole: Role, deviceID: UUID?, action: String,
        fromStatus: String?, toStatus: String, reason: String?
    ) {
        self.itemKind = itemKind
        self.itemID = itemID
        self.at = at
        self.actorID = actorID
        self.actorRole = actorRole
        self.deviceID = deviceID
        self.action = action
        self.fromStatus = fromStatus
        self.toStatus = toStatus
        self.reason = reason
    }

    /// Records a transition.
    public init<S: LifecycleStatus, A: LifecycleAction>(
        _ kind: ItemKind, item: UUID, action: A, from: S?, to: S, by actor: Actor, at: Date, reason: String? = nil
    ) {
        itemKind = kind
        itemID = item
        self.at = at
        actorID = actor.id
        actorRole = actor.role
        deviceID = actor.deviceID
        self.action = action.rawValue
        fromStatus = from?.rawValue
        toStatus = to.rawValue
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey { case itemKind = "item_kind", itemID = "item_id", at, actorID = "actor_id", actorRole = "actor_role", deviceID = "device_id", action, fromStatus = "from_status", toStatus = "to_status", reason }
}
