import Foundation

/// An error as the API answers it (`application/problem+json`, RFC 9457).
public struct Problem: Codable, Sendable, Equatable, Error {
    /// A URI naming the kind of problem: `https://smartvl.vinhlong.gov.vn/problems/<code>`.
    public var type: String
    /// A short summary, in the requested language.
    public var title: String
    /// The HTTP status.
    public var status: Int
    /// The stable machine code, e.g. `phone.invalid`.
    public var code: String
    /// The explanation, in the requested language.
    public var detail: String
    /// The input field at fault, where there is one.
    public var field: String?
    /// The request id, to quote when reporting a problem.
    public var requestId: String?

    /// Creates a problem.
    public init(status: Int, code: String, detail: String, title: String? = nil, field: String? = nil, requestId: String? = nil) {
        self.type = "https://smartvl.vinhlong.gov.vn/problems/" + code
        self.title = title ?? code
        self.status = status
        self.code = code
        self.detail = detail
        self.field = field
        self.requestId = requestId
    }

    enum CodingKeys: String, CodingKey { case type, title, status, code, detail, field, requestId = "request_id" }
}
