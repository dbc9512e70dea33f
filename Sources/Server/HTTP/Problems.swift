import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Turns any error into `application/problem+json` in the caller's language: the one place where
/// failures become HTTP.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let logger: Logger

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        do {
            var response = try await next(request, context)
            response.headers[.init("X-Request-Id")!] = context.requestID
            return response
        } catch {
            let language = Language(preferring: request.headers[.acceptLanguage])
            var (status, problem, headers) = Self.problem(for: error, request: request, language: language)
            problem.requestId = context.requestID
            if status == .internalServerError {
                logger.error("unhandled error", metadata: ["request_id": "\(context.requestID)", "error": "\(String(reflecting: error))"])
            }
            var fields = HTTPFields()
            fields[.contentType] = "application/problem+json"
            fields[.contentLanguage] = language.rawValue
            fields[.cacheControl] = "no-store"
            fields[.init("X-Request-Id")!] = context.requestID
            for (name, value) in headers { fields[name] = value }
            let body = (try? WireCoding.encoder().encode(problem)) ?? Data()
            return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }

    static func problem(for error: any Error, request: Request, language: Language) -> (HTTPResponse.Status, Problem, [(HTTPField.Name, String)]) {
        func make(_ status: HTTPResponse.Status, _ code: String, _ message: Message, field: String? = nil) -> (HTTPResponse.Status, Problem, [(HTTPField.Name, String)]) {
            (status, Problem(status: status.code, code: code, detail: message.text(language), title: status.reasonPhrase, field: field), [])
        }
        switch error {
        case let error as APIError:
            var result = make(error.status, error.code, error.message, field: error.field)
            result.2 = error.headers
            return result
        case let error as AuthError:
            return authProblem(error, language: language)
        case let error as FeedbackError:
            return make(status(forCode: error.code), error.code, error.message, field: error.field)
        case let error as DossierError:
            return make(status(forCode: error.code), error.code, error.message, field: error.field)
        case let error as PaymentError:
            return make(status(forCode: error.code), error.code, error.message, field: error.field)
        case let error as any DomainFailure:
            return make(status(forCode: error.code), error.code, error.message, field: error.field)
        case let error as StoreError:
            switch error {
            case .notFound: return make(.notFound, "item.not_found", APIError.notFound().message)
            case .conflict(let what):
                return make(.conflict, "item.conflict", Message(vi: "Đã tồn tại: \(what).", en: "Already exists: \(what)."))
            }
        case let error as DecodingError:
            let (field, detail) = describe(error)
            return make(.badRequest, "body.invalid", Message(
                vi: "Nội dung yêu cầu không hợp lệ\(field.map { " ở trường “\($0)”" } ?? ""): \(detail).",
                en: "The request body is invalid\(field.map { " at “\($0)”" } ?? ""): \(detail)."), field: field)
        case is NIOTooManyBytesError:
            return make(.contentTooLarge, "body.too_large", Message(
                vi: "Nội dung yêu cầu quá lớn.", en: "The request body is too large."))
        case let error as HTTPError:
            switch error.status {
            case .notFound:
                let allowed = Endpoints.all.filter { matches($0.path, request.uri.path) }.map(\.method.rawValue)
                    + (Endpoints.operational + Endpoints.binary).filter { matches($0.path, request.uri.path) }.map(\.method.rawValue)
                if !allowed.isEmpty {
                    var result = make(.methodNotAllowed, "method.not_allowed", Message(
                        vi: "Phương thức \(request.method.rawValue) không dùng được cho địa chỉ này.",
                        en: "Method \(request.method.rawValue) is not allowed here."))
                    result.2 = [(.allow, Set(allowed).sorted().joined(separator: ", "))]
                    return result
                }
                return make(.notFound, "route.not_found", Message(
                    vi: "Không có địa chỉ \(request.uri.path).", en: "There is no route \(request.uri.path)."))
            case .contentTooLarge:
                return make(.contentTooLarge, "body.too_large", Message(
                    vi: "Nội dung yêu cầu quá lớn.", en: "The request body is too large."))
            default:
                return make(error.status, "http.\(error.status.code)", Message(vi: error.status.reasonPhrase, en: error.status.reasonPhrase))
            }
        default:
            return make(.internalServerError, "internal", Message(
                vi: "Lỗi hệ thống; vui lòng thử lại. Nếu lỗi lặp lại, báo mã yêu cầu cho quản trị viên.",
                en: "Internal error; please retry. If it persists, quote the request id to the administrator."))
        }
    }

    /// The status of a domain failure, by the family of its code.
    static func status(forCode code: String) -> HTTPResponse.Status {
        switch code {
        case "transition.not_owner", "transition.other_agency": .notFound
        case "transition.role_not_allowed": .forbidden
        case "attachment.unsupported_type": .unsupportedMediaType
        case "attachment.too_large": .contentTooLarge
        case "transition.not_allowed", "feedback.window_closed", "feedback.window_open", "feedback.same_agency",
            "dossier.supplement_already_requested", "dossier.apology_required", "code.sequence_exhausted":
            .conflict
        default: .unprocessableContent
        }
    }

    static func authProblem(_ error: AuthError, language: Language) -> (HTTPResponse.Status, Problem, [(HTTPField.Name, String)]) {
        let (status, code, message, headers): (HTTPResponse.Status, String, Message, [(HTTPField.Name, String)]) = switch error {
        case .invalidCredentials:
            (.unauthorized, "auth.invalid_credentials", Message(vi: "Sai tên đăng nhập hoặc mật khẩu.", en: "Wrong username or password."), [])
        case .locked(let seconds):
            (.tooManyRequests, "auth.locked", Message(
                vi: "Tài khoản tạm khóa do đăng nhập sai nhiều lần; thử lại sau \(seconds) giây.",
                en: "The account is locked after repeated failures; retry in \(seconds) s."), [(.retryAfter, String(seconds))])
        case .otpWrong(let remaining):
            (.unauthorized, "otp.wrong", Message(
                vi: "Mã xác thực không đúng; còn \(remaining) lần thử.", en: "Wrong code; \(remaining) attempts left."), [])
        case .otpExpired:
            (.unauthorized, "otp.expired", Message(vi: "Mã xác thực đã hết hạn; hãy yêu cầu mã mới.", en: "The code has expired; ask for a new one."), [])
        case .otpExhausted:
            (.unauthorized, "otp.exhausted", Message(vi: "Đã nhập sai quá số lần cho phép; hãy yêu cầu mã mới.", en: "Too many wrong attempts; ask for a new code."), [])
        case .otpMissing:
            (.unauthorized, "otp.missing", Message(vi: "Chưa có mã xác thực cho số này; hãy yêu cầu mã.", en: "No code was requested for this number."), [])
        case .rateLimited(let seconds):
            (.tooManyRequests, "rate_limited", Message(
                vi: "Quá nhiều yêu cầu; thử lại sau \(seconds) giây.", en: "Too many requests; retry in \(seconds) s."), [(.retryAfter, String(seconds))])
        case .refreshInvalid:
            (.unauthorized, "refresh.invalid", Message(vi: "Phiên đăng nhập đã hết hạn; hãy đăng nhập lại.", en: "The session has ended; sign in again."), [])
        case .refreshReused:
            (.unauthorized, "refresh.reused", Message(
                vi: "Phát hiện dùng lại mã phiên; mọi phiên liên quan đã bị thu hồi, hãy đăng nhập lại.",
                en: "A refresh token was reused; the session family is revoked. Sign in again."), [])
        case .unauthenticated:
            (.unauthorized, APIError.unauthenticated.code, APIError.unauthenticated.message, APIError.unauthenticated.headers)
        case .forbidden:
            (.forbidden, APIError.forbidden.code, APIError.forbidden.message, [])
        }
        return (status, Problem(status: status.code, code: code, detail: message.text(language), title: status.reasonPhrase), headers)
    }

    /// The field path and a short reason of a decoding failure.
    static func describe(_ error: DecodingError) -> (String?, String) {
        func path(_ context: DecodingError.Context, extra: (any CodingKey)? = nil) -> String? {
            let keys = context.codingPath + (extra.map { [$0] } ?? [])
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? snakeCase($0.stringValue) }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
            return text.isEmpty ? nil : text
        }
        switch error {
        case .keyNotFound(let key, let context): return (path(context, extra: key), "missing")
        case .typeMismatch(let type, let context): return (path(context), "expected \(type)")
        case .valueNotFound(let type, let context): return (path(context), "expected \(type), got null")
        case .dataCorrupted(let context): return (path(context), context.codingPath.isEmpty ? "not valid JSON" : context.debugDescription)
        @unknown default: return (nil, "invalid")
        }
    }

    /// Whether a concrete path matches a template like `/v1/feedback/{id}`.
    static func matches(_ template: String, _ path: String) -> Bool {
        let a = template.split(separator: "/"), b = path.split(separator: "/")
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
    }
}
