import Domain
import Foundation
import Testing

/// The direct writer must give the encoder's bytes exactly, and the direct reader the decoder's
/// values: a client meets both.
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

    /// A random page: feedback with every field varied, a removal, on the first round the catalogue.
    func page(_ rng: inout SplitMix64, round: Int, base: FeedbackView, catalog: ReferenceCatalog) -> PullResponse {
        var changes: [Change] = (0..<5).map { n in
            Change(seq: Int64(round * 10 + n), entity: "feedback", id: UUID().uuidString, op: .put, data: .feedback(view(&rng, base: base)))
        }
        changes.append(Change(seq: 9, entity: "feedback", id: text(&rng), op: .remove, data: nil))
        if round == 0 { changes.append(Change(seq: 10, entity: "catalog", id: "catalog", op: .put, data: .catalog(CatalogView(catalog)))) }
        return PullResponse(protocolVersion: 2, changes: changes, cursor: text(&rng), hasMore: Bool.random(using: &rng),
                            lastAppliedSeq: Int64.random(in: 0...Int64.max, using: &rng), digest: maybe(&rng, text))
    }

    func base(_ catalog: ReferenceCatalog) throws -> FeedbackView {
        let now = Date(timeIntervalSince1970: 1_796_000_000)
        let item = try Feedback.submit(
            FeedbackDraft(category: "giao-thong", title: "Ổ gà lớn trên đường", description: "Ổ gà sâu khoảng 20 cm.", commune: "28756"),
            id: UUID(), by: .citizen(UUID()), at: now, catalog: catalog).0
        return FeedbackView(item, viewer: .citizen(item.citizenID), now: now)
    }

    /// Deletes a byte, replaces one by a structural character, inserts one, or cuts the document short.
    func damage(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        let structural: [UInt8] = Array("{}[],:\"\\\u{01}".utf8)
        let inserted: [UInt8] = structural + Array(" 0-.enx".utf8)
        let at = Int.random(in: 0..<bytes.count, using: &rng)
        switch Int.random(in: 0...3, using: &rng) {
        case 0: bytes.remove(at: at)
        case 1: bytes[at] = structural.randomElement(using: &rng)!
        case 2: bytes.insert(inserted.randomElement(using: &rng)!, at: at)
        default: bytes.removeLast(bytes.count - at)
        }
    }

    /// 200 random pages from `seed`.
    func pages(seed: UInt64, _ body: (PullResponse) throws -> Void) throws {
        var rng = SplitMix64(seed: seed)
        let catalog = try ReferenceCatalog.bundled()
        let base = try base(catalog)
        for round in 0..<200 { try body(page(&rng, round: round, base: base, catalog: catalog)) }
    }

    @Test func aPullPageIsWrittenAsTheEncoderWritesIt() throws {
        try pages(seed: 20261130) { page in
            let expected = String(decoding: try WireCoding.encoder().encode(page), as: UTF8.self)
            let written = String(decoding: try page.wireJSON(), as: UTF8.self)
            #expect(written == expected)
        }
    }

    /// A page whose views are given as JSON written beforehand (the server's stored public
    /// views) is the same bytes as the page with the views.
    @Test func storedViewsAreWrittenAsTheViewsWouldBe() throws {
        var stored = 0
        try pages(seed: 20261201) { page in
            var bare = page
            var storedData: [Int: [UInt8]] = [:]
            for index in page.changes.indices where index.isMultiple(of: 2) {
                guard case .feedback(let view)? = page.changes[index].data else { continue }
                storedData[index] = view.wireJSON()
                bare.changes[index].data = nil
            }
            stored += storedData.count
            let written = try bare.wireJSON(storedData: storedData), expected = try page.wireJSON()
            #expect(written == expected)
        }
        #expect(stored > 100)
    }

    /// Where a page continues, found without reading its changes, is the page's own cursor.
    @Test func theContinuationIsReadWithoutTheChanges() throws {
        try pages(seed: 1) { page in
            let next = try PullResponse.continuation(wireJSON: try page.wireJSON())
            #expect(next.cursor == page.cursor)
            #expect(next.hasMore == page.hasMore)
        }
        #expect(throws: DecodingError.self) { try PullResponse.continuation(wireJSON: Array(#"{"changes":[],"has_more":true}"#.utf8)) }
        #expect(throws: DecodingError.self) { try PullResponse.continuation(wireJSON: Array(#"{"changes":[{"seq":1},"cursor":"c","has_more":true}"#.utf8)) }
    }

    /// A feedback view alone (the answer of every feedback action) too, and the server's answers use it.
    @Test func aFeedbackViewIsWrittenAsTheEncoderWritesIt() throws {
        var rng = SplitMix64(seed: 30112026)
        let base = try base(try ReferenceCatalog.bundled())
        for _ in 0..<200 {
            let view = view(&rng, base: base)
            #expect(String(decoding: view.wireJSON(), as: UTF8.self) == String(decoding: try WireCoding.encoder().encode(view), as: UTF8.self))
        }
    }

    @Test func aPushAnswerIsWrittenAsTheEncoderWritesIt() throws {
        var rng = SplitMix64(seed: 112026)
        for _ in 0..<100 {
            let answer = pushAnswer(&rng)
            #expect(String(decoding: answer.wireJSON(), as: UTF8.self) == String(decoding: try WireCoding.encoder().encode(answer), as: UTF8.self))
        }
    }

    /// Pages read back to the values written, and the same values as the decoder's.
    @Test func aPullPageIsReadAsTheDecoderReadsIt() throws {
        try pages(seed: 30112026) { page in
            let bytes = try page.wireJSON()
            let read = try PullResponse(wireJSON: bytes)
            #expect(read == page)
            #expect(read == (try WireCoding.decoder().decode(PullResponse.self, from: Data(bytes))))
            // Spaces between every token change nothing.
            let spaced = try JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: Data(bytes)), options: [.prettyPrinted])
            #expect(try PullResponse(wireJSON: Array(spaced)) == (try WireCoding.decoder().decode(PullResponse.self, from: spaced)))
        }
    }

    /// Keys are matched as bytes, in the order a sorted writer puts them; keys and values written
    /// another way (escaped, out of order, unknown to this reader) read as the decoder reads them.
    @Test func keysAndValuesWrittenAnotherWayReadTheSame() throws {
        var escapedValues = 0
        try pages(seed: 1122026) { page in
            var text = String(decoding: try page.wireJSON(), as: UTF8.self)
            for (plain, other) in [
                (#""title":"#, #""t\u0069tle":"#), (#""seq":"#, #""s\u0065q":"#), (#""has_more":"#, #""has\u005fmore":"#),
                (#""anonymous":"#, #""zz_unknown":[1,{"a":"\"x\""}],"anonymous":"#), (#""op":"#, #""later":null,"op":"#),
            ] {
                text = text.replacingOccurrences(of: plain, with: other)
            }
            // The first character of UUIDs and instants as a \u escape.
            text = text.replacing(#/"(citizen_id|received_at)":"(.)/#) { match in
                #""\#(match.1)":"\u00\#(String(match.2.utf8.first!, radix: 16))"#
            }
            escapedValues += text.components(separatedBy: #"":"\u00"#).count - 1
            let bytes = Array(text.utf8)
            #expect(try PullResponse(wireJSON: bytes) == page)
            #expect(try PullResponse(wireJSON: bytes) == (try WireCoding.decoder().decode(PullResponse.self, from: Data(bytes))))
        }
        #expect(escapedValues > 100)
        let escaped = #"{"changes":[],"cursor":"c","has_more":false,"last_applied_seq":0,"protocol_version":2,"digest":"\u0041"}"#
        #expect(try PullResponse(wireJSON: Array(escaped.utf8)).digest == "A")
    }

    /// Damaged pages (a byte deleted, replaced by a structural character, or inserted, or the
    /// page cut short): the reader refuses exactly what the decoder refuses, and reads the rest
    /// to the same values.
    @Test func aDamagedPageIsRefusedAsTheDecoderRefusesIt() throws {
        var rng = SplitMix64(seed: 42)
        let catalog = try ReferenceCatalog.bundled()
        let base = try base(catalog)
        var refused = 0
        for round in 1...150 {
            var bytes = try page(&rng, round: round, base: base, catalog: catalog).wireJSON()
            damage(&bytes, &rng)
            let ours = Result { try PullResponse(wireJSON: bytes) }
            let theirs = Result { try WireCoding.decoder().decode(PullResponse.self, from: Data(bytes)) }
            switch (ours, theirs) {
            case (.success(let a), .success(let b)): #expect(a == b)
            case (.failure, .failure): refused += 1
            default: Issue.record("reader \(ours), decoder \(theirs) for \(String(decoding: bytes, as: UTF8.self).prefix(2000))")
            }
        }
        #expect(refused > 50, "most damage is refused")
    }

    /// Hand-made edge cases in a record the reader reads (feedback): both coders accept or refuse
    /// each alike. In a record it only skips (a kind it does not know) the reader is stricter: the
    /// decoder lets invalid UTF-8, lone surrogates, `01` or `[1,]` pass where it does not look.
    @Test func edgeCasesAreTreatedAsTheDecoderTreatsThem() throws {
        func page(_ data: [UInt8], entity: String) -> [UInt8] {
            Array(#"{"changes":[{"data":"#.utf8) + data + Array(#","entity":"\#(entity)","id":"x","op":"put","seq":1}],"cursor":"c","has_more":false,"last_applied_seq":0,"protocol_version":2}"#.utf8)
        }
        // Each value, and whether it is JSON (RFC 8259).
        let values: [([UInt8], Bool)] = [
            (Array(#"{"a":"ok"}"#.utf8), true), (Array(#""\ud83d\ude00""#.utf8), true), (Array("-0.5e+3".utf8), true),
            ([0x22, 0xFF, 0x22], false), ([0x22, 0xC0, 0x80, 0x22], false), ([0x22, 0xED, 0xA0, 0x80, 0x22], false),
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], false), ([0x22, 0xE1, 0x80, 0x22], false), (Array(#""\ud800""#.utf8), false),
            (Array(#""\udc00""#.utf8), false), (Array("\"a\u{01}\"".utf8), false), (Array("01".utf8), false), (Array("1.".utf8), false),
            (Array("-".utf8), false), (Array("1e".utf8), false), (Array("[1,]".utf8), false), (Array("{,}".utf8), false),
            (Array("tru".utf8), false), (Array("nul".utf8), false), (Array(#"{"a":1 "b":2}"#.utf8), false),
            (Array(String(repeating: "[", count: 600).utf8) + Array(String(repeating: "]", count: 600).utf8), false),
        ]
        for (value, valid) in values {
            let text = String(decoding: value, as: UTF8.self).prefix(40)
            for entity in ["future_kind", "feedback"] {
                let bytes = page(value, entity: entity)
                let ours = (try? PullResponse(wireJSON: bytes)) != nil
                let theirs = (try? WireCoding.decoder().decode(PullResponse.self, from: Data(bytes))) != nil
                if entity == "feedback" {
                    #expect(ours == theirs, "feedback: \(text)")
                } else {
                    #expect(ours == valid, "future_kind: \(text)")
                    #expect(!ours || theirs, "never laxer than the decoder: \(text)")
                }
            }
        }
        #expect(throws: DecodingError.self) { try PullResponse(wireJSON: page(Array("1".utf8), entity: "x") + Array(" x".utf8)) }
    }
}
