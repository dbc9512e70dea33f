import Domain
import Foundation
import GRDB

extension Feedback: Versioned {
    static let table = "feedback"
    static let changeEntity = "feedback"
    /// The columns, in the order of `values` and of a row selected as `selection`.
    enum Column: Int, CaseIterable {
        case id, trackingCode, citizenID, categoryCode, title, description, searchKey, latitude, longitude, communeCode,
             address, photos, isAnonymous, isPublic, urgency, status, agencyCode, assigneeID, receivedAt, acknowledgeDueAt,
             answerDueAt, answer, resolvedAt, closedAt, rating, ratingComment, ratedAt, rejectionReason, rejectionNote,
             duplicateOf, reopenCount

        /// The column's name: the case in snake_case (`citizenID` is `citizen_id`).
        var name: String { snakeCase(String(describing: self)) }
    }

    static let columns = Column.allCases.map(\.name)
    static let selection = columns.joined(separator: ", ")
    static let statements = TableStatements(Self.self)

    var key: String { id.text }

    var values: [(any BoundValue)?] {
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

    /// The view every citizen but the reporter may read now, written with the item
    /// (`feedback_public_views`, migration v9): a citizen's pull page copies it rather than making
    /// and writing the view again for each citizen (`SyncService.eachPageRow`). Nil while no such
    /// citizen may read the item.
    var publicViewJSON: [UInt8]? {
        isReadableByEveryCitizen ? FeedbackView(publicViewOf: self).wireJSON() : nil
    }

    /// Whether every citizen may read it (public, and past submission): the rule of
    /// `FeedbackController.mayRead` for citizens, of the change partition and of the stored view.
    var isReadableByEveryCitizen: Bool { isPublic && status != .submitted }

    var partition: ChangePartition {
        ChangePartition(ownerID: citizenID, agencyCode: agencyCode, isPublic: isReadableByEveryCitizen)
    }

    /// Reads a row selected as `Feedback.selection` (its columns first, in that order), each
    /// column by its position and its concrete type: GRDB finds a column by name by lower-casing
    /// every column name of the row, and its generic decoding of optionals instantiated type
    /// metadata on each value (together half of a pull page's reading).
    init(row: Row) throws {
        assert(Array(row.columnNames.prefix(Self.columns.count)) == Self.columns, "select Feedback.selection")
        try self.init(columns: row)
    }

    /// The same from a statement on a row (`Statement.eachRow`), for pages of items.
    init(columns row: some StoredColumns) throws {
        func string(_ column: Column) -> String? { row.string(column.rawValue) }
        func double(_ column: Column) -> Double? { row.double(column.rawValue) }
        func int(_ column: Column) -> Int? { row.int(column.rawValue) }
        func time(_ column: Column) -> Date? { double(column).map(Date.init(timeIntervalSince1970:)) }
        func uuid(_ column: Column) -> UUID? { row.uuid(column.rawValue) }
        func required<Value>(_ value: Value?, _ column: Column) throws -> Value {
            guard let value else { throw StorageDecodingError.corrupt(table: "feedback", column: column.name) }
            return value
        }
        func text(_ column: Column) throws -> VietnameseText { VietnameseText(stored: try required(string(column), column)) }
        var location = FeedbackLocation()
        if let lat = double(.latitude), let lon = double(.longitude) {
            location.point = GeoPoint(trustedLatitude: lat, longitude: lon)
        }
        location.commune = string(.communeCode).map(CommuneCode.init(trusted:))
        location.address = string(.address).map(VietnameseText.init(stored:))
        var rating: Rating?
        if let stars = int(.rating), let at = time(.ratedAt) {
            rating = Rating(stars: stars, comment: string(.ratingComment).map(VietnameseText.init(stored:)), at: at)
        }
        var rejection: Rejection?
        if let reason = string(.rejectionReason).flatMap(RejectionReason.init(rawValue:)) {
            rejection = Rejection(reason: reason, note: try text(.rejectionNote), duplicateOf: uuid(.duplicateOf))
        }
        let photos = try required(string(.photos), .photos)
        self.init(
            id: try required(uuid(.id), .id), citizenID: try required(uuid(.citizenID), .citizenID),
            trackingCode: string(.trackingCode).map(TrackingCode.init(stored:)),
            categoryCode: try required(string(.categoryCode), .categoryCode), title: try text(.title), description: try text(.description),
            location: location, photos: photos == "[]" ? [] : try jsonValue(photos), isAnonymous: try required(int(.isAnonymous), .isAnonymous) != 0,
            isPublic: try required(int(.isPublic), .isPublic) != 0,
            urgency: try required(string(.urgency).flatMap(Urgency.init(rawValue:)), .urgency),
            status: try required(string(.status).flatMap(FeedbackStatus.init(rawValue:)), .status), agencyCode: string(.agencyCode),
            assigneeID: uuid(.assigneeID), receivedAt: time(.receivedAt),
            acknowledgeDueAt: time(.acknowledgeDueAt), answerDueAt: time(.answerDueAt),
            answer: string(.answer).map(VietnameseText.init(stored:)), resolvedAt: time(.resolvedAt),
            closedAt: time(.closedAt), rating: rating, rejection: rejection, reopenCount: try required(int(.reopenCount), .reopenCount))
    }
}

/// `camelCase` in `snake_case`: a capital after a small letter starts a word (`citizenID` is `citizen_id`).
func snakeCase(_ name: String) -> String {
    var result = ""
    var previousIsLower = false
    for character in name {
        if character.isUppercase, previousIsLower { result.append("_") }
        result += character.lowercased()
        previousIsLower = character.isLowercase
    }
    return result
}

/// Encodes a value as compact JSON text for a JSON column.
func jsonText<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
}

/// A list of strings as a JSON column, written as `jsonText` writes it without an encoder
/// (photos are stored with every feedback item).
func jsonText(_ values: [String]) -> String {
    guard !values.isEmpty else { return "[]" }
    var json = WireJSONWriter(capacity: 64)
    json.openArray()
    for value in values {
        json.element()
        json.string(value)
    }
    json.closeArray()
    return String(decoding: json.bytes, as: UTF8.self)
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
        try storePublicView(of: accepted, before: nil, db: db)
        try record([event] + events, db: db)
        return accepted
    }

    /// Keeps an item's stored public view in step with the item just written: written while
    /// another citizen may read it, gone once none may. Found by the item's id (the log's row was
    /// inserted after the item's, so the last inserted rowid is not the item's).
    private static func storePublicView(of item: Feedback, before: Feedback?, db: Database) throws {
        if let view = item.publicViewJSON {
            try db.run("""
                INSERT INTO feedback_public_views (feedback_rowid, json) SELECT rowid, ? FROM feedback WHERE id = ?
                ON CONFLICT (feedback_rowid) DO UPDATE SET json = excluded.json
                """, binding: [view, item.key])
        } else if before?.isReadableByEveryCitizen == true {
            try db.run("DELETE FROM feedback_public_views WHERE feedback_rowid = (SELECT rowid FROM feedback WHERE id = ?)", binding: [item.key])
        }
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
        try storePublicView(of: next, before: current, db: db)
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
