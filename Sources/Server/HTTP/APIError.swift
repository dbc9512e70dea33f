import Domain
import Foundation
import HTTPTypes
import Hummingbird

/// A refusal the HTTP layer raises itself (bad body, bad query, not found, forbidden).
struct APIError: Error {
    var status: HTTPResponse.Status
    var code: String
    var message: Message
    var field: String?
    var headers: [(HTTPField.Name, String)] = []

    static func notFound(_ what: String = "item") -> APIError {
        APIError(status: .notFound, code: "\(what).not_found", message: Message(
            vi: "Không tìm thấy mục này, hoặc bạn không có quyền xem.", en: "Not found, or not yours to see."))
    }

    static func badQuery(_ name: String, _ detail: String) -> APIError {
        APIError(status: .badRequest, code: "query.invalid", message: Message(
            vi: "Tham số “\(name)” không hợp lệ: \(detail).", en: "Query parameter “\(name)” is invalid: \(detail)."), field: name)
    }

    static let forbidden = APIError(status: .forbidden, code: "auth.forbidden", message: Message(
        vi: "Tài khoản của bạn không được thực hiện thao tác này.", en: "Your account may not do this."))

    static let unauthenticated = APIError(status: .unauthorized, code: "auth.unauthenticated", message: Message(
        vi: "Cần đăng nhập (thiếu hoặc sai mã truy cập).", en: "Sign-in required (missing or invalid access token)."),
        headers: [(.wwwAuthenticate, "Bearer")])
}
