import Domain
import Foundation
import GRDB

/// The opaque pull cursor: the server epoch and the last change-log sequence applied.
struct SyncCursor: Codable, Equatable {
    var e: String
    var s: Int64

    var encoded: String { Base64URL.encode(try! JSONEncoder().encode(self)) }

    static func decode(_ text: String) -> SyncCursor? {
        Base64URL.decode(Substring(text)).flatMap { try? JSONDecoder().decode(SyncCursor.self, from: $0) }
    }
}

/// A record of the change log: its entity and id.
private struct RecordKey: Hashable {
    var entity: String
    var id: String
}

extension SyncService {
    /// The change-log rows of a user's partitions, as SQL and arguments; `table` qualifies the
    /// columns (`c.`) where the log is joined to a table with columns of the same names.
    static func partition(for user: Actor, table: String = "") -> (String, [DatabaseValue]) {
        let c = table
        switch user.role {
        case .citizen:
            return ("(\(c)owner_id = ? OR \(c)entity = 'catalog' OR \(c)is_public = 1)", [user.id.text.databaseValue])
        case .official, .supervisor:
            return ("(\(c)agency_code = ? OR \(c)left_agency_code = ? OR \(c)entity = 'catalog')",
                    [(user.agencyCode ?? "").databaseValue, (user.agencyCode ?? "").databaseValue])
        case .admin, .system:
            return ("1 = 1", [])
        }
    }

    /// A record a page names: feedback by its id, other records by entity and id text.
    enum PageRecord: Hashable {
        case feedback(UUID)
        case other(entity: String, id: String)
    }

    /// The statement of a page: the log's rows after a sequence in a user's partitions, each
    /// joined to the feedback item it names. Feedback's columns come first (`Feedback.selection`,
    /// read by position), then the row's seq, entity and id; with `views` (a citizen's page),
    /// then the item's stored public view.
    private static func pageSQL(_ condition: String, views: Bool) -> String {
        """
        SELECT \(Feedback.columns.map { "f." + $0 }.joined(separator: ", ")), c.seq, c.entity, c.entity_id\(views ? ", v.json" : "")
        FROM change_log AS c LEFT JOIN feedback AS f ON c.entity = 'feedback' AND f.id = c.entity_id
        \(views ? "LEFT JOIN feedback_public_views AS v ON v.feedback_rowid = f.rowid" : "")
        WHERE c.seq > ? AND \(condition) ORDER BY c.seq LIMIT ?
        """
    }

    /// What a page row gives of the feedback item it names.
    enum PageItem {
        /// The item as it is now (nil when it is gone, or the row is not about feedback).
        case item(Feedback?)
        /// The item's stored public view (`Feedback.publicViewJSON`), which is what this viewer
        /// may see of it now; the bytes are valid during the call only.
        case publicView(UnsafeBufferPointer<UInt8>)
    }

