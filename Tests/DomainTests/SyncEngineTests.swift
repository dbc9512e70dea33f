import Domain
import Foundation
import Testing

@Suite struct SyncEngineTests {
    let device = UUID(uuidString: "00000000-0000-0000-0000-0000000d0001")!
    func id(_ n: Int) -> UUID { UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", n))! }

    func page(_ cursor: String, more: Bool, applied: Int64 = 0, digest: String? = nil) -> PullResponse {
        PullResponse(protocolVersion: 2, changes: [], cursor: cursor, hasMore: more, lastAppliedSeq: applied, digest: digest)
    }

    @Test func writesArePushedInOrderThenPagesArePulledToTheEnd() {
        var engine = SyncEngine(state: .init(deviceId: device), batchSize: 2)
        let a = engine.record(.withdrawFeedback(id: id(1), reason: nil), id: id(11))
        let b = engine.record(.withdrawFeedback(id: id(2), reason: nil), id: id(12))
        let c = engine.record(.withdrawFeedback(id: id(3), reason: nil), id: id(13))
        #expect([a.seq, b.seq, c.seq] == [1, 2, 3])
        guard case .push(let first) = engine.handle(.sync) else { Issue.record("expected a push"); return }
        #expect(first.mutations.map(\.seq) == [1, 2])
        let rejected = MutationResult(seq: 2, id: id(12), status: .rejected, entity: "feedback", entityId: id(2), code: "transition.not_allowed",
                                      message: Message(vi: "Không thể", en: "Not possible"))
        let applied = MutationResult(seq: 1, id: id(11), status: .applied, entity: "feedback", entityId: id(1))
        guard case .push(let second) = engine.handle(.pushed(PushResponse(protocolVersion: 2, results: [applied, rejected], lastAppliedSeq: 2)))
        else { Issue.record("expected the rest"); return }
        #expect(second.mutations.map(\.seq) == [3])
        #expect(engine.state.rejected[id(12)]?.code == "transition.not_allowed")
        #expect(engine.isPending(id(13)))
        guard case .pull(let pull) = engine.handle(.pushed(PushResponse(protocolVersion: 2, results: [], lastAppliedSeq: 3))) else {
            Issue.record("expected a pull"); return
        }
        #expect(pull.cursor == nil)
        #expect(engine.state.outbox.isEmpty)
        let p1 = page("c1", more: true)
        #expect(engine.handle(.pulled(p1)) == .apply(p1))
        #expect(engine.state.cursor == nil, "the cursor moves only once the page is applied")
        guard case .pull(let next) = engine.handle(.applied) else { Issue.record("expected the next page"); return }
        #expect(next.cursor == "c1")
        let p2 = page("c2", more: false, digest: "d")
        _ = engine.handle(.pulled(p2))
        #expect(engine.handle(.applied) == .idle(digest: "d"))
        #expect(engine.state.cursor == "c2")
    }

    @Test func theLookaheadIsTheVeryPullThatFollowsAnAppliedPage() {
        var engine = SyncEngine(state: .init(deviceId: device), pageSize: 250)
        engine.wantDigest = false
        guard case .pull = engine.handle(.sync) else { Issue.record("expected a pull"); return }
        let p1 = page("c1", more: true)
        _ = engine.handle(.pulled(p1))
        let ahead = engine.lookahead(after: p1)
        #expect(ahead?.cursor == "c1")
        #expect(engine.state.cursor == nil, "looking ahead moves no cursor")
        #expect(engine.handle(.applied) == ahead.map(SyncEngine.Action.pull), "the engine asks for exactly the request sent ahead")
        let last = page("c2", more: false)
        _ = engine.handle(.pulled(last))
        #expect(engine.lookahead(after: last) == nil, "nothing follows the last page")
        // A page that fails to apply: the engine asks again from the stored cursor, not the lookahead's.
        var crashed = SyncEngine(state: .init(deviceId: device))
        _ = crashed.handle(.sync)
        _ = crashed.handle(.pulled(p1))
        var again = SyncEngine(state: crashed.state)
        guard case .pull(let retry) = again.handle(.sync) else { Issue.record("expected a pull"); return }
        #expect(retry.cursor == nil)
        #expect(retry != crashed.lookahead(after: p1))
    }

    @Test func aTransientFailureRetriesTheSameRequest() {
        var engine = SyncEngine(state: .init(deviceId: device))
        _ = engine.record(.startFeedback(id: id(1)), id: id(11), expectedStatus: "assigned")
        let push = engine.handle(.sync)
        #expect(engine.handle(.failed(.transient)) == push)
        #expect(engine.handle(.failed(.transient)) == push)
        #expect(engine.state.outbox.count == 1)
    }

    @Test func aGapRenumbersTheWritesTheServerNeverSaw() {
        var engine = SyncEngine(state: .init(deviceId: device))
        for n in 0..<3 { _ = engine.record(.startFeedback(id: id(n)), id: id(10 + n)) }
        _ = engine.handle(.sync)
        guard case .push(let push) = engine.handle(.failed(.gap(expected: 1))) else { Issue.record("expected a push"); return }
        #expect(push.mutations.map(\.seq) == [1, 2, 3])
        var lost = SyncEngine(state: .init(deviceId: device))
        for n in 0..<2 { _ = lost.record(.startFeedback(id: id(n)), id: id(10 + n)) }
        guard case .push(let renumbered) = lost.handle(.failed(.gap(expected: 7))) else { Issue.record("expected a push"); return }
        #expect(renumbered.mutations.map(\.seq) == [7, 8])
        #expect(renumbered.mutations.map(\.id) == [id(10), id(11)], "writes keep their ids")
        #expect(lost.state.nextSeq == 9)
    }

    @Test func aResetKeepsTheOutboxAndStartsOver() {
        var engine = SyncEngine(state: .init(deviceId: device))
        _ = engine.handle(.sync)
        _ = engine.handle(.pulled(page("c9", more: false)))
        _ = engine.handle(.applied)
        _ = engine.record(.startFeedback(id: id(1)), id: id(11))
        #expect(engine.handle(.failed(.resetRequired)) == .reset)
        #expect(engine.state.cursor == nil)
        #expect(engine.state.outbox.count == 1)
        guard case .push = engine.handle(.applied) else { Issue.record("expected the outbox to be pushed"); return }
    }

    @Test func theStateSurvivesARestart() throws {
        var engine = SyncEngine(state: .init(deviceId: device))
        _ = engine.record(.createFeedback(FeedbackCreate(id: id(5), draft: FeedbackDraft(
            category: "giao-thong", title: "Ổ gà", description: "Mô tả đủ dài", commune: "28756"))), id: id(15))
        let data = try WireCoding.encoder().encode(engine.state)
        let restored = SyncEngine(state: try WireCoding.decoder().decode(SyncEngine.State.self, from: data))
        #expect(restored.state == engine.state)
    }
}
