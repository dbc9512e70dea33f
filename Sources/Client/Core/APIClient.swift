import Domain
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Typed calls to the server through the shared endpoint table, with the profile's tokens:
/// an expired access token is refreshed once and the call repeated.
final class APIClient: @unchecked Sendable {
    /// Why a call did not produce a value.
    enum Failure: Error {
        /// No answer (connection refused, timeout, reset): the request may or may not have taken effect.
        case unreachable
        /// The server answered with a problem.
        case problem(Problem)
    }

    let server: String
    let language: Language
    private let profile: Profile
    private var session: Session
    private let urlSession: URLSession

    init(server: String, profile: Profile, session: Session, language: Language, timeout: TimeInterval = 15) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.profile = profile
        self.session = session
        self.language = language
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout * 4
        urlSession = URLSession(configuration: configuration)
    }

    /// The headers of the last answer (e.g. `Sync-Expected-Seq` on a sequence gap).
    private(set) var lastHeaders: [String: String] = [:]

    /// The session as it stands (tokens may have been refreshed).
    var currentSession: Session { session }

    /// Calls an endpoint and decodes its answer.
    func call<In, Out>(
        _ endpoint: Endpoint<In, Out>, _ body: In? = nil, path parameters: [String: String] = [:], query: [String: String] = [:],
        deviceId: UUID? = nil
    ) async throws(Failure) -> Out {
        let data = try await answer(endpoint, body, path: parameters, query: query, deviceId: deviceId)
        if Out.self == NoContent.self { return NoContent() as! Out }
        return try Self.decode(Out.self, from: data)
    }

    /// Calls an endpoint and returns its successful answer as it came.
    func answer<In, Out>(
        _ endpoint: Endpoint<In, Out>, _ body: In? = nil, path parameters: [String: String] = [:], query: [String: String] = [:],
        deviceId: UUID? = nil
    ) async throws(Failure) -> Data {
        var body_: Data? = nil
        if let body, !(body is NoContent) {
            // Pushes are written directly (`WireJSONWritable`): the encoder's bytes, a fraction of the time.
            do { body_ = Data(try WireCoding.write(body)) } catch { throw .problem(Self.localProblem("encoding", "\(error)")) }
        }
        let (status, data) = try await send(
            method: endpoint.method.rawValue, path: endpoint.path(parameters), query: query, body: body_,
            contentType: body_ == nil ? nil : "application/json", deviceId: deviceId, authenticated: endpoint.access != .anyone)
        guard status == endpoint.successStatus || (200..<300).contains(status) else { throw .problem(Self.problem(status: status, data: data)) }
        return data
    }

    /// Reads an answer that offers a direct reader (a pull page), from its bytes.
    static func read<Out: WireJSONReadable>(_ type: Out.Type, from bytes: [UInt8]) throws(Failure) -> Out {
        do { return try Out(wireJSON: bytes) } catch { throw unreadable(error) }
    }

    /// An answer that could not be read.
    static func unreadable(_ error: any Error) -> Failure {
        .problem(localProblem("response.invalid", "the server's answer could not be read: \(error)"))
    }

    /// Decodes an answer.
    static func decode<Out: Decodable>(_ type: Out.Type, from data: Data) throws(Failure) -> Out {
        do {
            // Pull pages and push answers are read in place (`WireJSONReader`): the same values, a
            // fraction of the time; the decoder reads (or refuses) whatever the reader does not.
            return try WireCoding.read(Out.self, from: Array(data))
        } catch {
            throw unreadable(error)
        }
    }

    /// Uploads an attachment (retry-safe: the address is its SHA-256).
    func upload(sha256: String, mediaType: String, bytes: Data) async throws(Failure) {
        let (status, data) = try await send(
            method: "PUT", path: "/v1/attachments/\(sha256)", query: [:], body: bytes, contentType: mediaType, deviceId: nil, authenticated: true)
        guard (200..<300).contains(status) else { throw .problem(Self.problem(status: status, data: data)) }
    }

    private func send(
        method: String, path: String, query: [String: String], body: Data?, contentType: String?, deviceId: UUID?, authenticated: Bool,
        retried: Bool = false
    ) async throws(Failure) -> (Int, Data) {
        var components = URLComponents(string: server + path)
        if !query.isEmpty { components?.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) } }
        guard let url = components?.url else { throw .problem(Self.localProblem("server.invalid", "invalid server address \(server)")) }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        request.setValue(language.rawValue, forHTTPHeaderField: "Accept-Language")
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        if let deviceId { request.setValue(deviceId.uuidString.lowercased(), forHTTPHeaderField: "X-Device-Id") }
        if authenticated {
            guard let token = session.accessToken else { throw .problem(Problem(status: 401, code: "auth.required", detail: language.pick(CLIError.notSignedIn.message))) }
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        }
        let data: Data, response: URLResponse
        do {
            (data, response) = try await urlSession.data(for: request)
        } catch {
            throw .unreachable
        }
        let http = response as? HTTPURLResponse
        let status = http?.statusCode ?? 0
        lastHeaders = [:]
        for (key, value) in http?.allHeaderFields ?? [:] { lastHeaders[String(describing: key).lowercased()] = String(describing: value) }
        if status == 401, authenticated, !retried, session.refreshToken != nil, try await refreshTokens() {
            return try await send(
                method: method, path: path, query: query, body: body, contentType: contentType, deviceId: deviceId, authenticated: true,
                retried: true)
        }
        return (status, data)
    }

    /// Trades the refresh token for a new pair and saves it; false when the server refused it.
    private func refreshTokens() async throws(Failure) -> Bool {
        guard let refreshToken = session.refreshToken else { return false }
        let pair: TokenPair
        do throws(Failure) {
            pair = try await call(Endpoints.refresh, RefreshRequest(refreshToken: refreshToken))
        } catch {
            if case .unreachable = error { throw .unreachable }
            return false
        }
        session.accept(pair, now: Date())
        try? profile.save(session)
        return true
    }

    static func problem(status: Int, data: Data) -> Problem {
        if let problem = try? WireCoding.decoder().decode(Problem.self, from: data) { return problem }
        return Problem(status: status, code: "http.\(status)", detail: "HTTP \(status): \(String(decoding: data.prefix(200), as: UTF8.self))")
    }

    static func localProblem(_ code: String, _ detail: String) -> Problem { Problem(status: 0, code: code, detail: detail) }
}

extension Session {
    /// Takes a fresh token pair from sign-in or refresh.
    mutating func accept(_ pair: TokenPair, now: Date) {
        accessToken = pair.accessToken
        accessExpiresAt = now.addingTimeInterval(TimeInterval(pair.expiresIn))
        refreshToken = pair.refreshToken
        user = pair.user
    }
}
