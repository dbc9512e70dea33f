import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite(.serialized) struct ServerCommandTests {
    static var server: String { ServerProcess.productsFolder.appendingPathComponent("smartvl-server").path }

    /// Runs `smartvl-server` with arguments in a folder, feeding `input` on standard input.
    func admin(_ arguments: [String], in folder: URL, input: String? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.server)
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let output = Pipe(), stdin = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func anAdminAddsAnOfficialWhoSignsInAndKeysRotateWithoutLoggingAnyoneOut() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("smartvl-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let added = try admin(["officials", "add", "--username", "cb.xaydung", "--agency", "SXD", "--role", "official"], in: folder,
                              input: "mat-khau-rat-dai-2026\n")
        #expect(added.status == 0, "\(added.output)")
        #expect(added.output.contains("Added official cb.xaydung of SXD"))
        let duplicate = try admin(["officials", "add", "--username", "cb.xaydung", "--agency", "SXD", "--role", "official"], in: folder,
                                  input: "mat-khau-rat-dai-2026\n")
        #expect(duplicate.status != 0)
        #expect(duplicate.output.contains("taken"))
        #expect(try admin(["officials", "add", "--username", "x.y", "--agency", "KHONGCO", "--role", "official"], in: folder,
                          input: "mat-khau-rat-dai-2026\n").status != 0)
        #expect(try admin(["officials", "add", "--username", "x.y", "--agency", "SXD", "--role", "official"], in: folder, input: "short\n").status != 0)

        let first = try ServerProcess(arguments: ["--port", "0"], folder: folder)
        let port = try first.waitUntilListening()
        let login = try await httpPost("http://127.0.0.1:\(port)/v1/auth/login", json: #"{"username":"cb.xaydung","password":"mat-khau-rat-dai-2026"}"#)
        #expect(login.status == 200)
        let token = try #require((try JSONSerialization.jsonObject(with: login.body) as? [String: Any])?["access_token"] as? String)
        first.stop()
        #expect(first.process.terminationStatus == 0, "SIGTERM shuts the server down cleanly")

        let rotated = try admin(["keys", "rotate"], in: folder)
        #expect(rotated.status == 0, "\(rotated.output)")
        let second = try ServerProcess(arguments: ["--port", "0"], folder: folder)
        defer { second.stop() }
        let secondPort = try second.waitUntilListening()
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(secondPort)/v1/me")!)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (_, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200, "a token signed before the rotation is still valid")
        let (_, jwks) = try await httpGet("http://127.0.0.1:\(secondPort)/.well-known/jwks.json")
        #expect(((try JSONSerialization.jsonObject(with: jwks) as? [String: Any])?["keys"] as? [Any])?.count == 2)
    }

    @Test func theDemoSeedGivesASandboxInOneCommand() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("smartvl-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let seeded = try admin(["seed", "--demo"], in: folder)
        #expect(seeded.status == 0, "\(seeded.output)")
        let line = try #require(seeded.output.split(separator: "\n").first { $0.contains("gs.xaydung") })
        let password = String(try #require(line.split(separator: " ").last))
        #expect(try admin(["seed", "--demo"], in: folder).output.contains("already seeded"))
        let server = try ServerProcess(arguments: ["--port", "0"], folder: folder)
        defer { server.stop() }
        let port = try server.waitUntilListening()
        let login = try await httpPost("http://127.0.0.1:\(port)/v1/auth/login", json: #"{"username":"gs.xaydung","password":"\#(password)"}"#)
        #expect(login.status == 200)
        let token = try #require((try JSONSerialization.jsonObject(with: login.body) as? [String: Any])?["access_token"] as? String)
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/feedback?limit=100")!)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (data, _) = try await URLSession.shared.data(for: request)
        let items = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["items"] as? [[String: Any]])
        let statuses = Set(items.compactMap { $0["status"] as? String })
        #expect(statuses == ["assigned", "in_progress", "resolved", "closed", "rejected", "withdrawn", "reopened"])
    }
}
