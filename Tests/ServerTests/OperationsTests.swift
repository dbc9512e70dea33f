import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Metrics
import Prometheus
import Testing
@testable import Server

/// Collects every log line, to check what is never written.
final class CapturedLogs: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var lines: [String] = []

    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var text: String { lock.withLock { lines.joined(separator: "\n") } }
}

struct CapturingLogHandler: LogHandler {
    let sink: CapturedLogs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        sink.append("\(event.level) \(event.message) \(all.map { "\($0)=\($1)" }.sorted().joined(separator: " "))")
    }
}

@Suite struct OperationsTests {
    @Test func logsNeverHoldTokensCodesPasswordsOrPhones() async throws {
        var fixture = try await APIFixture()
        let logs = CapturedLogs()
        var dependencies = fixture.dependencies
        dependencies.logger = Logger(label: "test") { _ in CapturingLogHandler(sink: logs) }
        fixture = fixture.with(dependencies)
        let captured = CapturedLogs()
        try await fixture.run { api in
            let pair = try await api.citizen("0912345678")
            for secret in [pair.accessToken, pair.refreshToken, api.sender.lastCode(for: "0912345678")!] { captured.append(secret) }
            _ = try await api.call(Endpoints.passwordLogin, PasswordLogin(username: "cb.xaydung", password: APIFixture.password))
            _ = try await api.call(Endpoints.passwordLogin, PasswordLogin(username: "cb.xaydung", password: "sai \(APIFixture.password)"))
            _ = try await api.call(Endpoints.me, token: pair.accessToken + "x")
            _ = try await api.call(Endpoints.verifyOTP, OTPVerify(phone: "0912345678", code: "000000"))
            _ = try await api.call(Endpoints.createRequest, nil, token: pair.accessToken, rawBody: Data(#"{"cccd":"086190123456"}"#.utf8))
        }
        let text = logs.text
        #expect(text.contains("request_id="))
        #expect(text.contains("citizen signed in"))
        let secrets = ["0912345678", "+84912345678", APIFixture.password, "086190123456"] + captured.lines
        for secret in secrets { #expect(!text.contains(secret), "the log holds \(secret.prefix(12))…") }
        #expect(!text.contains("eyJ"))
    }

    @Test func logLinesCarryUTCTimeLevelMessageAndSortedFields() {
        let logs = CapturedLogs()
        let instant = Date(timeIntervalSince1970: 1_796_040_000.123)  // 2026-11-30T12:00:00.123Z
        var logger = Logger(label: "smartvl-server") { LogLineHandler(label: $0, now: { instant }, write: { logs.append($0) }) }
        logger[metadataKey: "node"] = "a"
        logger.info("request", metadata: ["status": "201", "route": "/v1/feedback", "note": "hai từ \"x\"=y", "empty": ""])
        logger.warning("forged", metadata: ["value": "x\nstatus=500 \u{1B}[31m"])
        logger.debug("not written at info")
        logger.error("failed", error: CocoaError(.fileNoSuchFile))
        #expect(logs.lines.count == 3)
        #expect(logs.lines[1] == #"2026-11-30T12:00:00.123Z warning smartvl-server: forged node=a value="x\nstatus=500 \u{1b}[31m""# + "\n")
        #expect(logs.lines.first == #"2026-11-30T12:00:00.123Z info smartvl-server: request empty="" node=a note="hai từ \"x\"=y" route=/v1/feedback status=201"# + "\n")
        #expect(logs.lines.last?.hasPrefix("2026-11-30T12:00:00.123Z error smartvl-server: failed error.message=") == true)
        #expect(logs.lines.last?.contains(" error.type=") == true && logs.lines.last?.contains("CocoaError node=a") == true)
    }

    /// To the nearest millisecond, as Foundation's formatter writes them.
    @Test func logTimesAreFoundationsISO8601InUTC() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var rng = SplitMix64(seed: 5)
        let milliseconds = [0, -1, 951_782_400_000, 4_102_444_799_999, -2_208_988_800_000]
            + (0..<2_000).map { _ in Int64.random(in: -2_208_988_800_000...7_258_118_400_000, using: &rng) }
        for value in milliseconds {
            let date = Date(timeIntervalSince1970: Double(value) / 1000)
            #expect(LogLineHandler.timestamp(date) == formatter.string(from: date), "\(value)")
        }
    }

    @Test func requestIDsAreSixteenHexDigitsAndDoNotRepeat() {
        let ids = (0..<2_000).map { _ in AppContext.newRequestID() }
        for id in ids { #expect(id.count == 16 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "\(id)") }
        #expect(Set(ids).count == ids.count)
        // Leading zeros are kept: a quarter of the ids start with 0–3, none is shorter.
        #expect(ids.contains { $0.first == "0" })
    }

    /// The process-wide metrics backend, bootstrapped once for every test that reads it.
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory.smartVL(registry: registry))
        return registry
    }()

    @Test func metricsCountRequestsByRouteAndStatus() async throws {
        _ = Self.registry
        var fixture = try await APIFixture()
        var dependencies = fixture.dependencies
        dependencies.metrics = Self.registry
        fixture = fixture.with(dependencies)
        try await fixture.run { api in
            _ = try await api.call(Endpoints.catalog)
            _ = try await api.call(Endpoints.me)
            _ = try await api.fileFeedback(try await api.citizen("0912345001").accessToken)
        }
        try await fixture.app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response throws in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                let text = String(decoding: Data(buffer: response.body), as: UTF8.self)
                #expect(text.contains("hb_requests"))
                #expect(text.contains("http_server_request_duration"))
                #expect(text.contains("/v1/catalog"))
                #expect(text.contains("401"))
                // The group commit's batches: how long each took and how many writes it carried.
                let count = text.split(separator: "\n").first { $0.hasPrefix("smartvl_group_commit_duration_seconds_count") }
                #expect(count.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0 >= 1, "\(text)")
                #expect(text.contains("smartvl_group_commit_writes"))
                #expect(text.contains("smartvl_group_commit_duration_seconds_bucket{le=\"0.001\"}"), "its own buckets")
            }
        }
    }

    @Test func signInIsThrottledPerAddress() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            var statuses: [Int] = []
            for _ in 0..<21 {
                statuses.append(Int(try await api.call(Endpoints.passwordLogin, PasswordLogin(username: "khong.co", password: "x")).status.code))
            }
            #expect(statuses.prefix(20).allSatisfy { $0 == 401 })
            let last = try await api.call(Endpoints.passwordLogin, PasswordLogin(username: "khong.co", password: "x"))
            #expect(last.status == .tooManyRequests)
            #expect(last.headers[.retryAfter] != nil)
            api.clock.advance(by: 60)
            #expect(try await api.call(Endpoints.passwordLogin, PasswordLogin(username: "khong.co", password: "x")).status == .unauthorized)
        }
    }
}
