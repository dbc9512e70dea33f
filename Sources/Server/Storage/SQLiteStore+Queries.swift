import Domain
import Foundation
import GRDB

/// Which feedback a list shows, in which order, from where.
struct FeedbackQuery: Sendable {
    enum Sort: String, CaseIterable, Sendable {
        /// Soonest answer due first.
        case due
        /// Oldest received first.
        case age
        /// Urgent first, then soonest due.
        case priority
        /// Newest first (citizens' own lists).
        case newest
    }

    var citizenID: UUID?
    var publicOnly = false
    var agencyCode: String?
    var statuses: [FeedbackStatus] = []
    var category: String?
    var commune: String?
    var overdueAt: Date?
    var assigneeID: UUID?
    var search: String?
    var sort: Sort = .newest
    var after: [String]?
    var limit = 20

    /// The priority sort's first key (urgent, normal, complex): the expression
    /// `feedback_queue_priority` indexes, character for character (migration v8), or SQLite
    /// cannot use the index (`FeedbackListPlanTests`).
    static let priorityKey = "(CASE urgency WHEN 'urgent' THEN 0 WHEN 'normal' THEN 1 ELSE 2 END)"
}

/// Which dossiers a list shows.
struct ServiceRequestQuery: Sendable {
    enum Sort: String, CaseIterable, Sendable {
        case due
        case age
        case newest
    }

    var citizenID: UUID?
    var agencyCode: String?
    var statuses: [DossierStatus] = []
    var overdueAt: Date?
    var sort: Sort = .newest
    var after: [String]?
    var limit = 20
}

/// SQL conditions and their arguments, built up clause by clause.
struct Filter {
    private(set) var clauses: [String] = []
    private(set) var values: [DatabaseValue] = []

    /// Adds a clause with its arguments.
    mutating func add(_ clause: String, _ arguments: (any DatabaseValueConvertible)?...) {
        clauses.append(clause)
        values += arguments.map { $0?.databaseValue ?? .null }
    }

    /// Adds `column IN (…)` when `options` is not empty.
    mutating func add(_ column: String, in options: [String]) {
        guard !options.isEmpty else { return }
        clauses.append("\(column) IN (\(options.map { _ in "?" }.joined(separator: ", ")))")
        values += options.map(\.databaseValue)
    }

    /// Adds the keyset condition `(keys) > (after)` (or `<` when descending); `id` keys are text.
    mutating func add(after: [String]?, keys: [String], descending: Bool) throws {
        guard let after else { return }
        guard after.count == keys.count else { throw StoreError.notFound("cursor") }
        clauses.append("(\(keys.joined(separator: ", "))) \(descending ? "<" : ">") (\(keys.map { _ in "?" }.joined(separator: ", ")))")
        for (key, value) in zip(keys, after) {
            values.append(key == "id" ? value.databaseValue : (Double(value) ?? 0).databaseValue)
        }
    }

    /// ` WHERE …`, or nothing.
    var sql: String { clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ") }

    var arguments: StatementArguments { StatementArguments(each: values) }
}

extension SQLiteStore {
    /// Runs a keyset-paged query: `limit + 1` rows tell whether there is a next page, whose cursor
    /// is the sort values (`k0`, `k1`, …) of the last row kept.
    func keysetPage<T: TableMapped & Sendable>(
        _ type: T.Type, sql: String, filter: Filter, keyCount: Int, limit: Int
    ) async throws -> ([T], [String]?) {
        let filter = filter
        return try await database.reader.read { db in
            let rows = try Row.fetchAll(db, sql: sql, arguments: filter.arguments)
            let kept = rows.prefix(limit)
            let items = try kept.map(T.init(row:))
            guard rows.count > limit, let last = kept.last else { return (items, nil) }
            let cursor = (0..<keyCount).map { index -> String in
                let value = last["k\(index)"] as DatabaseValue
                if case .string(let text) = value.storage { return text }
                return String(Double.fromDatabaseValue(value) ?? 0)
            }
            return (items, cursor)
        }
    }

