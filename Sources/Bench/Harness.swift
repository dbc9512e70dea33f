import AsyncHTTPClient
import Domain
import Foundation
import Histogram
import NIOCore
import NIOHTTP1

/// A server process under test: started on a free port in its own data folder, watched for its
/// peak memory, stopped or killed.
final class ServerUnderTest: @unchecked Sendable {
    let binary: URL
    let dataFolder: URL
    /// Where its standard error (its log) is appended, if anywhere.
    let log: URL?
    private(set) var process = Process()
    private(set) var port = 0

    init(binary: URL, dataFolder: URL, log: URL? = nil) {
        self.binary = binary
        self.dataFolder = dataFolder
        self.log = log
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// Starts it and waits for its listening line.
    func start(arguments: [String] = []) throws {
        process = Process()
        process.executableURL = binary
        process.arguments = ["--port", "0", "--data-dir", dataFolder.path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        if let log {
            if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
            let handle = try FileHandle(forWritingTo: log)
            try handle.seekToEnd()
            process.standardError = handle
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        port = try Self.waitForPort(pipe.fileHandleForReading)
    }

    /// Reads the child's output until `… listening on http://HOST:PORT`.
    static func waitForPort(_ handle: FileHandle) throws -> Int {
        var buffer = Data()
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { throw BenchError("the server exited before listening") }
            buffer.append(chunk)
            let text = String(decoding: buffer, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.contains("listening on http://") }),
                let port = Int(line.split(separator: ":").last ?? "")
            {
                return port
            }
        }
    }

    /// The process's peak resident memory (VmHWM), in bytes.
    var peakRSS: Int64 { Self.peakRSS(of: process.processIdentifier) }

    /// A process's peak resident memory (VmHWM), in bytes; 0 once it is gone.
    static func peakRSS(of pid: Int32) -> Int64 {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Int64(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kilobytes * 1024
    }

    /// The CPU time the process has used so far (user and system), in seconds.
    var cpuSeconds: Double { Self.cpuSeconds(of: process.processIdentifier) }

    /// A process's CPU time so far, user and system (`/proc/PID/stat`), in seconds; 0 once it is
    /// gone. On a shared machine this moves far less from run to run than the time taken.
    static func cpuSeconds(of pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let name = stat.lastIndex(of: ")")
        else { return 0 }
        // After the name: state, then 10 fields before utime and stime (fields 14 and 15).
        let fields = stat[stat.index(after: name)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// SIGTERM, and wait.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// SIGKILL: no chance to finish anything.
    func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command and returns its standard output (throws on a non-zero exit). A command that
/// leaves a daemon behind (`pg_ctl start`) must not capture: the daemon would hold the pipe open.
@discardableResult
func runCommand(_ binary: URL, _ arguments: [String], input: String? = nil, capture: Bool = true) throws -> String {
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    let out = Pipe(), stdin = Pipe()
    process.standardOutput = capture ? out : FileHandle.nullDevice
    let errors = FileManager.default.temporaryDirectory.appendingPathComponent("smartvl-bench-stderr-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errors) }
    process.standardError = capture ? (try FileHandle(forWritingTo: errors)) : FileHandle.nullDevice
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try stdin.fileHandleForWriting.close()
    let data = capture ? out.fileHandleForReading.readDataToEndOfFile() : Data()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        let said = String(decoding: (try? Data(contentsOf: errors)) ?? Data(), as: UTF8.self).suffix(600)
        throw BenchError("\(binary.lastPathComponent) \(arguments.first ?? "") exited \(process.terminationStatus): \(said)")
    }
    return String(decoding: data, as: UTF8.self)
}

/// JSON calls over a pooled keep-alive client.
struct API: Sendable {
    let client: HTTPClient
    var base: String

    /// Sends a request; returns the status and body. Throws only when no answer came.
    /// A token starting with `Basic ` is sent as it is (Kinto's credentials); others as bearer tokens.
    func send(_ method: HTTPMethod, _ path: String, token: String? = nil, body: Data? = nil, device: UUID? = nil) async throws -> (Int, ByteBuffer) {
        let (status, _, bytes) = try await exchange(method, path, token: token, body: body, device: device)
        return (status, bytes)
    }

    /// The Authorization header's value for a token: a token starting with `Basic ` as it is,
    /// others as bearer tokens.
    func authorization(_ token: String) -> String {
        token.hasPrefix("Basic ") ? token : "Bearer \(token)"
    }

    /// `send`, with the answer's headers.
    func exchange(_ method: HTTPMethod, _ path: String, token: String? = nil, body: Data? = nil, device: UUID? = nil) async throws -> (Int, HTTPHeaders, ByteBuffer) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: authorization(token)) }
        if let device { request.headers.add(name: "X-Device-Id", value: device.uuidString) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        // Generous: a slow answer is a figure to report (Kinto's batches of 100 took up to 52 s
        // in one run and over 60 s in another), not a reason to stop the run.
        let response = try await client.execute(request, timeout: .seconds(300))
        let bytes = try await response.body.collect(upTo: 256 * 1024 * 1024)
        return (Int(response.status.code), response.headers, bytes)
    }

    /// Sends JSON and decodes the answer; throws on a status other than 2xx.
    func json<In: Encodable, Out: Decodable>(_ method: HTTPMethod, _ path: String, _ body: In, token: String?, device: UUID? = nil, as type: Out.Type) async throws -> Out {
        // Written and read as the CLI writes and reads them (`WireCoding.write`, `WireCoding.read`).
        let (status, bytes) = try await send(method, path, token: token, body: Data(try WireCoding.write(body)), device: device)
        guard (200..<300).contains(status) else { throw BenchError("\(path) answered \(status): \(String(buffer: bytes).prefix(300))") }
        return try WireCoding.read(Out.self, from: Array(bytes.readableBytesView))
    }
}

/// Latencies in microseconds.
struct Latencies {
    var histogram = Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)

    mutating func record(_ duration: Duration) {
        let micros = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        _ = histogram.record(UInt64(max(1, micros)))
    }

    mutating func merge(_ other: Latencies) {
        for value in other.histogram.recordedValues() { _ = histogram.record(value.value, count: value.count) }
    }

    func milliseconds(_ percentile: Double) -> Double { Double(histogram.valueAtPercentile(percentile)) / 1000 }
    var count: UInt64 { histogram.totalCount }
}

/// One line of the results table.
struct ResultRow {
    var workload: String
    var result: String
    var target: String
    /// nil when there is no target to meet.
    var met: Bool?
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
