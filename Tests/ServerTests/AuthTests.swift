import Crypto
import Domain
import Foundation
import GRDB
import HTTPTypes
import Testing
@testable import Server

@Suite struct OneTimeCodeTests {
    @Test func aCitizenSignsInWithPhoneAndCode() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let pair = try await api.citizen("+84 912 345 678")
            #expect(pair.user.role == .citizen)
            #expect(pair.user.phoneMasked == "091****678")
            #expect(pair.expiresIn == 900)
            #expect(pair.refreshExpiresIn == 30 * 86400)
            let me = try await api.call(Endpoints.me, token: pair.accessToken)
            #expect(me.value == pair.user)
            #expect(me.headers[.cacheControl] == "no-store")
            // The same phone signs in to the same account.
            #expect(try await api.citizen("0912345678").user.id == pair.user.id)
        }
        // Codes are stored hashed, never in clear.
        let hashes = try await fixture.store.database.reader.read { db in try String.fetchAll(db, sql: "SELECT code_hash FROM otp_codes") }
        #expect(hashes.count == 2)
        #expect(hashes.allSatisfy { $0.count == 64 })
    }

    @Test func aCodeDiesAfterFiveWrongTriesAndFiveMinutes() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            _ = try await api.call(Endpoints.requestOTP, OTPRequest(phone: "0912345678"))
            let code = try #require(api.sender.lastCode(for: "0912345678"))
            let wrong = code == "000000" ? "111111" : "000000"
            for remaining in (1...4).reversed() {
                let answer = try await api.call(Endpoints.verifyOTP, OTPVerify(phone: "0912345678", code: wrong))
                #expect(answer.status == .unauthorized)
                #expect(answer.problem?.code == "otp.wrong")
                #expect(answer.problem?.detail.contains("còn \(remaining) lần") == true)
            }
            #expect(try await api.call(Endpoints.verifyOTP, OTPVerify(phone: "0912345678", code: wrong)).problem?.code == "otp.exhausted")
            // Even the right code is refused now.
            #expect(try await api.call(Endpoints.verifyOTP, OTPVerify(phone: "0912345678", code: code)).problem?.code == "otp.exhausted")

            _ = try await api.call(Endpoints.requestOTP, OTPRequest(phone: "0912345678"))
            let fresh = try #require(api.sender.lastCode(for: "0912345678"))
            api.clock.advance(by: 301)
            #expect(try await api.call(Endpoints.verifyOTP, OTPVerify(phone: "0912345678", code: fresh)).problem?.code == "otp.expired")
        }
    }

    @Test func atMostFiveCodesPerPhonePerHour() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            for _ in 0..<5 {
                #expect(try await api.call(Endpoints.requestOTP, OTPRequest(phone: "0987654321")).status == .accepted)
                api.clock.advance(by: 60)
            }
            let refused = try await api.call(Endpoints.requestOTP, OTPRequest(phone: "0987654321"))
            #expect(refused.status == .tooManyRequests)
            #expect(refused.problem?.code == "rate_limited")
            #expect(refused.headers[.retryAfter] == String(3600 - 300))
            // Another phone is not affected; the first one is again after the hour.
            #expect(try await api.call(Endpoints.requestOTP, OTPRequest(phone: "0912345678")).status == .accepted)
            api.clock.advance(by: 3600 - 300 + 1)
            #expect(try await api.call(Endpoints.requestOTP, OTPRequest(phone: "0987654321")).status == .accepted)
        }
    }

    @Test func aBadPhoneIsRefusedAndNothingIsSent() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let answer = try await api.call(Endpoints.requestOTP, OTPRequest(phone: "0212345678"))
            #expect(answer.status == .unprocessableContent)
            #expect(answer.problem?.code == "phone.invalid")
            #expect(answer.problem?.field == "phone")
            #expect(api.sender.lastCode(for: "0212345678") == nil)
        }
    }

    @Test func theDevelopmentOutboxGetsOneLinePerCode() async throws {
        let folder = StoreFixture.temporaryFolder()
        let sender = OutboxFileSender(dataDirectory: folder)
        try await sender.send(code: "123456", to: try PhoneNumber("+84912345678"))
        try await sender.send(code: "654321", to: try PhoneNumber("0987654321"))
        let text = try String(contentsOf: folder.appendingPathComponent("sms-outbox.log"), encoding: .utf8)
        #expect(text == "0912345678 123456\n0987654321 654321\n")
    }
}

