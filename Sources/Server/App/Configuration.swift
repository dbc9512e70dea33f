import Domain
import Foundation
import Crypto
import Logging
import Prometheus

/// Where the server listens and keeps its data.
struct ServerConfiguration: Sendable {
    /// The address to bind.
    var host: String = "127.0.0.1"
    /// The port to bind; 0 picks a free one (tests).
    var port: Int = 8080
    /// The data folder: database, keys, outbox.
    var dataDirectory: URL = URL(fileURLWithPath: "smartvl-data", isDirectory: true)

    /// The database file inside the data folder.
    var databasePath: String { dataDirectory.appendingPathComponent("smartvl.sqlite").path }
}

/// Everything the application needs from outside, passed in so tests can pass their own.
struct ServerDependencies: Sendable {
    /// The store behind every repository.
    var store: SQLiteStore
    /// The clock.
    var now: DateGenerator
    /// New ids.
    var ids: IDGenerator
    /// The logger.
    var logger: Logger
    /// The reference data at start-up.
    var catalog: ReferenceCatalog
    /// Access-token keys.
    var tokens: AccessTokenService
    /// Where one-time codes go.
    var codeSender: any OneTimeCodeSender
    /// The key one-time codes are hashed with.
    var otpPepper: SymmetricKey
    /// Randomness for codes and tokens.
    var random: RandomSource = .live
    /// Sign-in limits.
    var authPolicy = AuthPolicy()
    /// Where metrics are collected.
    var metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    /// The secret provider callbacks are signed with.
    var callbackKey: SymmetricKey = SymmetricKey(size: .bits256)
    /// Runs the sandbox provider's delayed callbacks.
    var scheduler: Scheduler = .live
    /// Where VietQR transfers go.
    var paymentSettings = PaymentSettings()

    /// Payments over this store, clock and secret.
    var payments: PaymentService {
        let signature = CallbackSignature(key: callbackKey)
        return PaymentService(
            store: store, signature: signature, provider: SandboxProvider(signature: signature, scheduler: scheduler, now: now),
            settings: paymentSettings, now: now, ids: ids, logger: logger)
    }

    /// The live clock, truncated to whole microseconds so stored and in-memory instants agree.
    static let liveClock = DateGenerator {
        Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1_000_000).rounded(.down) / 1_000_000)
    }
}

/// A start-up failure explained to the admin.
struct StartupError: Error, CustomStringConvertible {
    var description: String
}

extension ServerConfiguration {
    /// Creates the data folder (owner-only), opens and migrates the database, and installs the
    /// bundled reference data on first start.
    func prepare(now: Date, logger: Logger) throws -> AppDatabase {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: dataDirectory.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw StartupError(description: "\(dataDirectory.path) exists and is not a folder")
            }
        } else {
            do {
                try manager.createDirectory(at: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StartupError(description: "cannot create the data folder \(dataDirectory.path): \(error.localizedDescription)")
            }
            logger.info("created data folder", metadata: ["path": "\(dataDirectory.path)"])
        }
        let database: AppDatabase
        do { database = try AppDatabase.open(path: databasePath) } catch {
            throw StartupError(description: "cannot open the database \(databasePath): \(error)")
        }
        return database
    }
}

extension ServerConfiguration {
    /// Loads (or creates on first start) the secrets of the data folder: the signing keys and the
    /// one-time-code pepper, both files readable by the owner only.
    func loadSecrets(now: Date) throws -> (AccessTokenService, SymmetricKey) {
        let tokens = try KeyStore(dataDirectory: dataDirectory).loadOrCreate(now: now)
        return (tokens, try secret("otp-pepper.key"))
    }

    /// A 32-byte secret kept in the data folder (created on first use, owner-only).
    func secret(_ name: String) throws -> SymmetricKey {
        let url = dataDirectory.appendingPathComponent(name)
        if !FileManager.default.fileExists(atPath: url.path) {
            let bytes = RandomSource.live.bytes(32)
            guard FileManager.default.createFile(atPath: url.path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
                throw StartupError(description: "cannot write \(url.path)")
            }
        }
        let data = try Data(contentsOf: url)
        guard data.count == 32 else { throw StartupError(description: "\(url.path) must hold 32 bytes") }
        return SymmetricKey(data: data)
    }
}

/// Installs the bundled catalogue when the store has none yet.
func seedIfEmpty(_ store: SQLiteStore, now: Date, logger: Logger) async throws {
    if try await store.catalog() != nil { return }
    let catalog = try ReferenceCatalog.bundled()
    _ = try await store.install(catalog, at: now)
    logger.info("installed bundled reference data", metadata: ["version": "\(catalog.version)"])
}
