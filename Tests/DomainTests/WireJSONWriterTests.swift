import Domain
import Foundation
import Testing

/// The direct writer must give the encoder's bytes exactly: a client reads both.
@Suite struct WireJSONWriterTests {
    static let pieces = ["Ổ gà", " ", "\"", "\\", "/", "\n", "\t", "\r", "\u{08}", "\u{0C}", "\u{01}", "\u{1F}", "\u{7F}", "é", "😀", "a", "Đường 30/4", "<&>"]

    func text(_ rng: inout SplitMix64) -> String {
        (0..<Int.random(in: 0...8, using: &rng)).map { _ in Self.pieces.randomElement(using: &rng)! }.joined()
    }

    func maybe<T>(_ rng: inout SplitMix64, _ make: (inout SplitMix64) -> T) -> T? {
        Bool.random(using: &rng) ? make(&rng) : nil
    }

    func number(_ rng: inout SplitMix64) -> Double {
        switch Int.random(in: 0...4, using: &rng) {
        case 0: Double(Int.random(in: -180...180, using: &rng))
        case 1: Double.random(in: -180...180, using: &rng)
        case 2: (Double.random(in: 8...11, using: &rng) * 10_000).rounded() / 10_000
        case 3: Double.random(in: -1e-7...1e-7, using: &rng)
        default: Double.random(in: -1e21...1e21, using: &rng)
        }
    }

    func date(_ rng: inout SplitMix64) -> Date {
        Date(timeIntervalSince1970: Double(Int64.random(in: 0...4_102_444_800_000, using: &rng)) / 1000)
    }

    func view(_ rng: inout SplitMix64, base: FeedbackView) -> FeedbackView {
        var v = base
        v.id = UUID()
        v.trackingCode = maybe(&rng, text)
        v.category = text(&rng)
        v.title = text(&rng)
        v.description = text(&rng)
        v.latitude = maybe(&rng, number)
        v.longitude = maybe(&rng, number)
        v.commune = maybe(&rng, text)
        v.address = maybe(&rng, text)
        v.photos = (0..<Int.random(in: 0...3, using: &rng)).map { _ in text(&rng) }
        v.anonymous = Bool.random(using: &rng)
        v.public = Bool.random(using: &rng)
        v.urgency = Urgency.allCases.randomElement(using: &rng)!
        v.status = FeedbackStatus.allCases.randomElement(using: &rng)!
        v.agency = maybe(&rng, text)
        v.assigneeId = maybe(&rng) { _ in UUID() }
        v.citizenId = maybe(&rng) { _ in UUID() }
        v.mine = Bool.random(using: &rng)
        v.receivedAt = maybe(&rng, date)
        v.acknowledgeDueAt = maybe(&rng, date)
        v.answerDueAt = maybe(&rng, date)
        v.overdue = Bool.random(using: &rng)
        v.answer = maybe(&rng, text)
        v.resolvedAt = maybe(&rng, date)
        v.closedAt = maybe(&rng, date)
        v.ratingStars = maybe(&rng) { Int.random(in: -5...5, using: &$0) }
        v.ratingComment = maybe(&rng, text)
        v.rejectionReason = maybe(&rng) { RejectionReason.allCases.randomElement(using: &$0)! }
        v.rejectionNote = maybe(&rng, text)
        v.duplicateOf = maybe(&rng) { _ in UUID() }
        v.reopenCount = Int.random(in: 0...1_000_000, using: &rng)
        return v
    }

    @Test func aPullPageIsWrittenAsTheEncoderWritesIt() throws {
        var rng = SplitMix64(seed: 20261130)
        let catalog = try ReferenceCatalog.bundled()
        let base = try Feedback.submit(
            FeedbackDraft(category: "giao-thong", title: "Ổ gà lớn trên đường", description: "Ổ gà sâu khoảng 20 cm.", commune: "28756"),
            id: UUID(), by: .citizen(UUID()), at: Date(timeIntervalSince1970: 1_796_000_000), catalog: catalog).0
        let baseView = FeedbackView(base, viewer: .citizen(base.citizenID), now: Date(timeIntervalSince1970: 1_796_000_000))
        for round in 0..<200 {
            var changes: [Change] = (0..<5).map { n in
                Change(seq: Int64(round * 10 + n), entity: "feedback", id: UUID().uuidString, op: .put, data: .feedback(view(&rng, base: baseView)))
            }
            changes.append(Change(seq: 9, entity: "feedback", id: text(&rng), op: .remove, data: nil))
            if round == 0 { changes.append(Change(seq: 10, entity: "catalog", id: "catalog", op: .put, data: .catalog(CatalogView(catalog)))) }
            let page = PullResponse(protocolVersion: 2, changes: changes, cursor: text(&rng), hasMore: Bool.random(using: &rng),
                                    lastAppliedSeq: Int64.random(in: 0...Int64.max, using: &rng), digest: maybe(&rng, text))
            let expected = String(decoding: try WireCoding.encoder().encode(page), as: UTF8.self)
            let written = String(decoding: try page.wireJSON(), as: UTF8.self)
            #expect(written == expected)
            if written != expected { return }
        }
    }
}
