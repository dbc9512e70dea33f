import Domain
import Foundation
import GRDB
import Hummingbird

/// The server side of the sync protocol: devices, pushes applied exactly once in order, pulls of
/// what each user may see (see `Docs/sync-protocol.md`).
struct SyncService: Sendable {
    let store: SQLiteStore
    let feedback: FeedbackController
    let dossiers: DossierController
    let catalog: CatalogProvider
    let ids: IDGenerator

    static func unsupportedVersion(_ version: Int) -> APIError {
        APIError(status: .badRequest, code: "sync.unsupported_version", message: Message(
            vi: "Phiên bản giao thức đồng bộ \(version) không được hỗ trợ (hỗ trợ \(SyncProtocol.supportedVersions.lowerBound)–\(SyncProtocol.supportedVersions.upperBound)); hãy cập nhật ứng dụng.",
            en: "Sync protocol version \(version) is not supported (supported: \(SyncProtocol.supportedVersions.lowerBound)–\(SyncProtocol.supportedVersions.upperBound)); update the app."),
            field: "protocol_version")
    }

    static let unknownDevice = APIError(status: .notFound, code: "sync.unknown_device", message: Message(
        vi: "Thiết bị chưa đăng ký với tài khoản này; hãy đăng ký lại.", en: "This device is not registered to this account; register it again."),
        field: "device_id")

    static func gap(expected: Int64) -> APIError {
        APIError(status: .conflict, code: "sync.sequence_gap", message: Message(
            vi: "Thiếu thao tác trước đó: máy chủ đang chờ thao tác số \(expected).",
            en: "A write is missing: the server expects sequence number \(expected) next."), field: "mutations[0].seq",
            headers: [(.init("Sync-Expected-Seq")!, String(expected))])
    }

    static let resetRequired = APIError(status: .gone, code: "sync.reset_required", message: Message(
        vi: "Dữ liệu trên máy đã quá cũ; cần tải lại toàn bộ (các thao tác chưa gửi vẫn được giữ).",
        en: "The local copy is too old; pull everything again (pending writes are kept)."), field: "cursor")

    func check(_ version: Int) throws {
        guard SyncProtocol.supportedVersions.contains(version) else { throw Self.unsupportedVersion(version) }
    }

    // MARK: Devices

    func register(_ body: DeviceRegistration, user: Actor, now: Date) async throws -> DeviceRegistered {
        try check(body.protocolVersion)
        let id = ids()
        let name = body.name.map { String($0.prefix(100)) }, platform = body.platform.map { String($0.prefix(20)) }
        try await store.database.write { db in
            try db.run("INSERT INTO devices (id, user_id, name, platform, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)", [id.text, user.id.text, name, platform, now.stored, now.stored])
        }
        return DeviceRegistered(protocolVersion: SyncProtocol.currentVersion, deviceId: id, lastAppliedSeq: 0)
    }

    static func lastSeq(_ db: Database, device: UUID, user: Actor) throws -> Int64 {
        guard let last = try Int64.fetchOne(try db.cachedStatement(sql: "SELECT last_seq FROM devices WHERE id = ? AND user_id = ?"), arguments: [device.text, user.id.text])
        else { throw unknownDevice }
        return last
    }

    // MARK: Push

    func push(_ body: PushRequest, user: Actor, now: Date) async throws -> PushResponse {
        try check(body.protocolVersion)
        guard body.mutations.count <= SyncProtocol.maximumBatch else {
            throw APIError(status: .contentTooLarge, code: "sync.batch_too_large", message: Message(
                vi: "Mỗi lần gửi tối đa \(SyncProtocol.maximumBatch) thao tác.", en: "At most \(SyncProtocol.maximumBatch) writes per push."),
                field: "mutations")
        }
        for (index, pair) in zip(body.mutations, body.mutations.dropFirst()).enumerated() where pair.1.seq != pair.0.seq + 1 {
            throw APIError(status: .badRequest, code: "sync.sequence_not_consecutive", message: Message(
                vi: "Số thứ tự các thao tác phải liên tiếp.", en: "Sequence numbers in a push must be consecutive."),
                field: "mutations[\(index + 1)].seq")
        }
        let device = body.deviceId
        var actor = user
        actor.deviceID = device
        let deviceActor = actor
        // Drafts of feedback are checked before the write (`FeedbackController.filing`).
        let filings = body.mutations.map { mutation -> FeedbackController.Filing? in
            guard case .createFeedback(let create) = mutation.command, deviceActor.role == .citizen else { return nil }
            return feedback.filing(create, by: deviceActor, at: now)
        }
        // The writes run back to back, bare (a savepoint copies every page it changes into a
        // temporary file, the push's whole or each write's: most of a push's system calls). A
        // write that fails after changing rows makes the group commit run its batch again,
        // isolated: then each write of the push has its own savepoint, and that one alone is
        // undone and rejected.
        return try await store.database.write(isolating: { db, isolated in
            try self.apply(body, filings: filings, db: db, device: device, user: user, actor: deviceActor, now: now, isolated: isolated)
        })
    }

