import AsyncHTTPClient
import Domain
import Foundation
import GRDB
import LocalStore
import NIOCore
import NIOHTTP1
import Synchronization

/// The sizes of one run: the full run, or a smoke run of a few seconds for CI.
struct Sizes {
    var seconds: Double
    var concurrency: Int
    var offeredRate: Int
    var devices: Int
    var batch: Int
    var bigBatches: Int
    var bigBatch: Int
    /// Rounds of the incremental pull: 200, so that its p99 is not simply the slowest round.
    var incrementalRounds: Int
    /// The peer's rounds (each of its batch writes takes a second or more).
    var peerIncrementalRounds: Int
    var incrementalChanges: Int
    var queueItems: Int
    var queueQueries: Int

    static let full = Sizes(seconds: 10, concurrency: 64, offeredRate: 1000, devices: 1000, batch: 100, bigBatches: 10, bigBatch: 1000,
                            incrementalRounds: 200, peerIncrementalRounds: 50, incrementalChanges: 100, queueItems: 1_000_000, queueQueries: 500)
    static let smoke = Sizes(seconds: 1, concurrency: 8, offeredRate: 100, devices: 10, batch: 10, bigBatches: 2, bigBatch: 100,
                             incrementalRounds: 3, peerIncrementalRounds: 3, incrementalChanges: 10, queueItems: 2_000, queueQueries: 20)
}

/// A feedback draft for load (public, so every citizen's pull sees it).
func loadDraft(_ n: Int) -> FeedbackDraft {
    FeedbackDraft(category: "giao-thong", title: "Ổ gà tải thử số \(n)", description: "Phản ánh tạo bởi smartvl-bench để đo hiệu năng.", commune: "28756")
}

/// Sends requests as fast as `concurrency` connections allow (each its own `LoadConnection`, one
/// request in flight). A connection the server closes counts as a failed request and is opened
/// again.
func closedLoop(_ api: API, token: String, seconds: Double, concurrency: Int, body: @escaping @Sendable (Int) throws -> (HTTPMethod, String, Data?)) async throws -> (Double, Latencies, Int) {
    let clock = ContinuousClock()
    let authorization = api.authorization(token)
    var connections: [LoadConnection] = []
    for _ in 0..<concurrency { connections.append(try await LoadConnection.connect(to: api.base)) }
    let end = clock.now + .milliseconds(Int(seconds * 1000))
    let results = try await withThrowingTaskGroup(of: (Int, Int, Latencies).self) { group in
        for (worker, first) in connections.enumerated() {
            group.addTask {
                var ok = 0, failed = 0, latencies = Latencies(), n = worker, connection = first
                while clock.now < end {
                    let (method, path, data) = try body(n)
                    n += concurrency
                    let request = LoadConnection.request(method, path, authorization: authorization, body: data ?? Data())
                    if !connection.isOpen { connection = try await LoadConnection.connect(to: api.base) }
                    let start = clock.now
                    do {
                        let (status, _) = try await connection.send(request)
                        latencies.record(clock.now - start)
                        if (200..<300).contains(status) { ok += 1 } else { failed += 1 }
                    } catch {
                        failed += 1
                        await connection.close()
                    }
                }
                await connection.close()
                return (ok, failed, latencies)
            }
        }
        return try await group.reduce(into: (0, 0, Latencies())) { total, next in
            total.0 += next.0
            total.1 += next.1
            total.2.merge(next.2)
        }
    }
    return (Double(results.0) / seconds, results.2, results.1)
}

