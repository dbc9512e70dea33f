import Domain
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import Server

@Suite struct HealthTests {
    @Test func liveAndReadyAnswerOK() async throws {
        let fixture = try await StoreFixture()
        let dependencies = ServerDependencies(
            store: fixture.store, now: .constant(fixture.now), ids: .incrementing(), logger: Logger(label: "test"))
        let app = buildApplication(configuration: ServerConfiguration(), dependencies: dependencies)
        try await app.test(.router) { client in
            for path in ["/health/live", "/health/ready"] {
                try await client.execute(uri: path, method: .get) { response throws in
                    #expect(response.status == .ok)
                    #expect(try JSONDecoder().decode(HealthStatus.self, from: Data(buffer: response.body)) == HealthStatus(status: "ok"))
                }
            }
        }
    }
}
