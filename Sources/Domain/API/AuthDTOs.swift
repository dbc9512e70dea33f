import Foundation

/// Asks for a one-time code by SMS.
public struct OTPRequest: Codable, Sendable, Equatable {
    /// The mobile number, `0…` or `+84…`.
    public var phone: String
    /// Creates the request.
    public init(phone: String) { self.phone = phone }
}

/// A one-time code was sent.
public struct OTPSent: Codable, Sendable, Equatable {
    /// The number it went to, masked.
    public var phoneMasked: String
    /// Seconds until the code expires.
    public var expiresIn: Int
    /// Creates the answer.
    public init(phoneMasked: String, expiresIn: Int) {
        self.phoneMasked = phoneMasked
        self.expiresIn = expiresIn
    }

    enum CodingKeys: String, CodingKey { case phoneMasked = "phone_masked", expiresIn = "expires_in" }
}

/// Signs a citizen in with the code received.
public struct OTPVerify: Codable, Sendable, Equatable {
    /// The mobile number.
    public var phone: String
    /// The six digits.
    public var code: String
    /// Creates the request.
    public init(phone: String, code: String) {
        self.phone = phone
        self.code = code
    }
}

/// Signs an official in.
public struct PasswordLogin: Codable, Sendable, Equatable {
    /// The username.
    public var username: String
    /// The password.
    public var password: String
    /// Creates the request.
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}

/// Exchanges a refresh token for a new pair.
public struct RefreshRequest: Codable, Sendable, Equatable {
    /// The refresh token last received.
    public var refreshToken: String
    /// Creates the request.
    public init(refreshToken: String) { self.refreshToken = refreshToken }

    enum CodingKeys: String, CodingKey { case refreshToken = "refresh_token" }
}

/// Ends a session, or all of a user's sessions.
public struct LogoutRequest: Codable, Sendable, Equatable {
    /// The session's refresh token.
    public var refreshToken: String?
    /// End every session of the user (moves the "valid after" instant).
    public var everywhere: Bool?
    /// Creates the request.
    public init(refreshToken: String? = nil, everywhere: Bool? = nil) {
        self.refreshToken = refreshToken
        self.everywhere = everywhere
    }

    enum CodingKeys: String, CodingKey { case refreshToken = "refresh_token", everywhere }
}

/// Who is signed in.
public struct UserView: Codable, Sendable, Equatable {
    /// The user id.
    public var id: UUID
    /// The role.
    public var role: Role
    /// A citizen's phone, masked.
    public var phoneMasked: String?
    /// Staff username.
    public var username: String?
    /// Staff agency.
    public var agency: String?
    /// Creates the view.
    public init(id: UUID, role: Role, phoneMasked: String? = nil, username: String? = nil, agency: String? = nil) {
        self.id = id
        self.role = role
        self.phoneMasked = phoneMasked
        self.username = username
        self.agency = agency
    }

    enum CodingKeys: String, CodingKey { case id, role, phoneMasked = "phone_masked", username, agency }
}

/// A new session: a short-lived access token and a rotating refresh token.
public struct TokenPair: Codable, Sendable, Equatable {
    /// The access token (a JWT), sent as `Authorization: Bearer …`.
    public var accessToken: String
    /// Always `Bearer`.
    public var tokenType: String
    /// Seconds the access token lives.
    public var expiresIn: Int
    /// The refresh token: opaque, single use.
    public var refreshToken: String
    /// Seconds until the session ends whatever happens (30 days from sign-in).
    public var refreshExpiresIn: Int
    /// Who signed in.
    public var user: UserView
    /// Creates the pair.
    public init(accessToken: String, expiresIn: Int, refreshToken: String, refreshExpiresIn: Int, user: UserView) {
        self.accessToken = accessToken
        self.tokenType = "Bearer"
        self.expiresIn = expiresIn
        self.refreshToken = refreshToken
        self.refreshExpiresIn = refreshExpiresIn
        self.user = user
    }

    enum CodingKeys: String, CodingKey { case accessToken = "access_token", tokenType = "token_type", expiresIn = "expires_in", refreshToken = "refresh_token", refreshExpiresIn = "refresh_expires_in", user }
}

/// The public signing keys (RFC 7517).
public struct JWKSet: Codable, Sendable, Equatable {
    /// One Ed25519 key.
    public struct Key: Codable, Sendable, Equatable {
        /// `OKP`.
        public var kty: String
        /// `Ed25519`.
        public var crv: String
        /// The public key, base64url.
        public var x: String
        /// The key id (its RFC 7638 thumbprint).
        public var kid: String
        /// `EdDSA`.
        public var alg: String
        /// `sig`.
        public var use: String
        /// Creates a key.
        public init(x: String, kid: String) {
            kty = "OKP"
            crv = "Ed25519"
            self.x = x
            self.kid = kid
            alg = "EdDSA"
            use = "sig"
        }
    }
    /// The keys.
    public var keys: [Key]
    /// Creates the set.
    public init(keys: [Key]) { self.keys = keys }
}