/// Sends at a fixed rate whatever the answers do; latency counts from each request's scheduled
/// time, so a stall shows up in the percentiles instead of lowering the offered load. Requests go
/// out on idle connections of a pool (opened beforehand: `warm`; more when every one is busy). With
/// `trace`, writes one line per request there: its number, its scheduled time (Unix seconds, to
/// compare with the server's log), its latency and how late it was sent (ms), and its status.
func openLoop(
    _ api: API, token: String, rate: Int, seconds: Double, warm: Int, trace: URL? = nil, body: @escaping @Sendable (Int) throws -> Data
) async throws -> (Latencies, Int) {
    let clock = ContinuousClock()
    let authorization = api.authorization(token)
    let pool = ConnectionPool(base: api.base)
    try await pool.open(warm)
    let total = Int(Double(rate) * seconds)
    let start = clock.now + .milliseconds(50)
    let unixStart = Date().timeIntervalSince1970 + 0.05
    let interval = Duration.nanoseconds(1_000_000_000 / rate)
    let result = try await withThrowingTaskGroup(of: (n: Int, latency: Duration, late: Duration, status: Int).self) { group in
        for n in 0..<total {
            let scheduled = start + interval * n
            try await clock.sleep(until: scheduled)
            let late = clock.now - scheduled
            let request = LoadConnection.request(.POST, "/v1/feedback", authorization: authorization, body: try body(n))
            group.addTask {
                let connection = try await pool.take()
                do {
                    let (status, _) = try await connection.send(request)
                    pool.put(connection)
                    return (n, clock.now - scheduled, late, status)
                } catch {
                    await connection.close()
                    return (n, clock.now - scheduled, late, 0)
                }
            }
        }
        var latencies = Latencies(), failed = 0
        var lines: [(Int, String)] = []
        for try await answer in group {
            latencies.record(answer.latency)
            if !(200..<300).contains(answer.status) { failed += 1 }
            if trace != nil {
                lines.append((answer.n, String(
                    format: "%d\t%.3f\t%.3f\t%.3f\t%d", answer.n, unixStart + Double(answer.n) / Double(rate),
                    answer.latency.seconds * 1000, answer.late.seconds * 1000, answer.status)))
            }
        }
        if let trace {
            let text = (["request\tscheduled_unix_s\tlatency_ms\tsent_late_ms\tstatus"] + lines.sorted { $0.0 < $1.0 }.map(\.1)).joined(separator: "\n") + "\n"
            try text.write(to: trace, atomically: true, encoding: .utf8)
        }
        return (latencies, failed)
    }
    await pool.closeAll()
    return result
}

/// Idle `LoadConnection`s for the open loop: a request takes one (or opens one when none is idle)
/// and puts it back after its answer; a connection that failed is not put back.
final class ConnectionPool: Sendable {
    let base: String
    private let idle = Mutex<[LoadConnection]>([])

    init(base: String) { self.base = base }

    func open(_ count: Int) async throws {
        for _ in 0..<count { put(try await LoadConnection.connect(to: base)) }
    }

    func take() async throws -> LoadConnection {
        if let connection = idle.withLock({ $0.popLast() }) { return connection }
        return try await LoadConnection.connect(to: base)
    }

    func put(_ connection: LoadConnection) {
        guard connection.isOpen else { return }
        idle.withLock { $0.append(connection) }
    }

    func closeAll() async {
        for connection in idle.withLock({ $0 }) { await connection.close() }
    }
}

/// A device of a citizen for the sync workloads.
struct BenchDevice: Sendable {
    var token: String
    var id: UUID
    var nextSeq: Int64 = 1

    static func register(_ api: API, token: String) async throws -> BenchDevice {
        let registered = try await api.json(.POST, "/v1/sync/devices", DeviceRegistration(name: "bench", platform: "bench"), token: token, as: DeviceRegistered.self)
        return BenchDevice(token: token, id: registered.deviceId, nextSeq: registered.lastAppliedSeq + 1)
    }

    /// The next `count` writes, each creating a feedback item.
    mutating func creates(_ count: Int) -> [Mutation] {
        (0..<count).map { _ in
            defer { nextSeq += 1 }
            return Mutation(seq: nextSeq, id: UUID.timeOrdered(), command: .createFeedback(FeedbackCreate(id: UUID.timeOrdered(), draft: loadDraft(Int(nextSeq)))))
        }
    }

