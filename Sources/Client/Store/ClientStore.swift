import Domain
import Foundation
import GRDB
import LocalStore

/// The client's local store, one per profile: every record the user can see, and the sync
/// engine's state (device, outbox of pending writes, cursor, rejected writes), kept together so
/// that a pulled page and its cursor are applied in one transaction.
struct ClientStore: Sendable {
    let writer: any DatabaseWriter

    /// Opens (creating) the store at `path` and applies its migrations.
    ///
    /// Writes are durable when they return (`synchronous=FULL`; GRDB's pool sets NORMAL, under
    /// which a power cut can take back the last commits): a write the user was told is saved and
    /// queued must survive one. Pulled pages are the exception (`apply`).
    static func open(path: String) throws -> ClientStore {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        return try ClientStore(pool)
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
        migrator.registerMigration("v2-files") { db in
            try db.execute(sql: """
                CREATE TABLE files (
                    sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
                    media_type TEXT NOT NULL,
                    bytes BLOB NOT NULL,
                    uploaded INTEGER NOT NULL DEFAULT 0 CHECK (uploaded IN (0, 1))
                );
                """)
        }
        migrator.registerMigration("v3-payment-attempts") { db in
            try db.execute(sql: """
                -- The idempotency key of a payment attempt, kept before the request is sent so that a
                -- retry after a lost answer or a crash reuses it.
                CREATE TABLE payment_attempts (
                    invoice_id TEXT PRIMARY KEY,
                    idempotency_key TEXT NOT NULL,
                    request TEXT NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v4-records-with-rowid") { db in
            // A record is a few hundred bytes of JSON: in a WITHOUT ROWID table keyed by
            // (entity, random UUID) each insert split and rewrote leaf pages holding a handful of
            // rows, and a pull of 110,000 records spent most of its time in SQLite's page I/O.
            // Rows now append in rowid order and only the small key index takes random inserts
            // (3× faster inserts, measured in Docs/performance.md).
            try db.execute(sql: """
                CREATE TABLE records_v4 (
                    entity TEXT NOT NULL,
                    id TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    data TEXT NOT NULL CHECK (json_valid(data)),
                    UNIQUE (entity, id)
                );
                INSERT INTO records_v4 (entity, id, seq, data) SELECT entity, id, seq, data FROM records ORDER BY seq;
                DROP TABLE records;
                ALTER TABLE records_v4 RENAME TO records;
                """)
        }
        migrator.registerMigration("v5-log-restarts") { db in
            // The row `checkpoint()` rewrites to start the log over while the sync is idle.
            try db.execute(sql: """
                CREATE TABLE log_restarts (id INTEGER PRIMARY KEY CHECK (id = 1), count INTEGER NOT NULL CHECK (count >= 0));
                INSERT INTO log_restarts (id, count) VALUES (1, 0);
                """)
        }
        migrator.registerMigration("v6-records-without-json-check") { db in
            // Every record stored is either bytes the wire reader checked in full (RFC 8259) or
            // the encoder's output (`apply`); checking it again as JSON on insert (a CHECK of
            // json_valid) was a fifth of storing an initial pull.
            try db.execute(sql: """
                CREATE TABLE records_v6 (
                    entity TEXT NOT NULL,
                    id TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    data TEXT NOT NULL,
                    UNIQUE (entity, id)
                );
                INSERT INTO records_v6 (entity, id, seq, data) SELECT entity, id, seq, data FROM records ORDER BY rowid;
                DROP TABLE records;
                ALTER TABLE records_v6 RENAME TO records;
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
        try db.cachedStatement(sql: "INSERT INTO sync_state (id, state) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state")
            .execute(arguments: [json])
    }

    /// Applies a pulled page and the engine state that follows it in one transaction: a crash
    /// anywhere inside leaves the store at the previous checkpoint.
    ///
    /// Committed without waiting for the disk (`synchronous=NORMAL` for this transaction): a
    /// power cut can only take the store back to an earlier page with its cursor, which is pulled
    /// again; the next durable write makes it durable too (the log is sequential).
    ///
    /// Nor does a page's commit copy the log into the database file (SQLite's automatic
    /// checkpoint, past 1,000 pages of log, is held off up to `pulledLogLimit`): copying took a
    /// third of storing an initial pull; the sync does it once idle (`checkpoint()`).
    /// - Parameter beforeCommit: a hook tests use to fail midway.
    func apply(_ page: PullResponse, state: SyncEngine.State, beforeCommit: () throws -> Void = {}) throws {
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = \(Self.pulledLogLimit)")
            defer { try? db.execute(sql: "PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 1000") }
            try db.inTransaction {
                try Self.apply(page, state: state, db: db, beforeCommit: beforeCommit)
                return .commit
            }
        }
    }

    private static func apply(_ page: PullResponse, state: SyncEngine.State, db: Database, beforeCommit: () throws -> Void) throws {
        // Prepared once per page: compiling the SQL for each record cost as much as storing it.
        let put = try db.cachedStatement(sql: PulledRecords.upsertSQL)
        let remove = try db.cachedStatement(sql: "DELETE FROM records WHERE entity = ? AND id = ?")
        for change in page.changes {
            switch (change.op, change.data) {
            case (.put, let data?):
                // The change as it came when it was read from the wire (checked in full by the
                // reader), else written out again: either decodes back to the same view.
                if let wire = change.wire {
                    try wire.withUnsafeBufferPointer { try PulledRecords.put(put, entity: change.entity, id: change.id, seq: change.seq, data: $0, db: db) }
                } else {
                    var json = try ChangeBox(data).json()
                    try json.withUTF8 { try PulledRecords.put(put, entity: change.entity, id: change.id, seq: change.seq, data: $0, db: db) }
                }
            case (.remove, _):
                try remove.execute(arguments: [change.entity, change.id])
            case (.put, nil):
                continue  // an entity this client does not know
            }
            try beforeCommit()
        }
        try Self.save(state, db: db)
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

    /// Every record of one kind the user sees, with the writes still pending or refused about each,
    /// plus the items created here that the server has not sent back (pending or refused creates).
    func items<View: Decodable>(_ entity: String, as type: View.Type) throws -> [LocalItem<View>] {
        let state = try syncState()
        var items: [LocalItem<View>] = try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT id, data FROM records WHERE entity = ? ORDER BY seq", arguments: [entity]).compactMap { row in
                guard let id = UUID(uuidString: row["id"]) else { return nil }
                let view = try WireCoding.decoder().decode(Box<View>.self, from: Data((row["data"] as String).utf8)).data
                return LocalItem(id: id, view: view)
            }
        }
        var index = Dictionary(items.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        func slot(_ id: UUID) -> Int {
            if let position = index[id] { return position }
            items.append(LocalItem(id: id, view: nil))
            index[id] = items.count - 1
            return items.count - 1
        }
        for mutation in state?.outbox ?? [] where mutation.command.target.entity == entity {
            let position = slot(mutation.command.target.id)
            if mutation.command.isCreate { items[position].created = mutation.command }
            items[position].pending.append(mutation)
        }
        for result in (state?.rejected ?? [:]).values.sorted(by: { $0.seq < $1.seq }) where result.entity == entity {
            // A refused write about an item the server holds, or a refused create (nothing to show but the reason).
            items[slot(result.entityId)].rejected.append(result)
        }
        return items
    }

    /// One record by its id.
    func record<View: Decodable>(_ entity: String, id: UUID, as type: View.Type) throws -> View? {
        try writer.read { db in
            try String.fetchOne(db, sql: "SELECT data FROM records WHERE entity = ? AND id = ?", arguments: [entity, id.uuidString]).flatMap {
                try WireCoding.decoder().decode(Box<View>.self, from: Data($0.utf8)).data
            }
        }
    }

    // MARK: Payment attempts

    /// The key of the unfinished attempt to pay an invoice with this request, or a new one, saved
    /// before it is used.
    func paymentKey(invoice: UUID, request: String) throws -> String {
        try writer.write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT idempotency_key, request FROM payment_attempts WHERE invoice_id = ?", arguments: [invoice.uuidString]),
                row["request"] as String == request
            {
                return row["idempotency_key"]
            }
            let key = "smartvl-" + UUID().uuidString.lowercased()
            try db.execute(
                sql: "INSERT INTO payment_attempts (invoice_id, idempotency_key, request) VALUES (?, ?, ?) ON CONFLICT (invoice_id) DO UPDATE SET idempotency_key = excluded.idempotency_key, request = excluded.request",
                arguments: [invoice.uuidString, key, request])
            return key
        }
    }

