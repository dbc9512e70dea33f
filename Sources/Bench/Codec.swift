import ArgumentParser
import Domain
import Foundation

extension SmartVLBench {
    /// What JSON costs per record on the sync path: the wire coders (explicit snake_case keys,
    /// sorted keys) against the snake_case key strategies they replaced, the direct writer and
    /// reader of pull pages, untyped parsing, and the server's read of a push.
    struct Codec: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure JSON encoding and decoding of feedback views, microseconds per record.",
            discussion: "Example: smartvl-bench codec --records 1000 --rounds 20")

        @Option(help: "Records per array.") var records = 1000
        @Option(help: "Times each array is encoded or decoded.") var rounds = 20

        func run() throws {
            let view = try WireCoding.decoder().decode(FeedbackView.self, from: Data(Self.sample.utf8))
            let views = Array(repeating: view, count: records)
            let wireEncoder = WireCoding.encoder(), wireDecoder = WireCoding.decoder()
            // The encoder before the wire types spelled their keys: a snake_case key strategy.
            // (Its decoding twin cannot read the explicit keys; it measured 44–55 µs a record.)
            let strategyEncoder = WireCoding.encoder()
            strategyEncoder.keyEncodingStrategy = .convertToSnakeCase
            let wire = try wireEncoder.encode(views)
            var rows: [(String, Double)] = []
            func measure(_ name: String, _ body: () throws -> Void) rethrows {
                let clock = ContinuousClock()
                let start = clock.now
                for _ in 0..<rounds { try body() }
                rows.append((name, (clock.now - start).seconds * 1_000_000 / Double(rounds * records)))
            }
            try measure("encode, wire coder (explicit keys, sorted)") { _ = try wireEncoder.encode(views) }
            try measure("encode, snake_case key strategy (before)") { _ = try strategyEncoder.encode(views) }
            try measure("decode, wire coder (explicit keys)") { _ = try wireDecoder.decode([FeedbackView].self, from: wire) }
            let page = PullResponse(protocolVersion: 2, changes: views.enumerated().map { n, view in
                Change(seq: Int64(n + 1), entity: "feedback", id: view.id.uuidString, op: .put, data: .feedback(view))
            }, cursor: "c", hasMore: true, lastAppliedSeq: 0, digest: nil)
            let pageBytes = try page.wireJSON()
            try measure("encode a pull page, direct writer") { _ = try page.wireJSON() }
            try measure("find a pull page's cursor (its changes delimited, not read)") { _ = try PullResponse.continuation(wireJSON: pageBytes) }
            try measure("decode a pull page, direct reader") { _ = try PullResponse(wireJSON: pageBytes) }
            try measure("parse only (JSONSerialization)") { _ = try JSONSerialization.jsonObject(with: wire) }
            // What the server reads: a push of filed feedback (the benchmark's own drafts).
            let push = PushRequest(deviceId: UUID(), mutations: (0..<records).map { n in
                Mutation(seq: Int64(n + 1), id: UUID(), command: .createFeedback(FeedbackCreate(id: UUID(), draft: loadDraft(n))))
            })
            let pushBytes = Array(try wireEncoder.encode(push))
            try measure("decode a push of feedback.create, wire coder") { _ = try wireDecoder.decode(PushRequest.self, from: Data(pushBytes)) }
            try measure("decode a push of feedback.create, direct reader") { _ = try PushRequest(wireJSON: pushBytes) }
            print("| feedback view JSON (\(wire.count / records) B) | µs per record |")
            print("|---|---|")
            for (name, micros) in rows { print(String(format: "| %@ | %.1f |", name, micros)) }
        }

        /// A received, routed feedback view as a pull page carries it.
        static let sample = """
            {"id":"6f1b6b1e-1c2d-4a5b-9c8d-7e6f5a4b3c2d","tracking_code":"PA-20261130-000123","category":"giao-thong",
             "title":"Ổ gà tải thử số 1","description":"Phản ánh tạo bởi smartvl-bench để đo hiệu năng.","commune":"28756",
             "photos":[],"anonymous":false,"public":true,"urgency":"normal","status":"received","agency":"SXD","mine":false,
             "received_at":"2026-11-30T02:00:00.123Z","acknowledge_due_at":"2026-12-01T02:00:00.123Z",
             "answer_due_at":"2026-12-10T02:00:00.123Z","overdue":false,"reopen_count":0}
            """
    }
}
