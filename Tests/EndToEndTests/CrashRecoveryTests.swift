import Domain
import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Typed JSON calls to a real server.
struct HTTPClient: Sendable {
    var base: String
    var token: String?

    func send<In: Encodable, Out: Decodable>(_ path: String, _ body: In, as type: Out.Type) async throws -> (Int, Out?, [String: String]) {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        request.httpBody = try WireCoding.encoder().encode(body)
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        let status = http?.statusCode ?? 0
        var headers: [String: String] = [:]
        for (key, value) in http?.allHeaderFields ?? [:] { headers[String(describing: key)] = String(describing: value) }
        return (status, status < 300 ? try WireCoding.decoder().decode(Out.self, from: data) : nil, headers)
    }
}

@Suite(.serialized) struct CrashRecoveryTests {
    /// The server is killed (SIGKILL) again and again while a client pushes; after each restart the
    /// client retries, and in the end every write is there exactly once.
    @Test func killingTheServerWhileAClientPushesLosesAndDuplicatesNothing() async throws {
        var server = try ServerProcess(arguments: ["--port", "0"])
        let folder = server.folder
        var client = HTTPClient(base: "http://127.0.0.1:\(try server.waitUntilListening())")
        // Sign in with the code from the development outbox; register a device.
        let (sent, _, _) = try await client.send("/v1/auth/otp", OTPRequest(phone: "0912345678"), as: OTPSent.self)
        #expect(sent == 202)
        let outbox = try String(contentsOf: folder.appendingPathComponent("smartvl-data/sms-outbox.log"), encoding: .utf8)
        let code = String(try #require(outbox.split(separator: "\n").last?.split(separator: " ").last))
        let (_, pair, _) = try await client.send("/v1/auth/otp/verify", OTPVerify(phone: "0912345678", code: code), as: TokenPair.self)
        client.token = try #require(pair).accessToken
        let (_, device, _) = try await client.send("/v1/sync/devices", DeviceRegistration(name: "crash"), as: DeviceRegistered.self)
        var engine = SyncEngine(state: .init(deviceId: try #require(device).deviceId), batchSize: 4)
        let writes = 60
        for index in 0..<writes {
            _ = engine.record(.createFeedback(FeedbackCreate(id: UUID(), draft: FeedbackDraft(
                category: "giao-thong", title: "Ổ gà số \(index + 1)", description: "Phản ánh thử khi máy chủ bị tắt đột ngột.",
                commune: "28756", isPublic: false))), id: UUID())
        }
        var kills = 0
        var action = engine.handle(.sync)
        var steps = 0
        loop: while steps < 400 {
            steps += 1
            switch action {
            case .push(let request):
                if steps % 3 == 0 {
                    // Send, and kill the server while it may be committing: the reply never comes.
                    let sender = client
                    let pending = Task { [sender, request] in _ = try? await sender.send("/v1/sync/push", request, as: PushResponse.self) }
                    kill(server.process.processIdentifier, SIGKILL)
                    server.process.waitUntilExit()
                    _ = await pending.value
                    kills += 1
                    server = try ServerProcess(arguments: ["--port", "0"], folder: folder)
                    client.base = "http://127.0.0.1:\(try server.waitUntilListening())"
                    action = engine.handle(.failed(.transient))
                    continue
                }
                let (status, response, headers) = try await client.send("/v1/sync/push", request, as: PushResponse.self)
                if let response {
                    action = engine.handle(.pushed(response))
                } else if status == 409, let expected = (headers["Sync-Expected-Seq"] ?? headers["sync-expected-seq"]).flatMap(Int64.init) {
                    action = engine.handle(.failed(.gap(expected: expected)))
                } else {
                    action = engine.handle(.failed(.transient))
                }
            case .pull(let request):
                let (_, page, _) = try await client.send("/v1/sync/pull", request, as: PullResponse.self)
                action = engine.handle(page.map { .pulled($0) } ?? .failed(.transient))
            case .apply:
                action = engine.handle(.applied)
            case .reset:
                action = engine.handle(.applied)
            case .idle:
                break loop
            }
        }
        defer { server.stop() }
        #expect(kills >= 3)
        #expect(engine.state.outbox.isEmpty)
        #expect(engine.state.rejected.isEmpty)
        // Everything the citizen sees, from a fresh device: each write exactly once.
        let (_, fresh, _) = try await client.send("/v1/sync/devices", DeviceRegistration(name: "check"), as: DeviceRegistered.self)
        var titles: [String] = []
        var cursor: String?
        while true {
            let (_, page, _) = try await client.send(
                "/v1/sync/pull", PullRequest(deviceId: try #require(fresh).deviceId, cursor: cursor, limit: 1000), as: PullResponse.self)
            let value = try #require(page)
            for change in value.changes { if case .feedback(let view)? = change.data { titles.append(view.title) } }
            cursor = value.cursor
            if !value.hasMore { break }
        }
        #expect(titles.count == writes)
        #expect(Set(titles).count == writes)
        // The database survived every kill intact.
        let check = try runProgram(["sqlite3", folder.appendingPathComponent("smartvl-data/smartvl.sqlite").path, "PRAGMA integrity_check;"])
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
    }
}