    /// One page of feedback and the sort values of its last row.
    func feedbackPage(_ query: FeedbackQuery) async throws -> ([Feedback], [String]?) {
        let (sql, filter, keyCount) = try Self.feedbackPageSQL(query)
        return try await keysetPage(Feedback.self, sql: sql, filter: filter, keyCount: keyCount, limit: query.limit)
    }

    /// The SQL of one page of feedback, its arguments, and how many sort keys end each row.
    static func feedbackPageSQL(_ query: FeedbackQuery) throws -> (String, Filter, Int) {
        var filter = Filter()
        if let citizen = query.citizenID { filter.add("citizen_id = ?", citizen.text) }
        if query.publicOnly { filter.add("is_public = 1 AND status <> 'submitted'") }
        if let agency = query.agencyCode { filter.add("agency_code = ?", agency) }
        filter.add("status", in: query.statuses.map(\.rawValue))
        if let category = query.category { filter.add("category_code = ?", category) }
        if let commune = query.commune { filter.add("commune_code = ?", commune) }
        if let assignee = query.assigneeID { filter.add("assignee_id = ?", assignee.text) }
        if let now = query.overdueAt {
            filter.add("""
                ((status IN ('received', 'assigned') AND (acknowledge_due_at < ? OR answer_due_at < ?))
                 OR (status IN ('in_progress', 'reopened') AND answer_due_at < ?))
                """, now.stored, now.stored, now.stored)
        }
        if let search = query.search, !SearchKey.fold(search).isEmpty { filter.add("instr(search_key, ?) > 0", SearchKey.fold(search)) }
        let (keys, descending): ([String], Bool) = switch query.sort {
        case .due: (["answer_due_at", "id"], false)
        case .age: (["received_at", "id"], false)
        case .priority: ([FeedbackQuery.priorityKey, "answer_due_at", "id"], false)
        case .newest: (["created_at", "id"], true)
        }
        try filter.add(after: query.after, keys: keys, descending: descending)
        // An agency's list newest first filtered by status: the items of those statuses found
        // through `feedback_queue` and sorted, rather than the agency's whole list walked in order
        // looking for them (without statistics SQLite prefers the ordered walk, which reads every
        // item of the agency when the status is rare). `+` keeps the order from matching an index.
        let unordered = query.sort == .newest && query.agencyCode != nil && !query.statuses.isEmpty ? "+" : ""
        let sql = "SELECT \(Feedback.selection), \(keys.enumerated().map { "\($1) AS k\($0)" }.joined(separator: ", ")) FROM feedback" + filter.sql
            + " ORDER BY \(keys.map { "\(unordered)\($0) \(descending ? "DESC" : "ASC")" }.joined(separator: ", ")) LIMIT \(query.limit + 1)"
        return (sql, filter, keys.count)
    }

    /// One page of dossiers and the sort values of its last row.
    func serviceRequestPage(_ query: ServiceRequestQuery) async throws -> ([ServiceRequest], [String]?) {
        var filter = Filter()
        if let citizen = query.citizenID { filter.add("citizen_id = ?", citizen.text) }
        if let agency = query.agencyCode { filter.add("agency_code = ? AND status <> 'draft'", agency) }
        filter.add("status", in: query.statuses.map(\.rawValue))
        if let now = query.overdueAt {
            filter.add("status IN ('received', 'in_processing') AND paused_at IS NULL AND due_at < ?", now.stored)
        }
        let (keys, descending): ([String], Bool) = switch query.sort {
        case .due: (["coalesce(due_at, 1e18)", "id"], false)
        case .age: (["coalesce(submitted_at, created_at)", "id"], false)
        case .newest: (["created_at", "id"], true)
        }
        try filter.add(after: query.after, keys: keys, descending: descending)
        let sql = "SELECT \(ServiceRequest.selection), \(keys[0]) AS k0, id AS k1 FROM service_requests" + filter.sql
            + " ORDER BY \(keys.map { "\($0) \(descending ? "DESC" : "ASC")" }.joined(separator: ", ")) LIMIT \(query.limit + 1)"
        return try await keysetPage(ServiceRequest.self, sql: sql, filter: filter, keyCount: 2, limit: query.limit)
    }

