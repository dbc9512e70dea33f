import Domain
import Foundation
import Hummingbird

extension APIRouter {
    /// Sign-in, tokens, keys.
    func addAuthRoutes(signInLimiter: RateLimiter) {
        let auth = self.auth
        /// Sign-in attempts per client address and route class, before any work is done.
        @Sendable func throttle(_ call: Call<some Sendable>, _ kind: String) throws {
            let address = call.context.remoteIP ?? "unknown"
            if let wait = signInLimiter.take("\(kind):\(address)") { throw AuthError.rateLimited(retryAfter: wait) }
        }
        register(Endpoints.requestOTP) { call in
            try throttle(call, "otp")
            return try await auth.requestOTP(phone: try PhoneNumber(call.body.phone))
        }
        register(Endpoints.verifyOTP) { call in
            try throttle(call, "verify")
            return try await auth.verifyOTP(phone: try PhoneNumber(call.body.phone), code: call.body.code)
        }
        register(Endpoints.passwordLogin) { call in
            try throttle(call, "login")
            return try await auth.passwordLogin(username: call.body.username, password: call.body.password)
        }
        register(Endpoints.refresh) { call in
            try throttle(call, "refresh")
            return try await auth.refresh(token: call.body.refreshToken)
        }
        register(Endpoints.logout) { call in
            try await auth.logout(user: call.user, refreshToken: call.body.refreshToken, everywhere: call.body.everywhere ?? false)
            return NoContent()
        }
        register(Endpoints.me) { call in
            guard let account = try await auth.store.user(id: try call.user.id) else { throw APIError.unauthenticated }
            return AuthService.view(account)
        }
        register(Endpoints.jwks) { _ in auth.tokens.jwks }
    }
}
