import AsyncHTTPClient
import Domain
import Foundation
import GRDB
import NIOCore
import NIOHTTP1

/// The workloads of a run, in the order they run.
enum Workload: String, CaseIterable, Sendable {
    case ceiling, create, push, pull, queue, peer
}

/// Our figures the peer's are compared with.
struct OurFigures {
    var createdPerSecond: Double?
    var batchWritesPerSecond: Double?
    var pulledPerSecond: Double?
    var pulledRecords: Int?
    var incrementalP99: Double?
}

/// One benchmark run against a fresh server: each workload adds its rows.
struct BenchSession {
    let sizes: Sizes
    let binaries: Binaries
    let client: HTTPClient
    var rows: [ResultRow] = []
    /// Requests/s of the bare-framework ceiling, when it ran.
    var ceiling: Double?
    var ours = OurFigures()
    /// Where the server's log and the open loop's requests are written (`run --trace`), if anywhere.
    var trace: URL?

    init(sizes: Sizes, binaries: Binaries, client: HTTPClient) {
        self.sizes = sizes
        self.binaries = binaries
        self.client = client
    }

    private let clock = ContinuousClock()

    private func note(_ text: String) {
        FileHandle.standardError.write(Data("· \(text)\n".utf8))
    }

    private mutating func row(_ workload: String, _ result: String, target: String = "", met: Bool? = nil) {
        rows.append(ResultRow(workload: workload, result: result, target: target, met: met))
    }

    mutating func run(_ workloads: Set<Workload>) async throws {
        if workloads.contains(.ceiling) { try await measureCeiling() }

        let data = try temporaryFolder("data")
        defer { try? FileManager.default.removeItem(at: data) }
        let server = ServerUnderTest(binary: binaries.server, dataFolder: data, log: trace?.appendingPathComponent("server.log"))
        defer { server.stop() }
        try server.start()
        let api = API(client: client, base: server.base)
        let citizens = try citizenTokens(binaries, data: data, first: "0912000000", count: max(1, sizes.devices / 10) + 2)
        var bigDevice = try await BenchDevice.register(api, token: citizens[1])

        if workloads.contains(.create) { try await measureCreate(api, token: citizens[0]) }
        if workloads.contains(.push) { try await measurePush(api, citizens: Array(citizens[2...]), bigDevice: &bigDevice) }
        if workloads.contains(.pull) { try await measurePull(api, server: server, reader: citizens[1], writer: &bigDevice) }

        var rss = server.peakRSS
        if workloads.contains(.queue) {
            try await measureQueue(api, server: server, data: data)
            rss = max(rss, server.peakRSS)
        }
        server.stop()
        row("server peak RSS", String(format: "%.0f MB", Double(rss) / 1_048_576), target: "≤ 150 MB", met: rss <= 150 * 1_048_576)
        let items = try await DatabasePool(path: data.appendingPathComponent("smartvl.sqlite").path).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM feedback") ?? 0 }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: data.appendingPathComponent("smartvl.sqlite").path)[.size] as? NSNumber)?.doubleValue ?? 0
        if items > 0 {
            row("database bytes per feedback item", String(format: "%.0f B (%.0f MB for %d)", bytes / Double(items), bytes / 1_048_576, items))
        }

        if workloads.contains(.peer) {
            if let tools = KintoPeer.Tools.find() {
                do {
                    try await measurePeer(tools)
                } catch {
                    // Our figures above still print.
                    row("peer: Kinto on PostgreSQL", "failed: \(error)")
                }
            } else {
                row("peer: Kinto on PostgreSQL", "not run: no Kinto virtual environment or no PostgreSQL (Benchmarks/run.sh installs them)")
            }
        }
    }