    /// A page of rows of a simple table by owner or agency, newest first, keyed by (time column, id).
    func simplePage<T: TableMapped & Sendable>(
        _ type: T.Type, timeColumn: String, citizenID: UUID?, agencyCode: String?, after: [String]?, limit: Int
    ) async throws -> ([T], [String]?) {
        var filter = Filter()
        if let citizenID { filter.add("citizen_id = ?", citizenID.text) }
        if let agencyCode { filter.add("agency_code = ?", agencyCode) }
        try filter.add(after: after, keys: [timeColumn, "id"], descending: true)
        let sql = "SELECT \(T.selection), \(timeColumn) AS k0, id AS k1 FROM \(T.table)" + filter.sql
            + " ORDER BY \(timeColumn) DESC, id DESC LIMIT \(limit + 1)"
        return try await keysetPage(T.self, sql: sql, filter: filter, keyCount: 2, limit: limit)
    }

    /// A staff account by username.
    func staff(username: String) async throws -> UserAccount? {
        try await database.reader.read { db in try Self.staff(db, username: username) }
    }

    /// Any mapped row by key.
    func find<T: TableMapped & Sendable>(_ type: T.Type, id: UUID) async throws -> T? {
        try await database.reader.read { db in try Self.fetch(T.self, key: id.text, db: db) }
    }
}

/// A message of a feedback thread, as stored.
struct StoredMessage: Sendable, Equatable {
    var id: UUID
    var feedbackID: UUID
    var authorID: UUID
    var authorRole: Role
    var body: String
    var createdAt: Date
}

extension SQLiteStore {
    /// Adds a message to a thread; a retry with the same id returns the stored one.
    func addMessage(_ message: StoredMessage, partition: ChangePartition) async throws -> StoredMessage {
        try await database.write { db in try Self.addMessage(db, message, partition: partition) }
    }

    /// Adds a message inside the caller's transaction.
    static func addMessage(_ db: Database, _ message: StoredMessage, partition: ChangePartition) throws -> StoredMessage {
        if let existing = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM feedback_messages WHERE id = ?"), arguments: [message.id.text]) {
            let stored = Self.message(existing)
            guard stored.authorID == message.authorID, stored.feedbackID == message.feedbackID else {
                throw StoreError.conflict("message \(message.id)")
            }
            return stored
        }
        try db.run(
            "INSERT INTO feedback_messages (id, feedback_id, author_id, author_role, body, created_at) VALUES (?, ?, ?, ?, ?, ?)", [message.id.text, message.feedbackID.text, message.authorID.text,
                        message.authorRole.rawValue, message.body, message.createdAt.stored])
        try Self.appendChange("feedback_message", id: message.id.text, partition: partition, db: db, at: message.createdAt)
        return message
    }

    /// A staff account by username, inside a transaction.
    static func staff(_ db: Database, username: String) throws -> UserAccount? {
        try Row.fetchOne(db, sql: "SELECT * FROM users WHERE username = ? AND role IN ('official', 'supervisor')",
                         arguments: [username.lowercased()]).map(Self.account)
    }

    /// A thread, oldest first.
    func messages(feedbackID: UUID) async throws -> [StoredMessage] {
        try await database.reader.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM feedback_messages WHERE feedback_id = ? ORDER BY created_at, rowid",
                             arguments: [feedbackID.text]).map(Self.message)
        }
    }

    static func message(_ row: Row) -> StoredMessage {
        StoredMessage(
            id: row.uuid("id")!, feedbackID: row.uuid("feedback_id")!, authorID: row.uuid("author_id")!,
            authorRole: Role(rawValue: row["author_role"])!, body: row["body"], createdAt: row.time("created_at")!)
    }
}
