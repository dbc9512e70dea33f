import ArgumentParser
import Domain
import Foundation
import Hummingbird
import HummingbirdBcrypt
import Logging
import Metrics
import Prometheus

/// `smartvl-server`: the HTTP server and its admin commands.
@main
struct SmartVLServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smartvl-server",
        abstract: "Smart Vĩnh Long core server: citizen feedback, service requests and payments.",
        discussion: """
            With no arguments it serves on 127.0.0.1:8080 with its data in ./smartvl-data, creating,
            migrating and seeding the database on first start.
            """,
        subcommands: [Serve.self, Migrate.self, Seed.self, Officials.self, Keys.self, Reference.self, Backup.self, Reconcile.self, Generate.self],
        defaultSubcommand: Serve.self)
}

/// The data-folder option every subcommand shares.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "The data folder: database, keys, SMS outbox (env SMARTVL_DATA_DIR; default ./smartvl-data).")
    var dataDirectory: String?

    func configuration() -> ServerConfiguration {
        let path = dataDirectory ?? ProcessInfo.processInfo.environment["SMARTVL_DATA_DIR"] ?? "smartvl-data"
        return ServerConfiguration(dataDirectory: URL(fileURLWithPath: path, isDirectory: true))
    }
}

extension SmartVLServer {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the API (the default).",
            discussion: "Example: smartvl-server serve --port 8081 --data-dir /var/lib/smartvl")

        @OptionGroup var data: DataOptions
        @Option(help: "The address to bind (env SMARTVL_HOST).") var host: String?
        @Option(help: "The port to bind; 0 picks a free port and prints it (env SMARTVL_PORT).") var port: Int?

        func run() async throws {
            LoggingSystem.bootstrap { LogLineHandler(label: $0) }
            let environment = ProcessInfo.processInfo.environment
            var configuration = data.configuration()
            configuration.host = host ?? environment["SMARTVL_HOST"] ?? "127.0.0.1"
            let port = port ?? environment["SMARTVL_PORT"].map({ Int($0) ?? -1 }) ?? 8080
            guard (0...65535).contains(port) else {
                throw ValidationError("SMARTVL_PORT must be a port number")
            }
            configuration.port = port
            // Metrics first: what the database makes as it opens (the group commit's) reports to it.
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory.smartVL(registry: registry))
            let logger = Logger(label: "smartvl-server")
            let now = ServerDependencies.liveClock
            let database = try configuration.prepare(now: now(), logger: logger)
            let store = SQLiteStore(database)
            try await seedIfEmpty(store, now: now(), logger: logger)
            guard let catalog = try await store.catalog() else { throw StartupError(description: "no reference data installed") }
            let (tokens, pepper) = try configuration.loadSecrets(now: now())
            let dependencies = ServerDependencies(
                store: store, now: now, ids: .live, logger: logger, catalog: catalog, tokens: tokens,
                codeSender: OutboxFileSender(dataDirectory: configuration.dataDirectory), otpPepper: pepper, metrics: registry,
                callbackKey: try configuration.secret("payment-callback.key"), paymentSettings: PaymentSettings(environment: environment))
            let host = configuration.host
            let app = buildApplication(configuration: configuration, dependencies: dependencies) { port in
                // One unbuffered line that scripts and tests wait for.
                FileHandle.standardOutput.write(Data("smartvl-server listening on http://\(host):\(port)\n".utf8))
            }
            try await app.runService()
        }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or migrate the database, then exit.", discussion: "Example: smartvl-server migrate")

        @OptionGroup var data: DataOptions

        func run() async throws {
            let configuration = data.configuration()
            _ = try configuration.prepare(now: Date(), logger: Logger(label: "smartvl-server"))
            print("Database is up to date: \(configuration.databasePath)")
        }
    }

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install the bundled reference data if the database has none; --demo adds demo accounts and items.",
            discussion: "Example: smartvl-server seed --demo   (prints the demo passwords once)")

        @OptionGroup var data: DataOptions
        @Flag(help: "Add demo officials (passwords printed once), citizens and items in every state.") var demo = false

        func run() async throws {
            let logger = Logger(label: "smartvl-server")
            let store = SQLiteStore(try data.configuration().prepare(now: Date(), logger: logger))
            try await seedIfEmpty(store, now: Date(), logger: logger)
            guard let catalog = try await store.catalog() else { throw StartupError(description: "no reference data installed") }
            print("Reference data version \(catalog.version) is installed.")
            guard demo else { return }
            let now = ServerDependencies.liveClock()
            if let lines = try await DemoSeed.run(store: store, catalog: catalog, now: now, random: .live, bcryptCost: UInt8(AuthPolicy().bcryptCost)) {
                print(lines.joined(separator: "\n"))
            } else {
                print("The demo is already seeded (its passwords were shown when it was).")
            }
        }
    }

    struct Reference: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a newer reference-data edition (communes CSV and catalogue JSON).",
            discussion: """
                The whole edition is validated before anything is written; records the new edition
                lacks are retired, never deleted, so stored items keep their codes.
                Example: smartvl-server reference --communes communes-2026.csv --catalog catalog-2026.json
                """)

        @OptionGroup var data: DataOptions
        @Option(help: "The commune list: code,name,type,former_province.") var communes: String
        @Option(help: "The catalogue: departments, categories, procedures, calendar days.") var catalog: String

        func run() async throws {
            let csv = try String(contentsOfFile: communes, encoding: .utf8)
            let json = try Data(contentsOf: URL(fileURLWithPath: catalog))
            let edition: ReferenceCatalog
            do { edition = try ReferenceCatalog.load(communesCSV: csv, catalogJSON: json) } catch {
                throw ValidationError(error.message.vi + " / " + error.message.en)
            }
            let store = SQLiteStore(try data.configuration().prepare(now: Date(), logger: Logger(label: "smartvl-server")))
            let installed = try await store.install(edition, at: Date())
            print(installed ? "Installed reference data version \(edition.version)." : "Version \(edition.version) was already installed.")
        }
    }

    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a consistent copy of the database while the server runs.",
            discussion: "Example: smartvl-server backup --to /backups/smartvl-2026-11-30.sqlite")

        @OptionGroup var data: DataOptions
        @Option(help: "The file to write; it must not exist.") var to: String

        func run() async throws {
            guard !FileManager.default.fileExists(atPath: to) else { throw ValidationError("\(to) already exists") }
            let database = try data.configuration().prepare(now: Date(), logger: Logger(label: "smartvl-server"))
            try database.backup(to: to)
            print("Backed up to \(to).")
        }
    }
}

