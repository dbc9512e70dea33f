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

    /// The client's socket address; its text (`remoteIP`) is made only where a rate limit needs it.
    var remoteAddress: SocketAddress?

    /// The client's address, for per-address rate limits.
    var remoteIP: String? { remoteAddress?.ipAddress }

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        requestID = Self.newRequestID()
        actor = nil
    }

    /// Bodies are limited per endpoint; this is the ceiling for everything else.
    var maxUploadSize: Int { 256 * 1024 }

    /// Sixteen lower-case hex digits (`String(format:)` cost more than the rest of the context).
    static func newRequestID() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = String(UInt64.random(in: .min ... .max, using: &generator), radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
