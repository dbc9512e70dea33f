import Foundation
import Testing

@Suite(.serialized) struct ServerStartTests {
    /// `smartvl-server` with no arguments in an empty folder creates, migrates and seeds its data
    /// folder and serves /health/live on 127.0.0.1:8080.
    @Test func startsWithNoArgumentsInAnEmptyFolder() async throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let port = try server.waitUntilListening()
        #expect(port == 8080)
        let (status, body) = try await httpGet("http://127.0.0.1:8080/health/live")
        #expect(status == 200)
        #expect(String(decoding: body, as: UTF8.self) == #"{"status":"ok"}"#)
        let database = server.folder.appendingPathComponent("smartvl-data/smartvl.sqlite")
        #expect(FileManager.default.fileExists(atPath: database.path))
        let attributes = try FileManager.default.attributesOfItem(atPath: server.folder.appendingPathComponent("smartvl-data").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o700)
    }

    /// A second start on the same folder reuses the database and serves readiness.
    @Test func restartsOnAnExistingFolder() async throws {
        let first = try ServerProcess(arguments: ["--port", "0"])
        _ = try first.waitUntilListening()
        first.stop()
        let second = try ServerProcess(arguments: ["--port", "0"], folder: first.folder)
        defer { second.stop() }
        let port = try second.waitUntilListening()
        let (status, _) = try await httpGet("http://127.0.0.1:\(port)/health/ready")
        #expect(status == 200)
    }
}