    /// Up to `limit` rows of the log after `after` in `user`'s partitions, in order, to `body`:
    /// each row's sequence and record, and for feedback the item as it is now, read in the same
    /// statement. One query a page, where reading the items by their ids afterwards built a
    /// temporary index of the ids and a dictionary of the items (a third of a page's reading of
    /// the database); and no array of items (each a few hundred bytes, copied with a retain of
    /// each of its strings at every move).
    ///
    /// For a citizen, a public item filed by someone else comes as its stored public view while
    /// it is not overdue at `now` (the one field of that view that moves with time), decided from
    /// a few columns without making the item: the view is the same for every such citizen, so it
    /// is made once, when the item is written, not once per citizen who pulls it.
    static func eachPageRow(
        _ db: Database, after: Int64, for user: Actor, now: Date, limit: Int, _ body: (Int64, PageRecord, PageItem) throws -> Void
    ) throws {
        typealias Column = Feedback.Column
        let (condition, values) = partition(for: user, table: "c.")
        let citizen = user.role == .citizen ? user.id.text : nil
        let statement = try db.cachedStatement(sql: pageSQL(condition, views: citizen != nil))
        assert(Array(statement.columnNames.prefix(Feedback.columns.count)) == Feedback.columns, "select Feedback.selection")
        let seqColumn = Feedback.columns.count, entityColumn = seqColumn + 1, idColumn = seqColumn + 2, viewColumn = seqColumn + 3
        /// The stored public view, when it is what `citizen` may see of the row's item now.
        func publicView(_ row: Statement) -> UnsafeBufferPointer<UInt8>? {
            guard let citizen, !row.isNull(viewColumn), row.int(Column.isPublic.rawValue) == 1,
                !row.text(at: Column.citizenID.rawValue).elementsEqual(citizen.utf8),
                let status = row.string(Column.status.rawValue).flatMap(FeedbackStatus.init(rawValue:)), status != .submitted,
                !Feedback.isOverdue(
                    status: status, acknowledgeDueAt: row.double(Column.acknowledgeDueAt.rawValue).map(Date.init(timeIntervalSince1970:)),
                    answerDueAt: row.double(Column.answerDueAt.rawValue).map(Date.init(timeIntervalSince1970:)), at: now)
            else { return nil }
            return row.text(at: viewColumn)
        }
        try statement.eachRow(StatementArguments(each: [after.databaseValue] + values + [limit.databaseValue])) { row in
            let seq = row.int64(at: seqColumn), entity = row.text(at: entityColumn), id = row.text(at: idColumn)
            if entity.elementsEqual("feedback".utf8) {
                // The item's own id when it is there (the same text: the log names it by it).
                if !row.isNull(Column.id.rawValue) {
                    if let view = publicView(row), let uuid = row.uuid(Column.id.rawValue) { return try body(seq, .feedback(uuid), .publicView(view)) }
                    let item = try Feedback(columns: row)
                    return try body(seq, .feedback(item.id), .item(item))
                }
                if let uuid = UUID(utf8: id) { return try body(seq, .feedback(uuid), .item(nil)) }
            }
            try body(seq, .other(entity: String(decoding: entity, as: UTF8.self), id: String(decoding: id, as: UTF8.self)), .item(nil))
        }
    }

    /// A pull page as the server answers it: the page, and the stored public views that are the
    /// data of some of its changes (by index), written out as they are.
    struct PullAnswer: WireJSONWritable, Sendable {
        var page: PullResponse
        var storedData: [Int: [UInt8]]

        func wireJSON() throws -> [UInt8] { try page.wireJSON(storedData: storedData) }
    }

    func pull(_ body: PullRequest, user: Actor, now: Date) async throws -> PullAnswer {
        try check(body.protocolVersion)
        let limit = body.limit ?? 500
        guard (1...SyncProtocol.maximumPage).contains(limit) else {
            throw APIError.badQuery("limit", "expected 1–\(SyncProtocol.maximumPage)")
        }
        let catalog = self.catalog.current
        // One read transaction: a snapshot, so the page, the device's last sequence and the
        // digest all describe the same committed state (SQLite commits in sequence order).
        return try await store.database.reader.read { db in
            let lastApplied = try Self.lastSeq(db, device: body.deviceId, user: user)
            let epoch = try String.fetchOne(try db.cachedStatement(sql: "SELECT value FROM server_meta WHERE key = 'epoch'")) ?? ""
            let horizon = Int64(try String.fetchOne(try db.cachedStatement(sql: "SELECT value FROM server_meta WHERE key = 'sync_horizon'")) ?? "0") ?? 0
            let head = try Int64.fetchOne(try db.cachedStatement(sql: "SELECT coalesce(max(seq), 0) FROM change_log")) ?? 0
            var after: Int64 = 0
            if let text = body.cursor {
                guard let cursor = SyncCursor.decode(text) else { throw APIError.badQuery("cursor", "not a sync cursor") }
                // Another database, a server restored to an earlier state, or a cursor older than
                // what the log keeps: the client must start again (its queued writes stay).
                guard cursor.e == epoch, cursor.s <= head, cursor.s >= horizon else { throw Self.resetRequired }
                after = cursor.s
            }
            // The page's changes (one more, to know whether more follow), each feedback item's view
            // made (or its stored public view taken) as it is read; of a record changed more than
            // once in the page only the last change is sent, with the record's current state.
            var rows: [(seq: Int64, record: PageRecord, change: Change?, stored: [UInt8]?)] = []
            rows.reserveCapacity(limit)
            var hasMore = false
            try Self.eachPageRow(db, after: after, for: user, now: now, limit: limit + 1) { seq, record, item in
                guard rows.count < limit else { return hasMore = true }
                guard case .feedback(let id) = record else { return rows.append((seq, record, nil, nil)) }
                switch item {
                case .publicView(let view):
                    rows.append((seq, record, Change(seq: seq, entity: "feedback", id: id.text, op: .put, data: nil), Array(view)))
                case .item(let feedback):
                    let data = Self.feedbackView(feedback, for: user, now: now)
                    rows.append((seq, record, Change(seq: seq, entity: "feedback", id: id.text, op: data == nil ? .remove : .put, data: data), nil))
                }
            }
            var sent = Set<PageRecord>(minimumCapacity: rows.count)
            var changes: [(change: Change, stored: [UInt8]?)] = []
            changes.reserveCapacity(rows.count)
            for index in rows.indices.reversed() where sent.insert(rows[index].record).inserted {
                if let change = rows[index].change {
                    changes.append((change, rows[index].stored))
                } else if case .other(let entity, let id) = rows[index].record {
                    let data = try self.currentView(db, entity: entity, id: id, for: user, now: now, catalog: catalog)
                    changes.append((Change(
                        seq: rows[index].seq, entity: entity, id: entity == "catalog" ? "catalog" : id, op: data == nil ? .remove : .put, data: data), nil))
                }
            }
            changes.reverse()
            var storedData: [Int: [UInt8]] = [:]
            for (index, change) in changes.enumerated() where change.stored != nil { storedData[index] = change.stored }
            let reached = rows.last?.seq ?? max(after, 0)
            // Past the last change of the partition, the cursor may jump to the head: nothing in
            // between concerns this user.
            let cursor = SyncCursor(e: epoch, s: hasMore ? reached : max(reached, head))
            var digest: String?
            if !hasMore, body.protocolVersion >= 2, body.wantDigest ?? true {
                digest = try self.digest(db, for: user, upTo: cursor.s, now: now, catalog: catalog)
            }
            return PullAnswer(
                page: PullResponse(
                    protocolVersion: body.protocolVersion, changes: changes.map(\.change), cursor: cursor.encoded, hasMore: hasMore,
                    lastAppliedSeq: lastApplied, digest: digest),
                storedData: storedData)
        }
    }