    /// Forgets a finished attempt (the next payment of the invoice gets a new key).
    func finishPayment(invoice: UUID) throws {
        try writer.write { db in try db.execute(sql: "DELETE FROM payment_attempts WHERE invoice_id = ?", arguments: [invoice.uuidString]) }
    }

    // MARK: Attachments waiting with their writes

    /// Records a write: the engine state holding it in the outbox and the files it refers to, in one
    /// transaction, so a queued write never exists without its files.
    func record(_ state: SyncEngine.State, files: [LocalFile] = []) throws {
        try writer.write { db in
            for file in files {
                try db.execute(
                    sql: "INSERT INTO files (sha256, media_type, bytes, uploaded) VALUES (?, ?, ?, 0) ON CONFLICT (sha256) DO NOTHING",
                    arguments: [file.sha256, file.mediaType, file.bytes])
            }
            try Self.save(state, db: db)
        }
    }

    /// Files not yet uploaded, oldest first.
    func filesToUpload() throws -> [LocalFile] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT sha256, media_type, bytes FROM files WHERE uploaded = 0 ORDER BY rowid").map {
                LocalFile(sha256: $0["sha256"], mediaType: $0["media_type"], bytes: $0["bytes"])
            }
        }
    }

    /// Marks a file as held by the server.
    func markUploaded(_ sha256: String) throws {
        try writer.write { db in try db.execute(sql: "UPDATE files SET uploaded = 1 WHERE sha256 = ?", arguments: [sha256]) }
    }

    /// Drops the bytes of uploaded files no queued write refers to any more.
    func pruneFiles() throws {
        let referenced = Set((try syncState()?.outbox ?? []).flatMap(\.command.attachments))
        try writer.write { db in
            for sha in try String.fetchAll(db, sql: "SELECT sha256 FROM files WHERE uploaded = 1") where !referenced.contains(sha) {
                try db.execute(sql: "DELETE FROM files WHERE sha256 = ?", arguments: [sha])
            }
        }
    }

    /// The log pages (of 4 KiB) pulled pages may leave before a commit copies them into the
    /// database file anyway: 256 MiB, two and a half times an initial pull of 100,000 items.
    static let pulledLogLimit = 65_536

    /// Copies the write-ahead log back into the database file now (a passive checkpoint: it waits
    /// for no reader), and starts the log over. The sync calls it once idle: left to SQLite, the
    /// checkpoint runs inside whichever commit takes the log past 1,000 pages, and that commit (a
    /// page the user waits for) pays for copying and syncing the whole log.
    ///
    /// The write that starts a copied log over first writes a new log header and waits for the
    /// disk to have it (SQLite's guard against writes reordered by a power cut): 0.7–1 ms on the
    /// benchmark machine, more under load, and left to the next write it fell in the commit of
    /// the next sync's first page. A one-row write made here, under `synchronous=NORMAL`, takes
    /// that wait while idle (`log_restarts`; the count itself means nothing).
    /// Returns the log's frames, and how many of them are now in the database file.
    @discardableResult
    func checkpoint() throws -> (frames: Int, copied: Int) {
        guard writer is DatabasePool else { return (0, 0) }
        let result = try writer.writeWithoutTransaction { db in
            let result = try db.checkpoint(.passive)
            // A log of one frame is left as it is: the last restart's own, or a write too small to matter.
            if result.walFrameCount > 1, result.checkpointedFrameCount == result.walFrameCount {
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                defer { try? db.execute(sql: "PRAGMA synchronous = FULL") }
                try db.execute(sql: "UPDATE log_restarts SET count = count + 1")
            }
            return result
        }
        return (result.walFrameCount, result.checkpointedFrameCount)
    }

    /// Forgets everything: records, files and engine state (another account signs in on this profile).
    func erase() throws {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM records; DELETE FROM files; DELETE FROM sync_state; DELETE FROM payment_attempts;")
        }
    }
}

