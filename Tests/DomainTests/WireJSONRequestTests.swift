import Domain
import Foundation
import Testing

/// Request bodies read in place (filing feedback, pushes) must give the decoder's values, and a
/// body the reader refuses must get the decoder's answer (`WireCoding.read`).
extension WireJSONWriterTests {
    func create(_ rng: inout SplitMix64) -> FeedbackCreate {
        FeedbackCreate(id: UUID(), draft: FeedbackDraft(
            category: text(&rng), title: text(&rng), description: text(&rng), latitude: maybe(&rng, number), longitude: maybe(&rng, number),
            commune: maybe(&rng, text), address: maybe(&rng, text), photos: (0..<Int.random(in: 0...3, using: &rng)).map { _ in text(&rng) },
            anonymous: Bool.random(using: &rng), isPublic: Bool.random(using: &rng)))
    }

    /// A push of creates mixed with other commands, some with an expected status and a time.
    func push(_ rng: inout SplitMix64) -> PushRequest {
        let commands: [(inout SplitMix64) -> MutationCommand] = [
            { .createFeedback(create(&$0)) }, { .createFeedback(create(&$0)) }, { .createFeedback(create(&$0)) },
            { .withdrawFeedback(id: UUID(), reason: maybe(&$0, text)) },
            { .rateFeedback(id: UUID(), stars: Int.random(in: 1...5, using: &$0), comment: maybe(&$0, text)) },
            { .postMessage(feedbackId: UUID(), message: MessageCreate(id: UUID(), body: text(&$0))) },
            { .rejectFeedback(id: UUID(), body: RejectBody(reason: .duplicate, note: text(&$0), duplicateOf: UUID())) },
            { _ in .startFeedback(id: UUID()) },
        ]
        let mutations = (0..<Int.random(in: 0...12, using: &rng)).map { n in
            Mutation(seq: Int64(n + 1), id: UUID(), command: commands.randomElement(using: &rng)!(&rng),
                     expectedStatus: maybe(&rng) { _ in FeedbackStatus.allCases.randomElement()!.rawValue }, madeAt: maybe(&rng, date))
        }
        return PushRequest(deviceId: UUID(), mutations: mutations)
    }

    /// A push's answer: applied and rejected results, with and without a code and message.
    func pushAnswer(_ rng: inout SplitMix64) -> PushResponse {
        let results = (0..<Int.random(in: 0...20, using: &rng)).map { n in
            let rejected = Bool.random(using: &rng)
            return MutationResult(seq: Int64(n + 1), id: UUID(), status: rejected ? .rejected : .applied, entity: text(&rng), entityId: UUID(),
                                  code: rejected ? text(&rng) : nil, message: rejected ? Message(vi: text(&rng), en: text(&rng)) : nil)
        }
        return PushResponse(protocolVersion: 2, results: results, lastAppliedSeq: Int64.random(in: 0...Int64.max, using: &rng))
    }

