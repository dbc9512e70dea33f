import Crypto
import Domain
import Foundation
import Synchronization

/// Why an access token was refused (each one is a 401; the code goes to the security log).
enum TokenError: Error, Equatable {
    case malformed
    case tooLarge
    case unsupportedAlgorithm
    case wrongType
    case unknownKey
    case criticalHeader
    case badSignature
    case expired
    case notYetValid
    case issuedInFuture
    case lifetimeTooLong
    case wrongIssuer
    case wrongAudience
    case missingClaim
    case revoked
    case accountDisabled

    /// A stable code for logs and problems.
    var code: String { "token.\(self)" }
}

/// The claims of an access token.
struct AccessClaims: Codable, Equatable, Sendable {
    var iss: String
    var aud: String
    var sub: String
    var exp: Int
    var nbf: Int
    var iat: Int
    var jti: String
    var role: Role
    var agency: String?
}

/// One Ed25519 signing key with its id (the RFC 7638 thumbprint of its public JWK).
struct SigningKey: Sendable {
    let privateKey: Curve25519.Signing.PrivateKey
    let kid: String
    let createdAt: Date

    init(privateKey: Curve25519.Signing.PrivateKey, createdAt: Date) {
        self.privateKey = privateKey
        self.createdAt = createdAt
        self.kid = Self.thumbprint(privateKey.publicKey)
    }

    var publicJWK: JWKSet.Key { JWKSet.Key(x: Base64URL.encode(privateKey.publicKey.rawRepresentation), kid: kid) }

    /// RFC 7638: SHA-256 over the required members in lexicographic order, base64url.
    static func thumbprint(_ key: Curve25519.Signing.PublicKey) -> String {
        let json = #"{"crv":"Ed25519","kty":"OKP","x":"\#(Base64URL.encode(key.rawRepresentation))"}"#
        return Base64URL.encode(Data(SHA256.hash(data: Data(json.utf8))))
    }
}

/// Signs and verifies access tokens: compact JWS, `EdDSA` over Ed25519, `typ` `at+jwt`.
///
/// Every check is explicit: the algorithm is fixed by the key, never taken from the header; an
/// unknown or missing `kid` fails (there is no default key); `crit` is refused; `iss`, `aud`,
/// `exp`, `nbf`, `iat`, lifetime and `typ` are checked with at most 60 s of leeway.
struct AccessTokenService: Sendable {
    static let issuer = "https://smartvl.vinhlong.gov.vn"
    static let audience = "smartvl-api"
    static let lifetime = 15 * 60
    static let leeway = 60
    static let maximumLength = 4096

    /// The key new tokens are signed with.
    let signingKey: SigningKey
    /// Every key whose tokens are still accepted, by kid (the signing key included).
    let verificationKeys: [String: Curve25519.Signing.PublicKey]
    /// Tokens whose signature and claims were already verified: a client sends the same token for
    /// up to 15 minutes, and the signature check is most of a small request's cost.
    let verified: VerifiedTokens

    init(signingKey: SigningKey, otherKeys: [SigningKey] = [], cacheCapacity: Int = 10_000) {
        self.signingKey = signingKey
        var keys: [String: Curve25519.Signing.PublicKey] = [signingKey.kid: signingKey.privateKey.publicKey]
        for key in otherKeys { keys[key.kid] = key.privateKey.publicKey }
        self.verificationKeys = keys
        self.verified = VerifiedTokens(capacity: cacheCapacity)
    }

    /// The published keys.
    var jwks: JWKSet {
        JWKSet(keys: verificationKeys.sorted { $0.key < $1.key }.map { JWKSet.Key(x: Base64URL.encode($0.value.rawRepresentation), kid: $0.key) })
    }

    /// Issues a token for a user.
    func issue(userID: UUID, role: Role, agency: String?, now: Date, jti: UUID) throws -> String {
        let iat = Int(now.timeIntervalSince1970)
        let claims = AccessClaims(
            iss: Self.issuer, aud: Self.audience, sub: userID.text, exp: iat + Self.lifetime, nbf: iat, iat: iat,
            jti: jti.text, role: role, agency: agency)
        return try sign(claims: claims, header: ["alg": "EdDSA", "typ": "at+jwt", "kid": signingKey.kid])
    }

