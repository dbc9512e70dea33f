import Domain
import Foundation
import PropertyBased
import Testing

@Suite struct WireCodingTests {
    @Test func instantsAreWrittenAsRFC3339WithMilliseconds() {
        #expect(WireCoding.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(WireCoding.format(Date(timeIntervalSince1970: 1_796_000_000.1234)) == "2026-11-30T00:53:20.123Z")
        #expect(WireCoding.format(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500Z")
    }

    /// Years 1906–2200: beyond, a Double no longer holds microseconds exactly.
    @Test func formattingAndParsingRoundTripToTheMillisecond() async {
        await propertyCheck(count: 500, input: Gen.int(in: -2_000_000_000_000...7_258_118_400_000)) { millis in
            let date = Date(timeIntervalSince1970: Double(millis) / 1000)
            let text = WireCoding.format(date)
            #expect(text.count == 24)
            #expect(WireCoding.parse(text).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) } == Int64(millis))
        }
    }

    /// The coders have no key strategy: each wire type spells its snake_case keys. Encoded with
    /// the key strategy they replaced, every value must give the same bytes, so a property left
    /// in camelCase, or a dictionary key the strategy used to rewrite, fails here.
    @Test func theExplicitKeysSpellWhatTheKeyStrategyWrote() throws {
        let legacy = WireCoding.encoder()
        legacy.keyEncodingStrategy = .convertToSnakeCase
        let id = UUID(uuidString: "00000000-0000-0000-0000-0000000f0001")!
        let at = Fixture.at("2026-11-30", 9)
        let draft = FeedbackDraft(
            category: "giao-thong", title: "Ổ gà lớn trên đường", description: "Ổ gà sâu khoảng 20 cm.",
            latitude: 10.2415, longitude: 106.3759, commune: Fixture.commune, address: "123 Đường Đồng Khởi", photos: [Fixture.photo])
        let commands: [MutationCommand] = [
            .createFeedback(FeedbackCreate(id: id, draft: draft)), .withdrawFeedback(id: id, reason: "nhầm"),
            .rateFeedback(id: id, stars: 4, comment: "tốt"), .reopenFeedback(id: id, reason: "chưa xong"),
            .postMessage(feedbackId: id, message: MessageCreate(id: id, body: "Xin cảm ơn")),
            .createRequest(ServiceRequestCreate(id: id, draft: ServiceRequestDraft(procedure: "khai-sinh", fields: ["full_name": "Nguyễn Văn A"], documents: ["Giấy chứng sinh"]))),
            .supplementRequest(id: id, documents: ["Bản chụp CCCD"]), .withdrawRequest(id: id, reason: nil),
            .startFeedback(id: id), .resolveFeedback(id: id, answer: "Đã vá"),
            .rejectFeedback(id: id, body: RejectBody(reason: .duplicate, note: "trùng", duplicateOf: id)),
            .transferFeedback(id: id, body: TransferBody(agency: "SXD", reason: "đúng thẩm quyền")),
            .assignFeedback(id: id, username: "cb.xaydung"), .receiveRequest(id: id), .startRequest(id: id),
            .askSupplement(id: id, missing: "CCCD"), .resultReady(id: id), .completeRequest(id: id), .rejectRequest(id: id, reason: "thiếu"),
        ]
        var engine = SyncEngine(state: SyncEngine.State(deviceId: Fixture.device))
        for command in commands { _ = engine.record(command, id: id, expectedStatus: "received", madeAt: at) }
        let push = PushRequest(deviceId: Fixture.device, mutations: engine.state.outbox)
        let answer = PushResponse(protocolVersion: 2, results: [
            MutationResult(seq: 1, id: id, status: .rejected, entity: "feedback", entityId: id, code: "feedback.transition"),
        ], lastAppliedSeq: 1)
        var feedback = try Feedback.submit(draft, id: id, by: Fixture.citizen, at: at, catalog: Fixture.catalog).0
        feedback = try feedback.applying(.receive(trackingCode: TrackingCode(date: LocalDate(iso: "2026-11-30")!, sequence: 1),
            category: Fixture.catalog.category("giao-thong")!, calendar: Fixture.calendar), by: .system, at: at).0
        let pull = PullResponse(protocolVersion: 2, changes: [
            Change(seq: 1, entity: "feedback", id: id.uuidString, op: .put, data: .feedback(FeedbackView(feedback, viewer: Fixture.citizen, now: at))),
            Change(seq: 2, entity: "catalog", id: "catalog", op: .put, data: .catalog(CatalogView(Fixture.catalog))),
            Change(seq: 3, entity: "feedback", id: id.uuidString, op: .remove, data: nil),
        ], cursor: "c", hasMore: false, lastAppliedSeq: 1, digest: "d")
        func same<T: Codable & Equatable>(_ value: T) throws {
            let bytes = try WireCoding.encoder().encode(value)
            #expect(String(decoding: bytes, as: UTF8.self) == String(decoding: try legacy.encode(value), as: UTF8.self), "\(T.self)")
            #expect(try WireCoding.decoder().decode(T.self, from: bytes) == value, "\(T.self) round trip")
        }
        try same(push)
        try same(answer)
        try same(pull)
        try same(PullRequest(deviceId: Fixture.device, cursor: "c", limit: 10, wantDigest: true))
        try same(DeviceRegistered(protocolVersion: 2, deviceId: Fixture.device, lastAppliedSeq: 3))
        try same(feedback)
        #expect(try WireCoding.encoder().encode(engine.state) == (try legacy.encode(engine.state)))
    }
}