@Suite struct PasswordLoginTests {
    @Test func staffSignInAndAreLockedOutAfterRepeatedFailures() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let pair = try await api.staff("cb.xaydung")
            #expect(pair.user.role == .official)
            #expect(pair.user.agency == "SXD")
            for _ in 0..<5 {
                let answer = try await api.call(Endpoints.passwordLogin, PasswordLogin(username: "cb.xaydung", password: "sai-mat-khau"))
                #expect(answer.problem?.code == "auth.invalid_credentials")
            }
            let locked = try await api.call(Endpoints.passwordLogin, PasswordLogin(username: "cb.xaydung", password: APIFixture.password))
            #expect(locked.status == .tooManyRequests)
            #expect(locked.problem?.code == "auth.locked")
            #expect(locked.headers[.retryAfter] == "900")
            api.clock.advance(by: 901)
            #expect(try await api.call(Endpoints.passwordLogin, PasswordLogin(username: "cb.xaydung", password: APIFixture.password)).status == .ok)
            // Unknown usernames get the same answer as wrong passwords.
            let unknown = try await api.call(Endpoints.passwordLogin, PasswordLogin(username: "khong.co", password: "x"), language: "en")
            #expect(unknown.problem?.code == "auth.invalid_credentials")
            #expect(unknown.problem?.detail == "Wrong username or password.")
        }
    }
}

@Suite struct RefreshTokenTests {
    @Test func refreshRotatesAndReuseRevokesTheFamily() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let first = try await api.citizen("0912345678")
            let r1 = first.refreshToken
            let second = try #require(try await api.call(Endpoints.refresh, RefreshRequest(refreshToken: r1)).value)
            let r2 = second.refreshToken
            #expect(r2 != r1)
            api.clock.advance(by: 60)
            let third = try #require(try await api.call(Endpoints.refresh, RefreshRequest(refreshToken: r2)).value)
            // R1 again, long after it was rotated: theft; the whole family dies, R3 included.
            let reuse = try await api.call(Endpoints.refresh, RefreshRequest(refreshToken: r1))
            #expect(reuse.problem?.code == "refresh.reused")
            #expect(try await api.call(Endpoints.refresh, RefreshRequest(refreshToken: third.refreshToken)).problem?.code == "refresh.invalid")
        }
    }

    @Test func anImmediateRetryOfThePreviousTokenIsForgiven() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let r1 = try await api.citizen("0912345678").refreshToken
            let lost = try #require(try await api.call(Endpoints.refresh, RefreshRequest(refreshToken: r1)).value)
            api.clock.advance(by: 10)
            // The phone never saw `lost`; it retries with R1 within 30 s.
            let retried = try #require(try await api.call(Endpoints.refresh, RefreshRequest(refreshToken: r1)).value)
            #expect(retried.refreshToken != lost.refreshToken)
            #expect(try await api.call(Endpoints.refresh, RefreshRequest(refreshToken: lost.refreshToken)).status == .unauthorized)
            #expect(try await api.call(Endpoints.refresh, RefreshRequest(refreshToken: retried.refreshToken)).status == .ok)
            // Past the window the same retry is reuse.
            api.clock.advance(by: 31)
            #expect(try await api.call(Endpoints.refresh, RefreshRequest(refreshToken: r1)).problem?.code == "refresh.reused")
        }
    }

    @Test func sessionsEndAfterThirtyDays() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            var token = try await api.citizen("0912345678").refreshToken
            for _ in 0..<29 {
                api.clock.advance(by: 86400)
                token = try #require(try await api.call(Endpoints.refresh, RefreshRequest(refreshToken: token)).value).refreshToken
            }
            api.clock.advance(by: 86400)
            #expect(try await api.call(Endpoints.refresh, RefreshRequest(refreshToken: token)).problem?.code == "refresh.invalid")
        }
    }

    @Test func logoutEverywhereAndDisablingEndSessionsAtOnce() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let pair = try await api.citizen("0912345678")
            api.clock.advance(by: 5)
            #expect(try await api.call(Endpoints.logout, LogoutRequest(everywhere: true), token: pair.accessToken).status == .noContent)
            #expect(try await api.call(Endpoints.me, token: pair.accessToken).status == .unauthorized)
            #expect(try await api.call(Endpoints.refresh, RefreshRequest(refreshToken: pair.refreshToken)).status == .unauthorized)
            api.clock.advance(by: 5)
            let again = try await api.citizen("0912345678")
            #expect(try await api.call(Endpoints.me, token: again.accessToken).status == .ok)
            try await fixture.store.setDisabled(userID: again.user.id, true, now: api.clock.now)
            #expect(try await api.call(Endpoints.me, token: again.accessToken).status == .unauthorized)
            // Logging out one session revokes its refresh family only.
            let staff = try await api.staff("cb.yte")
            let other = try await api.staff("cb.yte")
            _ = try await api.call(Endpoints.logout, LogoutRequest(refreshToken: staff.refreshToken), token: staff.accessToken)
            #expect(try await api.call(Endpoints.refresh, RefreshRequest(refreshToken: staff.refreshToken)).status == .unauthorized)
            #expect(try await api.call(Endpoints.refresh, RefreshRequest(refreshToken: other.refreshToken)).status == .ok)
        }
    }
}