/// A file kept with the write that refers to it until the server has it.
struct LocalFile: Sendable, Equatable {
    var sha256: String
    var mediaType: String
    var bytes: Data
}

/// An item as the client shows it: the server's view (if it has sent one) and what this device
/// still has to tell it or was told off for.
struct LocalItem<View> {
    /// Where the item stands.
    enum SyncStanding: Equatable {
        /// As the server last said.
        case synced
        /// Changes recorded here that the server has not accepted yet.
        case pending
        /// A write about it was refused, with the reason.
        case rejected(code: String, message: Message)
    }

    var id: UUID
    /// As the server last sent it.
    var view: View?
    /// The create recorded on this device, when the server has not sent the item yet.
    var created: MutationCommand?
    /// Writes about it waiting in the outbox, in order.
    var pending: [Mutation] = []
    /// Writes about it the server refused, in order.
    var rejected: [MutationResult] = []

    init(id: UUID, view: View?) {
        self.id = id
        self.view = view
    }

    /// Pending beats everything; then the last refusal (a refused create never becomes an item).
    var sync: SyncStanding {
        if !pending.isEmpty { return .pending }
        if let last = rejected.last { return .rejected(code: last.code ?? "", message: Message(vi: last.messageVi ?? "", en: last.messageEn ?? "")) }
        return .synced
    }
}

