import Foundation

/// The HTTP methods the API uses.
public enum HTTPVerb: String, Sendable, Codable, CaseIterable {
    case get = "GET"
    case post = "POST"
    case put = "PUT"
    case delete = "DELETE"
}

/// Who may call an endpoint, before ownership and agency checks.
public enum Access: String, Sendable, Codable {
    /// Anyone, without a token.
    case anyone
    /// Any signed-in user.
    case signedIn = "signed_in"
    /// Citizens only.
    case citizen
    /// Officials and supervisors.
    case staff
    /// Supervisors only.
    case supervisor
    /// Admins only.
    case admin

    /// Whether a role passes this gate.
    public func admits(_ role: Role?) -> Bool {
        switch self {
        case .anyone: true
        case .signedIn: role != nil && role != .system
        case .citizen: role == .citizen
        case .staff: role == .official || role == .supervisor
        case .supervisor: role == .supervisor
        case .admin: role == .admin
        }
    }
}

/// A request or response without a body.
public struct NoContent: Codable, Sendable, Equatable {
    /// The empty value.
    public init() {}
}

/// One operation of the API: method, path template, who may call it, the body it takes, the
/// value it returns. Server and client both use these, so neither can drift from the other.
public struct Endpoint<Request: Codable & Sendable, Response: Codable & Sendable>: Sendable {
    /// A stable operation name (the OpenAPI `operationId`).
    public let name: String
    /// The method.
    public let method: HTTPVerb
    /// The path template, e.g. `/v1/feedback/{id}`.
    public let path: String
    /// Who may call it.
    public let access: Access
    /// The status of a successful answer.
    public let successStatus: Int
    /// The largest body accepted, in bytes.
    public let maxBodyBytes: Int

    /// Declares an endpoint.
    public init(
        _ name: String, _ method: HTTPVerb, _ path: String, access: Access, success: Int = 200,
        maxBodyBytes: Int = 256 * 1024
    ) {
        self.name = name
        self.method = method
        self.path = path
        self.access = access
        self.successStatus = success
        self.maxBodyBytes = maxBodyBytes
    }

    /// The path with `{name}` placeholders filled in.
    public func path(_ parameters: [String: String]) -> String {
        var result = path
        for (key, value) in parameters {
            result = result.replacingOccurrences(
                of: "{\(key)}", with: value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? value)
        }
        return result
    }

    /// The endpoint without its types, for tables and documents.
    public var description: EndpointDescription {
        EndpointDescription(name: name, method: method, path: path, access: access, successStatus: successStatus)
    }
}

/// An endpoint without its types.
public struct EndpointDescription: Sendable, Hashable {
    /// The operation name.
    public let name: String
    /// The method.
    public let method: HTTPVerb
    /// The path template.
    public let path: String
    /// Who may call it.
    public let access: Access
    /// The success status.
    public let successStatus: Int
}
