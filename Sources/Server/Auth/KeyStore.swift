import Crypto
import Foundation

/// The signing keys on disk: `keys.json` in the data folder, mode 0600, created on first start.
///
/// The newest key signs; every key in the file verifies, so rotating (adding a key) logs nobody
/// out. A key older than `retireAfter` past the next key's creation is dropped from the file when
/// the keys are next rotated, once no token it signed can still be valid.
struct KeyStore {
    struct StoredKey: Codable {
        var kid: String
        var privateKey: String
        var createdAt: Date

        enum CodingKeys: String, CodingKey { case kid, privateKey = "private_key", createdAt = "created_at" }
    }

    struct File: Codable {
        var keys: [StoredKey]
    }

    let url: URL

    init(dataDirectory: URL) {
        url = dataDirectory.appendingPathComponent("keys.json")
    }

    /// Loads the keys, creating the first one when the file does not exist.
    func loadOrCreate(now: Date) throws -> AccessTokenService {
        if !FileManager.default.fileExists(atPath: url.path) {
            try write(File(keys: [stored(SigningKey(privateKey: .init(), createdAt: now))]))
        }
        return try load()
    }

    /// Loads existing keys; a missing or unreadable file is a start-up error, never a default key.
    func load() throws -> AccessTokenService {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw StartupError(description: "\(url.path) is readable by others (mode \(String(mode, radix: 8))); run chmod 600")
        }
        let file = try decoder.decode(File.self, from: Data(contentsOf: url))
        let keys = try file.keys.map { stored -> SigningKey in
            guard let raw = Data(base64Encoded: stored.privateKey) else {
                throw StartupError(description: "\(url.path): key \(stored.kid) is not base64")
            }
            let key = SigningKey(privateKey: try .init(rawRepresentation: raw), createdAt: stored.createdAt)
            guard key.kid == stored.kid else { throw StartupError(description: "\(url.path): key id \(stored.kid) does not match its key") }
            return key
        }
        guard let newest = keys.max(by: { $0.createdAt < $1.createdAt }) else {
            throw StartupError(description: "\(url.path) holds no key")
        }
        return AccessTokenService(signingKey: newest, otherKeys: keys.filter { $0.kid != newest.kid })
    }

    /// Adds a new signing key; drops keys retired long enough that no token they signed is valid.
    @discardableResult
    func rotate(now: Date) throws -> String {
        var file = try decoder.decode(File.self, from: Data(contentsOf: url))
        let newKey = SigningKey(privateKey: .init(), createdAt: now)
        let horizon = now.addingTimeInterval(-Double(AccessTokenService.lifetime + AccessTokenService.leeway) - 3600)
        let sorted = file.keys.sorted { $0.createdAt < $1.createdAt }
        // A key stops signing when the next one is created; keep it until its tokens have expired.
        file.keys = sorted.enumerated().filter { index, _ in
            index == sorted.count - 1 || sorted[index + 1].createdAt > horizon
        }.map(\.element)
        file.keys.append(stored(newKey))
        try write(file)
        return newKey.kid
    }

    private func stored(_ key: SigningKey) -> StoredKey {
        StoredKey(kid: key.kid, privateKey: key.privateKey.rawRepresentation.base64EncodedString(), createdAt: key.createdAt)
    }

    private func write(_ file: File) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(file)
        let temporary = url.appendingPathExtension("tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw StartupError(description: "cannot create \(temporary.path)")
        }
        let handle = try FileHandle(forWritingTo: temporary)
        try handle.write(contentsOf: data)
        try handle.synchronize()
        try handle.close()
        guard rename(temporary.path, url.path) == 0 else {
            throw StartupError(description: "cannot write \(url.path): errno \(errno)")
        }
    }

    private var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
