import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real `smartvl-server` binary, started as a person would start it.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let folder: URL
    private let output = Pipe()
    private let lock = NSLock()
    private var lines: [String] = []

    /// The folder holding the built products (`.build/debug`), next to the test bundle.
    static var productsFolder: URL {
        if let override = ProcessInfo.processInfo.environment["SMARTVL_BIN_DIR"] {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("smartvl-server").path) {
            url.deleteLastPathComponent()
            if url.lastPathComponent == "debug" || url.lastPathComponent == "release" { break }
        }
        return url
    }

    /// Starts the server in `folder` (a new empty one by default) with `arguments`.
    init(arguments: [String] = [], folder: URL? = nil) throws {
        self.folder = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("smartvl-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.folder, withIntermediateDirectories: true)
        process.executableURL = Self.productsFolder.appendingPathComponent("smartvl-server")
        process.arguments = arguments
        process.currentDirectoryURL = self.folder
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    /// Blocks until the server prints its listening line (or exits); returns the port.
    func waitUntilListening(deadline: TimeInterval = 120) throws -> Int {
        let handle = output.fileHandleForReading
        var buffer = Data()
        let end = Date().addingTimeInterval(deadline)
        while Date() < end {
            let chunk = handle.availableData  // blocks until output arrives or the pipe closes
            if chunk.isEmpty { break }
            buffer.append(chunk)
            let text = String(decoding: buffer, as: UTF8.self)
            lock.withLock { lines = text.split(separator: "\n").map(String.init) }
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("smartvl-server listening on http://") }),
                let port = Int(line.split(separator: ":").last ?? "")
            {
                return port
            }
        }
        throw ProcessFailure(description: "the server did not start:\n" + lock.withLock { lines.joined(separator: "\n") })
    }

    /// Stops the server (SIGTERM) and waits for it.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

struct ProcessFailure: Error, CustomStringConvertible {
    var description: String
}

/// A plain HTTP GET on loopback.
func httpGet(_ url: String) async throws -> (status: Int, body: Data) {
    let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
}

/// A JSON POST on loopback.
func httpPost(_ url: String, json: String) async throws -> (status: Int, body: Data) {
    var request = URLRequest(url: URL(string: url)!)
    request.httpMethod = "POST"
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    request.httpBody = Data(json.utf8)
    let (data, response) = try await URLSession.shared.data(for: request)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
}

/// Runs a program and returns its exit status and combined output.
func runProgram(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
