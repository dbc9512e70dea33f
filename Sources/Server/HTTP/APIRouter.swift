import Domain
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// One call to an endpoint: the decoded body, the caller, and helpers for path and query.
struct Call<Body: Sendable>: Sendable {
    let body: Body
    let actor: Actor?
    let request: Request
    let context: AppContext
    let now: Date

    /// The caller of an authenticated endpoint.
    var user: Actor {
        get throws {
            guard let actor else { throw APIError.unauthenticated }
            return actor
        }
    }

    /// The caller's language.
    var language: Language { Language(preferring: request.headers[.acceptLanguage]) }

    /// A UUID path parameter.
    func pathID(_ name: String = "id") throws -> UUID {
        guard let raw = context.parameters.get(name), let id = UUID(text: raw) else { throw APIError.notFound() }
        return id
    }

    /// A query parameter given at most once.
    func query(_ name: String) throws -> String? {
        let values = request.uri.queryParameters.getAll(name)
        guard values.count <= 1 else { throw APIError.badQuery(name, "given more than once") }
        return values.first.map { String($0).removingPercentEncoding ?? String($0) }
    }

    /// A boolean query parameter.
    func flag(_ name: String) throws -> Bool {
        switch try query(name) {
        case nil, "false", "0": false
        case "true", "1", "": true
        default: throw APIError.badQuery(name, "expected true or false")
        }
    }

    /// The `status` filter: comma-separated statuses of the lifecycle, or nil when absent.
    func statuses<S: LifecycleStatus>(_ type: S.Type) throws -> [S]? {
        try query("status").map { text in
            try text.split(separator: ",").map {
                guard let status = S(rawValue: String($0)) else { throw APIError.badQuery("status", "unknown status \($0)") }
                return status
            }
        }
    }

    /// The `sort` parameter, or `fallback` when absent.
    func sort<S: RawRepresentable<String> & CaseIterable>(_ fallback: S) throws -> S {
        guard let raw = try query("sort") else { return fallback }
        guard let sort = S(rawValue: raw) else {
            throw APIError.badQuery("sort", "expected " + S.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return sort
    }

    /// The page size: 1–100, 20 by default.
    func limit() throws -> Int {
        guard let raw = try query("limit") else { return 20 }
        guard let value = Int(raw), (1...100).contains(value) else { throw APIError.badQuery("limit", "expected 1–100") }
        return value
    }
}

/// Registers typed endpoints: token check, role gate, body limit and decoding, encoding.
struct APIRouter {
    static let deviceHeader = HTTPField.Name("X-Device-Id")!

    let router: Router<AppContext>
    let auth: AuthService
    let now: DateGenerator

    /// The caller of a request: checks the bearer token and the role gate, and reads `X-Device-Id`.
    static func authenticate(_ request: Request, access: Access, auth: AuthService) async throws -> Actor? {
        guard access != .anyone else { return nil }
        // `utf8.count`: `count` walks the token's characters (2% of filing an item at saturation).
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "), header.utf8.count > 7 else {
            throw APIError.unauthenticated
        }
        var actor = try await auth.authenticate(bearer: String(header.dropFirst(7))).0
        guard access.admits(actor.role) else { throw APIError.forbidden }
        // The device the change comes from, for the history (apps send their registered id).
        if let raw = request.headers[Self.deviceHeader] {
            guard let device = UUID(text: raw) else {
                throw APIError(status: .badRequest, code: "header.invalid", message: Message(
                    vi: "Mã thiết bị (X-Device-Id) phải là một UUID.", en: "X-Device-Id must be a UUID."), field: "X-Device-Id")
            }
            actor.deviceID = device
        }
        return actor
    }

    func register<In: Codable & Sendable, Out: Codable & Sendable>(
        _ endpoint: Endpoint<In, Out>, _ handler: @escaping @Sendable (Call<In>) async throws -> Out
    ) {
        route(endpoint) { call in
            let output = try await handler(call)
            if Out.self == NoContent.self && endpoint.successStatus == 204 { return nil }
            return if let writable = output as? any WireJSONWritable {
                ByteBuffer(bytes: try writable.wireJSON())
            } else {
                ByteBuffer(bytes: try WireCoding.encoder().encode(output))
            }
        }
    }

    /// The same for a handler that writes its answer itself, in the shape of `Out` (a pull page
    /// carrying stored views, `SyncService.PullAnswer`).
    func register<In: Codable & Sendable, Out: Codable & Sendable, Answer: WireJSONWritable>(
        written endpoint: Endpoint<In, Out>, _ handler: @escaping @Sendable (Call<In>) async throws -> Answer
    ) {
        route(endpoint) { call in ByteBuffer(bytes: try await handler(call).wireJSON()) }
    }

    /// Routes `endpoint`: authentication, the body read as `In`, then `answer`'s bytes (nil: no
    /// content) with the endpoint's status.
    private func route<In: Codable & Sendable, Out: Codable & Sendable>(
        _ endpoint: Endpoint<In, Out>, _ answer: @escaping @Sendable (Call<In>) async throws -> ByteBuffer?
    ) {
        let path = endpoint.path.replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: "")
        let method = HTTPRequest.Method(rawValue: endpoint.method.rawValue)!
        let auth = self.auth, now = self.now
        router.on(RouterPath(path), method: method) { request, context -> Response in
            var context = context
            let actor = try await Self.authenticate(request, access: endpoint.access, auth: auth)
            context.actor = actor
            let body: In
            if In.self == NoContent.self {
                body = NoContent() as! In
            } else {
                if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
                    throw APIError(status: .unsupportedMediaType, code: "body.unsupported_media_type", message: Message(
                        vi: "Nội dung phải là application/json.", en: "The body must be application/json."))
                }
                let buffer = try await request.body.collect(upTo: endpoint.maxBodyBytes)
                // Filing feedback and pushes are read in place; the decoder answers a bad body.
                body = try WireCoding.read(In.self, from: Array(buffer: buffer))
            }
            let bytes = try await answer(Call(body: body, actor: actor, request: request, context: context, now: now()))
            var headers = HTTPFields()
            if endpoint.access != .anyone { headers[.cacheControl] = "no-store" }
            guard let bytes else { return Response(status: .noContent, headers: headers) }
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(status: HTTPResponse.Status(code: endpoint.successStatus), headers: headers, body: .init(byteBuffer: bytes))
        }
    }
}

/// A page of views with the cursor that continues it.
func page<Item, View: Codable & Sendable>(_ items: [Item], last: [String]?, sort: String, _ view: (Item) -> View) -> Page<View> {
    Page(items: items.map(view), nextCursor: last.map { Cursor(sort: sort, values: $0).encoded })
}

/// An opaque keyset cursor: the sort it belongs to and the last row's sort values.
struct Cursor: Codable, Equatable {
    var sort: String
    var values: [String]

    var encoded: String { Base64URL.encode(try! JSONEncoder().encode(self)) }

    static func decode(_ text: String?, sort: String) throws -> Cursor? {
        guard let text else { return nil }
        guard let data = Base64URL.decode(Substring(text)), let cursor = try? JSONDecoder().decode(Cursor.self, from: data),
            cursor.sort == sort
        else { throw APIError.badQuery("cursor", "not a cursor of this list") }
        return cursor
    }
}
