import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The request context: identity only (services live on the controllers).
struct AppContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// A short id for logs and problems.
    var requestID: String
    /// The authenticated caller, once the endpoint helper has checked the token.
    var actor: Actor?

    /// The client's address, for per-address rate limits.
    var remoteIP: String?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteIP = source.channel.remoteAddress?.ipAddress
        requestID = Self.newRequestID()
        actor = nil
    }

    /// Bodies are limited per endpoint; this is the ceiling for everything else.
    var maxUploadSize: Int { 256 * 1024 }

    static func newRequestID() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(format: "%016llx", UInt64.random(in: .min ... .max, using: &generator))
    }
}