    /// Applies a push's writes in order and records their verdicts and the device's last sequence.
    /// Not isolated, a write that fails after changing rows throws `PartialWrite`.
    private func apply(
        _ body: PushRequest, filings: [FeedbackController.Filing?], db: Database, device: UUID, user: Actor, actor deviceActor: Actor,
        now: Date, isolated: Bool
    ) throws -> PushResponse {
        var last = try Self.lastSeq(db, device: device, user: user)
        if let first = body.mutations.first, first.seq > last + 1 { throw Self.gap(expected: last + 1) }
        var results: [MutationResult] = []
        writes: for (mutation, filing) in zip(body.mutations, filings) {
            if mutation.seq <= last {
                results.append(try Self.storedResult(db, device: device, seq: mutation.seq, mutation: mutation))
                continue
            }
            let target = mutation.command.target
            var result = MutationResult(seq: mutation.seq, id: mutation.id, status: .applied, entity: target.entity, entityId: target.id)
            do {
                try db.write(isolated: isolated) { try self.apply(db, mutation, filing: filing, by: deviceActor, at: now) }
            } catch let partial as GroupCommit.PartialWrite {
                throw partial
            } catch AttachmentError.missing {
                // Not a verdict: the device has not uploaded a file yet. Stop here; this write
                // and the ones behind it wait (the answer carries fewer results than writes).
                break writes
            } catch {
                guard let (code, message) = Self.rejection(error) else { throw error }
                result.status = .rejected
                result.code = code
                result.messageVi = message.vi
                result.messageEn = message.en
            }
            try db.run("""
                    INSERT INTO mutation_results (device_id, seq, mutation_id, name, status, entity, entity_id, code, message_vi, message_en, at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, binding: [device.text, mutation.seq, mutation.id.text, mutation.command.name, result.status.rawValue,
                            result.entity, result.entityId.text, result.code, result.messageVi, result.messageEn, now.stored])
            last = mutation.seq
            results.append(result)
        }
        try db.run("UPDATE devices SET last_seq = ?, last_seen_at = ? WHERE id = ?", binding: [last, now.stored, device.text])
        return PushResponse(protocolVersion: SyncProtocol.currentVersion, results: results, lastAppliedSeq: last)
    }

    static func storedResult(_ db: Database, device: UUID, seq: Int64, mutation: Mutation) throws -> MutationResult {
        guard let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM mutation_results WHERE device_id = ? AND seq = ?"), arguments: [device.text, seq])
        else { throw StoreError.notFound("mutation result \(seq)") }
        guard row["mutation_id"] as String == mutation.id.text else {
            throw APIError(status: .conflict, code: "sync.sequence_reused", message: Message(
                vi: "Số thứ tự \(seq) đã dùng cho một thao tác khác.", en: "Sequence number \(seq) was used by another write."),
                field: "mutations")
        }
        var result = MutationResult(
            seq: seq, id: mutation.id, status: MutationResult.Status(rawValue: row["status"])!, entity: row["entity"],
            entityId: row.uuid("entity_id")!, code: row["code"])
        result.messageVi = row["message_vi"]
        result.messageEn = row["message_en"]
        return result
    }

    /// The code and message of a permanent refusal, or nil for a failure the client should retry.
    static func rejection(_ error: any Error) -> (String, Message)? {
        switch error {
        case let error as any DomainFailure: (error.code, error.message)
        case let error as APIError: (error.code, error.message)
        case let error as StoreError:
            switch error {
            case .notFound: ("item.not_found", APIError.notFound().message)
            case .conflict(let what): ("item.conflict", Message(vi: "Đã tồn tại: \(what).", en: "Already exists: \(what)."))
            }
        case let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT:
            ("item.constraint", Message(vi: "Dữ liệu không hợp lệ.", en: "The data breaks a rule of the store."))
        default: nil
        }
    }

    /// Applies one write with the same rules as its HTTP endpoint (`filing`: its draft checked, for
    /// filing feedback).
    func apply(_ db: Database, _ mutation: Mutation, filing: FeedbackController.Filing?, by actor: Actor, at now: Date) throws {
        if let expected = mutation.expectedStatus {
            let target = mutation.command.target
            let table = target.entity == "feedback" ? "feedback" : "service_requests"
            if let current = try String.fetchOne(try db.cachedStatement(sql: "SELECT status FROM \(table) WHERE id = ?"), arguments: [target.id.text]),
                current != expected
            {
                throw APIError(status: .conflict, code: "sync.conflict", message: Message(
                    vi: "Mục này đã được người khác chuyển sang trạng thái “\(current)” trước khi thao tác của bạn được gửi; thao tác không được áp dụng.",
                    en: "Someone else already moved this item to “\(current)” before your change arrived; your change was not applied."))
            }
        }
        let policy = feedback.policy
        switch mutation.command {
        case .createFeedback(let body):
            guard actor.role == .citizen else { throw APIError.forbidden }
            _ = try feedback.create(db, filing ?? feedback.filing(body, by: actor, at: now))
        case .withdrawFeedback(let id, let reason): _ = try feedback.apply(db, id, by: actor, at: now) { _ in .withdraw(reason: reason) }
        case .rateFeedback(let id, let stars, let comment):
            _ = try feedback.apply(db, id, by: actor, at: now) { _ in .rate(stars: stars, comment: comment, policy: policy) }
        case .reopenFeedback(let id, let reason):
            _ = try feedback.apply(db, id, by: actor, at: now) { _ in .reopen(reason: reason, policy: policy) }
        case .postMessage(let feedbackID, let message):
            _ = try feedback.postMessage(db, feedbackID: feedbackID, message: message, by: actor, at: now)
        case .createRequest(let body):
            guard actor.role == .citizen else { throw APIError.forbidden }
            _ = try dossiers.create(db, body, by: actor, at: now)
        case .supplementRequest(let id, let documents):
            _ = try dossiers.apply(db, id, by: actor, at: now) { _, a in .supplement(documents: documents, calendar: a.catalog.workingCalendar) }
        case .withdrawRequest(let id, let reason): _ = try dossiers.apply(db, id, by: actor, at: now) { _, _ in .withdraw(reason: reason) }
        case .startFeedback(let id): _ = try feedback.apply(db, id, by: actor, at: now) { _ in .start }
        case .resolveFeedback(let id, let answer): _ = try feedback.apply(db, id, by: actor, at: now) { _ in .resolve(answer: answer) }
        case .rejectFeedback(let id, let body):
            _ = try feedback.apply(db, id, by: actor, at: now) { _ in .reject(body.reason, note: body.note, duplicateOf: body.duplicateOf) }
        case .transferFeedback(let id, let body):
            guard catalog.current.agency(body.agency) != nil else { throw FeedbackError.unknownAgency(body.agency) }
            _ = try feedback.apply(db, id, by: actor, at: now) { _ in .transfer(agency: body.agency, reason: body.reason) }
        case .assignFeedback(let id, let username):
            guard let official = try SQLiteStore.staff(db, username: username) else { throw FeedbackError.assigneeNotInAgency }
            _ = try feedback.apply(db, id, by: actor, at: now) { _ in .assignOfficial(official.id, staffAgency: official.agencyCode ?? "") }
        case .receiveRequest(let id):
            _ = try dossiers.apply(db, id, by: actor, at: now) { current, a in
                guard let procedure = a.catalog.procedure(current.procedureCode) else { throw DossierError.unknownProcedure(current.procedureCode) }
                return .receive(code: try a.nextCode(), processingDays: procedure.processingDays, calendar: a.catalog.workingCalendar)
            }
        case .startRequest(let id): _ = try dossiers.apply(db, id, by: actor, at: now) { _, _ in .startProcessing }
        case .askSupplement(let id, let missing):
            _ = try dossiers.apply(db, id, by: actor, at: now) { _, a in .requestSupplement(missing: missing, calendar: a.catalog.workingCalendar) }
        case .resultReady(let id): _ = try dossiers.apply(db, id, by: actor, at: now) { _, _ in .markResultReady }
        case .completeRequest(let id): _ = try dossiers.apply(db, id, by: actor, at: now) { _, a in .complete(calendar: a.catalog.workingCalendar) }
        case .rejectRequest(let id, let reason): _ = try dossiers.apply(db, id, by: actor, at: now) { _, _ in .reject(reason: reason) }
        }
    }
}