extension SmartVLServer {
    /// Compares the ledger with a provider's settlement file.
    struct Reconcile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare the ledger with a provider's settlement file and list every mismatch (exit 2 if any).",
            discussion: """
                The file is CSV: provider_reference,kind,amount,settled_at (kind: payment | refund; amount in đồng).
                Example: smartvl-server reconcile --settlement settlement-2026-11-30.csv
                """)

        @OptionGroup var data: DataOptions
        @Option(help: "The provider's settlement file (CSV).") var settlement: String

        func run() async throws {
            guard let csv = try? String(contentsOfFile: settlement, encoding: .utf8) else { throw ValidationError("cannot read \(settlement)") }
            let database = try data.configuration().prepare(now: Date(), logger: Logger(label: "smartvl-server"))
            let mismatches = try await database.reader.read { db in try Reconciliation.run(db, csv: csv) }
            let ledgerCount = try await database.reader.read { db in try Reconciliation.ledger(db).count }
            if mismatches.isEmpty {
                print("Reconciled: \(ledgerCount) ledger movements match the settlement file.")
                return
            }
            print("kind\treference\tdetail")
            for mismatch in mismatches { print(mismatch) }
            let counts = Dictionary(grouping: mismatches, by: \.kind).map { "\($0.value.count) \($0.key.rawValue)" }.sorted()
            FileHandle.standardError.write(Data("\(mismatches.count) mismatches: \(counts.joined(separator: ", "))\n".utf8))
            throw ExitCode(2)
        }
    }

    struct Officials: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Manage staff accounts.", subcommands: [Add.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Add an official, supervisor or admin; the password is read from standard input or a prompt.",
                discussion: """
                    Example: printf '%s\\n' "$PASSWORD" | smartvl-server officials add --username cb.xaydung --agency SXD --role official
                    """)

            @OptionGroup var data: DataOptions
            @Option(help: "3–40 of a-z 0-9 . _ -") var username: String
            @Option(help: "The agency code (officials and supervisors).") var agency: String?
            @Option(help: "official | supervisor | admin") var role: String

            func run() async throws {
                guard let role = Role(rawValue: role), role.isStaff || role == .admin else {
                    throw ValidationError("--role must be official, supervisor or admin")
                }
                let name: Username
                do { name = try Username(username) } catch { throw ValidationError(error.message.en) }
                if role.isStaff, agency == nil { throw ValidationError("--agency is required for officials and supervisors") }
                if role == .admin, agency != nil { throw ValidationError("an admin belongs to no agency") }
                let store = SQLiteStore(try data.configuration().prepare(now: Date(), logger: Logger(label: "smartvl-server")))
                try await seedIfEmpty(store, now: Date(), logger: Logger(label: "smartvl-server"))
                if let agency, try await store.catalog()?.agency(agency) == nil {
                    throw ValidationError("unknown agency \(agency)")
                }
                let password = try PasswordInput.read(prompt: "Password for \(name.value): ")
                guard password.count >= 12 else { throw ValidationError("the password needs at least 12 characters") }
                let hash = Bcrypt.hash(password, cost: UInt8(AuthPolicy().bcryptCost))
                do {
                    let account = try await store.addStaff(
                        id: UUID.timeOrdered(), username: name, role: role, agencyCode: agency, passwordHash: hash, at: Date())
                    print("Added \(role.rawValue) \(name.value)\(agency.map { " of \($0)" } ?? "") (\(account.id.text)).")
                } catch StoreError.conflict {
                    throw ValidationError("username \(name.value) is taken")
                }
            }
        }
    }

    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Manage the token signing keys; issue test tokens.", subcommands: [Rotate.self, Issue.self])

        struct Issue: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "issue-token",
                abstract: "Print access tokens for citizens (created if new) or a staff account, for load tests and app-team sandboxes.",
                discussion: """
                    Whoever can read the data folder can sign tokens anyway (keys.json); this saves the sign-in round trips.
                    Tokens are ordinary access tokens (15 minutes). Example: smartvl-server keys issue-token --phone 0912000000 --count 100
                    """)

            @OptionGroup var data: DataOptions
            @Option(help: "A citizen's phone; with --count, the first of consecutive numbers.") var phone: String?
            @Option(help: "A staff account's username.") var username: String?
            @Option(help: "How many consecutive citizens.") var count = 1

            func validate() throws {
                guard (phone == nil) != (username == nil) else { throw ValidationError("give exactly one of --phone or --username") }
                guard (1...100_000).contains(count) else { throw ValidationError("--count must be 1–100000") }
            }

            func run() async throws {
                let configuration = data.configuration()
                let database = try configuration.prepare(now: Date(), logger: Logger(label: "smartvl-server"))
                let store = SQLiteStore(database)
                let (tokens, _) = try configuration.loadSecrets(now: Date())
                if let username {
                    guard let (account, _, _) = try await store.staffCredentials(username: username) else {
                        throw ValidationError("no staff account \(username)")
                    }
                    print("\(username) \(try tokens.issue(userID: account.id, role: account.role, agency: account.agencyCode, now: Date(), jti: UUID()))")
                    return
                }
                let first = try PhoneNumber(phone ?? "")
                let base = Int(first.e164.dropFirst(3)) ?? 0
                for offset in 0..<count {
                    let number = try PhoneNumber("0" + String(base + offset))
                    let account = try await store.citizen(phone: number, newID: UUID.timeOrdered(), at: Date())
                    print("\(number.e164) \(try tokens.issue(userID: account.id, role: .citizen, agency: nil, now: Date(), jti: UUID()))")
                }
            }
        }

        struct Rotate: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Add a new signing key; tokens signed by the old ones stay valid until they expire.",
                discussion: "Restart the server afterwards to sign with the new key. Example: smartvl-server keys rotate")

            @OptionGroup var data: DataOptions

            func run() async throws {
                let configuration = data.configuration()
                _ = try configuration.prepare(now: Date(), logger: Logger(label: "smartvl-server"))
                let store = KeyStore(dataDirectory: configuration.dataDirectory)
                _ = try store.loadOrCreate(now: Date())
                let kid = try store.rotate(now: Date())
                print("New signing key \(kid). Restart the server to sign with it.")
            }
        }
    }
}

/// Reads a password from standard input when it is not a terminal, otherwise prompts without echo.
enum PasswordInput {
    static func read(prompt: String) throws -> String {
        if isatty(STDIN_FILENO) == 1 {
            guard let pointer = getpass(prompt) else { throw ValidationError("no password given") }
            return String(cString: pointer)
        }
        guard let line = readLine(strippingNewline: true), !line.isEmpty else { throw ValidationError("no password on standard input") }
        return line
    }
}