extension MutationCommand {
    /// Whether the write creates its target.
    var isCreate: Bool {
        switch self {
        case .createFeedback, .createRequest, .postMessage: true
        default: false
        }
    }

    /// The lifecycle action of a feedback status change.
    var feedbackAction: FeedbackAction? {
        switch self {
        case .withdrawFeedback: .withdraw
        case .rateFeedback: .rate
        case .reopenFeedback: .reopen
        case .startFeedback: .start
        case .resolveFeedback: .resolve
        case .rejectFeedback: .reject
        case .transferFeedback: .transfer
        case .assignFeedback: .assignOfficial
        default: nil
        }
    }

    /// The lifecycle action of a dossier status change.
    var dossierAction: DossierAction? {
        switch self {
        case .supplementRequest: .supplement
        case .withdrawRequest: .withdraw
        case .receiveRequest: .receive
        case .startRequest: .startProcessing
        case .askSupplement: .requestSupplement
        case .resultReady: .markResultReady
        case .completeRequest: .complete
        case .rejectRequest: .reject
        default: nil
        }
    }

    /// The attachments (SHA-256) the write refers to.
    var attachments: [String] {
        switch self {
        case .createFeedback(let body): body.draft.photos
        case .createRequest(let body): body.documents ?? []
        case .supplementRequest(_, let documents): documents
        default: []
        }
    }
}

/// Decodes a stored change's data as one view type.
private struct Box<View: Decodable>: Decodable {
    var data: View?
    private enum CodingKeys: String, CodingKey { case data }
    init(from decoder: any Decoder) throws {
        data = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(View.self, forKey: .data)
    }
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
        try stored.encode(to: encoder)
    }

    /// The change as stored, written directly (`WireJSONWriter`: the same bytes as encoding it).
    func json() throws -> String {
        var json = WireJSONWriter()
        try stored.write(to: &json)
        return String(decoding: json.bytes, as: UTF8.self)
    }

    private var stored: Change {
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
        return Change(seq: 0, entity: entity, id: "", op: .put, data: data)
    }
}
