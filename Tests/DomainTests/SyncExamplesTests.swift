@testable import Domain
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
        // Pinned values (computed apart, in Python, from the definition in sync-protocol.md).
        #expect(a == "d802159202721bd51943507a36d55f27")
        #expect(SyncDigest.of([("feedback_message", "A", 10), ("feedback", "A", 9), ("feedback", "A", 10), ("catalog", "catalog", 2)] as [R])
                == "7525cd5ba0d57e3821faf02b9dd82a3e", "sorted as strings: `feedback_` before `feedback|`, `10` before `9`")
    }

    /// The digest's byte-sorted path gives what the definition gives, on random records made to
    /// collide on prefixes (entities, ids of different lengths, sequence numbers of different
    /// widths), and text beyond ASCII takes the definition itself.
    @Test func theFastDigestIsTheDefinition() {
        typealias R = (entity: String, id: String, seq: Int64)
        var rng = SplitMix64(seed: 9)
        let entities = ["feedback", "feedback_message", "catalog", "invoice", "payment", "receipt", "service_request"]
        for round in 0..<200 {
            let records: [R] = (0..<Int.random(in: 0...60, using: &rng)).map { _ in
                let id = Bool.random(using: &rng) ? UUID.timeOrdered(at: Date(timeIntervalSince1970: 1_796_000_000), using: &rng).text
                    : String(UInt64.random(in: 0...99_999, using: &rng))
                return (entities.randomElement(using: &rng)!, id, Int64.random(in: -5...100_000, using: &rng))
            }
            let expected = SyncDigest.reference(records.map { "\($0.entity)|\($0.id)|\($0.seq)" })
            #expect(SyncDigest.of(records) == expected, "round \(round)")
        }
        let vietnamese: [R] = [("feedback", "Đường", 1), ("feedback", "Duong", 2), ("feedback", "Ða", 3)]
        #expect(SyncDigest.of(vietnamese) == SyncDigest.reference(vietnamese.map { "\($0.entity)|\($0.id)|\($0.seq)" }))
    }
}
