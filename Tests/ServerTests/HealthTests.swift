import Domain
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

@Suite struct HealthTests {
    @Test func liveAndReadyAnswerOK() async throws {
        let fixture = try await APIFixture()
        try await fixture.app.test(.router) { client in
            for path in ["/health/live", "/health/ready"] {
                try await client.execute(uri: path, method: .get) { response throws in
                    #expect(response.status == .ok)
                    #expect(try JSONDecoder().decode(HealthView.self, from: Data(buffer: response.body)) == HealthView(status: "ok"))
                }
            }
        }
    }
}
