import Domain
import Foundation

/// One account on this machine: its folder under the XDG data folder holds the local store and
/// the session (tokens), the latter readable by the user only.
struct Profile: Sendable {
    /// The profile's name (`default` unless `--profile` or `SMARTVL_PROFILE` says otherwise).
    let name: String
    /// `$XDG_DATA_HOME/smartvl/profiles/NAME` (or `~/.local/share/smartvl/profiles/NAME`).
    let folder: URL

    /// The profile called `name`, after checking the name is safe as a folder name.
    init(name: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(CLIError) {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
        guard !name.isEmpty, name.count <= 64, !name.hasPrefix("."), name.unicodeScalars.allSatisfy({ allowed.contains($0) && $0.isASCII }) else {
            throw .usage(Message(
                vi: "Tên hồ sơ “\(name)” không hợp lệ: chỉ dùng chữ, số, “-”, “_” hoặc “.”.",
                en: "Invalid profile name “\(name)”: use letters, digits, “-”, “_” or “.”."))
        }
        self.name = name
        let base: URL
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") {
            base = URL(fileURLWithPath: xdg, isDirectory: true)
        } else {
            let home = environment["HOME"] ?? NSHomeDirectory()
            base = URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent(".local/share", isDirectory: true)
        }
        folder = base.appendingPathComponent("smartvl/profiles/\(name)", isDirectory: true)
    }

    var storePath: String { folder.appendingPathComponent("store.sqlite").path }
    var sessionURL: URL { folder.appendingPathComponent("session.json") }

    /// Creates the folder (0700) if needed.
    func prepare() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// The saved session, if any.
    func loadSession() throws -> Session? {
        guard let data = try? Data(contentsOf: sessionURL) else { return nil }
        return try WireCoding.decoder().decode(Session.self, from: data)
    }

    /// Saves the session in a file only the user can read, replacing the old one atomically.
    func save(_ session: Session) throws {
        try prepare()
        let data = try WireCoding.encoder().encode(session)
        let temporary = folder.appendingPathComponent(".session.json.\(getpid())")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CLIError.unexpected("cannot write \(temporary.path)")
        }
        guard rename(temporary.path, sessionURL.path) == 0 else {
            throw CLIError.unexpected("cannot replace \(sessionURL.path)")
        }
    }

    /// Forgets the tokens, keeping the server address and the store.
    func clearTokens() throws {
        guard var session = try loadSession() else { return }
        session.accessToken = nil
        session.refreshToken = nil
        try save(session)
    }
}

/// What a profile remembers between runs.
struct Session: Codable, Sendable {
    /// The server this profile talks to.
    var server: String
    /// The signed-in user, as the server described them at sign-in.
    var user: UserView?
    var accessToken: String?
    var accessExpiresAt: Date?
    var refreshToken: String?
    /// When the last sync finished completely.
    var lastSyncAt: Date?
    /// Whether the last complete pull ended with the local digest equal to the server's.
    var converged: Bool?

    enum CodingKeys: String, CodingKey { case server, user, accessToken = "access_token", accessExpiresAt = "access_expires_at", refreshToken = "refresh_token", lastSyncAt = "last_sync_at", converged }
}
