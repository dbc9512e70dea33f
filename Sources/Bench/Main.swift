import ArgumentParser
import AsyncHTTPClient
import Domain
import Foundation
import GRDB
import NIOCore
import NIOHTTP1

@main
struct SmartVLBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smartvl-bench",
        abstract: "Load the real server from a separate process and print a table; or kill -9 it again and again while clients push.",
        discussion: "Run through Benchmarks/run.sh, which builds in release mode first. See Docs/performance.md.",
        subcommands: [Run.self, Crash.self], defaultSubcommand: Run.self)
}

/// Where the binaries are: next to this one unless told.
struct Binaries: ParsableArguments {
    @Option(help: "The folder holding smartvl-server and bench-hello (default: this binary's folder).") var bin: String?

    var folder: URL {
        if let bin { return URL(fileURLWithPath: bin, isDirectory: true) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    }
    var server: URL { folder.appendingPathComponent("smartvl-server") }
    var hello: URL { folder.appendingPathComponent("bench-hello") }
}

func temporaryFolder(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("smartvl-bench-\(name)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Issues citizen tokens (and registers nothing) through the server's admin command.
func citizenTokens(_ binaries: Binaries, data: URL, first: String, count: Int) throws -> [String] {
    try runCommand(binaries.server, ["keys", "issue-token", "--phone", first, "--count", String(count), "--data-dir", data.path])
        .split(separator: "\n").compactMap { $0.split(separator: " ").last.map(String.init) }
}

extension SmartVLBench {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every workload against a fresh server and print the results table.",
            discussion: "Example: smartvl-bench run --smoke")

        @OptionGroup var binaries: Binaries
        @Flag(help: "A few seconds of each workload (CI): checks that the benchmark runs, not the numbers.") var smoke = false
        @Option(help: "Also write the table (Markdown) to this file.") var out: String?

        func run() async throws {
            let sizes = smoke ? Sizes.smoke : Sizes.full
            var rows: [ResultRow] = []
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(
                connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)))
            let note = { (text: String) in FileHandle.standardError.write(Data("· \(text)\n".utf8)) }

            // The bare-framework ceiling.
            note("ceiling: bench-hello")
            let hello = Process()
            hello.executableURL = binaries.hello
            hello.arguments = ["0"]
            let helloOut = Pipe()
            hello.standardOutput = helloOut
            try hello.run()
            let helloAPI = API(client: client, base: "http://127.0.0.1:\(try ServerUnderTest.waitForPort(helloOut.fileHandleForReading))")
            let helloBody = Data(#"{"title":"x"}"#.utf8)
            let (ceiling, _, _) = try await closedLoop(helloAPI, token: "x", seconds: sizes.seconds, concurrency: sizes.concurrency) { _ in (.POST, "/hello", helloBody) }
            hello.terminate()
            hello.waitUntilExit()

            // Our server, fresh.
            let data = try temporaryFolder("data")
            defer { try? FileManager.default.removeItem(at: data) }
            let server = ServerUnderTest(binary: binaries.server, dataFolder: data)
            defer { server.stop() }
            try server.start()
            var api = API(client: client, base: server.base)
            let citizens = try citizenTokens(binaries, data: data, first: "0912000000", count: max(1, sizes.devices / 10) + 2)
            let creator = citizens[0]

            note("feedback creation, closed loop")
            let (created, createLatency, createFailures) = try await closedLoop(api, token: creator, seconds: sizes.seconds, concurrency: sizes.concurrency) { n in
                (.POST, "/v1/feedback", try WireCoding.encoder().encode(FeedbackCreate(id: UUID(), draft: loadDraft(n))))
            }
            rows.append(ResultRow(workload: "feedback create, saturation (\(sizes.concurrency) connections)",
                                  result: String(format: "%.0f/s, p99 %.1f ms, %d failed", created, createLatency.milliseconds(99), createFailures),
                                  target: "≥ 5,000/s", met: created >= 5000))
            rows.append(ResultRow(workload: "  share of the bare-framework ceiling", result: String(format: "%.0f%% of %.0f/s", created / ceiling * 100, ceiling), target: "", met: nil))

            note("feedback creation, open loop at \(sizes.offeredRate)/s")
            let (open, openFailures) = try await openLoop(api, token: creator, rate: sizes.offeredRate, seconds: sizes.seconds) { n in
                try WireCoding.encoder().encode(FeedbackCreate(id: UUID(), draft: loadDraft(n)))
            }
            rows.append(ResultRow(workload: "feedback create at \(sizes.offeredRate)/s offered",
                                  result: String(format: "p50 %.1f, p99 %.1f, p99.9 %.1f ms, %d failed", open.milliseconds(50), open.milliseconds(99), open.milliseconds(99.9), openFailures),
                                  target: "p99 ≤ 20 ms", met: open.milliseconds(99) <= 20))

            note("sync push: \(sizes.devices) devices × \(sizes.batch)")
            var devices: [BenchDevice] = []
            for index in 0..<sizes.devices { devices.append(try await BenchDevice.register(api, token: citizens[2 + index % (citizens.count - 2)])) }
            let clock = ContinuousClock()
            let pushStart = clock.now
            let pushAPI = api, batch = sizes.batch
            let pushLatencies = try await withThrowingTaskGroup(of: Latencies.self) { group in
                let lanes = min(32, devices.count)
                for lane in 0..<lanes {
                    let mine = stride(from: lane, to: devices.count, by: lanes).map { devices[$0] }
                    group.addTask {
                        var latencies = Latencies()
                        for var device in mine {
                            let mutations = device.creates(batch)
                            let start = clock.now
                            let response = try await device.push(pushAPI, mutations)
                            guard response.results.allSatisfy({ $0.status == .applied }) else { throw BenchError("a pushed write was rejected") }
                            latencies.record(clock.now - start)
                        }
                        return latencies
                    }
                }
                return try await group.reduce(into: Latencies()) { $0.merge($1) }
            }
            let pushSeconds = (clock.now - pushStart).seconds
            rows.append(ResultRow(workload: "sync push, \(sizes.devices) devices × \(sizes.batch) writes",
                                  result: String(format: "%.0f writes/s, push p50 %.0f, p99 %.0f ms", Double(sizes.devices * sizes.batch) / pushSeconds, pushLatencies.milliseconds(50), pushLatencies.milliseconds(99)),
                                  target: "", met: nil))
            var big = Latencies()
            var bigDevice = try await BenchDevice.register(api, token: citizens[1])
            for _ in 0..<sizes.bigBatches {
                let mutations = bigDevice.creates(sizes.bigBatch)
                let start = clock.now
                _ = try await bigDevice.push(api, mutations)
                big.record(clock.now - start)
            }
            rows.append(ResultRow(workload: "sync push of \(sizes.bigBatch) writes", result: String(format: "p50 %.0f ms, max %.0f ms", big.milliseconds(50), big.milliseconds(100)),
                                  target: "≤ 200 ms", met: big.milliseconds(100) <= 200))

            note("sync pull: initial")
            let reader = try await BenchDevice.register(api, token: citizens[1])
            let clientFolder = try temporaryFolder("client")
            defer { try? FileManager.default.removeItem(at: clientFolder) }
            let target = try PullTarget(path: clientFolder.appendingPathComponent("store.sqlite").path)
            var cursor: String?
            let pullStart = clock.now
            let pulled = try await target.pull(api, device: reader, cursor: &cursor, digest: true)
            let pullSeconds = (clock.now - pullStart).seconds
            rows.append(ResultRow(workload: "initial pull into a client store", result: String(format: "%d records in %.2f s (%.0f/s)", pulled, pullSeconds, Double(pulled) / pullSeconds),
                                  target: pulled >= 100_000 ? "100k ≤ 3 s" : "", met: pulled >= 100_000 ? pullSeconds <= 3 : nil))
            note("sync pull: incremental")
            var incremental = Latencies()
            for _ in 0..<sizes.incrementalRounds {
                _ = try await bigDevice.push(api, bigDevice.creates(sizes.incrementalChanges))
                let start = clock.now
                let count = try await target.pull(api, device: reader, cursor: &cursor, digest: false)
                incremental.record(clock.now - start)
                guard count >= sizes.incrementalChanges else { throw BenchError("an incremental pull missed changes (\(count))") }
            }
            rows.append(ResultRow(workload: "incremental pull of \(sizes.incrementalChanges) changes", result: String(format: "p50 %.1f, p99 %.1f ms", incremental.milliseconds(50), incremental.milliseconds(99)),
                                  target: "p99 ≤ 10 ms", met: incremental.milliseconds(99) <= 10))

            // The queue over many items: generate the rest offline, then query as an official.
            let stored = try await DatabasePool(path: data.appendingPathComponent("smartvl.sqlite").path).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM feedback") ?? 0 }
            let rssLoad = server.peakRSS
            server.stop()
            if sizes.queueItems > stored {
                note("generating \(sizes.queueItems - stored) feedback items")
                try runCommand(binaries.server, ["generate", "--feedback", String(sizes.queueItems - stored), "--citizens", "1000", "--data-dir", data.path])
            }
            try runCommand(binaries.server, ["officials", "add", "--username", "cb.bench", "--agency", "SXD", "--role", "official", "--data-dir", data.path], input: "mat-khau-bench-dai\n")
            let official = try runCommand(binaries.server, ["keys", "issue-token", "--username", "cb.bench", "--data-dir", data.path])
                .split(separator: " ").last.map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
            try server.start()
            api.base = server.base
            note("queue queries")
            var queue = Latencies()
            for n in 0..<sizes.queueQueries {
                let query = ["sort=due&limit=20", "sort=due&limit=20&status=assigned", "sort=age&limit=20&overdue=true", "limit=20&category=giao-thong"][n % 4]
                let start = clock.now
                let (status, _) = try await api.send(.GET, "/v1/queue/feedback?" + query, token: official)
                queue.record(clock.now - start)
                guard status == 200 else { throw BenchError("queue answered \(status)") }
            }
            let items = try await DatabasePool(path: data.appendingPathComponent("smartvl.sqlite").path).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM feedback") ?? 0 }
            rows.append(ResultRow(workload: "official queue query, \(items) items stored", result: String(format: "p50 %.1f, p99 %.1f ms", queue.milliseconds(50), queue.milliseconds(99)),
                                  target: "p99 ≤ 10 ms", met: queue.milliseconds(99) <= 10))
            let rss = max(rssLoad, server.peakRSS)
            server.stop()
            rows.append(ResultRow(workload: "server peak RSS", result: String(format: "%.0f MB", Double(rss) / 1_048_576), target: "≤ 150 MB", met: rss <= 150 * 1_048_576))
            let bytes = (try? FileManager.default.attributesOfItem(atPath: data.appendingPathComponent("smartvl.sqlite").path)[.size] as? NSNumber)?.doubleValue ?? 0
            rows.append(ResultRow(workload: "database bytes per feedback item", result: String(format: "%.0f B (%.0f MB for %d)", bytes / Double(max(1, items)), bytes / 1_048_576, items), target: "", met: nil))
            try await client.shutdown()
            print(Self.table(rows, smoke: smoke))
            if let out { try Self.table(rows, smoke: smoke).write(toFile: out, atomically: true, encoding: .utf8) }
        }

        static func table(_ rows: [ResultRow], smoke: Bool) -> String {
            var lines = ["| workload | result | target | met |", "|---|---|---|---|"]
            for row in rows {
                let met = smoke ? "(smoke)" : row.met.map { $0 ? "yes" : "**no**" } ?? ""
                lines.append("| \(row.workload) | \(row.result) | \(row.target) | \(met) |")
            }
            return lines.joined(separator: "\n")
        }
    }
}
