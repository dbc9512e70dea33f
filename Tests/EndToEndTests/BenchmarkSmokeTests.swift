import Foundation
import Testing

/// The benchmark and the crash harness in their short modes, so neither can rot. The numbers of
/// a debug build on a shared machine mean nothing; the full run is `Benchmarks/run.sh`.
@Suite(.serialized) struct BenchmarkSmokeTests {
    @Test func theBenchmarkRunsEveryWorkload() throws {
        let bench = ServerProcess.productsFolder.appendingPathComponent("smartvl-bench").path
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("smartvl-bench-trace-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: trace) }
        let result = try runProgram([bench, "run", "--smoke", "--trace", trace.path, "--bin", ServerProcess.productsFolder.path])
        #expect(result.status == 0, "\(result.output)")
        for workload in ["feedback create, saturation", "feedback create at", "sync push,", "sync push of", "initial pull", "incremental pull",
                         "official queue query", "lists newest first", "server peak RSS", "database bytes per feedback item", "bare-framework ceiling", "peer:"] {
            #expect(result.output.contains("| \(workload)") || result.output.contains(workload), "missing \(workload)")
        }
        // The load loops' own connections: every closed-loop request answered and counted.
        let saturation = try #require(result.output.split(separator: "\n").first { $0.hasPrefix("| feedback create, saturation") })
        #expect(saturation.contains(", 0 failed |") && !saturation.contains("| 0/s"), "\(saturation)")
        // The pull's CPU per record, read from /proc for both processes: both spent some.
        let pull = try #require(result.output.split(separator: "\n").first { $0.hasPrefix("| initial pull") })
        let cpu = try #require(pull.firstMatch(of: /the server's ([0-9.]+) µs, the client's ([0-9.]+) µs/), "\(pull)")
        #expect((Double(cpu.1) ?? 0) > 0 && (Double(cpu.2) ?? 0) > 0, "\(pull)")
        // The trace: every open-loop request in order, with its schedule and status, and the
        // server's log of the requests it handled.
        let requests = try String(contentsOf: trace.appendingPathComponent("open-loop.tsv"), encoding: .utf8).split(separator: "\n")
        #expect(requests.first == "request\tscheduled_unix_s\tlatency_ms\tsent_late_ms\tstatus")
        #expect(requests.dropFirst().enumerated().allSatisfy { index, line in
            let cells = line.split(separator: "\t")
            return cells.count == 5 && Int(cells[0]) == index && cells[4] == "201"
        }, "\(requests.prefix(3))")
        #expect(requests.count > 1)
        let log = try String(contentsOf: trace.appendingPathComponent("server.log"), encoding: .utf8)
        #expect(log.contains("route=/v1/feedback status=201"))
    }

    @Test func theCrashHarnessLosesAndDuplicatesNothing() throws {
        let bench = ServerProcess.productsFolder.appendingPathComponent("smartvl-bench").path
        let result = try runProgram([bench, "crash", "--rounds", "3", "--clients", "2", "--peer-rounds", "2", "--bin", ServerProcess.productsFolder.path])
        #expect(result.status == 0, "\(result.output)")
        let row = try #require(result.output.split(separator: "\n").last { $0.hasPrefix("| ours | 3 |") })
        let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(cells.count == 7)
        #expect(Int(cells[3]) ?? 0 > 0, "some writes were acknowledged")
        #expect(cells[4] == "0" && cells[5] == "0" && cells[6] == "ok", "\(row)")
        // The peer's row: counted when Kinto and PostgreSQL are installed (.ci/run installs them).
        #expect(result.output.contains("| Kinto + PostgreSQL |"))
    }

    @Test func theCodecMeasureReportsEveryCoder() throws {
        let bench = ServerProcess.productsFolder.appendingPathComponent("smartvl-bench").path
        let result = try runProgram([bench, "codec", "--records", "20", "--rounds", "2"])
        #expect(result.status == 0, "\(result.output)")
        let rows = result.output.split(separator: "\n").filter { $0.hasPrefix("| encode") || $0.hasPrefix("| decode") || $0.hasPrefix("| parse") }
        #expect(rows.count == 8, "\(result.output)")
        #expect(rows.contains { $0.hasPrefix("| decode a push of feedback.create, direct reader |") }, "\(result.output)")
        for row in rows {
            let micros = row.split(separator: "|").last.map { Double($0.trimmingCharacters(in: .whitespaces)) ?? 0 } ?? 0
            #expect(micros > 0, "\(row)")
        }
    }
}
