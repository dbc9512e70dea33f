import Domain
import Foundation
import Hummingbird
import Logging

/// The health answer.
struct HealthStatus: ResponseEncodable, Decodable, Equatable {
    /// `ok` or `unavailable`.
    var status: String
}

/// Builds the HTTP application around its dependencies.
func buildApplication(
    configuration: ServerConfiguration, dependencies: ServerDependencies,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let router = Router()
    router.get("/health/live") { _, _ in HealthStatus(status: "ok") }
    router.get("/health/ready") { _, _ -> EditedResponse<HealthStatus> in
        if await dependencies.store.database.isReady() {
            return EditedResponse(status: .ok, response: HealthStatus(status: "ok"))
        }
        return EditedResponse(status: .serviceUnavailable, response: HealthStatus(status: "unavailable"))
    }
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "smartvl-server"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: dependencies.logger)
}
