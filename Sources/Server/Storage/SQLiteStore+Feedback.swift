import Domain
import Foundation
import GRDB

extension Feedback: Versioned {
    static let table = "feedback"
    static let changeEntity = "feedback"
    static let columns = [
        "id", "tracking_code", "citizen_id", "category_code", "title", "description", "search_key", "latitude",
        "longitude", "commune_code", "address", "photos", "is_anonymous", "is_public", "urgency", "status",
        "agency_code", "assignee_id", "received_at", "acknowledge_due_at", "answer_due_at", "answer", "resolved_at",
        "closed_at", "rating", "rating_comment", "rated_at", "rejection_reason", "rejection_note", "duplicate_of",
        "reopen_count",
    ]
    static let selection = columns.joined(separator: ", ")

    var key: String { id.text }

    var values: [(any DatabaseValueConvertible)?] {
        [
            id.text, trackingCode?.value, citizenID.text, categoryCode, title.value, description.value,
            SearchKey.fold(title.value + " " + description.value + " " + (location.address?.value ?? "")),
            location.point?.latitude, location.point?.longitude, location.commune?.value, location.address?.value,
            jsonText(photos), isAnonymous, isPublic, urgency.rawValue, status.rawValue, agencyCode,
            assigneeID?.text, receivedAt?.stored, acknowledgeDueAt?.stored, answerDueAt?.stored, answer?.value,
            resolvedAt?.stored, closedAt?.stored, rating?.stars, rating?.comment?.value, rating?.at.stored,
            rejection?.reason.rawValue, rejection?.note.value, rejection?.duplicateOf?.text, reopenCount,
        ]
    }

    var partition: ChangePartition {
        ChangePartition(ownerID: citizenID, agencyCode: agencyCode, isPublic: isPublic && status != .submitted)
    }

    /// Where each of `columns` is in a row selected as `selection`. GRDB finds a column by name by
    /// lower-casing every column name of the row on each lookup: it was a tenth of a pull page.
    private static let position = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })

    /// Reads a row selected as `Feedback.selection` (its columns first, in that order).
    init(row: Row) throws {
        assert(Array(row.columnNames.prefix(Self.columns.count)) == Self.columns, "select Feedback.selection")
        func value<Value: DatabaseValueConvertible>(_ column: String) -> Value { row[Self.position[column]!] }
        func time(_ column: String) -> Date? { (value(column) as Double?).map(Date.init(timeIntervalSince1970:)) }
        func uuid(_ column: String) -> UUID? { (value(column) as String?).flatMap(UUID.init(text:)) }
        func text(_ column: String) throws -> VietnameseText {
            guard let stored = value(column) as String? else {
                throw StorageDecodingError.corrupt(table: "feedback", column: column)
            }
            return VietnameseText(stored: stored)
        }
        var location = FeedbackLocation()
        if let lat = value("latitude") as Double?, let lon = value("longitude") as Double? {
            location.point = GeoPoint(trustedLatitude: lat, longitude: lon)
        }
        location.commune = (value("commune_code") as String?).map(CommuneCode.init(trusted:))
        location.address = (value("address") as String?).map(VietnameseText.init(stored:))
        var rating: Rating?
        if let stars = value("rating") as Int?, let at = time("rated_at") {
            rating = Rating(stars: stars, comment: (value("rating_comment") as String?).map(VietnameseText.init(stored:)), at: at)
        }
        var rejection: Rejection?
        if let reason = (value("rejection_reason") as String?).flatMap(RejectionReason.init(rawValue:)) {
            rejection = Rejection(
                reason: reason, note: try text("rejection_note"), duplicateOf: uuid("duplicate_of"))
        }
        guard let status = FeedbackStatus(rawValue: value("status")), let urgency = Urgency(rawValue: value("urgency")),
            let id = uuid("id"), let citizenID = uuid("citizen_id")
        else { throw StorageDecodingError.corrupt(table: "feedback", column: "status") }
        self.init(
            id: id, citizenID: citizenID,
            trackingCode: (value("tracking_code") as String?).map(TrackingCode.init(stored:)),
            categoryCode: value("category_code"), title: try text("title"), description: try text("description"),
            location: location, photos: value("photos") as String? == "[]" ? [] : try jsonValue(value("photos")), isAnonymous: value("is_anonymous"),
            isPublic: value("is_public"), urgency: urgency, status: status, agencyCode: value("agency_code"),
            assigneeID: uuid("assignee_id"), receivedAt: time("received_at"),
            acknowledgeDueAt: time("acknowledge_due_at"), answerDueAt: time("answer_due_at"),
            answer: (value("answer") as String?).map(VietnameseText.init(stored:)), resolvedAt: time("resolved_at"),
            closedAt: time("closed_at"), rating: rating, rejection: rejection, reopenCount: value("reopen_count"))
    }
}

/// Encodes a value as compact JSON text for a JSON column.
func jsonText<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
}

/// Decodes a JSON column.
func jsonValue<T: Decodable>(_ text: String?) throws -> T {
    try JSONDecoder().decode(T.self, from: Data((text ?? "null").utf8))
}

extension SQLiteStore: FeedbackRepository {
    func create(
        _ submitted: Feedback, event: HistoryEvent, at now: Date,
        accept: @escaping @Sendable (Feedback, any SequenceAllocator) throws -> (Feedback, [HistoryEvent])
    ) async throws -> Feedback {
        try await database.write { db in try Self.createFeedback(db, submitted, event: event, at: now, accept: accept) }
    }

    func feedback(id: UUID) async throws -> Feedback? {
        try await database.reader.read { db in try Self.fetch(Feedback.self, key: id.text, db: db) }
    }

    func update(
        id: UUID, at now: Date, _ change: @escaping @Sendable (Feedback) throws -> (Feedback, HistoryEvent)
    ) async throws -> Feedback {
        try await database.write { db in try Self.updateFeedback(db, id: id, at: now, change) }
    }

    /// Stores new feedback inside the caller's transaction (see `create`).
    static func createFeedback(
        _ db: Database, _ submitted: Feedback, event: HistoryEvent, at now: Date,
        accept: (Feedback, any SequenceAllocator) throws -> (Feedback, [HistoryEvent])
    ) throws -> Feedback {
        let (accepted, events) = try accept(submitted, DatabaseSequences(db: db))
        try insert(accepted, db: db, at: now)
        try record([event] + events, db: db)
        return accepted
    }

    /// Changes feedback inside the caller's transaction (see `update`).
    static func updateFeedback(
        _ db: Database, id: UUID, at now: Date, _ change: (Feedback) throws -> (Feedback, HistoryEvent)
    ) throws -> Feedback {
        guard let current = try fetch(Feedback.self, key: id.text, db: db) else {
            throw StoreError.notFound("feedback \(id)")
        }
        let (next, event) = try change(current)
        try update(next, db: db, at: now)
        if let left = current.agencyCode, left != next.agencyCode {
            // The old agency's devices must drop the item.
            try appendChange(
                Feedback.changeEntity, id: next.key, op: "remove",
                partition: ChangePartition(leftAgencyCode: left), db: db, at: now)
        }
        try record([event], db: db)
        return next
    }
}
