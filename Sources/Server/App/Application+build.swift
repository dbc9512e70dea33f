import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Prometheus
import Yams

/// Builds the HTTP application around its dependencies.
func buildApplication(
    configuration: ServerConfiguration, dependencies: ServerDependencies,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let router = Router(context: AppContext.self)
    // Outermost first: metrics and the request log see the status the problem middleware answers.
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: RequestLogMiddleware(logger: dependencies.logger))
    router.add(middleware: ProblemMiddleware(logger: dependencies.logger))

    router.get("/health/live") { _, _ in HealthView(status: "ok") }
    router.get("/health/ready") { _, _ -> EditedResponse<HealthView> in
        if await dependencies.store.database.isReady() {
            return EditedResponse(status: .ok, response: HealthView(status: "ok"))
        }
        return EditedResponse(status: .serviceUnavailable, response: HealthView(status: "unavailable"))
    }
    let openAPI = OpenAPIDocument.json
    router.get("/openapi.json") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: openAPI)))
    }
    let registry = dependencies.metrics
    router.get("/metrics") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
            body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
    }

    let catalog = CatalogProvider(dependencies.catalog)
    let auth = AuthService(
        store: dependencies.store, tokens: dependencies.tokens, sender: dependencies.codeSender,
        otpPepper: dependencies.otpPepper, random: dependencies.random, policy: dependencies.authPolicy,
        now: dependencies.now, ids: dependencies.ids, logger: dependencies.logger)
    let api = APIRouter(router: router, auth: auth, now: dependencies.now)
    api.addAuthRoutes(signInLimiter: RateLimiter(capacity: 20, per: 60, now: dependencies.now))
    api.register(Endpoints.catalog) { _ in CatalogView(catalog.current) }
    let feedback = FeedbackController(store: dependencies.store, catalog: catalog, ids: dependencies.ids)
    let dossiers = DossierController(store: dependencies.store, catalog: catalog, ids: dependencies.ids)
    api.addFeedbackRoutes(feedback)
    api.addDossierRoutes(dossiers)
    api.addSyncRoutes(SyncService(store: dependencies.store, feedback: feedback, dossiers: dossiers, catalog: catalog, ids: dependencies.ids))
    api.addAttachmentRoutes(store: dependencies.store)
    api.addMoneyRoutes(MoneyController(store: dependencies.store, catalog: catalog, ids: dependencies.ids))
    api.addPaymentRoutes(dependencies.payments)

    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "smartvl-server"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: dependencies.logger)
}

extension HealthView: ResponseEncodable {}

/// One structured line per request: request id, method, route, status, duration; never a body,
/// a token or a query string (which may carry personal data).
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let logger: Logger

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        logger.info("request", metadata: [
            "request_id": "\(context.requestID)", "method": "\(request.method.rawValue)",
            "route": "\(context.endpointPath ?? "unmatched")", "status": "\(response.status.code)",
            "ms": "\(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)",
        ])
        return response
    }
}

/// The OpenAPI document, kept in `Docs/openapi.yaml` (a link to the resource) and served as JSON.
enum OpenAPIDocument {
    static let yaml: String = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return "openapi: 3.1.0" }
        return text
    }()

    /// The document as JSON values.
    static func parsed() -> [String: Any] { (try? Yams.load(yaml: yaml) as? [String: Any]) ?? [:] }

    static let json: [UInt8] = {
        let data = (try? JSONSerialization.data(withJSONObject: parsed(), options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Array(data)
    }()
}

extension PrometheusMetricsFactory {
    /// The server's metrics backend on `registry`, with buckets fitted to the group commit's
    /// batches: most take a few milliseconds and carry a few writes, and the tail (a slow
    /// `fdatasync`) is what an operator looks for.
    static func smartVL(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["smartvl_group_commit_duration_seconds"] = [1, 2, 5, 10, 20, 50, 100, 250, 500, 1000].map { Duration.milliseconds($0) }
        factory.valueHistogramBuckets["smartvl_group_commit_writes"] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
        return factory
    }
}
