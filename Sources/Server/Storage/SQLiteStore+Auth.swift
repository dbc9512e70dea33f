import Crypto
import Domain
import Foundation
import GRDB

/// The outcome of asking for a one-time code.
enum OTPIssue: Equatable {
    case issued
    /// Too many codes for this phone in the last hour; try again after so many seconds.
    case rateLimited(retryAfter: Int)
}

/// The outcome of checking a one-time code.
enum OTPCheck: Equatable {
    case valid
    case wrong(remainingAttempts: Int)
    case expired
    case exhausted
    case none
}

/// The outcome of presenting a refresh token.
enum RefreshOutcome: Equatable {
    /// The token was current: it is now used and a new one of the family stands in its place.
    case rotated(userID: UUID, familyExpiresAt: Date)
    /// Unknown, revoked, or past the family's lifetime.
    case invalid
    /// An already-rotated token outside the retry window: the whole family is revoked.
    case reuseDetected
}

/// Sign-in state: one-time codes, staff credentials, refresh-token families.
protocol AuthRepository: Sendable {
    func issueOTP(phone: String, codeHash: String, now: Date, lifetime: TimeInterval, perHour: Int) async throws -> OTPIssue
    func checkOTP(phone: String, codeHash: String, now: Date, maxAttempts: Int) async throws -> OTPCheck
    func staffCredentials(username: String) async throws -> (UserAccount, passwordHash: String, lockedUntil: Date?)?
    func recordLogin(userID: UUID, succeeded: Bool, now: Date, lockAfter: Int, lockFor: TimeInterval) async throws
    func storeRefreshToken(id: UUID, family: UUID, userID: UUID, hash: String, generation: Int, now: Date, familyExpiresAt: Date) async throws
    func rotateRefreshToken(hash: String, newID: UUID, newHash: String, now: Date, retryWindow: TimeInterval) async throws -> RefreshOutcome
    func revokeRefreshFamily(tokenHash: String, userID: UUID, now: Date) async throws
    func setTokensValidAfter(userID: UUID, _ instant: Date) async throws
    func setDisabled(userID: UUID, _ disabled: Bool, now: Date) async throws
}

/// Compares two equal-length strings without an early exit.
func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var difference: UInt8 = 0
    for index in x.indices { difference |= x[index] ^ y[index] }
    return difference == 0
}

extension SQLiteStore: AuthRepository {
    func issueOTP(phone: String, codeHash: String, now: Date, lifetime: TimeInterval, perHour: Int) async throws -> OTPIssue {
        try await database.write { db in
            let recent = try Double.fetchAll(try db.cachedStatement(sql: "SELECT created_at FROM otp_codes WHERE phone = ? AND created_at > ? ORDER BY created_at"),
                arguments: [phone, now.stored - 3600])
            if recent.count >= perHour, let oldest = recent.first {
                return .rateLimited(retryAfter: max(1, Int((oldest + 3600 - now.stored).rounded(.up))))
            }
            // A new code replaces the previous ones.
            try db.run("UPDATE otp_codes SET consumed_at = ? WHERE phone = ? AND consumed_at IS NULL", [now.stored, phone])
            try db.run("INSERT INTO otp_codes (phone, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?)", [phone, codeHash, now.stored, now.stored + lifetime])
            return .issued
        }
    }

