import Domain
import Foundation
import Testing

/// Every example of `Docs/examples/` decodes into its wire type, so the protocol document cannot go stale.
@Suite struct SyncExamplesTests {
    static var folder: URL {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("Docs/examples")
    }

    func decode<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        try WireCoding.decoder().decode(T.self, from: Data(contentsOf: Self.folder.appendingPathComponent(name)))
    }

    @Test func everyExampleDecodes() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { $0.hasSuffix(".json") }.sorted()
        let decoders: [String: (String) throws -> Any] = [
            "sync-register.request.json": { try decode($0, as: DeviceRegistration.self) },
            "sync-register.response.json": { try decode($0, as: DeviceRegistered.self) },
            "sync-push.request.json": { try decode($0, as: PushRequest.self) },
            "sync-push.response.json": { try decode($0, as: PushResponse.self) },
            "sync-push-gap.response.json": { try decode($0, as: Problem.self) },
            "sync-pull.request.json": { try decode($0, as: PullRequest.self) },
            "sync-pull.response.json": { try decode($0, as: PullResponse.self) },
        ]
        #expect(Set(files) == Set(decoders.keys), "every example has a decoder and every decoder an example")
        for file in files { _ = try decoders[file]?(file) }
    }

    @Test func examplesCarryWhatTheSpecSays() throws {
        let push = try decode("sync-push.request.json", as: PushRequest.self)
        #expect(push.mutations.map(\.seq) == [1, 2])
        guard case .createFeedback(let body) = push.mutations[0].command else { Issue.record("not a create"); return }
        #expect(body.draft.commune == "28756")
        #expect(body.draft.isPublic)
        let answer = try decode("sync-push.response.json", as: PushResponse.self)
        #expect(answer.results.map(\.status) == [.applied, .rejected])
        let pull = try decode("sync-pull.response.json", as: PullResponse.self)
        #expect(pull.changes.map(\.op) == [.put, .remove, .put])
        guard case .feedback(let view)? = pull.changes[0].data else { Issue.record("not feedback"); return }
        #expect(view.trackingCode == "PA-261130-000001")
        #expect(pull.changes[2].data == nil, "an unknown entity is skipped, not an error")
        // Mutations round-trip through the wire format.
        let encoded = try WireCoding.encoder().encode(push)
        #expect(try WireCoding.decoder().decode(PushRequest.self, from: encoded) == push)
    }

    @Test func theDigestFollowsTheSpecification() {
        // Independent of order; sensitive to every field.
        typealias R = (entity: String, id: String, seq: Int64)
        let a = SyncDigest.of([("feedback", "x", 1), ("catalog", "catalog", 2)] as [R])
        #expect(a == SyncDigest.of([("catalog", "catalog", 2), ("feedback", "x", 1)] as [R]))
        #expect(a != SyncDigest.of([("feedback", "x", 3), ("catalog", "catalog", 2)] as [R]))
        #expect(a != SyncDigest.of([("feedback", "y", 1), ("catalog", "catalog", 2)] as [R]))
        #expect(a.count == 32)
        #expect(SyncDigest.of([] as [R]) == "cbf29ce48422232584222325cbf29ce4")
    }
}
