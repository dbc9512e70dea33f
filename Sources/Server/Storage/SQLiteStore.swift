import Domain
import Foundation
import GRDB

/// The SQLite implementation of every repository, over one `AppDatabase`.
///
/// Each public method is one transaction. Domain rules run inside the write where they depend on
/// the current state, so SQLite's single writer makes each change atomic and serialised.
struct SQLiteStore: Sendable {
    let database: AppDatabase

    init(_ database: AppDatabase) {
        self.database = database
    }
}

/// Time is stored as UTC seconds since 1970 (REAL): exact for every `Date`, sortable, zone-free.
extension Date {
    var stored: Double { timeIntervalSince1970 }
}

extension Row {
    /// A stored instant.
    func time(_ column: String) -> Date? {
        (self[column] as Double?).map(Date.init(timeIntervalSince1970:))
    }

    /// A stored UUID (text).
    func uuid(_ column: String) -> UUID? {
        (self[column] as String?).flatMap(UUID.init(text:))
    }
}

/// Where a change is visible: the partitions the sync protocol serves it to.
struct ChangePartition {
    /// The citizen who owns it.
    var ownerID: UUID?
    /// The agency working it.
    var agencyCode: String?
    /// The agency it just left (its devices must drop it).
    var leftAgencyCode: String?
    /// Whether every citizen may see it (with personal data removed).
    var isPublic: Bool = false
}

/// How a Domain value maps onto its table.
protocol TableMapped {
    /// The table.
    static var table: String { get }
    /// The entity name in the change log.
    static var changeEntity: String { get }
    /// The column names, `id` first, in the order of `values`.
    static var columns: [String] { get }
    /// `columns` as a select list: rows read back have them first, in this order.
    static var selection: String { get }
    /// The column values, in the order of `columns`.
    var values: [(any BoundValue)?] { get }
    /// The primary key.
    var key: String { get }
    /// Who sees a change of this row.
    var partition: ChangePartition { get }
    /// Reads a row back.
    init(row: Row) throws
    /// The statements below, made once: `static let statements = TableStatements(Self.self)`.
    static var statements: TableStatements { get }
}

/// The SQL of a mapped table's insert, update and read by key, made once per type rather than
/// on every write.
struct TableStatements: Sendable {
    let insert: String
    let update: String
    let fetch: String

    init<T: TableMapped>(_ type: T.Type) {
        var columns = T.columns
        var values = Array(repeating: "?", count: columns.count)
        var assignments = T.columns.dropFirst().map { "\($0) = ?" }
        if T.self is any Versioned.Type {
            columns += ["created_at", "updated_at", "version"]
            values += ["?", "?", "1"]
            assignments += ["updated_at = ?", "version = version + 1"]
        }
        insert = "INSERT INTO \(T.table) (\(columns.joined(separator: ", "))) VALUES (\(values.joined(separator: ", ")))"
        update = "UPDATE \(T.table) SET \(assignments.joined(separator: ", ")) WHERE \(T.columns[0]) = ?"
        fetch = "SELECT \(T.selection) FROM \(T.table) WHERE \(T.columns[0]) = ?"
    }
}

/// Whether a table has `created_at`, `updated_at` and `version` columns maintained by the store.
protocol Versioned: TableMapped {}

enum StorageDecodingError: Error {
    case corrupt(table: String, column: String)
}

extension SQLiteStore {
    /// Inserts a mapped value and logs the change.
    static func insert<T: TableMapped>(_ value: T, db: Database, at now: Date) throws {
        var values = value.values
        if T.self is any Versioned.Type { values += [now.stored, now.stored] }
        try db.run(T.statements.insert, binding: values)
        try appendChange(T.changeEntity, id: value.key, partition: value.partition, db: db, at: now)
    }

    /// Rewrites a mapped value (every column but the key) and logs the change.
    static func update<T: TableMapped>(_ value: T, db: Database, at now: Date) throws {
        var values = Array(value.values.dropFirst())
        if T.self is any Versioned.Type { values.append(now.stored) }
        values.append(value.key)
        try db.run(T.statements.update, binding: values)
        guard db.changesCount == 1 else { throw StoreError.notFound("\(T.table) \(value.key)") }
        try appendChange(T.changeEntity, id: value.key, partition: value.partition, db: db, at: now)
    }

    /// Reads one mapped value by key.
    static func fetch<T: TableMapped>(_ type: T.Type, key: String, db: Database) throws -> T? {
        try Row.fetchOne(try db.cachedStatement(sql: T.statements.fetch), arguments: [key]).map(T.init(row:))
    }