    func checkOTP(phone: String, codeHash: String, now: Date, maxAttempts: Int) async throws -> OTPCheck {
        try await database.write { db in
            guard let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM otp_codes WHERE phone = ? AND consumed_at IS NULL ORDER BY id DESC LIMIT 1"),
                arguments: [phone])
            else { return .none }
            let id: Int64 = row["id"]
            let attempts: Int = row["attempts"]
            if attempts >= maxAttempts { return .exhausted }
            if row.time("expires_at")! <= now { return .expired }
            if constantTimeEquals(row["code_hash"], codeHash) {
                try db.run("UPDATE otp_codes SET consumed_at = ? WHERE id = ?", [now.stored, id])
                return .valid
            }
            try db.run("UPDATE otp_codes SET attempts = attempts + 1 WHERE id = ?", [id])
            return attempts + 1 >= maxAttempts ? .exhausted : .wrong(remainingAttempts: maxAttempts - attempts - 1)
        }
    }

    func staffCredentials(username: String) async throws -> (UserAccount, passwordHash: String, lockedUntil: Date?)? {
        try await database.reader.read { db in
            guard let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM users WHERE username = ? AND role <> 'citizen'"), arguments: [username])
            else { return nil }
            return (Self.account(row), row["password_hash"], row.time("locked_until"))
        }
    }

    func recordLogin(userID: UUID, succeeded: Bool, now: Date, lockAfter: Int, lockFor: TimeInterval) async throws {
        try await database.write { db in
            if succeeded {
                try db.run("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?", [userID.text])
            } else {
                try db.run("""
                        UPDATE users SET failed_logins = failed_logins + 1,
                            locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END
                        WHERE id = ?
                        """, [lockAfter, now.stored + lockFor, userID.text])
            }
        }
    }

    func storeRefreshToken(
        id: UUID, family: UUID, userID: UUID, hash: String, generation: Int, now: Date, familyExpiresAt: Date
    ) async throws {
        try await database.write { db in
            try db.run("""
                    INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, generation, issued_at, family_expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, [id.text, family.text, userID.text, hash, generation, now.stored, familyExpiresAt.stored])
        }
    }

    func rotateRefreshToken(
        hash: String, newID: UUID, newHash: String, now: Date, retryWindow: TimeInterval
    ) async throws -> RefreshOutcome {
        try await database.write { db in
            guard let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM refresh_tokens WHERE token_hash = ?"), arguments: [hash]) else {
                return .invalid
            }
            let family: String = row["family_id"]
            let generation: Int = row["generation"]
            let userID = row.uuid("user_id")!
            let familyExpires = row.time("family_expires_at")!
            if row.time("revoked_at") != nil || familyExpires <= now { return .invalid }
            let account = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM users WHERE id = ?"), arguments: [userID.text]).map(Self.account)
            guard let account, !account.disabled else { return .invalid }
            if let usedAt = row.time("used_at") {
                // Already rotated. An immediate retry (the reply was lost) of the previous token,
                // while its successor is still unused, gets a fresh successor; anything else is theft.
                let successor = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM refresh_tokens WHERE family_id = ? AND generation = ?"),
                    arguments: [family, generation + 1])
                let successorUnused = successor.map { $0.time("used_at") == nil && $0.time("revoked_at") == nil } ?? false
                if now.timeIntervalSince(usedAt) <= retryWindow, successorUnused, let successor {
                    // The unused successor whose reply was lost is replaced by a fresh one.
                    try db.run("DELETE FROM refresh_tokens WHERE id = ?", [successor["id"] as String])
                    try db.run("""
                            INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, generation, issued_at, family_expires_at)
                            VALUES (?, ?, ?, ?, ?, ?, ?)
                            """, [newID.text, family, userID.text, newHash, generation + 1, now.stored, familyExpires.stored])
                    return .rotated(userID: userID, familyExpiresAt: familyExpires)
                }
                try db.run("UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL", [now.stored, family])
                return .reuseDetected
            }
            try db.run("UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ?", [now.stored, hash])
            try db.run("""
                    INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, generation, issued_at, family_expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, [newID.text, family, userID.text, newHash, generation + 1, now.stored, familyExpires.stored])
            return .rotated(userID: userID, familyExpiresAt: familyExpires)
        }
    }

    func revokeRefreshFamily(tokenHash: String, userID: UUID, now: Date) async throws {
        try await database.write { db in
            try db.run("""
                    UPDATE refresh_tokens SET revoked_at = ?
                    WHERE revoked_at IS NULL AND user_id = ?
                      AND family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = ?)
                    """, [now.stored, userID.text, tokenHash])
        }
    }

    func setTokensValidAfter(userID: UUID, _ instant: Date) async throws {
        database.accounts.drop(userID)
        defer { database.accounts.drop(userID) }
        try await database.write { db in
            try db.run("UPDATE users SET tokens_valid_after = ? WHERE id = ?", [instant.stored, userID.text])
            try db.run("UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", [instant.stored, userID.text])
        }
    }

    func setDisabled(userID: UUID, _ disabled: Bool, now: Date) async throws {
        database.accounts.drop(userID)
        defer { database.accounts.drop(userID) }
        try await database.write { db in
            try db.run("UPDATE users SET disabled = ? WHERE id = ?", [disabled, userID.text])
        }
        if disabled { try await setTokensValidAfter(userID: userID, now) }
    }
}
