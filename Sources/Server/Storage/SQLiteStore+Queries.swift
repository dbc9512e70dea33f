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

extension SQLiteStore {
    /// One page of feedback and the sort values of its last row.
    func feedbackPage(_ query: FeedbackQuery) async throws -> ([Feedback], [String]?) {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let citizen = query.citizenID {
            conditions.append("citizen_id = ?")
            arguments.append(citizen.uuidString)
        }
        if query.publicOnly { conditions.append("is_public = 1 AND status <> 'submitted'") }
        if let agency = query.agencyCode {
            conditions.append("agency_code = ?")
            arguments.append(agency)
        }
        if !query.statuses.isEmpty {
            conditions.append("status IN (\(query.statuses.map { _ in "?" }.joined(separator: ", ")))")
            arguments += query.statuses.map(\.rawValue)
        }
        if let category = query.category {
            conditions.append("category_code = ?")
            arguments.append(category)
        }
        if let commune = query.commune {
            conditions.append("commune_code = ?")
            arguments.append(commune)
        }
        if let assignee = query.assigneeID {
            conditions.append("assignee_id = ?")
            arguments.append(assignee.uuidString)
        }
        if let now = query.overdueAt {
            conditions.append("""
                ((status IN ('received', 'assigned') AND (acknowledge_due_at < ? OR answer_due_at < ?))
                 OR (status IN ('in_progress', 'reopened') AND answer_due_at < ?))
                """)
            arguments += [now.stored, now.stored, now.stored]
        }
        if let search = query.search, !SearchKey.fold(search).isEmpty {
            conditions.append("instr(search_key, ?) > 0")
            arguments.append(SearchKey.fold(search))
        }
        let keys: [String]
        let descending: Bool
        switch query.sort {
        case .due: (keys, descending) = (["answer_due_at", "id"], false)
        case .age: (keys, descending) = (["received_at", "id"], false)
        case .priority: (keys, descending) = (["(CASE urgency WHEN 'urgent' THEN 0 WHEN 'normal' THEN 1 ELSE 2 END)", "answer_due_at", "id"], false)
        case .newest: (keys, descending) = (["created_at", "id"], true)
        }
        if let after = query.after {
            guard after.count == keys.count else { throw StoreError.notFound("cursor") }
            conditions.append("(\(keys.joined(separator: ", "))) \(descending ? "<" : ">") (\(keys.map { _ in "?" }.joined(separator: ", ")))")
            for (key, value) in zip(keys, after) {
                arguments.append(key == "id" ? value : Double(value) as (any DatabaseValueConvertible)?)
            }
        }
        let order = keys.map { "\($0) \(descending ? "DESC" : "ASC")" }.joined(separator: ", ")
        let sql = "SELECT *, \(keys.enumerated().map { "\($1) AS k\($0)" }.joined(separator: ", ")) FROM feedback"
            + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY \(order) LIMIT \(query.limit + 1)"
        let values = arguments.map { $0?.databaseValue ?? .null }
        return try await database.reader.read { db in
            let rows = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(values))
            let page = try rows.prefix(query.limit).map(Feedback.init(row:))
            guard rows.count > query.limit, let last = rows.prefix(query.limit).last else { return (page, nil) }
            let cursor = keys.indices.map { index -> String in
                let value = last["k\(index)"] as DatabaseValue
                if let text = String.fromDatabaseValue(value), keys[index] == "id" { return text }
                return String(Double.fromDatabaseValue(value) ?? 0)
            }
            return (page, cursor)
        }
    }

    /// One page of dossiers and the sort values of its last row.
    func serviceRequestPage(_ query: ServiceRequestQuery) async throws -> ([ServiceRequest], [String]?) {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let citizen = query.citizenID {
            conditions.append("citizen_id = ?")
            arguments.append(citizen.uuidString)
        }
        if let agency = query.agencyCode {
            conditions.append("agency_code = ? AND status <> 'draft'")
            arguments.append(agency)
        }
        if !query.statuses.isEmpty {
            conditions.append("status IN (\(query.statuses.map { _ in "?" }.joined(separator: ", ")))")
            arguments += query.statuses.map(\.rawValue)
        }
        if let now = query.overdueAt {
            conditions.append("status IN ('received', 'in_processing') AND paused_at IS NULL AND due_at < ?")
            arguments.append(now.stored)
        }
        let keys: [String]
        let descending: Bool
        switch query.sort {
        case .due: (keys, descending) = (["coalesce(due_at, 1e18)", "id"], false)
        case .age: (keys, descending) = (["coalesce(submitted_at, created_at)", "id"], false)
        case .newest: (keys, descending) = (["created_at", "id"], true)
        }
        if let after = query.after {
            guard after.count == keys.count else { throw StoreError.notFound("cursor") }
            conditions.append("(\(keys.joined(separator: ", "))) \(descending ? "<" : ">") (?, ?)")
            arguments += [Double(after[0]), after[1]]
        }
        let sql = "SELECT *, \(keys[0]) AS k0, id AS k1 FROM service_requests"
            + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY \(keys.map { "\($0) \(descending ? "DESC" : "ASC")" }.joined(separator: ", ")) LIMIT \(query.limit + 1)"
        let values = arguments.map { $0?.databaseValue ?? .null }
        return try await database.reader.read { db in
            let rows = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(values))
            let page = try rows.prefix(query.limit).map(ServiceRequest.init(row:))
            guard rows.count > query.limit, let last = rows.prefix(query.limit).last else { return (page, nil) }
            return (page, [String(last["k0"] as Double), last["k1"] as String])
        }
    }

    /// A page of rows of a simple table by owner or agency, newest first, keyed by (time column, id).
    func simplePage<T: TableMapped & Sendable>(
        _ type: T.Type, timeColumn: String, citizenID: UUID?, agencyCode: String?, after: [String]?, limit: Int
    ) async throws -> ([T], [String]?) {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let citizenID {
            conditions.append("citizen_id = ?")
            arguments.append(citizenID.uuidString)
        }
        if let agencyCode {
            conditions.append("agency_code = ?")
            arguments.append(agencyCode)
        }
        if let after, after.count == 2 {
            conditions.append("(\(timeColumn), id) < (?, ?)")
            arguments += [Double(after[0]), after[1]]
        }
        let sql = "SELECT * FROM \(T.table)" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY \(timeColumn) DESC, id DESC LIMIT \(limit + 1)"
        let values = arguments.map { $0?.databaseValue ?? .null }
        return try await database.reader.read { db in
            let rows = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(values))
            let page = try rows.prefix(limit).map(T.init(row:))
            guard rows.count > limit, let last = rows.prefix(limit).last else { return (page, nil) }
            return (page, [String(last[timeColumn] as Double), last["id"] as String])
        }
    }

    /// A staff account by username.
    func staff(username: String) async throws -> UserAccount? {
        try await database.reader.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM users WHERE username = ? AND role IN ('official', 'supervisor')",
                             arguments: [username.lowercased()]).map(Self.account)
        }
    }

    /// Any mapped row by key.
    func find<T: TableMapped & Sendable>(_ type: T.Type, id: UUID) async throws -> T? {
        try await database.reader.read { db in try Self.fetch(T.self, key: id.uuidString, db: db) }
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
        try await database.writer.write { db in
            if let existing = try Row.fetchOne(db, sql: "SELECT * FROM feedback_messages WHERE id = ?", arguments: [message.id.uuidString]) {
                let stored = Self.message(existing)
                guard stored.authorID == message.authorID, stored.feedbackID == message.feedbackID else {
                    throw StoreError.conflict("message \(message.id)")
                }
                return stored
            }
            try db.execute(
                sql: "INSERT INTO feedback_messages (id, feedback_id, author_id, author_role, body, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [message.id.uuidString, message.feedbackID.uuidString, message.authorID.uuidString,
                            message.authorRole.rawValue, message.body, message.createdAt.stored])
            try Self.appendChange("feedback_message", id: message.id.uuidString, partition: partition, db: db, at: message.createdAt)
            return message
        }
    }

    /// A thread, oldest first.
    func messages(feedbackID: UUID) async throws -> [StoredMessage] {
        try await database.reader.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM feedback_messages WHERE feedback_id = ? ORDER BY created_at, rowid",
                             arguments: [feedbackID.uuidString]).map(Self.message)
        }
    }

    private static func message(_ row: Row) -> StoredMessage {
        StoredMessage(
            id: row.uuid("id")!, feedbackID: row.uuid("feedback_id")!, authorID: row.uuid("author_id")!,
            authorRole: Role(rawValue: row["author_role"])!, body: row["body"], createdAt: row.time("created_at")!)
    }
}