    /// Signs arbitrary claims with arbitrary header members (tests forge tokens with it).
    func sign(claims: some Encodable, header: [String: String], key: SigningKey? = nil) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let head = Base64URL.encode(try encoder.encode(header))
        let body = Base64URL.encode(try encoder.encode(claims))
        let input = head + "." + body
        let signature = try (key ?? signingKey).privateKey.signature(for: Data(input.utf8))
        return input + "." + Base64URL.encode(signature)
    }

    /// Verifies a token and returns its claims. The signature of a token seen before is not checked
    /// again (the cache holds exact token strings only); the times are, on every call.
    func verify(_ token: String, now: Date) throws(TokenError) -> AccessClaims {
        guard token.utf8.count <= Self.maximumLength else { throw .tooLarge }
        let claims: AccessClaims
        if let known = verified[token] {
            claims = known
        } else {
            claims = try verifySignature(token)
            verified[token] = claims
        }
        try Self.checkTimes(claims, now: now)
        return claims
    }

    /// Everything that does not depend on the time: structure, header, signature, issuer, audience.
    private func verifySignature(_ token: String) throws(TokenError) -> AccessClaims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Base64URL.decode(parts[0]), let payloadData = Base64URL.decode(parts[1]),
            let signature = Base64URL.decode(parts[2])
        else { throw .malformed }
        guard let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any],
            !Self.hasDuplicateKeys(headerData)
        else { throw .malformed }
        guard header["alg"] as? String == "EdDSA" else { throw .unsupportedAlgorithm }
        guard header["typ"] as? String == "at+jwt" else { throw .wrongType }
        guard header["crit"] == nil else { throw .criticalHeader }
        guard let kid = header["kid"] as? String, kid.utf8.count <= 64, let key = verificationKeys[kid] else {
            throw .unknownKey
        }
        let signingInput = token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count)
        guard signature.count == 64, key.isValidSignature(signature, for: Data(signingInput)) else { throw .badSignature }
        guard !Self.hasDuplicateKeys(payloadData) else { throw .malformed }
        let claims: AccessClaims
        do { claims = try JSONDecoder().decode(AccessClaims.self, from: payloadData) } catch { throw .missingClaim }
        guard claims.iss == Self.issuer else { throw .wrongIssuer }
        guard claims.aud == Self.audience else { throw .wrongAudience }
        guard claims.exp - claims.iat <= Self.lifetime else { throw .lifetimeTooLong }
        guard UUID(text: claims.sub) != nil else { throw .missingClaim }
        return claims
    }

    private static func checkTimes(_ claims: AccessClaims, now: Date) throws(TokenError) {
        let t = Int(now.timeIntervalSince1970)
        guard claims.exp > t - Self.leeway else { throw .expired }
        guard claims.nbf <= t + Self.leeway else { throw .notYetValid }
        guard claims.iat <= t + Self.leeway else { throw .issuedInFuture }
    }

    /// Whether a JSON object repeats a key at its top level (CVE-2022-39227-style confusion).
    static func hasDuplicateKeys(_ data: Data) -> Bool {
        // Top-level keys only: walk the object, tracking string boundaries and nesting depth.
        var keys = Set<String>()
        var depth = 0
        var inString = false
        var escaped = false
        var current: [UInt8] = []
        var expectKey = false
        var readingKey = false
        for byte in data {
            if inString {
                if escaped { escaped = false; if readingKey { current.append(byte) }; continue }
                if byte == UInt8(ascii: "\\") { escaped = true; if readingKey { current.append(byte) }; continue }
                if byte == UInt8(ascii: "\"") {
                    inString = false
                    if readingKey {
                        readingKey = false
                        if !keys.insert(String(decoding: current, as: UTF8.self)).inserted { return true }
                    }
                    continue
                }
                if readingKey { current.append(byte) }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                if depth == 1 && expectKey {
                    readingKey = true
                    expectKey = false
                    current = []
                }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth == 1 { expectKey = true }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: ","):
                if depth == 1 { expectKey = true }
            default:
                break
            }
        }
        return false
    }
}

/// Verified tokens and their claims, bounded: when full, it starts again empty (a burst of new
/// tokens costs one signature check each, as without a cache).
final class VerifiedTokens: Sendable {
    private let entries = Mutex<[String: AccessClaims]>([:])
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    var count: Int { entries.withLock { $0.count } }

    subscript(token: String) -> AccessClaims? {
        get { entries.withLock { $0[token] } }
        set {
            guard capacity > 0 else { return }
            entries.withLock { entries in
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
                entries[token] = newValue
            }
        }
    }
}