    /// The bare-framework ceiling: a Hummingbird hello-world built the same way.
    mutating func measureCeiling() async throws {
        note("ceiling: bench-hello")
        let hello = Process()
        hello.executableURL = binaries.hello
        hello.arguments = ["0"]
        let helloOut = Pipe()
        hello.standardOutput = helloOut
        try hello.run()
        defer {
            hello.terminate()
            hello.waitUntilExit()
        }
        let helloAPI = API(client: client, base: "http://127.0.0.1:\(try ServerUnderTest.waitForPort(helloOut.fileHandleForReading))")
        let helloBody = Data(#"{"title":"x"}"#.utf8)
        ceiling = try await closedLoop(helloAPI, token: "x", seconds: sizes.seconds, concurrency: sizes.concurrency) { _ in (.POST, "/hello", helloBody) }.0
    }

    /// Authenticated feedback creation: closed loop at saturation, then open loop at a fixed rate.
    mutating func measureCreate(_ api: API, token: String) async throws {
        note("feedback creation, closed loop")
        let (created, latency, failures) = try await closedLoop(api, token: token, seconds: sizes.seconds, concurrency: sizes.concurrency) { n in
            (.POST, "/v1/feedback", try WireCoding.encoder().encode(FeedbackCreate(id: UUID.timeOrdered(), draft: loadDraft(n))))
        }
        ours.createdPerSecond = created
        row("feedback create, saturation (\(sizes.concurrency) connections)",
            String(format: "%.0f/s, p99 %.1f ms, %d failed", created, latency.milliseconds(99), failures), target: "≥ 5,000/s", met: created >= 5000)
        if let ceiling {
            row("  share of the bare-framework ceiling", String(format: "%.0f%% of %.0f/s", created / ceiling * 100, ceiling))
        }

        note("feedback creation, open loop at \(sizes.offeredRate)/s")
        let (open, openFailures) = try await openLoop(
            api, token: token, rate: sizes.offeredRate, seconds: sizes.seconds, warm: sizes.concurrency, trace: trace?.appendingPathComponent("open-loop.tsv")
        ) { n in
            try WireCoding.encoder().encode(FeedbackCreate(id: UUID.timeOrdered(), draft: loadDraft(n)))
        }
        row("feedback create at \(sizes.offeredRate)/s offered",
            String(format: "p50 %.1f, p99 %.1f, p99.9 %.1f ms, %d failed", open.milliseconds(50), open.milliseconds(99), open.milliseconds(99.9), openFailures),
            target: "p99 ≤ 20 ms", met: open.milliseconds(99) <= 20)
    }

    /// Sync push: many devices pushing batches at once, then single large batches.
    mutating func measurePush(_ api: API, citizens: [String], bigDevice: inout BenchDevice) async throws {
        note("sync push: \(sizes.devices) devices × \(sizes.batch)")
        var devices: [BenchDevice] = []
        for index in 0..<sizes.devices { devices.append(try await BenchDevice.register(api, token: citizens[index % citizens.count])) }
        let clock = clock, batch = sizes.batch
        let pushStart = clock.now
        let pushLatencies = try await withThrowingTaskGroup(of: Latencies.self) { group in
            let lanes = min(32, devices.count)
            for lane in 0..<lanes {
                let mine = stride(from: lane, to: devices.count, by: lanes).map { devices[$0] }
                group.addTask {
                    var latencies = Latencies()
                    for var device in mine {
                        let mutations = device.creates(batch)
                        let start = clock.now
                        let response = try await device.push(api, mutations)
                        guard response.results.allSatisfy({ $0.status == .applied }) else { throw BenchError("a pushed write was rejected") }
                        latencies.record(clock.now - start)
                    }
                    return latencies
                }
            }
            return try await group.reduce(into: Latencies()) { $0.merge($1) }
        }
        let pushSeconds = (clock.now - pushStart).seconds
        ours.batchWritesPerSecond = Double(sizes.devices * sizes.batch) / pushSeconds
        row("sync push, \(sizes.devices) devices × \(sizes.batch) writes",
            String(format: "%.0f writes/s, push p50 %.0f, p99 %.0f ms", Double(sizes.devices * sizes.batch) / pushSeconds, pushLatencies.milliseconds(50), pushLatencies.milliseconds(99)))
        var big = Latencies()
        for _ in 0..<sizes.bigBatches {
            let mutations = bigDevice.creates(sizes.bigBatch)
            let start = clock.now
            let response = try await bigDevice.push(api, mutations)
            guard response.results.allSatisfy({ $0.status == .applied }) else { throw BenchError("a pushed write was rejected") }
            big.record(clock.now - start)
        }
        row("sync push of \(sizes.bigBatch) writes", String(format: "p50 %.0f ms, max %.0f ms", big.milliseconds(50), big.milliseconds(100)),
            target: "≤ 200 ms", met: big.milliseconds(100) <= 200)
    }

    /// Sync pull into a client store: everything visible, then rounds of a few changes.
    mutating func measurePull(_ api: API, server: ServerUnderTest, reader token: String, writer: inout BenchDevice) async throws {
        note("sync pull: initial")
        let reader = try await BenchDevice.register(api, token: token)
        let clientFolder = try temporaryFolder("client")
        defer { try? FileManager.default.removeItem(at: clientFolder) }
        let target = try PullTarget(path: clientFolder.appendingPathComponent("store.sqlite").path)
        var cursor: String?
        let pullStart = clock.now
        let cpuStart = (server: server.cpuSeconds, client: ServerUnderTest.cpuSeconds(of: getpid()))
        var split = PullTarget.Split()
        let pulled = try await target.pull(api, device: reader, cursor: &cursor, digest: true, split: &split)
        let pullSeconds = (clock.now - pullStart).seconds
        // What each side spent per record: the two share two cores, so their sum bounds the rate.
        let serverCPU = (server.cpuSeconds - cpuStart.server) / Double(max(pulled, 1)) * 1e6
        let clientCPU = (ServerUnderTest.cpuSeconds(of: getpid()) - cpuStart.client) / Double(max(pulled, 1)) * 1e6
        let settled = try await target.checkpoint()
        // What the digest on the last page costs: the same empty last page with and without it.
        var head = cursor, digestCost = Duration.zero
        for digest in [true, false] {
            let start = clock.now
            _ = try await target.pull(api, device: reader, cursor: &head, digest: digest)
            digestCost += digest ? clock.now - start : start - clock.now
        }
        ours.pulledPerSecond = Double(pulled) / pullSeconds
        ours.pulledRecords = pulled
        // The run holds more than 100,000 visible records (all public feedback after the push
        // workload): the target is met when the pull's rate brings 100,000 in 3 s.
        let hundredThousand = pullSeconds * 100_000 / Double(max(pulled, 1))
        row("initial pull into a client store", String(
                format: "%d records in %.2f s (%.0f/s; 100k in %.2f s): waiting for the server %.2f s (of which the digest on the last page %.2f s), reading %.2f s, storing %.2f s (the last two overlap); CPU a record: the server's %.1f µs, the client's %.1f µs; then the checkpoint when idle %.0f ms",
                pulled, pullSeconds, Double(pulled) / pullSeconds, hundredThousand, split.answer.seconds, digestCost.seconds, split.read.seconds, split.store.seconds,
                serverCPU, clientCPU, settled.seconds * 1000),
            target: pulled >= 100_000 ? "100k ≤ 3 s" : "", met: pulled >= 100_000 ? hundredThousand <= 3 : nil)

        note("sync pull: incremental")
        var incremental = Latencies(), answers = Latencies(), exchanges = Latencies(), stores = Latencies(), checkpoints = Latencies()
        for _ in 0..<sizes.incrementalRounds {
            _ = try await writer.push(api, writer.creates(sizes.incrementalChanges))
            let start = clock.now
            var split = PullTarget.Split()
            let count = try await target.pull(api, device: reader, cursor: &cursor, digest: false, split: &split)
            incremental.record(clock.now - start)
            answers.record(split.answer)
            exchanges.record(split.exchange)
            stores.record(split.read + split.store)
            checkpoints.record(try await target.checkpoint())
            guard count >= sizes.incrementalChanges else { throw BenchError("an incremental pull missed changes (\(count))") }
        }
        ours.incrementalP99 = incremental.milliseconds(99)
        row("incremental pull of \(sizes.incrementalChanges) changes",
            String(format: "p50 %.1f, p99 %.1f ms (waiting for the page p50 %.1f, p99 %.1f, of which the HTTP exchange p50 %.1f, p99 %.1f; client's reading and storing p50 %.1f, p99 %.1f; then the checkpoint when idle p50 %.1f, p99 %.1f)",
                   incremental.milliseconds(50), incremental.milliseconds(99), answers.milliseconds(50), answers.milliseconds(99),
                   exchanges.milliseconds(50), exchanges.milliseconds(99),
                   stores.milliseconds(50), stores.milliseconds(99), checkpoints.milliseconds(50), checkpoints.milliseconds(99)),
            target: "p99 ≤ 10 ms", met: incremental.milliseconds(99) <= 10)
    }

    /// The official queue over many items: the server stops while the rest are generated offline,
    /// then restarts and is queried as an official.
    mutating func measureQueue(_ api: API, server: ServerUnderTest, data: URL) async throws {
        server.stop()
        let database = data.appendingPathComponent("smartvl.sqlite").path
        let stored = try await DatabasePool(path: database).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM feedback") ?? 0 }
        if sizes.queueItems > stored {
            note("generating \(sizes.queueItems - stored) feedback items")
            try runCommand(binaries.server, ["generate", "--feedback", String(sizes.queueItems - stored), "--citizens", "1000", "--data-dir", data.path])
        }
        try runCommand(binaries.server, ["officials", "add", "--username", "cb.bench", "--agency", "SXD", "--role", "official", "--data-dir", data.path], input: "mat-khau-bench-dai\n")
        let official = try runCommand(binaries.server, ["keys", "issue-token", "--username", "cb.bench", "--data-dir", data.path])
            .split(separator: " ").last.map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        try server.start()
        var api = api
        api.base = server.base
        note("queue queries")
        var queue = Latencies()
        let queries = [
            "sort=due&limit=20", "sort=due&limit=20&status=assigned", "sort=age&limit=20&overdue=true", "limit=20&category=giao-thong",
            "sort=priority&limit=20",
        ]
        for n in 0..<sizes.queueQueries {
            let start = clock.now
            let (status, _) = try await api.send(.GET, "/v1/queue/feedback?" + queries[n % queries.count], token: official)
            queue.record(clock.now - start)
            guard status == 200 else { throw BenchError("queue answered \(status)") }
        }
        let items = try await DatabasePool(path: database).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM feedback") ?? 0 }
        row("official queue query, \(items) items stored", String(format: "p50 %.1f, p99 %.1f ms", queue.milliseconds(50), queue.milliseconds(99)),
            target: "p99 ≤ 10 ms", met: queue.milliseconds(99) <= 10)

        // The lists newest first: the official's agency's whole list, and the public list a
        // citizen reads (first pages and the pages after them).
        note("list queries")
        let citizen = try citizenTokens(binaries, data: data, first: "0912000000", count: 1)[0]
        var lists = Latencies()
        var cursors: [String?] = [nil, nil]
        for n in 0..<sizes.queueQueries {
            let (path, token) = n % 2 == 0 ? ("/v1/feedback?limit=20", official) : ("/v1/feedback?scope=public&limit=20", citizen)
            let cursor = n % 10 < 2 ? nil : cursors[n % 2]
            let start = clock.now
            let (status, body) = try await api.send(.GET, path + (cursor.map { "&cursor=" + $0 } ?? ""), token: token)
            lists.record(clock.now - start)
            guard status == 200 else { throw BenchError("list answered \(status)") }
            cursors[n % 2] = (try? WireCoding.read(Page<FeedbackView>.self, from: Array(body.readableBytesView)))?.nextCursor
        }
        row("lists newest first (an agency's, the public), \(items) items stored",
            String(format: "p50 %.1f, p99 %.1f ms", lists.milliseconds(50), lists.milliseconds(99)),
            target: "p99 ≤ 10 ms", met: lists.milliseconds(99) <= 10)
    }

    /// The peer, Kinto on PostgreSQL, given the equivalent workloads: single record creation,
    /// batch creation, paginated pulls since a timestamp. Ratios are ours / peer.
    mutating func measurePeer(_ tools: KintoPeer.Tools) async throws {
        note("peer: starting PostgreSQL and Kinto")
        let peer = try KintoPeer(tools: tools)
        defer { peer.stop() }
        try peer.start()
        let api = API(client: client, base: peer.base)
        let writer = basicCredentials("bench-writer")
        try await peer.createCollection(api, token: writer)
        func ratio(_ ours: Double?, _ theirs: Double) -> String {
            guard let ours, theirs > 0 else { return "" }
            return String(format: "%.1f×", ours / theirs)
        }

        note("peer: record creation, closed loop")
        let (created, latency, failures) = try await closedLoop(api, token: writer, seconds: sizes.seconds, concurrency: sizes.concurrency) { n in
            (.POST, KintoPeer.records, try JSONSerialization.data(withJSONObject: ["data": kintoRecord(n)]))
        }
        row("peer: record create, saturation", String(format: "%.0f/s, p99 %.1f ms, %d failed", created, latency.milliseconds(99), failures),
            target: "ours ≥ 50×", met: ours.createdPerSecond.map { $0 >= 50 * created })
        row("  ours / peer", ratio(ours.createdPerSecond, created))

        note("peer: batch creation")
        let batch = sizes.batch, clock = clock, lanes = min(32, sizes.devices)
        let end = clock.now + .milliseconds(Int(sizes.seconds * 2000))
        let batchStart = clock.now
        // Kinto answers 409 to a write that collided with a concurrent transaction; a client
        // sends it again (same id), as kinto.js does. Those retries are counted.
        let (written, conflicts, batchLatencies) = try await withThrowingTaskGroup(of: (Int, Int, Latencies).self) { group in
            for lane in 0..<lanes {
                let token = basicCredentials("bench-device-\(lane)")
                group.addTask {
                    var latencies = Latencies(), written = 0, conflicts = 0, n = lane * 1_000_000
                    var records: [[String: Any]] = []
                    while clock.now < end {
                        while records.count < batch {
                            n += 1
                            records.append(kintoRecord(n))
                        }
                        let start = clock.now
                        let (status, answer) = try await api.send(.POST, "/v1/batch", token: token, body: try kintoBatch(records))
                        let statuses = try kintoBatchStatuses(status, answer)
                        latencies.record(clock.now - start)
                        guard statuses.allSatisfy({ (200..<300).contains($0) || $0 == 409 }), statuses.count == records.count else {
                            throw BenchError("a kinto batch failed: \(Set(statuses).sorted())")
                        }
                        written += statuses.filter { (200..<300).contains($0) }.count
                        records = zip(records, statuses).filter { $0.1 == 409 }.map(\.0)
                        conflicts += records.count
                    }
                    return (written, conflicts, latencies)
                }
            }
            return try await group.reduce(into: (0, 0, Latencies())) { total, next in
                total.0 += next.0
                total.1 += next.1
                total.2.merge(next.2)
            }
        }
        let batchRate = Double(written) / (clock.now - batchStart).seconds
        row("peer: batch create, \(lanes) clients × \(batch) writes", String(format: "%.0f writes/s, batch p50 %.0f, p99 %.0f ms, %d writes retried after 409", batchRate, batchLatencies.milliseconds(50), batchLatencies.milliseconds(99), conflicts))
        row("  ours / peer", ratio(ours.batchWritesPerSecond, batchRate))

        let wanted = ours.pulledRecords ?? (sizes.devices * sizes.batch)
        if wanted > written { try peer.seed(wanted - written) }
        note("peer: paginated pull since a timestamp")
        let clientFolder = try temporaryFolder("kinto-client")
        defer { try? FileManager.default.removeItem(at: clientFolder) }
        let target = try PullTarget(path: clientFolder.appendingPathComponent("store.sqlite").path)
        let reader = basicCredentials("bench-reader")
        var since: String?
        let pullStart = clock.now
        let pulled = try await target.pullKinto(api, token: reader, since: &since)
        let pullSeconds = (clock.now - pullStart).seconds
        let pullRate = Double(pulled) / pullSeconds
        _ = try await target.checkpoint()
        row("peer: initial pull into a client store", String(format: "%d records in %.2f s (%.0f/s)", pulled, pullSeconds, pullRate),
            target: "ours ≥ 10×", met: ours.pulledPerSecond.map { $0 >= 10 * pullRate })
        row("  ours / peer", ratio(ours.pulledPerSecond, pullRate))

        var incremental = Latencies()
        for round in 0..<sizes.peerIncrementalRounds {
            let body = try kintoBatch((0..<sizes.incrementalChanges).map { kintoRecord(round * 1000 + $0) })
            let (status, answer) = try await api.send(.POST, "/v1/batch", token: writer, body: body)
            let statuses = try kintoBatchStatuses(status, answer)
            guard statuses.allSatisfy({ (200..<300).contains($0) }) else { throw BenchError("a kinto batch failed: \(Set(statuses).sorted())") }
            let start = clock.now
            let count = try await target.pullKinto(api, token: reader, since: &since)
            incremental.record(clock.now - start)
            _ = try await target.checkpoint()
            guard count >= sizes.incrementalChanges else { throw BenchError("an incremental kinto pull missed changes (\(count))") }
        }
        row("peer: incremental pull of \(sizes.incrementalChanges) changes", String(format: "p50 %.1f, p99 %.1f ms", incremental.milliseconds(50), incremental.milliseconds(99)))
        if let ourP99 = ours.incrementalP99 { row("  peer / ours (p99)", ratio(incremental.milliseconds(99), ourP99)) }
        row("peer: Kinto peak RSS (PostgreSQL not counted)", String(format: "%.0f MB", Double(peer.peakRSS) / 1_048_576))
    }
}