    @Test func aFeedbackBodyIsReadAsTheDecoderReadsIt() throws {
        var rng = SplitMix64(seed: 20261130)
        for _ in 0..<300 {
            let body = create(&rng)
            let bytes = Array(try WireCoding.encoder().encode(body))
            let decoded = try WireCoding.decoder().decode(FeedbackCreate.self, from: Data(bytes))
            #expect(try FeedbackCreate(wireJSON: bytes) == decoded)
            #expect(decoded == body)
        }
        // Left out, or null: no photos, not anonymous, public (the decoder's defaults).
        let id = UUID()
        for extra in ["", #","photos":null,"anonymous":null,"public":null,"latitude":null"#] {
            let bytes = Array(#"{"id":"\#(id.uuidString.lowercased())","category":"c","title":"t","description":"d"\#(extra)}"#.utf8)
            let read = try FeedbackCreate(wireJSON: bytes)
            #expect(read == (try WireCoding.decoder().decode(FeedbackCreate.self, from: Data(bytes))))
            #expect(read.id == id && read.draft.photos.isEmpty && !read.draft.anonymous && read.draft.isPublic && read.draft.latitude == nil)
        }
    }

    @Test func aPushIsReadAsTheDecoderReadsIt() throws {
        var rng = SplitMix64(seed: 30112026)
        var creates = 0, others = 0
        for _ in 0..<200 {
            let push = push(&rng)
            let bytes = Array(try WireCoding.encoder().encode(push))
            let read = try PushRequest(wireJSON: bytes)
            #expect(read == push)
            #expect(read == (try WireCoding.decoder().decode(PushRequest.self, from: Data(bytes))))
            // Spaces between every token and keys in another order change nothing.
            let spaced = try JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: Data(bytes)), options: [.prettyPrinted])
            #expect(try PushRequest(wireJSON: Array(spaced)) == push)
            for mutation in push.mutations {
                if case .createFeedback = mutation.command { creates += 1 } else { others += 1 }
            }
        }
        #expect(creates > 300 && others > 300)
    }

    /// What a client sends: the writer gives the encoder's bytes exactly.
    @Test func aPushIsWrittenAsTheEncoderWritesIt() throws {
        var rng = SplitMix64(seed: 2611)
        for _ in 0..<200 {
            let push = push(&rng)
            #expect(String(decoding: try push.wireJSON(), as: UTF8.self) == String(decoding: try WireCoding.encoder().encode(push), as: UTF8.self))
            #expect(try WireCoding.write(push) == push.wireJSON())
        }
        // A type without a writer goes through the encoder.
        let registration = DeviceRegistration(name: "Điện thoại", platform: "cli")
        #expect(try WireCoding.write(registration) == Array(try WireCoding.encoder().encode(registration)))
    }

    /// What a client reads back: the reader gives the decoder's values.
    @Test func aPushAnswerIsReadAsTheDecoderReadsIt() throws {
        var rng = SplitMix64(seed: 1126)
        for _ in 0..<200 {
            let answer = pushAnswer(&rng)
            let bytes = answer.wireJSON()
            #expect(try PushResponse(wireJSON: bytes) == answer)
            #expect(try PushResponse(wireJSON: bytes) == (try WireCoding.decoder().decode(PushResponse.self, from: Data(bytes))))
        }
    }

    /// A key given twice: the decoder keeps the first and never looks at the second, so the reader
    /// refuses the body and `WireCoding.read` answers with the decoder's value.
    @Test func aRepeatedKeyIsLeftToTheDecoder() throws {
        let id = UUID().uuidString
        let body = Array(#"{"id":"\#(id)","category":"c","title":"first","description":"d","title":7}"#.utf8)
        #expect(throws: DecodingError.self) { try FeedbackCreate(wireJSON: body) }
        let decoded = try WireCoding.decoder().decode(FeedbackCreate.self, from: Data(body))
        #expect(decoded.draft.title == "first")
        #expect(try WireCoding.read(FeedbackCreate.self, from: body) == decoded)
        let escapedTwice = Array(#"{"id":"\#(id)","category":"c","title":"first","description":"d","t\u0069tle":"second"}"#.utf8)
        #expect(throws: DecodingError.self) { try FeedbackCreate(wireJSON: escapedTwice) }
        #expect(try WireCoding.read(FeedbackCreate.self, from: escapedTwice).draft.title == "first")
    }

    /// Damaged pushes: whatever the reader accepts, the decoder accepts to the same value, and
    /// `WireCoding.read` answers exactly as the decoder does.
    @Test func aDamagedPushGetsTheDecodersAnswer() throws {
        var rng = SplitMix64(seed: 7)
        var refused = 0, readInPlace = 0
        for _ in 0..<300 {
            var bytes = Array(try WireCoding.encoder().encode(push(&rng)))
            damage(&bytes, &rng)
            let decoder = Result { try WireCoding.decoder().decode(PushRequest.self, from: Data(bytes)) }
            if let read = try? PushRequest(wireJSON: bytes) {
                readInPlace += 1
                #expect(read == (try? decoder.get()), "the reader accepted what the decoder reads otherwise")
            }
            switch (Result { try WireCoding.read(PushRequest.self, from: bytes) }, decoder) {
            case (.success(let a), .success(let b)): #expect(a == b)
            case (.failure(let a), .failure(let b)): #expect("\(a)" == "\(b)", "the decoder's error, field and reason")
                refused += 1
            case (let ours, let theirs): Issue.record("read \(ours), decoder \(theirs)")
            }
        }
        #expect(refused > 100 && readInPlace > 5, "refused \(refused), read in place \(readInPlace)")
    }
}
