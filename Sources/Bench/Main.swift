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
        subcommands: [Run.self, Crash.self, Codec.self], defaultSubcommand: Run.self)
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
            discussion: "Example: smartvl-bench run --smoke; smartvl-bench run --only create,pull")

        @OptionGroup var binaries: Binaries
        @Flag(help: "A few seconds of each workload (CI): checks that the benchmark runs, not the numbers.") var smoke = false
        @Option(help: "Also write the table (Markdown) to this file.") var out: String?
        @Option(help: "Run only these workloads, comma-separated: \(Workload.allCases.map(\.rawValue).joined(separator: ", ")) (e.g. to profile one).")
        var only: String?
        @Option(help: "Also write into this folder the server's log (server.log: each request with its handling time) and each open-loop request's schedule and latency (open-loop.tsv), to find what a latency spike was.")
        var trace: String?

        func validate() throws {
            _ = try selected()
        }

        func selected() throws -> Set<Workload> {
            guard let only else { return Set(Workload.allCases) }
            return Set(try only.split(separator: ",").map { name in
                guard let workload = Workload(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("unknown workload \(name); known: \(Workload.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return workload
            })
        }

        func run() async throws {
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(
                connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)))
            var session = BenchSession(sizes: smoke ? .smoke : .full, binaries: binaries, client: client)
            if let trace {
                session.trace = URL(fileURLWithPath: trace)
                try FileManager.default.createDirectory(at: session.trace!, withIntermediateDirectories: true)
            }
            do {
                try await session.run(try selected())
                try await client.shutdown()
            } catch {
                try? await client.shutdown()
                throw error
            }
            print(Self.table(session.rows, smoke: smoke))
            if let out { try Self.table(session.rows, smoke: smoke).write(toFile: out, atomically: true, encoding: .utf8) }
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
