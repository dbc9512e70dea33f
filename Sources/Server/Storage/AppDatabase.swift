import Domain
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

    /// Opens the database, applies every pending migration, and clears public views stored by a
    /// server that wrote them differently.
    init(_ writer: any DatabaseWriter) throws {
        self.writer = writer
        groupCommit = GroupCommit(writer)
        try Self.migrate(writer)
        try Self.clearStalePublicViews(writer)
    }

    /// Each public item keeps the view other citizens get of it (`feedback_public_views`, copied
    /// into their pull pages). Views written under another format (`FeedbackView.publicViewFormat`:
    /// its fields, and a version bumped when a rule of what they show changes) are cleared
    /// when the database is opened (the server starting after an upgrade): pages make those views
    /// again, as for items written before v9, until each item is written again. Nothing stale,
    /// let alone something a rule now hides, reaches a page.
    static func clearStalePublicViews(_ writer: any DatabaseWriter) throws {
        let format = FeedbackView.publicViewFormat
        func stored(_ db: Database) throws -> String? {
            try String.fetchOne(db, sql: "SELECT value FROM server_meta WHERE key = 'public_view_format'")
        }
        // Read first: every open (the server, each `keys issue-token`) would otherwise take the
        // write lock for a format that nearly always matches.
        guard try writer.read(stored) != format else { return }
        try writer.write { db in
            guard try stored(db) != format else { return }
            try db.execute(sql: "DELETE FROM feedback_public_views")
            try db.execute(
                sql: "INSERT INTO server_meta (key, value) VALUES ('public_view_format', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                arguments: [format])
        }
    }

    /// Applies every pending migration, also when another process opens the same file at the
    /// same moment (the server starting while `keys issue-token` runs, after an upgrade). GRDB
    /// reads which migrations are applied before it runs them, each in a transaction of its own:
    /// a process that found one pending and lost the race to apply it fails inside that
    /// migration's transaction, which rolls back; it then migrates again from what it finds.
    /// Each failure retried is another process's progress, so this ends.
    static func migrate(_ writer: any DatabaseWriter) throws {
        func applied() throws -> Set<String> { try writer.read { db in try migrator.appliedIdentifiers(db) } }
        while true {
            let before = try applied()
            do {
                return try migrator.migrate(writer)
            } catch {
                guard try applied() != before else { throw error }
            }
        }
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
        let pool = try openPool(path: path, configuration: configuration)
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

    /// The pool on `path`. A new file is put in WAL mode as it opens, which takes a lock that the
    /// busy timeout does not wait for: another process creating the same file at the same moment
    /// makes it fail with SQLITE_BUSY, and it is tried again (up to a second).
    private static func openPool(path: String, configuration: Configuration) throws -> DatabasePool {
        for _ in 0..<50 {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
        return try DatabasePool(path: path, configuration: configuration)
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