    /// Appends one row to the change log the sync protocol reads.
    static func appendChange(
        _ entity: String, id: String, op: String = "put", partition: ChangePartition, db: Database, at now: Date
    ) throws {
        try db.run("""
                INSERT INTO change_log (entity, entity_id, op, owner_id, agency_code, left_agency_code, is_public, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, binding: [
                entity, id, op, partition.ownerID?.text, partition.agencyCode, partition.leftAgencyCode,
                partition.isPublic, now.stored,
            ])
    }

    /// Appends history events.
    static func record(_ events: [HistoryEvent], db: Database) throws {
        // Up to four rows a statement (filing feedback records three): one execution instead of
        // one per row, each an argument check, a reset and a step.
        var start = 0
        while start < events.count {
            let rows = events[start..<min(start + historyInserts.count, events.count)]
            var values: [(any BoundValue)?] = []
            values.reserveCapacity(rows.count * 10)
            for event in rows {
                values += [
                    event.itemKind.rawValue, event.itemID.text, event.at.stored, event.actorID.text,
                    event.actorRole.rawValue, event.deviceID?.text, event.action, event.fromStatus,
                    event.toStatus, event.reason,
                ]
            }
            try db.run(historyInserts[rows.count - 1], binding: values)
            start += rows.count
        }
    }

    /// INSERT statements for one to four history rows, in their order.
    private static let historyInserts = (1...4).map { count in
        "INSERT INTO history (item_kind, item_id, at, actor_id, actor_role, device_id, action, from_status, to_status, reason) VALUES "
            + repeatElement("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: count).joined(separator: ", ")
    }
}

/// Gapless per-day sequences in the `daily_sequences` table, used inside one write.
struct DatabaseSequences: SequenceAllocator {
    let db: Database

    func next(kind: String, scope: String, day: LocalDate) throws -> Int {
        try CounterTable.dailySequences.next([kind, scope, day.iso], db: db)
    }
}

extension StatementArguments {
    /// Positional arguments of one type. GRDB's initialiser for a sequence of a concrete type maps
    /// it through a key path the runtime instantiates on every call (most of a small statement's
    /// cost, in profiles); this goes through its initialiser for optional existentials instead.
    init(each values: [some DatabaseValueConvertible]) {
        self.init(values.map { $0 as (any DatabaseValueConvertible)? })
    }
}

/// A table of gapless counters: `next` increments a counter (creating it at 1) and reads its new
/// value, inside the caller's write, so a number is used once and none is skipped.
///
/// Two statements rather than one with RETURNING: SQLite collects the rows of a RETURNING clause in
/// a temporary b-tree it builds on every execution (as for CHECK lists, `ConstantLists`).
struct CounterTable: Sendable {
    let increment: String
    let read: String

    init(table: String, keys: [String], value: String) {
        increment = """
            INSERT INTO \(table) (\(keys.joined(separator: ", ")), \(value)) VALUES (\(keys.map { _ in "?" }.joined(separator: ", ")), 1)
            ON CONFLICT (\(keys.joined(separator: ", "))) DO UPDATE SET \(value) = \(value) + 1
            """
        read = "SELECT \(value) FROM \(table) WHERE \(keys.map { "\($0) = ?" }.joined(separator: " AND "))"
    }

    func next(_ keys: [String], db: Database) throws -> Int {
        let values = keys.map { $0 as (any BoundValue)? }
        try db.run(increment, binding: values)
        return try db.int(read, binding: values)!
    }

    static let dailySequences = CounterTable(table: "daily_sequences", keys: ["kind", "scope", "day"], value: "last_value")
    static let receiptNumbers = CounterTable(table: "receipt_counters", keys: ["agency_code", "series"], value: "last_number")
}

extension SQLiteStore: HistoryRepository {
    func history(of kind: ItemKind, id: UUID) async throws -> [HistoryEvent] {
        try await database.reader.read { db in
            try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM history WHERE item_kind = ? AND item_id = ? ORDER BY id"),
                arguments: [kind.rawValue, id.text]
            ).map { row in
                HistoryEvent(
                    itemKind: ItemKind(rawValue: row["item_kind"])!, itemID: row.uuid("item_id")!, at: row.time("at")!,
                    actorID: row.uuid("actor_id")!, actorRole: Role(rawValue: row["actor_role"])!,
                    deviceID: row.uuid("device_id"), action: row["action"], fromStatus: row["from_status"],
                    toStatus: row["to_status"], reason: row["reason"])
            }
        }
    }
}
