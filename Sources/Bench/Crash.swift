import ArgumentParser
import AsyncHTTPClient
import Domain
import Foundation
import GRDB
import NIOCore
import NIOHTTP1

extension SmartVLBench {
    /// Kills the server with SIGKILL at random moments while several clients push; after each
    /// restart the clients retry what was not acknowledged. In the end every acknowledged write
    /// must be there exactly once and the database must pass `PRAGMA integrity_check`.
    struct Crash: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "kill -9 the server at random moments while clients push; count lost and duplicated writes.",
            discussion: "Example: smartvl-bench crash --rounds 200 --clients 4")

        @OptionGroup var binaries: Binaries
        @Option(help: "How many kill-and-restart rounds.") var rounds = 200
        @Option(help: "How many clients push at once.") var clients = 4
        @Option(help: "Writes per push.") var batch = 5
        @Option(help: "Rounds of the same against the peer, Kinto on PostgreSQL (0: not run).") var peerRounds = 0

        /// One client: its device and the writes it made, acknowledged or not.
        struct Client {
            var device: BenchDevice
            var outbox: [Mutation] = []
            var acknowledged: [UUID] = []  // feedback ids the server acknowledged

            /// Takes a push answer: writes up to its last applied sequence are acknowledged.
            mutating func settle(_ answer: PushResponse) {
                let done = outbox.filter { $0.seq <= answer.lastAppliedSeq }
                acknowledged += done.compactMap { if case .createFeedback(let body) = $0.command { body.id } else { nil } }
                outbox.removeAll { $0.seq <= answer.lastAppliedSeq }
            }
        }

        /// One round: every client runs its loop at once (it ends when the server stops answering)
        /// and the server is killed after `delay`. Returns the clients as their loops left them.
        func untilKilled<C: Sendable>(_ fleet: [C], after delay: Duration, kill: @escaping @Sendable () -> Void,
                                      _ loop: @escaping @Sendable (C) async -> C) async -> [C] {
            async let killer: Void = {
                try? await Task.sleep(for: delay)
                kill()
            }()
            let result = await withTaskGroup(of: (Int, C).self) { group in
                for (index, client) in fleet.enumerated() {
                    group.addTask { (index, await loop(client)) }
                }
                var result = fleet
                for await (index, client) in group { result[index] = client }
                return result
            }
            await killer
            return result
        }

        func run() async throws {
            let data = try temporaryFolder("crash")
            defer { try? FileManager.default.removeItem(at: data) }
            let server = ServerUnderTest(binary: binaries.server, dataFolder: data)
            defer { server.stop() }
            try server.start()
            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(timeout: .init(connect: .seconds(2), read: .seconds(10))))
            var api = API(client: http, base: server.base)
            let tokens = try citizenTokens(binaries, data: data, first: "0913000000", count: clients)
            var fleet: [Client] = []
            for token in tokens { fleet.append(Client(device: try await BenchDevice.register(api, token: token))) }
            var random = SystemRandomNumberGenerator()
            var kills = 0
            for round in 0..<rounds {
                // Every client pushes in a loop; the server dies at a random moment.
                let currentAPI = api
                fleet = await untilKilled(fleet, after: .milliseconds(Int.random(in: 5...150, using: &random)), kill: server.kill) { client in
                    var client = client
                    while true {
                        if client.outbox.isEmpty { client.outbox = client.device.creates(batch) }
                        guard let answer = try? await client.device.push(currentAPI, client.outbox) else { break }
                        client.settle(answer)
                    }
                    return client
                }
                kills += 1
                try server.start()
                api.base = server.base
                // Retries: whatever was not acknowledged goes again, with the same ids and sequence numbers.
                for index in fleet.indices where !fleet[index].outbox.isEmpty {
                    fleet[index].settle(try await fleet[index].device.push(api, fleet[index].outbox))
                }
                if (round + 1) % 10 == 0 { FileHandle.standardError.write(Data("\rround \(round + 1)/\(rounds)".utf8)) }
            }
            server.stop()
            try await http.shutdown()
            let acknowledged = fleet.flatMap(\.acknowledged)
            let pool = try DatabasePool(path: data.appendingPathComponent("smartvl.sqlite").path)
            let (found, integrity) = try await pool.read { db -> ([String: Int], String) in
                var counts: [String: Int] = [:]
                for id in try String.fetchAll(db, sql: "SELECT id FROM feedback") { counts[id, default: 0] += 1 }
                return (counts, try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "")
            }
            let lost = acknowledged.filter { found[$0.uuidString] == nil }.count
            let duplicated = Set(acknowledged).count != acknowledged.count ? acknowledged.count - Set(acknowledged).count : 0
            let titles = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) - count(DISTINCT title || citizen_id) FROM feedback") ?? 0 }
            print("| server | rounds | kills | acknowledged | lost | duplicated | integrity |")
            print("|---|---|---|---|---|---|---|")
            print("| ours | \(rounds) | \(kills) | \(acknowledged.count) | \(lost) | \(duplicated + titles) | \(integrity) |")
            if peerRounds > 0 {
                if let tools = KintoPeer.Tools.find() {
                    let peer = try await crashPeer(tools)
                    print("| Kinto + PostgreSQL | \(peerRounds) | \(peerRounds) | \(peer.acknowledged) | \(peer.lost) | \(peer.duplicated) | (PostgreSQL's) |")
                } else {
                    print("| Kinto + PostgreSQL | not run: no Kinto virtual environment or no PostgreSQL | | | | | |")
                }
            }
            if lost > 0 || duplicated + titles > 0 || integrity != "ok" { throw ExitCode(1) }
        }
    
        /// The same rounds against Kinto: clients send batches of records with their own ids; Kinto
        /// is killed at random moments and restarted; what was not acknowledged is sent again with
        /// the same ids. At the end every acknowledged id must be there, and no title twice.
        func crashPeer(_ tools: KintoPeer.Tools) async throws -> (acknowledged: Int, lost: Int, duplicated: Int) {
            let peer = try KintoPeer(tools: tools)
            defer { peer.stop() }
            try peer.start()
            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(timeout: .init(connect: .seconds(2), read: .seconds(10))))
            var api = API(client: http, base: peer.base)
            try await peer.createCollection(api, token: basicCredentials("bench-writer"))
            /// One client's records: sent but not acknowledged, and acknowledged.
            struct PeerClient {
                var token: String
                var next = 0
                var outbox: [[String: String]] = []
                var acknowledged: [String] = []
            }
            var fleet = (0..<clients).map { PeerClient(token: basicCredentials("bench-crash-\($0)"), next: $0 * 10_000_000) }
            let batch = batch
            @Sendable func send(_ api: API, _ client: inout PeerClient) async throws {
                if client.outbox.isEmpty {
                    client.outbox = (0..<batch).map { _ in
                        client.next += 1
                        return ["id": UUID.timeOrdered().uuidString.lowercased(), "title": "crash \(client.next)"]
                    }
                }
                let (status, answer) = try await api.send(.POST, "/v1/batch", token: client.token, body: try kintoBatch(client.outbox))
                let statuses = try kintoBatchStatuses(status, answer)
                guard statuses.count == client.outbox.count else { throw BenchError("a kinto batch answered \(statuses.count) of \(client.outbox.count)") }
                // 201 created, 200 already there (a retry): acknowledged. Anything else goes again.
                client.acknowledged += zip(client.outbox, statuses).filter { (200..<300).contains($0.1) }.compactMap { $0.0["id"] }
                client.outbox = zip(client.outbox, statuses).filter { !(200..<300).contains($0.1) }.map(\.0)
            }
            var random = SystemRandomNumberGenerator()
            for round in 0..<peerRounds {
                let currentAPI = api
                fleet = await untilKilled(fleet, after: .milliseconds(Int.random(in: 5...150, using: &random)), kill: peer.kill) { client in
                    var client = client
                    while (try? await send(currentAPI, &client)) != nil {}
                    return client
                }
                try peer.startKinto()
                api.base = peer.base
                for index in fleet.indices {
                    var attempts = 0
                    while !fleet[index].outbox.isEmpty, attempts < 20 {
                        try? await send(api, &fleet[index])
                        attempts += 1
                    }
                }
                if (round + 1) % 10 == 0 { FileHandle.standardError.write(Data("\rpeer round \(round + 1)/\(peerRounds)".utf8)) }
            }
            // Everything Kinto has, read back through its own API.
            var ids: [String: Int] = [:], titles: [String: Int] = [:]
            var page: String? = KintoPeer.records + "?_limit=1000"
            while let current = page {
                let (status, headers, bytes) = try await api.exchange(.GET, current, token: basicCredentials("bench-writer"))
                guard status == 200, let object = try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any],
                    let records = object["data"] as? [[String: Any]]
                else { throw BenchError("kinto listed records with \(status)") }
                for record in records {
                    ids[record["id"] as? String ?? "", default: 0] += 1
                    titles[record["title"] as? String ?? "", default: 0] += 1
                }
                page = kintoNextPage(headers)
            }
            try await http.shutdown()
            let acknowledged = fleet.flatMap(\.acknowledged)
            let lost = acknowledged.filter { ids[$0] == nil }.count
            let duplicated = titles.values.reduce(0) { $0 + max(0, $1 - 1) } + ids.values.reduce(0) { $0 + max(0, $1 - 1) }
            return (acknowledged.count, lost, duplicated)
        }
}
}
