import Crypto
import Domain
import Foundation
import HummingbirdBcrypt
import Logging

/// Where one-time codes go: an SMS gateway in production, a file in development.
protocol OneTimeCodeSender: Sendable {
    /// Delivers `code` to `phone`.
    func send(code: String, to phone: PhoneNumber) async throws
}

/// Appends `phone code` lines to `sms-outbox.log` in the data folder (development only).
struct OutboxFileSender: OneTimeCodeSender {
    let url: URL
    private let lock = NSLock()

    init(dataDirectory: URL) {
        url = dataDirectory.appendingPathComponent("sms-outbox.log")
    }

    func send(code: String, to phone: PhoneNumber) async throws {
        let line = Data("\(phone.national) \(code)\n".utf8)
        try lock.withLock {
            // Created readable by the server's user only: the codes are secrets until used.
            if !FileManager.default.fileExists(atPath: url.path),
                !FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600])
            {
                throw StartupError(description: "cannot create \(url.path)")
            }
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
        }
    }
}

/// Random bytes from the system CSPRNG, or a fixed source in tests.
struct RandomSource: Sendable {
    let bytes: @Sendable (Int) -> [UInt8]

    static let live = RandomSource { count in
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// Six decimal digits, uniform (rejection sampling).
    func sixDigits() -> String {
        while true {
            let b = bytes(4)
            let value = UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
            if value < 4_294_000_000 { return String(format: "%06u", value % 1_000_000) }
        }
    }

    /// A 256-bit token, base64url.
    func token() -> String { Base64URL.encode(bytes(32)) }
}

/// The rules of signing in, in numbers.
struct AuthPolicy: Sendable {
    var otpLifetime: TimeInterval = 300
    var otpAttempts = 5
    var otpPerHour = 5
    var refreshLifetime: TimeInterval = 30 * 86400
    var refreshRetryWindow: TimeInterval = 30
    var lockAfterFailures = 5
    var lockFor: TimeInterval = 15 * 60
    var bcryptCost = 12
}

/// A sign-in refusal, each with its problem code.
enum AuthError: Error, Equatable {
    case invalidCredentials
    case locked(retryAfter: Int)
    case otpWrong(remainingAttempts: Int)
    case otpExpired
    case otpExhausted
    case otpMissing
    case rateLimited(retryAfter: Int)
    case refreshInvalid
    case refreshReused
    case unauthenticated(TokenError?)
    case forbidden
}

/// Sign-in, tokens and sessions.
struct AuthService: Sendable {
    let store: SQLiteStore
    let tokens: AccessTokenService
    let sender: any OneTimeCodeSender
    let otpPepper: SymmetricKey
    let random: RandomSource
    let policy: AuthPolicy
    let now: DateGenerator
    let ids: IDGenerator
    let logger: Logger

    func requestOTP(phone: PhoneNumber) async throws -> OTPSent {
        let code = random.sixDigits()
        let outcome = try await store.issueOTP(
            phone: phone.e164, codeHash: otpHash(phone, code), now: now(), lifetime: policy.otpLifetime, perHour: policy.otpPerHour)
        switch outcome {
        case .rateLimited(let retryAfter):
            logger.notice("otp rate limited", metadata: ["phone": "\(phone.masked)"])
            throw AuthError.rateLimited(retryAfter: retryAfter)
        case .issued:
            try await sender.send(code: code, to: phone)
            logger.info("otp sent", metadata: ["phone": "\(phone.masked)"])
            return OTPSent(phoneMasked: phone.masked, expiresIn: Int(policy.otpLifetime))
        }
    }

    func verifyOTP(phone: PhoneNumber, code: String) async throws -> TokenPair {
        guard code.count == 6, code.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw AuthError.otpWrong(remainingAttempts: policy.otpAttempts)
        }
        switch try await store.checkOTP(phone: phone.e164, codeHash: otpHash(phone, code), now: now(), maxAttempts: policy.otpAttempts) {
        case .valid:
            let account = try await store.citizen(phone: phone, newID: ids(), at: now())
            guard !account.disabled else { throw AuthError.invalidCredentials }
            logger.info("citizen signed in", metadata: ["user": "\(account.id)"])
            return try await startSession(for: account)
        case .wrong(let remaining):
            logger.notice("otp wrong", metadata: ["phone": "\(phone.masked)"])
            throw AuthError.otpWrong(remainingAttempts: remaining)
        case .expired: throw AuthError.otpExpired
        case .exhausted: throw AuthError.otpExhausted
        case .none: throw AuthError.otpMissing
        }
    }

    func passwordLogin(username: String, password: String) async throws -> TokenPair {
        let name = username.trimmingCharacters(in: .whitespaces).lowercased()
        guard let (account, hash, lockedUntil) = try await store.staffCredentials(username: name) else {
            // Spend the same time as a real check so usernames cannot be probed by timing.
            _ = Bcrypt.verify(password, hash: Self.dummyHash)
            throw AuthError.invalidCredentials
        }
        let now = now()
        if let lockedUntil, lockedUntil > now {
            logger.notice("login while locked", metadata: ["user": "\(account.id)"])
            throw AuthError.locked(retryAfter: Int(lockedUntil.timeIntervalSince(now).rounded(.up)))
        }
        let valid = Bcrypt.verify(password, hash: hash) && !account.disabled
        try await store.recordLogin(
            userID: account.id, succeeded: valid, now: now, lockAfter: policy.lockAfterFailures, lockFor: policy.lockFor)
        guard valid else {
            logger.notice("login failed", metadata: ["user": "\(account.id)"])
            throw AuthError.invalidCredentials
        }
        logger.info("staff signed in", metadata: ["user": "\(account.id)", "role": "\(account.role.rawValue)"])
        return try await startSession(for: account)
    }

