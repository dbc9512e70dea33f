import Domain
import Foundation
import GRDB
import HTTPTypes
import PropertyBased
import Testing
@testable import Server


/// A device driven by the real `SyncEngine`, with its local records.
struct EngineDevice {
    var engine: SyncEngine
    let token: String
    var records: [String: (seq: Int64, data: ChangeData)] = [:]
    var serverDigest: String?
    var sent: [SyncEngine.Action] = []

    var digest: String {
        SyncDigest.of(records.map { key, value in
            let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
            return (parts[0], parts[1], value.seq)
        })
    }

    var knownFeedback: [UUID] {
        records.keys.filter { $0.hasPrefix("feedback|") }.compactMap { UUID(uuidString: String($0.dropFirst(9))) }.sorted { $0.uuidString < $1.uuidString }
    }

    /// Sends a request, maybe through a fault: dropped before the server, dropped after it
    /// committed, delivered twice, or preceded by a stale earlier request.
    mutating func send(_ action: SyncEngine.Action, api: TestAPI, faults: Bool, rng: inout SplitMix64) async throws -> SyncEngine.Event {
        let mode = faults ? Int(rng.next() % 5) : 0
        if mode == 0 || mode == 3 || mode == 4 { sent.append(action) }
        switch mode {
        case 1: return .failed(.transient)  // the request never arrived
        case 4:  // an old request arrives late (reordered), then the current one
            if let stale = sent.dropLast().randomElement(using: &rng) { _ = try await deliver(stale, api: api) }
            return try await deliver(action, api: api)
        case 2:  // delivered and committed, but the reply is lost
            _ = try await deliver(action, api: api)
            return .failed(.transient)
        case 3:  // duplicated
            _ = try await deliver(action, api: api)
            return try await deliver(action, api: api)
        default:
            return try await deliver(action, api: api)
        }
    }

    func deliver(_ action: SyncEngine.Action, api: TestAPI) async throws -> SyncEngine.Event {
        switch action {
        case .push(let request):
            let answer = try await api.call(Endpoints.syncPush, request, token: token)
            if let value = answer.value { return .pushed(value) }
            if answer.problem?.code == "sync.sequence_gap", let expected = answer.headers[HTTPField.Name("Sync-Expected-Seq")!].flatMap(Int64.init) {
                return .failed(.gap(expected: expected))
            }
            return .failed(.transient)
        case .pull(let request):
            let answer = try await api.call(Endpoints.syncPull, request, token: token)
            if let value = answer.value { return .pulled(value) }
            if answer.status == .gone { return .failed(.resetRequired) }
            return .failed(.transient)
        default:
            return .failed(.transient)
        }
    }

    /// Runs a sync to the end, or gives up after `budget` requests (the device went offline).
    mutating func sync(api: TestAPI, faults: Bool, rng: inout SplitMix64, budget: Int = 60) async throws {
        var action = engine.handle(.sync)
        for _ in 0..<budget {
            switch action {
            case .push, .pull:
                action = engine.handle(try await send(action, api: api, faults: faults, rng: &rng))
            case .apply(let page):
                for change in page.changes {
                    let key = change.entity + "|" + change.id
                    if change.op == .put, let data = change.data { records[key] = (change.seq, data) } else { records.removeValue(forKey: key) }
                }
                if !page.hasMore { serverDigest = page.digest }
                action = engine.handle(.applied)
            case .reset:
                records = [:]
                action = engine.handle(.applied)
            case .idle(let digest):
                serverDigest = digest
                return
            }
        }
    }
}

@Suite struct SyncFaultTests {
    enum Step { case create, withdraw, message, sync }

    /// Two devices of one citizen make writes offline and sync through a transport that drops
    /// requests, drops replies after the server committed, duplicates and reorders them. After a
    /// final clean sync every write took effect exactly once and both devices hold what the
    /// server says they should (equal digests).
    static func run(seed: UInt64, steps: Int = 14) async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            var rng = SplitMix64(seed: seed)
            let token = try await api.citizen("0912345678").accessToken
            var devices: [EngineDevice] = []
            for _ in 0..<2 {
                let registered = try #require(try await api.call(Endpoints.registerDevice, DeviceRegistration(name: "fault"), token: token).value)
                devices.append(EngineDevice(engine: SyncEngine(state: .init(deviceId: registered.deviceId), batchSize: 3, pageSize: 4), token: token))
            }
            var madeCreates = 0
            for stepIndex in 0..<steps {
                let d = Int(rng.next() % 2)
                let step: Step = [.create, .create, .withdraw, .message, .sync, .sync][Int(rng.next() % 6)]
                switch step {
                case .create:
                    let body = FeedbackCreate(id: UUID(), draft: FeedbackDraft(
                        category: "giao-thong", title: "Ổ gà số \(stepIndex) seed \(seed)",
                        description: "Phản ánh thử nghiệm đồng bộ có lỗi mạng.", commune: "28756", isPublic: false))
                    _ = devices[d].engine.record(.createFeedback(body), id: UUID())
                    madeCreates += 1
                case .withdraw:
                    if let target = devices[d].knownFeedback.randomElement(using: &rng) {
                        _ = devices[d].engine.record(.withdrawFeedback(id: target, reason: "Rút phản ánh"), id: UUID())
                    }
                case .message:
                    if let target = devices[d].knownFeedback.randomElement(using: &rng) {
                        _ = devices[d].engine.record(.postMessage(feedbackId: target, message: MessageCreate(id: UUID(), body: "Tin nhắn \(stepIndex)")), id: UUID())
                    }
                case .sync:
                    try await devices[d].sync(api: api, faults: true, rng: &rng)
                }
            }
            for index in [0, 1, 0] { try await devices[index].sync(api: api, faults: false, rng: &rng, budget: 500) }
            for device in devices {
                #expect(device.engine.state.outbox.isEmpty, "seed \(seed): writes left unsent")
                #expect(device.digest == device.serverDigest, "seed \(seed): device and server disagree")
            }
            #expect(devices[0].digest == devices[1].digest, "seed \(seed): the two devices diverged")
            // Exactly once: one verdict per write, and effects match the applied verdicts.
            let creates = madeCreates
            try await fixture.store.database.reader.read { db throws in
                let duplicates = try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT mutation_id FROM mutation_results GROUP BY mutation_id HAVING count(*) > 1)")
                #expect(duplicates == 0, "seed \(seed)")
                let created = try Int.fetchOne(db, sql: "SELECT count(*) FROM mutation_results WHERE name = 'feedback.create' AND status = 'applied'")
                #expect(created == creates, "seed \(seed): every create applied once")
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM feedback") == created, "seed \(seed)")
                let withdrawn = try Int.fetchOne(db, sql: "SELECT count(*) FROM mutation_results WHERE name = 'feedback.withdraw' AND status = 'applied'")
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM history WHERE action = 'withdraw'") == withdrawn, "seed \(seed)")
                let messages = try Int.fetchOne(db, sql: "SELECT count(*) FROM mutation_results WHERE name = 'feedback.message' AND status = 'applied'")
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM feedback_messages") == messages, "seed \(seed)")
            }
        }
    }

    @Test func twoHundredSeededRunsThroughAFaultyTransport() async throws {
        for seed in UInt64(1)...200 { try await Self.run(seed: seed) }
    }

    /// Property: whatever two devices do offline, after syncing they and the server converge.
    @Test func randomOfflineHistoriesConverge() async {
        await propertyCheck(count: 25, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            try await Self.run(seed: UInt64(seed) &+ 1_000_000, steps: 20)
        }
    }
}
