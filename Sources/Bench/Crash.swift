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
                let killAfter = Duration.milliseconds(Int.random(in: 5...150, using: &random))
                let snapshot = fleet
                let currentAPI = api
                async let killer: Void = {
                    try? await Task.sleep(for: killAfter)
                    server.kill()
                }()
                fleet = await withTaskGroup(of: (Int, Client).self) { group in
                    for (index, client) in snapshot.enumerated() {
                        group.addTask {
                            var client = client
                            while true {
                                if client.outbox.isEmpty { client.outbox = client.device.creates(batch) }
                                guard let answer = try? await client.device.push(currentAPI, client.outbox) else { break }
                                client.settle(answer)
                            }
                            return (index, client)
                        }
                    }
                    var result = snapshot
                    for await (index, client) in group { result[index] = client }
                    return result
                }
                await killer
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
            print("| rounds | kills | acknowledged | lost | duplicated | integrity |")
            print("|---|---|---|---|---|---|")
            print("| \(rounds) | \(kills) | \(acknowledged.count) | \(lost) | \(duplicated + titles) | \(integrity) |")
            if lost > 0 || duplicated + titles > 0 || integrity != "ok" { throw ExitCode(1) }
        }
    }
}