    func refresh(token: String) async throws -> TokenPair {
        let newToken = random.token()
        let outcome = try await store.rotateRefreshToken(
            hash: Self.sha256Hex(token), newID: ids(), newHash: Self.sha256Hex(newToken), now: now(),
            retryWindow: policy.refreshRetryWindow)
        switch outcome {
        case .invalid: throw AuthError.refreshInvalid
        case .reuseDetected:
            logger.warning("refresh token reuse: family revoked")
            throw AuthError.refreshReused
        case .rotated(let userID, let familyExpires):
            guard let account = try await store.user(id: userID) else { throw AuthError.refreshInvalid }
            return try pair(for: account, refreshToken: newToken, familyExpiresAt: familyExpires)
        }
    }

    func logout(user: Actor, refreshToken: String?, everywhere: Bool) async throws {
        if everywhere {
            try await store.setTokensValidAfter(userID: user.id, now())
        } else if let refreshToken {
            try await store.revokeRefreshFamily(tokenHash: Self.sha256Hex(refreshToken), userID: user.id, now: now())
        }
        logger.info("logout", metadata: ["user": "\(user.id)", "everywhere": "\(everywhere)"])
    }

    /// The actor behind a bearer token: signature and claims, then the account's current state.
    func authenticate(bearer token: String) async throws -> (Actor, UserAccount) {
        let claims: AccessClaims
        do { claims = try tokens.verify(token, now: now()) } catch {
            logger.notice("token refused", metadata: ["reason": "\(error.code)"])
            throw AuthError.unauthenticated(error)
        }
        guard let id = UUID(text: claims.sub), let account = try await store.user(id: id) else {
            throw AuthError.unauthenticated(.missingClaim)
        }
        guard !account.disabled else { throw AuthError.unauthenticated(.accountDisabled) }
        // `iat` has whole seconds: a token issued in the second of a logout-everywhere is refused too.
        if let after = account.tokensValidAfter, Double(claims.iat) <= after.timeIntervalSince1970.rounded(.down) {
            throw AuthError.unauthenticated(.revoked)
        }
        guard account.role == claims.role, account.agencyCode == claims.agency else {
            throw AuthError.unauthenticated(.revoked)
        }
        return (Actor(id: account.id, role: account.role, agencyCode: account.agencyCode), account)
    }

    private func startSession(for account: UserAccount) async throws -> TokenPair {
        let refreshToken = random.token()
        let familyExpires = now().addingTimeInterval(policy.refreshLifetime)
        try await store.storeRefreshToken(
            id: ids(), family: ids(), userID: account.id, hash: Self.sha256Hex(refreshToken), generation: 1, now: now(),
            familyExpiresAt: familyExpires)
        return try pair(for: account, refreshToken: refreshToken, familyExpiresAt: familyExpires)
    }

    private func pair(for account: UserAccount, refreshToken: String, familyExpiresAt: Date) throws -> TokenPair {
        let access = try tokens.issue(userID: account.id, role: account.role, agency: account.agencyCode, now: now(), jti: ids())
        return TokenPair(
            accessToken: access, expiresIn: AccessTokenService.lifetime, refreshToken: refreshToken,
            refreshExpiresIn: max(0, Int(familyExpiresAt.timeIntervalSince(now()))), user: Self.view(account))
    }

    static func view(_ account: UserAccount) -> UserView {
        UserView(id: account.id, role: account.role, phoneMasked: account.phone?.masked, username: account.username, agency: account.agencyCode)
    }

    private func otpHash(_ phone: PhoneNumber, _ code: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(phone.e164):\(code)".utf8), using: otpPepper)
        return Data(mac).map { String(format: "%02x", $0) }.joined()
    }

    static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A valid bcrypt hash of a random password, for constant-time refusals of unknown usernames.
    static let dummyHash = Bcrypt.hash(UUID().text, cost: 10)
}

/// A token bucket per key (IP and route class), on the injected clock.
final class RateLimiter: @unchecked Sendable {
    private let capacity: Double
    private let refillPerSecond: Double
    private let now: DateGenerator
    private let lock = NSLock()
    private var buckets: [String: (tokens: Double, at: Date)] = [:]

    init(capacity: Int, per interval: TimeInterval, now: DateGenerator) {
        self.capacity = Double(capacity)
        self.refillPerSecond = Double(capacity) / interval
        self.now = now
    }

    /// Takes one token for `key`; returns nil when allowed, or the seconds to wait.
    func take(_ key: String) -> Int? {
        lock.withLock {
            let instant = now()
            var (tokens, at) = buckets[key] ?? (capacity, instant)
            tokens = min(capacity, tokens + max(0, instant.timeIntervalSince(at)) * refillPerSecond)
            if buckets.count > 100_000 { buckets.removeAll(keepingCapacity: true) }
            guard tokens >= 1 else {
                buckets[key] = (tokens, instant)
                return max(1, Int(((1 - tokens) / refillPerSecond).rounded(.up)))
            }
            buckets[key] = (tokens - 1, instant)
            return nil
        }
    }
}
