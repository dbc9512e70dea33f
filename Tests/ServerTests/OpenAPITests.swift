import Domain
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

@Suite struct OpenAPITests {
    let document = OpenAPIDocument.parsed()

    var operations: [(path: String, method: String, operation: [String: Any])] {
        let paths = document["paths"] as? [String: [String: Any]] ?? [:]
        return paths.flatMap { path, methods in
            methods.compactMap { method, value in (value as? [String: Any]).map { (path, method.uppercased(), $0) } }
        }
    }

    @Test func theDocumentAndTheEndpointTableDescribeTheSameRoutes() {
        #expect(document["openapi"] as? String == "3.1.0")
        let documented = Set(operations.map { "\($0.method) \($0.path)" })
        let table = Set((Endpoints.all + Endpoints.operational + Endpoints.binary).map { "\($0.method.rawValue) \($0.path)" })
        #expect(documented.subtracting(table).isEmpty, "documented but not served: \(documented.subtracting(table).sorted())")
        #expect(table.subtracting(documented).isEmpty, "served but not documented: \(table.subtracting(documented).sorted())")
        for endpoint in Endpoints.all {
            guard let op = operations.first(where: { $0.path == endpoint.path && $0.method == endpoint.method.rawValue })?.operation else { continue }
            #expect(op["operationId"] as? String == endpoint.name)
            #expect(op["x-access"] as? String == endpoint.access.rawValue, "\(endpoint.name)")
            let responses = op["responses"] as? [String: Any] ?? [:]
            #expect(responses[String(endpoint.successStatus)] != nil, "\(endpoint.name) documents its success status")
            #expect((op["security"] as? [Any])?.isEmpty == (endpoint.access == .anyone) || (endpoint.access != .anyone && op["security"] == nil),
                    "\(endpoint.name) security matches its access")
        }
    }

    /// Every error status the document declares for an operation is one the server can answer
    /// there (by the properties that produce it); the access-matrix and flow tests show each one.
    @Test func everyDeclaredErrorIsOneTheServerReturns() {
        let signIn: Set = ["verifyOTP", "passwordLogin", "refresh", "requestOTP"]
        for endpoint in Endpoints.all {
            guard let op = operations.first(where: { $0.path == endpoint.path && $0.method == endpoint.method.rawValue })?.operation,
                let responses = op["responses"] as? [String: Any]
            else { continue }
            let hasBody = endpoint.method == .post && op["requestBody"] != nil
            let hasQuery = (op["parameters"] as? [[String: Any]] ?? []).contains { $0["in"] as? String == "query" }
            for status in responses.keys.compactMap(Int.init) where status >= 400 {
                let possible: Bool = switch status {
                case 400: hasBody || hasQuery || endpoint.access != .anyone
                case 401: endpoint.access != .anyone || signIn.contains(endpoint.name)
                case 403: [.citizen, .staff, .supervisor, .admin].contains(endpoint.access)
                case 404: endpoint.path.contains("{id}") || ["syncPush", "syncPull"].contains(endpoint.name)
                case 410: endpoint.name == "syncPull"
                case 409: endpoint.method == .post
                case 413, 415, 422: hasBody
                case 429: signIn.contains(endpoint.name)
                case 500: true
                default: false
                }
                #expect(possible, "\(endpoint.name) declares \(status), which it cannot return")
            }
        }
    }

    @Test func theServerServesTheDocumentAsJSON() async throws {
        let fixture = try await APIFixture()
        try await fixture.app.test(.router) { client in
            try await client.execute(uri: "/openapi.json", method: .get) { response throws in
                #expect(response.status == .ok)
                let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(object?["openapi"] as? String == "3.1.0")
                #expect((object?["paths"] as? [String: Any])?.count == Set((Endpoints.all + Endpoints.operational + Endpoints.binary).map(\.path)).count)
            }
        }
    }

    /// The document is valid OpenAPI 3.1, by an independent validator (Python's
    /// openapi-spec-validator, which `.ci/run` installs).
    @Test func theDocumentIsValidOpenAPI31() throws {
        let url = try #require(Self.docsURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import sys, yaml
            from openapi_spec_validator import validate
            validate(yaml.safe_load(open(sys.argv[1])))
            print("valid")
            """, url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.contains("valid"))
    }

    static var docsURL: URL? {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("Docs/openapi.yaml")
    }
}
