import Domain
import Foundation
import GRDB

/// The client's local store, one per profile: every record the user can see, and the sync
/// engine's state (device, outbox of pending writes, cursor, rejected writes), kept together so
/// that a pulled page and its cursor are applied in one transaction.
struct ClientStore: Sendable {
    let writer: any DatabaseWriter

    /// Opens (creating) the store at `path` and applies its migrations.
    static func open(path: String) throws -> ClientStore {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        return try ClientStore(DatabasePool(path: path, configuration: configuration))
    }

    /// A private in-memory store with the real migrations.
    static func inMemory() throws -> ClientStore { try ClientStore(DatabaseQueue()) }

    init(_ writer: any DatabaseWriter) throws {
        self.writer = writer
        try Self.migrator.migrate(writer)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-records-and-sync-state") { db in
            try db.execute(sql: """
                CREATE TABLE records (
                    entity TEXT NOT NULL,
                    id TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    data TEXT NOT NULL CHECK (json_valid(data)),
                    PRIMARY KEY (entity, id)
                ) WITHOUT ROWID;
                CREATE TABLE sync_state (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    state TEXT NOT NULL CHECK (json_valid(state))
                );
                """)
        }
        return migrator
    }

    // MARK: Sync state

    /// The engine state, or nil before the device is registered.
    func syncState() throws -> SyncEngine.State? {
        try writer.read { db in
            try String.fetchOne(db, sql: "SELECT state FROM sync_state WHERE id = 1").map {
                try WireCoding.decoder().decode(SyncEngine.State.self, from: Data($0.utf8))
            }
        }
    }

    /// Saves the engine state (after recording a write, or after a push answer).
    func save(_ state: SyncEngine.State) throws {
        try writer.write { db in try Self.save(state, db: db) }
    }

    private static func save(_ state: SyncEngine.State, db: Database) throws {
        let json = String(decoding: try WireCoding.encoder().encode(state), as: UTF8.self)
        try db.execute(
            sql: "INSERT INTO sync_state (id, state) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state",
            arguments: [json])
    }

    /// Applies a pulled page and the engine state that follows it in one transaction: a crash
    /// anywhere inside leaves the store at the previous checkpoint.
    /// - Parameter beforeCommit: a hook tests use to fail midway.
    func apply(_ page: PullResponse, state: SyncEngine.State, beforeCommit: () throws -> Void = {}) throws {
        try writer.write { db in
            let encoder = WireCoding.encoder()
            for change in page.changes {
                switch (change.op, change.data) {
                case (.put, let data?):
                    let json = String(decoding: try encoder.encode(ChangeBox(data)), as: UTF8.self)
                    try db.execute(
                        sql: """
                            INSERT INTO records (entity, id, seq, data) VALUES (?, ?, ?, ?)
                            ON CONFLICT (entity, id) DO UPDATE SET seq = excluded.seq, data = excluded.data
                            """,
                        arguments: [change.entity, change.id, change.seq, json])
                case (.remove, _):
                    try db.execute(sql: "DELETE FROM records WHERE entity = ? AND id = ?", arguments: [change.entity, change.id])
                case (.put, nil):
                    continue  // an entity this client does not know
                }
                try beforeCommit()
            }
            try Self.save(state, db: db)
        }
    }

    /// Forgets every record (a reset); the outbox lives in the state and is kept.
    func reset(state: SyncEngine.State) throws {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM records")
            try Self.save(state, db: db)
        }
    }

    // MARK: Reads

    /// The digest of the records held (compare with the server's on the last page).
    func digest() throws -> String {
        try writer.read { db in
            SyncDigest.of(try Row.fetchAll(db, sql: "SELECT entity, id, seq FROM records").map {
                (entity: $0["entity"] as String, id: $0["id"] as String, seq: $0["seq"] as Int64)
            })
        }
    }

    /// The feedback the user sees, with what is still pending or was rejected.
    func feedbackList() throws -> [LocalFeedback] {
        let state = try syncState()
        let stored: [FeedbackView] = try writer.read { db in
            try String.fetchAll(db, sql: "SELECT data FROM records WHERE entity = 'feedback'").compactMap {
                if case .feedback(let view) = try WireCoding.decoder().decode(ChangeBox.self, from: Data($0.utf8)).data { return view }
                return nil
            }
        }
        var items = stored.map { LocalFeedback(id: $0.id, title: $0.title, status: $0.status.rawValue, trackingCode: $0.trackingCode, sync: .synced) }
        for mutation in state?.outbox ?? [] {
            if case .createFeedback(let body) = mutation.command, !items.contains(where: { $0.id == body.id }) {
                items.append(LocalFeedback(id: body.id, title: body.draft.title, status: "submitted", trackingCode: nil, sync: .pending))
            }
        }
        for result in (state?.rejected ?? [:]).values where result.entity == "feedback" {
            if let index = items.firstIndex(where: { $0.id == result.entityId }) {
                items[index].sync = .rejected(code: result.code ?? "", message: Message(vi: result.messageVi ?? "", en: result.messageEn ?? ""))
            } else {
                items.append(LocalFeedback(id: result.entityId, title: "", status: "rejected", trackingCode: nil,
                                           sync: .rejected(code: result.code ?? "", message: Message(vi: result.messageVi ?? "", en: result.messageEn ?? ""))))
            }
        }
        return items.sorted { $0.id.uuidString < $1.id.uuidString }
    }
}

/// A feedback item as the client shows it, with its sync standing.
struct LocalFeedback: Equatable {
    enum SyncStanding: Equatable {
        /// As the server last said.
        case synced
        /// Recorded here, not yet accepted by the server.
        case pending
        /// Refused by the server, with its reason.
        case rejected(code: String, message: Message)
    }

    var id: UUID
    var title: String
    var status: String
    var trackingCode: String?
    var sync: SyncStanding
}

/// Stores a change's data with its entity, so it decodes back into the right view.
struct ChangeBox: Codable {
    var data: ChangeData?

    init(_ data: ChangeData) { self.data = data }

    private enum CodingKeys: String, CodingKey { case entity, id, seq, op, data }

    init(from decoder: any Decoder) throws {
        data = try Change(from: decoder).data
    }

    func encode(to encoder: any Encoder) throws {
        let entity: String = switch data {
        case .feedback: "feedback"
        case .message: "feedback_message"
        case .serviceRequest: "service_request"
        case .invoice: "invoice"
        case .payment: "payment"
        case .receipt: "receipt"
        case .catalog: "catalog"
        case nil: "unknown"
        }
        try Change(seq: 0, entity: entity, id: "", op: .put, data: data).encode(to: encoder)
    }
}
