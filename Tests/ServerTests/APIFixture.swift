import Crypto
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import HummingbirdTesting
import Logging
import NIOCore
import Testing
@testable import Server

/// A clock tests move by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var instant: Date

    init(_ start: Date) { instant = start }

    var now: Date { lock.withLock { instant } }

    func advance(by seconds: TimeInterval) { lock.withLock { instant = instant.addingTimeInterval(seconds) } }

    var generator: DateGenerator { DateGenerator { self.now } }
}

/// Captures one-time codes instead of sending them.
final class CapturingSender: OneTimeCodeSender, @unchecked Sendable {
    private let lock = NSLock()
    private var codes: [String: String] = [:]

    func send(code: String, to phone: PhoneNumber) async throws { lock.withLock { codes[phone.e164] = code } }

    func lastCode(for phone: String) -> String? { lock.withLock { codes[(try? PhoneNumber(phone).e164) ?? phone] } }
}

/// A whole application on an in-memory store with test keys, clock and code sender, plus staff accounts.
struct APIFixture {
    let clock = TestClock(VietnamTime.instant(LocalDate(iso: "2026-11-30")!, minute: 9 * 60))
    let sender = CapturingSender()
    let store: SQLiteStore
    let tokens: AccessTokenService
    private(set) var dependencies: ServerDependencies

    /// The same fixture with other dependencies (a capturing logger, say).
    func with(_ dependencies: ServerDependencies) -> APIFixture {
        var copy = self
        copy.dependencies = dependencies
        return copy
    }
    static let password = "mật-khẩu-đủ-dài-2026"
    /// Warnings and errors only: the request log of thousands of test calls would bury CI output.
    static var quietLogger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }
    static let passwordHash = Bcrypt.hash(password, cost: 4)

    /// An in-memory store, or a WAL database on disk where concurrent readers and writers matter.
    init(onDisk: Bool = false) async throws {
        store = SQLiteStore(onDisk
            ? try AppDatabase.open(path: StoreFixture.temporaryFolder().appendingPathComponent("api.sqlite").path)
            : try AppDatabase.inMemory())
        let catalog = try ReferenceCatalog.bundled()
        _ = try await store.install(catalog, at: clock.now)
        tokens = AccessTokenService(signingKey: SigningKey(privateKey: .init(), createdAt: clock.now))
        dependencies = ServerDependencies(
            store: store, now: clock.generator, ids: .live, logger: Self.quietLogger, catalog: catalog, tokens: tokens,
            codeSender: sender, otpPepper: SymmetricKey(size: .bits256))
        for (username, role, agency) in [
            ("cb.xaydung", Role.official, "SXD"), ("gs.xaydung", .supervisor, "SXD"), ("cb.yte", .official, "SYT"),
            ("cb.tuphap", .official, "STP"), ("cb.phukhuong", .official, "UBND-28756"), ("quantri", .admin, nil),
        ] as [(String, Role, String?)] {
            _ = try await store.addStaff(
                id: UUID(), username: try Username(username), role: role, agencyCode: agency, passwordHash: Self.passwordHash,
                at: clock.now)
        }
    }

    var app: some ApplicationProtocol { buildApplication(configuration: ServerConfiguration(), dependencies: dependencies) }

    /// Runs `body` against the application through Hummingbird's router test client.
    func run(_ body: @escaping @Sendable (TestAPI) async throws -> Void) async throws {
        try await app.test(.router) { client in try await body(TestAPI(client: client, clock: clock, sender: sender)) }
    }
}

/// The answer of a call: status, decoded value or problem, headers.
struct Answer<Out: Decodable> {
    var status: HTTPResponse.Status
    var value: Out?
    var problem: Problem?
    var headers: HTTPFields
}

/// Typed calls through the test client, by endpoint.
struct TestAPI: Sendable {
    let client: any TestClientProtocol
    let clock: TestClock
    let sender: CapturingSender