    /// The digest of what the user can see: each visible record with the sequence of the last
    /// change of it in the user's partitions (what a client that pulled everything holds).
    ///
    /// Feedback, nearly all records, is checked in SQL (`FeedbackController.readableCondition`);
    /// other records through their current view, one by one.
    func digest(_ db: Database, for user: Actor, upTo seq: Int64, now: Date, catalog: ReferenceCatalog) throws -> String {
        let (condition, values) = Self.partition(for: user)
        let (readableSQL, readableValues) = FeedbackController.readableCondition(user)
        // Two scans joined here rather than in SQL (grouping the log by item took a temporary
        // B-tree and the join a lookup per item: 0.4 s of 0.5 s for 110,000 items), by sorting
        // both by id and merging: time-ordered ids come out of both scans nearly sorted, which
        // Swift's sort takes in about linear time (a dictionary of the items cost a third of the
        // digest), and the records come out in the order the digest sorts its lines in. Ids are
        // read as bytes (`Statement.eachRow`): a string for each of them, made and freed, was a
        // third of the time left; and the log is read once for every entity.
        var changes: [(id: UUID.SortKey, seq: Int64)] = []
        // Other records (few): the last change of each.
        var others: [RecordKey: Int64] = [:]
        try db.cachedStatement(sql: "SELECT entity, entity_id, seq FROM change_log WHERE seq <= ? AND \(condition)")
            .eachRow(StatementArguments(each: [seq.databaseValue] + values)) { row in
                let entity = row.text(at: 0), id = row.text(at: 1), change = row.int64(at: 2)
                if entity.elementsEqual("feedback".utf8) {
                    if let id = UUID(utf8: id) { changes.append((id.sortKey, change)) }
                } else {
                    let record = RecordKey(entity: String(decoding: entity, as: UTF8.self), id: String(decoding: id, as: UTF8.self))
                    others[record] = max(others[record] ?? 0, change)
                }
            }
        changes.sort { $0.id != $1.id ? $0.id < $1.id : $0.seq < $1.seq }
        // The readable items: each id's key, and where its text is in `texts`.
        var readable: [(id: UUID.SortKey, text: Int)] = []
        var texts: [UInt8] = []
        readable.reserveCapacity(changes.count)
        texts.reserveCapacity(changes.count * 36)
        try db.cachedStatement(sql: "SELECT f.id FROM feedback AS f WHERE \(readableSQL)")
            .eachRow(StatementArguments(each: readableValues)) { row in
                let id = row.text(at: 0)
                guard let key = UUID(utf8: id) else { return }
                readable.append((key.sortKey, texts.count))
                texts.append(contentsOf: id)
            }
        readable.sort { $0.id < $1.id }
        var lines = SyncDigest.Lines(capacity: readable.count + 1)
        // Each readable item with the last change of it in the log (the last of its run).
        texts.withUnsafeBufferPointer { texts in
            var next = 0
            for item in readable {
                while next < changes.count, changes[next].id < item.id { next += 1 }
                var last: Int64?
                while next < changes.count, changes[next].id == item.id {
                    last = changes[next].seq
                    next += 1
                }
                if let last { lines.append(entity: "feedback", id: UnsafeBufferPointer(rebasing: texts[item.text..<item.text + 36]), seq: last) }
            }
        }
        var catalogSeq: Int64?
        for (record, seq) in others {
            if record.entity == "catalog" {
                catalogSeq = max(catalogSeq ?? 0, seq)
            } else if try currentView(db, entity: record.entity, id: record.id, for: user, now: now, catalog: catalog) != nil {
                lines.append(entity: record.entity, id: record.id, seq: seq)
            }
        }
        if let catalogSeq { lines.append(entity: "catalog", id: "catalog", seq: catalogSeq) }
        return lines.digest()
    }