    func push(_ api: API, _ mutations: [Mutation]) async throws -> PushResponse {
        try await api.json(.POST, "/v1/sync/push", PushRequest(deviceId: id, mutations: mutations), token: token, device: id, as: PushResponse.self)
    }
}

/// A client store to pull into: a GRDB pool with the CLI's records table, each page applied in
/// one transaction with its cursor and committed as the CLI commits pulled pages
/// (`synchronous=NORMAL`: a page lost to a power cut is pulled again).
struct PullTarget {
    let queue: DatabasePool

    init(path: String) throws {
        queue = try DatabasePool(path: path)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS records (entity TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL,
                    data TEXT NOT NULL, UNIQUE (entity, id));
                CREATE TABLE IF NOT EXISTS cursor (id INTEGER PRIMARY KEY CHECK (id = 1), value TEXT);
                CREATE TABLE IF NOT EXISTS log_restarts (id INTEGER PRIMARY KEY CHECK (id = 1), count INTEGER NOT NULL);
                INSERT OR IGNORE INTO log_restarts (id, count) VALUES (1, 0);
                """)
        }
    }

    /// One record of a page: its JSON, or nil when it is removed.
    struct Record {
        var entity: String
        var id: String
        var seq: Int64
        var json: ArraySlice<UInt8>?
    }

    /// Applies a page and its cursor in one transaction, with SQLite's automatic checkpoint held
    /// off as the CLI holds it off for pulled pages (`ClientStore.pulledLogLimit`).
    func apply(_ records: [Record], cursor: String?) async throws {
        try await queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 65536")
            defer { try? db.execute(sql: "PRAGMA wal_autocheckpoint = 1000") }
            try db.inTransaction {
                try Self.store(records, cursor: cursor, db: db)
                return .commit
            }
        }
    }

    private static func store(_ records: [Record], cursor: String?, db: Database) throws {
        let put = try db.cachedStatement(sql: PulledRecords.upsertSQL)
        let remove = try db.cachedStatement(sql: "DELETE FROM records WHERE entity = ? AND id = ?")
        for record in records {
            if let json = record.json {
                try json.withUnsafeBufferPointer { try PulledRecords.put(put, entity: record.entity, id: record.id, seq: record.seq, data: $0, db: db) }
            } else {
                try remove.execute(arguments: [record.entity, record.id])
            }
        }
        try db.cachedStatement(sql: "INSERT INTO cursor (id, value) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET value = excluded.value")
            .execute(arguments: [cursor])
    }

    /// Copies the log back into the database file (a passive checkpoint) and starts it over with
    /// a one-row write, as the CLI does once a sync is idle (`ClientStore.checkpoint`), and
    /// returns how long it took; neither SQLite's own checkpoint (past 1,000 pages of log) nor the
    /// synced header of a log started over then falls inside the commit of an incremental page.
    func checkpoint() async throws -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        try await queue.writeWithoutTransaction { db in
            let result = try db.checkpoint(.passive)
            if result.walFrameCount > 1, result.checkpointedFrameCount == result.walFrameCount {
                try db.execute(sql: "UPDATE log_restarts SET count = count + 1")
            }
        }
        return clock.now - start
    }

    /// Where a pull's time went: waiting for the server's answers (read), and storing them.
    struct Split {
        /// Waiting for the next page (pipelined: what is left of its request once the last page is stored).
        var answer = Duration.zero
        /// Of all pages' requests: from sending to the last byte of the answer.
        var exchange = Duration.zero
        /// Reading the pages (while the page before is stored).
        var read = Duration.zero
        /// Storing the pages.
        var store = Duration.zero
    }

    /// Pulls from our server until it says there is no more; returns the changes applied.
    func pull(_ api: API, device: BenchDevice, cursor: inout String?, digest: Bool) async throws -> Int {
        var split = Split()
        return try await pull(api, device: device, cursor: &cursor, digest: digest, split: &split)
    }

    /// The same, adding where the time went to `split`. Pipelined as the CLI pulls: the next page
    /// is asked for as soon as a page's cursor is known (`PullResponse.continuation`), the page is
    /// read while the one before is stored, and each cursor is stored with its page, in order.
    func pull(_ api: API, device: BenchDevice, cursor: inout String?, digest: Bool, split: inout Split) async throws -> Int {
        let clock = ContinuousClock()
        struct Answer { var bytes: [UInt8], exchange: Duration }
        @Sendable func ask(_ cursor: String?) -> Task<Answer, any Error> {
            Task {
                let sent = clock.now
                let (status, bytes) = try await api.send(.POST, "/v1/sync/pull", token: device.token,
                    body: try WireCoding.encoder().encode(PullRequest(deviceId: device.id, cursor: cursor, limit: 1000, wantDigest: digest)), device: device.id)
                guard status == 200 else { throw BenchError("pull answered \(status)") }
                return Answer(bytes: Array(bytes.readableBytesView), exchange: clock.now - sent)
            }
        }
        var asked: Task<Answer, any Error>? = ask(cursor)
        // The page before, being stored (on the store's writer queue) while this one is read.
        var storing: Task<Duration, any Error>?
        defer { asked?.cancel() }
        var applied = 0
        while let answer = asked {
            let waiting = clock.now
            let bytes = try await answer.value.bytes
            split.answer += clock.now - waiting
            split.exchange += try await answer.value.exchange
            let next = try PullResponse.continuation(wireJSON: bytes)
            asked = next.hasMore ? ask(next.cursor) : nil
            // Each record read (and checked) in full, and stored as it came, as the CLI stores it.
            let reading = clock.now
            let page = try PullResponse(wireJSON: bytes)
            let records = page.changes.map { change in
                Record(entity: change.entity, id: change.id, seq: change.seq, json: change.op == .remove ? nil : change.wire)
            }
            split.read += clock.now - reading
            if let storing { split.store += try await storing.value }
            storing = Task { [self] in
                let start = clock.now
                try await apply(records, cursor: page.cursor)
                return clock.now - start
            }
            applied += records.count
            cursor = page.cursor
        }
        if let storing { split.store += try await storing.value }
        return applied
    }

    /// Pulls Kinto's records since a timestamp (`_since`, sorted by `last_modified`), following
    /// `Next-Page` as kinto.js does, pipelined as our pull is (the next page asked for as soon as
    /// a page's headers name it, while the page is read and stored); `since` becomes the
    /// collection's timestamp (its ETag).
    func pullKinto(_ api: API, token: String, since: inout String?) async throws -> Int {
        @Sendable func ask(_ path: String) -> Task<(HTTPHeaders, [UInt8]), any Error> {
            Task {
                let (status, headers, bytes) = try await api.exchange(.GET, path, token: token)
                guard status == 200 else { throw BenchError("kinto pull answered \(status)") }
                return (headers, Array(bytes.readableBytesView))
            }
        }
        var asked: Task<(HTTPHeaders, [UInt8]), any Error>? = ask(KintoPeer.records + "?_sort=last_modified&_limit=1000" + (since.map { "&_since=\($0)" } ?? ""))
        defer { asked?.cancel() }
        var applied = 0
        var timestamp = since
        while let answer = asked {
            let (headers, bytes) = try await answer.value
            if timestamp == since, let etag = headers.first(name: "ETag") { timestamp = etag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            asked = kintoNextPage(headers).map(ask)
            guard let page = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
                let objects = page["data"] as? [[String: Any]]
            else { throw BenchError("kinto answered a page without data") }
            let records = try objects.map { object in
                Record(entity: "feedback", id: object["id"] as? String ?? "", seq: (object["last_modified"] as? NSNumber)?.int64Value ?? 0,
                       json: object["deleted"] as? Bool == true ? nil : ArraySlice(try JSONSerialization.data(withJSONObject: object)))
            }
            try await apply(records, cursor: timestamp)
            applied += records.count
        }
        since = timestamp
        return applied
    }
}

