import Foundation

/// What a person may do in the product.
public enum Role: String, Sendable, Codable, CaseIterable {
    /// A resident who files feedback and requests and pays.
    case citizen
    /// Staff of one agency who works the items routed to it.
    case official
    /// An official who also assigns, transfers and sees the agency's statistics.
    case supervisor
    /// Manages reference data, accounts and keys; never a citizen at the same time.
    case admin
    /// The server itself: automatic transitions (receipt, routing, closing after the window).
    case system

    /// Whether the role works an agency's items (official or supervisor).
    public var isStaff: Bool { self == .official || self == .supervisor }
}

/// Who performs an action: identity, role, agency for staff, and the device it came from.
public struct Actor: Sendable, Hashable, Codable {
    /// The user's id (the system actor has a fixed id).
    public var id: UUID
    /// The role the action is performed in.
    public var role: Role
    /// The agency of an official or supervisor.
    public var agencyCode: String?
    /// The device the action was made on, when known.
    public var deviceID: UUID?

    /// Creates an actor.
    public init(id: UUID, role: Role, agencyCode: String? = nil, deviceID: UUID? = nil) {
        self.id = id
        self.role = role
        self.agencyCode = agencyCode
        self.deviceID = deviceID
    }

    /// The server acting on its own.
    public static let system = Actor(id: UUID(uuidString: "00000000-0000-0000-0000-000000000000")!, role: .system)

    /// A citizen.
    public static func citizen(_ id: UUID, device: UUID? = nil) -> Actor {
        Actor(id: id, role: .citizen, deviceID: device)
    }

    /// An official or supervisor of an agency.
    public static func staff(_ id: UUID, role: Role = .official, agency: String, device: UUID? = nil) -> Actor {
        Actor(id: id, role: role, agencyCode: agency, deviceID: device)
    }

    enum CodingKeys: String, CodingKey { case id, role, agencyCode = "agency_code", deviceID = "device_id" }
}

/// A staff username: 3–40 of `a-z 0-9 . _ -`, stored lower-case.
public struct Username: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The lower-case username.
    public let value: String

    /// Validates a username.
    /// - Throws: `IdentityError.invalidUsername`.
    public init(_ raw: String) throws(IdentityError) {
        let lowered = raw.trimmingCharacters(in: .whitespaces).lowercased()
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-")
        guard (3...40).contains(lowered.count), lowered.allSatisfy({ allowed.contains($0) }) else {
            throw .invalidUsername(raw)
        }
        value = lowered
    }

    public var description: String { value }
}