    /// A feedback item as `user` may see it now, or nil when it is gone or not theirs to see.
    static func feedbackView(_ item: Feedback?, for user: Actor, now: Date) -> ChangeData? {
        guard let item, FeedbackController.mayRead(item, user) else { return nil }
        return .feedback(FeedbackView(item, viewer: user, now: now))
    }

    /// The record as `user` may see it now, or nil when it is not (or no longer) theirs to see.
    func currentView(_ db: Database, entity: String, id: String, for user: Actor, now: Date, catalog: ReferenceCatalog) throws -> ChangeData? {
        switch entity {
        case "feedback":
            return Self.feedbackView(try SQLiteStore.fetch(Feedback.self, key: id, db: db), for: user, now: now)
        case "feedback_message":
            guard let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM feedback_messages WHERE id = ?"), arguments: [id]) else { return nil }
            let message = SQLiteStore.message(row)
            guard let item = try SQLiteStore.fetch(Feedback.self, key: message.feedbackID.text, db: db),
                FeedbackController.mayRead(item, user), APIRouter.mayTalk(item, user)
            else { return nil }
            return .message(APIRouter.view(message, feedback: item, viewer: user))
        case "service_request":
            guard let item = try SQLiteStore.fetch(ServiceRequest.self, key: id, db: db), DossierController.mayRead(item, user) else { return nil }
            return .serviceRequest(ServiceRequestView(item, viewer: user, now: now))
        case "invoice":
            guard let item = try SQLiteStore.fetch(Invoice.self, key: id, db: db),
                MoneyController.mayRead(citizenID: item.citizenID, agencyCode: item.agencyCode, user)
            else { return nil }
            return .invoice(InvoiceView(item))
        case "payment":
            guard let item = try SQLiteStore.fetch(Payment.self, key: id, db: db),
                MoneyController.mayRead(citizenID: item.citizenID, agencyCode: item.agencyCode, user)
            else { return nil }
            return .payment(PaymentView(item))
        case "receipt":
            guard let item = try SQLiteStore.fetch(Receipt.self, key: id, db: db),
                MoneyController.mayRead(citizenID: item.citizenID, agencyCode: item.agencyCode, user)
            else { return nil }
            return .receipt(ReceiptView(item))
        case "catalog":
            return .catalog(CatalogView(catalog))
        default:
            return nil
        }
    }
}

extension APIRouter {
    func addSyncRoutes(_ sync: SyncService) {
        register(Endpoints.registerDevice) { call in try await sync.register(call.body, user: call.user, now: call.now) }
        register(Endpoints.syncPush) { call in try await sync.push(call.body, user: call.user, now: call.now) }
        register(written: Endpoints.syncPull) { call in try await sync.pull(call.body, user: call.user, now: call.now) }
    }
}
