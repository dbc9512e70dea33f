import Foundation
import GRDB

/// The server's embedded database: one writer, many readers, WAL, writes durable on power loss.
///
/// Owns the schema (named, append-only migrations in `AppDatabase+Schema.swift`). Repositories use
/// `writer` for intention-named writes, one transaction each, and `reader` for reads.
struct AppDatabase: Sendable {
    /// The connection (a pool on disk, a queue in memory for tests).
    let writer: any DatabaseWriter
    /// Concurrent writes batched into shared transactions (see `GroupCommit`).
    let groupCommit: GroupCommit
    /// Accounts recently read, for authenticating requests without a read (see `AccountCache`).
    let accounts = AccountCache()

    /// The reader: the same pool, so reads run concurrently with the writer.
    var reader: any DatabaseReader { writer }

    /// Opens the database and applies every pending migration.
    init(_ writer: any DatabaseWriter) throws {
        self.writer = writer
        groupCommit = GroupCommit(writer)
        try Self.migrator.migrate(writer)
    }

    /// Runs a write transaction, batched with concurrent ones into one commit; returns once durable.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await groupCommit.write(body)
    }

    /// The same for a body of several writes, told whether the batch runs isolated (`GroupCommit`).
    func write<T: Sendable>(isolating body: @escaping @Sendable (Database, _ isolated: Bool) throws -> T) async throws -> T {
        try await groupCommit.write(isolating: body)
    }

    /// Opens (creating if needed) the database file at `path` in WAL mode with `synchronous=FULL`.
    static func open(path: String) throws -> AppDatabase {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        // The pool sets synchronous=NORMAL on its writer after `prepareDatabase` runs; set FULL
        // on the writer connection itself so that an acknowledged commit survives power loss.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // SQLite's default page cache (2 MiB) stays: 16 and 32 MiB for the writer made
            // pushes at most slightly faster (within the machine's drift) and took the server's
            // peak RSS to 162 and 169 MB, over its 150 MB budget (Docs/performance.md).
        }
        return try AppDatabase(pool)
    }

    /// A private in-memory database with the real migrations, for tests.
    static func inMemory() throws -> AppDatabase {
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA foreign_keys = ON") }
        return try AppDatabase(DatabaseQueue(configuration: configuration))
    }

    /// The `synchronous` setting in force on the writer connection (2 = FULL).
    func writerSynchronousSetting() throws -> Int {
        try writer.writeWithoutTransaction { db in try Int.fetchOne(try db.cachedStatement(sql: "PRAGMA synchronous")) ?? -1 }
    }

    /// Whether the database answers a trivial query.
    func isReady() async -> Bool {
        (try? await reader.read { db in try Int.fetchOne(try db.cachedStatement(sql: "SELECT 1")) }) == 1
    }
}

extension AppDatabase {
    /// Copies the database to a new file with SQLite's online backup (consistent while serving).
    func backup(to path: String) throws {
        let destination = try DatabaseQueue(path: path)
        try writer.backup(to: destination)
    }
}

extension Database {
    /// Executes one statement through the connection's statement cache: compiled (and authorized)
    /// once per connection, not on every call. Hot write paths use it.
    func run(_ sql: String, _ arguments: StatementArguments) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