    @discardableResult
    func call<In, Out>(
        _ endpoint: Endpoint<In, Out>, _ body: In? = nil, token: String? = nil, id: UUID? = nil, query: String = "",
        rawBody: Data? = nil, headers extra: HTTPFields = [:], language: String? = nil
    ) async throws -> Answer<Out> {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let language { headers[.acceptLanguage] = language }
        var data = rawBody
        if data == nil, let body, !(body is NoContent) {
            data = try WireCoding.encoder().encode(body)
        }
        if let data, rawBody == nil { #expect(Self.upperCaseKeys(data) == [], "request of \(endpoint.name)") }
        if data != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        let path = endpoint.path(id.map { ["id": $0.uuidString] } ?? [:]) + (query.isEmpty ? "" : "?" + query)
        return try await client.execute(
            uri: path, method: HTTPRequest.Method(rawValue: endpoint.method.rawValue)!, headers: headers,
            body: data.map { ByteBuffer(bytes: $0) }
        ) { response in
            let bytes = Data(buffer: response.body)
            #expect(Self.upperCaseKeys(bytes) == [], "answer of \(endpoint.name)")
            if response.status.code >= 400 {
                return Answer(status: response.status, value: nil, problem: try? WireCoding.decoder().decode(Problem.self, from: bytes), headers: response.headers)
            }
            let value = Out.self == NoContent.self ? (NoContent() as! Out) : try WireCoding.decoder().decode(Out.self, from: bytes)
            return Answer(status: response.status, value: value, problem: nil, headers: response.headers)
        }
    }

    /// The object keys of a JSON body that have an upper-case letter. The wire spells every key in
    /// snake_case and the coders have no key strategy to fix a key a type left in camelCase, so
    /// every call checks its request and its answer.
    static func upperCaseKeys(_ data: Data) -> [String] {
        guard !data.isEmpty, let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return [] }
        var found: [String] = []
        func walk(_ value: Any) {
            if let object = value as? [String: Any] {
                for (key, nested) in object {
                    if key.contains(where: \.isUppercase) { found.append(key) }
                    walk(nested)
                }
            } else if let array = value as? [Any] {
                array.forEach(walk)
            }
        }
        walk(object)
        return found.sorted()
    }

    /// Uploads an attachment; returns its SHA-256 (the address) and the answer's status.
    @discardableResult
    func upload(_ data: Data, type: String = "application/pdf", token: String, digest: String? = nil) async throws -> (String, HTTPResponse.Status, Problem?) {
        let sha = digest ?? SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        return try await client.execute(
            uri: "/v1/attachments/\(sha)", method: .put,
            headers: [.authorization: "Bearer \(token)", .contentType: type], body: ByteBuffer(bytes: data)
        ) { response in
            (sha, response.status, try? WireCoding.decoder().decode(Problem.self, from: Data(buffer: response.body)))
        }
    }

    /// A small PDF, different for each `n`.
    static func pdf(_ n: Int) -> Data { Data("%PDF-1.4\n% tài liệu số \(n)\n%%EOF\n".utf8) }

    /// Signs a citizen in by phone and code; returns the token pair.
    func citizen(_ phone: String) async throws -> TokenPair {
        let sent = try await call(Endpoints.requestOTP, OTPRequest(phone: phone))
        #expect(sent.status == .accepted)
        let code = try #require(sender.lastCode(for: phone))
        return try #require(try await call(Endpoints.verifyOTP, OTPVerify(phone: phone, code: code)).value)
    }

    /// Signs a staff member in.
    func staff(_ username: String) async throws -> TokenPair {
        try #require(try await call(Endpoints.passwordLogin, PasswordLogin(username: username, password: APIFixture.password)).value)
    }

    /// Files a feedback item as the citizen.
    func fileFeedback(_ token: String, category: String = "giao-thong", title: String = "Ổ gà trên đường Đồng Khởi", isPublic: Bool = true, anonymous: Bool = false) async throws -> FeedbackView {
        let draft = FeedbackDraft(
            category: category, title: title, description: "Ổ gà sâu khoảng 20 cm, nguy hiểm cho xe máy.",
            latitude: 10.2415, longitude: 106.3759, commune: "28756", anonymous: anonymous, isPublic: isPublic)
        let answer = try await call(Endpoints.createFeedback, FeedbackCreate(id: UUID(), draft: draft), token: token)
        #expect(answer.status == .created, "\(String(describing: answer.problem))")
        return try #require(answer.value)
    }
}
