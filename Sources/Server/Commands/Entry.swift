import ArgumentParser
import Domain
import Foundation
import Hummingbird
import Logging

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
        subcommands: [Serve.self, Migrate.self, Seed.self, Reference.self, Backup.self],
        defaultSubcommand: Serve.self)
}

/// The data-folder option every subcommand shares.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "The data folder (database, keys, SMS outbox).")
    var dataDirectory: String = "smartvl-data"

    func configuration() -> ServerConfiguration {
        ServerConfiguration(dataDirectory: URL(fileURLWithPath: dataDirectory, isDirectory: true))
    }
}

extension SmartVLServer {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the API (the default).",
            discussion: "Example: smartvl-server serve --port 8081 --data-dir /var/lib/smartvl")

        @OptionGroup var data: DataOptions
        @Option(help: "The address to bind.") var host = "127.0.0.1"
        @Option(help: "The port to bind (0 picks a free port and prints it).") var port = 8080

        func run() async throws {
            var configuration = data.configuration()
            configuration.host = host
            configuration.port = port
            let logger = Logger(label: "smartvl-server")
            let now = ServerDependencies.liveClock
            let database = try configuration.prepare(now: now(), logger: logger)
            let store = SQLiteStore(database)
            try await seedIfEmpty(store, now: now(), logger: logger)
            let dependencies = ServerDependencies(store: store, now: now, ids: .live, logger: logger)
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
            abstract: "Install the bundled reference data if the database has none.",
            discussion: "Example: smartvl-server seed")

        @OptionGroup var data: DataOptions

        func run() async throws {
            let logger = Logger(label: "smartvl-server")
            let store = SQLiteStore(try data.configuration().prepare(now: Date(), logger: logger))
            try await seedIfEmpty(store, now: Date(), logger: logger)
            let catalog = try await store.catalog()
            print("Reference data version \(catalog?.version ?? "none") is installed.")
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