@Suite struct AccessTokenTests {
    struct Claims: Encodable {
        var iss = AccessTokenService.issuer
        var aud = AccessTokenService.audience
        var sub: String
        var exp: Int
        var nbf: Int
        var iat: Int
        var jti = UUID().uuidString
        var role = "citizen"
        var agency: String? = nil
    }

    /// Signs in a citizen and returns a way to forge tokens for them.
    func withCitizen(_ body: @escaping @Sendable (TestAPI, APIFixture, UUID) async throws -> Void) async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let pair = try await api.citizen("0912345678")
            try await body(api, fixture, pair.user.id)
        }
    }

    func status(_ api: TestAPI, _ token: String) async throws -> HTTPResponse.Status {
        try await api.call(Endpoints.me, token: token).status
    }

    @Test func expiryAndNotBeforeHaveSixtySecondsOfLeeway() async throws {
        try await withCitizen { api, fixture, user in
            let t = Int(api.clock.now.timeIntervalSince1970)
            let header = ["alg": "EdDSA", "typ": "at+jwt", "kid": fixture.tokens.signingKey.kid]
            func token(exp: Int, nbf: Int, iat: Int) throws -> String {
                try fixture.tokens.sign(claims: Claims(sub: user.uuidString, exp: exp, nbf: nbf, iat: iat), header: header)
            }
            let token1 = try token(exp: t - 59, nbf: t - 600, iat: t - 600)
            #expect(try await status(api, token1) == .ok)
            let token2 = try token(exp: t - 61, nbf: t - 600, iat: t - 600)
            #expect(try await status(api, token2) == .unauthorized)
            let token3 = try token(exp: t + 600, nbf: t + 61, iat: t)
            #expect(try await status(api, token3) == .unauthorized)
            let token4 = try token(exp: t + 900, nbf: t + 59, iat: t)
            #expect(try await status(api, token4) == .ok)
            let token5 = try token(exp: t + 1000, nbf: t, iat: t + 100)
            #expect(try await status(api, token5) == .unauthorized)  // issued in the future
            let token6 = try token(exp: t + 3600, nbf: t, iat: t)
            #expect(try await status(api, token6) == .unauthorized)  // lifetime over 15 minutes
        }
    }

    @Test func aRealTokenExpiresWhenTheClockMoves() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let pair = try await api.citizen("0912345678")
            api.clock.advance(by: 900 + 59)
            #expect(try await api.call(Endpoints.me, token: pair.accessToken).status == .ok)
            api.clock.advance(by: 2)
            let answer = try await api.call(Endpoints.me, token: pair.accessToken)
            #expect(answer.status == .unauthorized)
            #expect(answer.headers[.wwwAuthenticate] == "Bearer")
        }
    }

    @Test func forgedTokensAreRefused() async throws {
        try await withCitizen { api, fixture, user in
            let t = Int(api.clock.now.timeIntervalSince1970)
            let claims = Claims(sub: user.uuidString, exp: t + 600, nbf: t, iat: t)
            let kid = fixture.tokens.signingKey.kid
            let good = try fixture.tokens.sign(claims: claims, header: ["alg": "EdDSA", "typ": "at+jwt", "kid": kid])
            #expect(try await status(api, good) == .ok)
            let parts = good.split(separator: ".").map(String.init)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            func segment(_ object: [String: String]) throws -> String { Base64URL.encode(try encoder.encode(object)) }

            var forged: [String: String] = [:]
            for alg in ["none", "None", "nOnE"] {
                forged["alg \(alg)"] = try segment(["alg": alg, "typ": "at+jwt", "kid": kid]) + "." + parts[1] + "."
            }
            // HS256 keyed with our public key (CVE-2015-9235).
            let hsHeader = try segment(["alg": "HS256", "typ": "at+jwt", "kid": kid])
            let publicKey = SymmetricKey(data: fixture.tokens.signingKey.privateKey.publicKey.rawRepresentation)
            let mac = HMAC<SHA256>.authenticationCode(for: Data((hsHeader + "." + parts[1]).utf8), using: publicKey)
            forged["hs256 with public key"] = hsHeader + "." + parts[1] + "." + Base64URL.encode(Data(mac))
            // Signed by another key under our kid, under a random kid, without kid, with hostile kids.
            let attacker = SigningKey(privateKey: .init(), createdAt: api.clock.now)
            forged["attacker key, our kid"] = try fixture.tokens.sign(claims: claims, header: ["alg": "EdDSA", "typ": "at+jwt", "kid": kid], key: attacker)
            forged["attacker key, own kid"] = try fixture.tokens.sign(claims: claims, header: ["alg": "EdDSA", "typ": "at+jwt", "kid": attacker.kid], key: attacker)
            forged["no kid"] = try fixture.tokens.sign(claims: claims, header: ["alg": "EdDSA", "typ": "at+jwt"])
            for hostile in ["../../dev/null", "' OR 1=1 --", String(repeating: "k", count: 10_000)] {
                forged["kid \(hostile.prefix(12))"] = try fixture.tokens.sign(claims: claims, header: ["alg": "EdDSA", "typ": "at+jwt", "kid": hostile])
            }
            forged["jwk header"] = try fixture.tokens.sign(claims: claims, header: ["alg": "EdDSA", "typ": "at+jwt", "kid": kid, "crit": "exp"])
            forged["wrong typ"] = try fixture.tokens.sign(claims: claims, header: ["alg": "EdDSA", "typ": "JWT", "kid": kid])
            forged["refresh typ"] = try fixture.tokens.sign(claims: claims, header: ["alg": "EdDSA", "typ": "rt+jwt", "kid": kid])
            var wrongAudience = claims
            wrongAudience.aud = "another-api"
            forged["wrong aud"] = try fixture.tokens.sign(claims: wrongAudience, header: ["alg": "EdDSA", "typ": "at+jwt", "kid": kid])
            var wrongIssuer = claims
            wrongIssuer.iss = "https://evil.example"
            forged["wrong iss"] = try fixture.tokens.sign(claims: wrongIssuer, header: ["alg": "EdDSA", "typ": "at+jwt", "kid": kid])
            var otherRole = claims
            otherRole.role = "admin"
            forged["role not the account's"] = try fixture.tokens.sign(claims: otherRole, header: ["alg": "EdDSA", "typ": "at+jwt", "kid": kid])
            forged["signature stripped"] = parts[0] + "." + parts[1] + "."
            forged["signature truncated"] = parts[0] + "." + parts[1] + "." + String(parts[2].dropLast(2))
            var flipped = Array(parts[1])
            flipped[5] = flipped[5] == "A" ? "B" : "A"
            forged["payload tampered"] = parts[0] + "." + String(flipped) + "." + parts[2]
            forged["five parts (JWE)"] = good + ".x.y"
            forged["huge"] = good + String(repeating: "A", count: 5000)
            forged["duplicate sub"] = parts[0] + "." + Base64URL.encode(Data(#"{"aud":"smartvl-api","exp":\#(t + 600),"iat":\#(t),"iss":"\#(AccessTokenService.issuer)","jti":"x","nbf":\#(t),"role":"citizen","sub":"\#(user.uuidString)","sub":"\#(UUID().uuidString)"}"#.utf8)) + "." + parts[2]
            for (name, token) in forged {
                #expect(try await status(api, token) == .unauthorized, "\(name)")
            }
        }
    }

    @Test func rotatedKeysKeepOldTokensValidAndJWKSPublishesThem() async throws {
        let folder = StoreFixture.temporaryFolder()
        let keys = KeyStore(dataDirectory: folder)
        let now = Date(timeIntervalSince1970: 1_796_000_000)
        let before = try keys.loadOrCreate(now: now)
        let mode = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("keys.json").path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let old = try before.issue(userID: UUID(), role: .citizen, agency: nil, now: now, jti: UUID())
        let newKid = try keys.rotate(now: now.addingTimeInterval(60))
        let after = try keys.load()
        #expect(after.signingKey.kid == newKid)
        #expect(after.jwks.keys.count == 2)
        #expect(try after.verify(old, now: now.addingTimeInterval(120)).role == .citizen)
        // A later rotation drops the key whose tokens can no longer be valid.
        try keys.rotate(now: now.addingTimeInterval(7200))
        let later = try keys.load()
        #expect(Set(later.jwks.keys.map(\.kid)).contains(newKid))
        #expect(!Set(later.jwks.keys.map(\.kid)).contains(before.signingKey.kid))
        #expect(throws: TokenError.unknownKey) { try later.verify(old, now: now.addingTimeInterval(120)) }
        // The kid is the RFC 7638 thumbprint of the published key.
        for key in later.jwks.keys {
            let json = #"{"crv":"Ed25519","kty":"OKP","x":"\#(key.x)"}"#
            #expect(key.kid == Base64URL.encode(Data(SHA256.hash(data: Data(json.utf8)))))
        }
    }

    @Test func theVerifiedTokenCacheStaysBoundedAndStillChecksTimes() throws {
        let now = Date(timeIntervalSince1970: 1_796_000_000)
        let service = AccessTokenService(signingKey: SigningKey(privateKey: .init(), createdAt: now), cacheCapacity: 3)
        let tokens = try (0..<5).map { _ in try service.issue(userID: UUID(), role: .citizen, agency: nil, now: now, jti: UUID()) }
        for token in tokens { #expect(try service.verify(token, now: now).role == .citizen) }
        #expect(service.verified.count <= 3)
        // Cached or not, a token is refused once it expired, and a changed signature is a new token.
        #expect(throws: TokenError.expired) { try service.verify(tokens[4], now: now.addingTimeInterval(900 + 61)) }
        let parts = tokens[4].split(separator: ".").map(String.init)
        var signature = Array(parts[2])
        signature[10] = signature[10] == "A" ? "B" : "A"
        #expect(throws: TokenError.badSignature) { try service.verify(parts[0] + "." + parts[1] + "." + String(signature), now: now) }
    }

    @Test func base64URLRoundTripsAndRefusesOtherSpellings() throws {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = Data((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let standard = bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            #expect(Base64URL.encode(bytes) == standard.replacingOccurrences(of: "=", with: ""))
            #expect(Base64URL.decode(Substring(Base64URL.encode(bytes))) == bytes)
        }
        #expect(Base64URL.decode("AQ") == Data([1]))
        #expect(Base64URL.decode("AR") == nil, "unused low bits set: a second spelling of the same byte")
        #expect(Base64URL.decode("AQ==") == nil, "padding")
        #expect(Base64URL.decode("A+/_") == nil, "the standard alphabet")
        #expect(Base64URL.decode("AQID A") == nil)
        #expect(Base64URL.decode("AAAAA") == nil, "a length no encoding has")
    }

    @Test func aKeyFileReadableByOthersIsAStartupError() throws {
        let folder = StoreFixture.temporaryFolder()
        let keys = KeyStore(dataDirectory: folder)
        _ = try keys.loadOrCreate(now: Date())
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: folder.appendingPathComponent("keys.json").path)
        #expect(throws: StartupError.self) { try keys.load() }
    }
}

/// The accounts kept for authenticating requests without a read.
@Suite struct AccountCacheTests {
    final class Clock: @unchecked Sendable {
        var now = Duration.zero
    }

    func account(_ id: UUID, disabled: Bool = false) -> UserAccount {
        UserAccount(id: id, role: .citizen, phone: nil, username: nil, agencyCode: nil, disabled: disabled, tokensValidAfter: nil)
    }

    /// Kept for `lifetime` (a change by another process is seen by then), dropped at once by a
    /// write through this process, and a read that started before a drop is not kept.
    @Test func keptForALifetimeDroppedByWritesNeverStale() {
        let clock = Clock()
        let cache = AccountCache(now: { clock.now })
        let id = UUID()
        #expect(cache.account(id) == nil)
        cache.keep(account(id), readSince: cache.startRead())
        #expect(cache.account(id) == account(id))
        clock.now += AccountCache.lifetime - .milliseconds(1)
        #expect(cache.account(id) != nil)
        clock.now += .milliseconds(1)
        #expect(cache.account(id) == nil, "read a lifetime ago: read again")

        cache.keep(account(id), readSince: cache.startRead())
        cache.drop(id)
        #expect(cache.account(id) == nil, "dropped by a write")

        // A read of the old state races a write that disables the account.
        let read = cache.startRead()
        cache.drop(id)
        cache.keep(account(id), readSince: read)
        #expect(cache.account(id) == nil, "a read from before the drop is not kept")
        cache.keep(account(id, disabled: true), readSince: cache.startRead())
        #expect(cache.account(id)?.disabled == true)
    }

    /// Past its capacity the cache starts over rather than growing.
    @Test func bounded() {
        let cache = AccountCache(now: { .zero })
        let ids = (0...AccountCache.capacity).map { _ in UUID() }
        for id in ids { cache.keep(account(id), readSince: cache.startRead()) }
        #expect(cache.account(ids[0]) == nil)
        #expect(cache.account(ids[AccountCache.capacity]) != nil)
    }
}
