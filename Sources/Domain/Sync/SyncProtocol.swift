import Foundation

/// Versions of the sync protocol (see `Docs/sync-protocol.md`).
public enum SyncProtocol {
    /// The version this build speaks.
    public static let currentVersion = 2
    /// The versions the server accepts: the current one and the one before it.
    public static let supportedVersions: ClosedRange<Int> = 1...2
    /// The most mutations one push may carry.
    public static let maximumBatch = 1000
    /// The most changes one pull page may carry.
    public static let maximumPage = 1000
}

/// Registers a device of the signed-in user.
public struct DeviceRegistration: Codable, Sendable, Equatable {
    public var protocolVersion: Int
    /// A name the user recognises ("Điện thoại của Lan").
    public var name: String?
    /// `ios`, `android`, `cli`, …
    public var platform: String?
    public init(protocolVersion: Int = SyncProtocol.currentVersion, name: String? = nil, platform: String? = nil) {
        self.protocolVersion = protocolVersion
        self.name = name
        self.platform = platform
    }

    enum CodingKeys: String, CodingKey { case protocolVersion = "protocol_version", name, platform }
}

/// A registered device.
public struct DeviceRegistered: Codable, Sendable, Equatable {
    public var protocolVersion: Int
    /// The id every push and pull of this device names.
    public var deviceId: UUID
    /// The last sequence number the server applied for this device (0 for a new device).
    public var lastAppliedSeq: Int64
    public init(protocolVersion: Int, deviceId: UUID, lastAppliedSeq: Int64) {
        self.protocolVersion = protocolVersion
        self.deviceId = deviceId
        self.lastAppliedSeq = lastAppliedSeq
    }

    enum CodingKeys: String, CodingKey { case protocolVersion = "protocol_version", deviceId = "device_id", lastAppliedSeq = "last_applied_seq" }
}

/// What a queued write does, with its arguments.
public enum MutationCommand: Sendable, Equatable {
    case createFeedback(FeedbackCreate)
    case withdrawFeedback(id: UUID, reason: String?)
    case rateFeedback(id: UUID, stars: Int, comment: String?)
    case reopenFeedback(id: UUID, reason: String)
    case postMessage(feedbackId: UUID, message: MessageCreate)
    case createRequest(ServiceRequestCreate)
    case supplementRequest(id: UUID, documents: [String])
    case withdrawRequest(id: UUID, reason: String?)
    case startFeedback(id: UUID)
    case resolveFeedback(id: UUID, answer: String)
    case rejectFeedback(id: UUID, body: RejectBody)
    case transferFeedback(id: UUID, body: TransferBody)
    case assignFeedback(id: UUID, username: String)
    case receiveRequest(id: UUID)
    case startRequest(id: UUID)
    case askSupplement(id: UUID, missing: String)
    case resultReady(id: UUID)
    case completeRequest(id: UUID)
    case rejectRequest(id: UUID, reason: String)

    /// The wire name, e.g. `feedback.create`.
    public var name: String {
        switch self {
        case .createFeedback: "feedback.create"
        case .withdrawFeedback: "feedback.withdraw"
        case .rateFeedback: "feedback.rate"
        case .reopenFeedback: "feedback.reopen"
        case .postMessage: "feedback.message"
        case .createRequest: "request.create"
        case .supplementRequest: "request.supplement"
        case .withdrawRequest: "request.withdraw"
        case .startFeedback: "feedback.start"
        case .resolveFeedback: "feedback.resolve"
        case .rejectFeedback: "feedback.reject"
        case .transferFeedback: "feedback.transfer"
        case .assignFeedback: "feedback.assign"
        case .receiveRequest: "request.receive"
        case .startRequest: "request.start"
        case .askSupplement: "request.ask_supplement"
        case .resultReady: "request.result_ready"
        case .completeRequest: "request.complete"
        case .rejectRequest: "request.reject"
        }
    }

    /// Every wire name.
    public static let names: [String] = [
        "feedback.create", "feedback.withdraw", "feedback.rate", "feedback.reopen", "feedback.message", "request.create",
        "request.supplement", "request.withdraw", "feedback.start", "feedback.resolve", "feedback.reject",
        "feedback.transfer", "feedback.assign", "request.receive", "request.start", "request.ask_supplement",
        "request.result_ready", "request.complete", "request.reject",
    ]

    /// The entity and id the write is about.
    public var target: (entity: String, id: UUID) {
        switch self {
        case .createFeedback(let body): ("feedback", body.id)
        case .postMessage(_, let message): ("feedback_message", message.id)
        case .createRequest(let body): ("service_request", body.id)
        case .withdrawFeedback(let id, _), .rateFeedback(let id, _, _), .reopenFeedback(let id, _), .startFeedback(let id),
            .resolveFeedback(let id, _), .rejectFeedback(let id, _), .transferFeedback(let id, _), .assignFeedback(let id, _):
            ("feedback", id)
        case .supplementRequest(let id, _), .withdrawRequest(let id, _), .receiveRequest(let id), .startRequest(let id),
            .askSupplement(let id, _), .resultReady(let id), .completeRequest(let id), .rejectRequest(let id, _):
            ("service_request", id)
        }
    }
}

/// One queued write: the device's sequence number, a client-generated id, the command, and for
/// staff status changes the status the device last saw (a conflict check).
public struct Mutation: Codable, Sendable, Equatable {
    /// 1, 2, 3, … per device, in the order the writes were made.
    public var seq: Int64
    /// A client-generated id, unique across devices.
    public var id: UUID
    /// What to do.
    public var command: MutationCommand
    /// The item's status when the device made the change; if the server's differs, the write is
    /// rejected with `sync.conflict` instead of overwriting another person's change.
    public var expectedStatus: String?
    /// When the device made it, by the device's clock: shown to people, never trusted for order.
    public var madeAt: Date?

    public init(seq: Int64, id: UUID, command: MutationCommand, expectedStatus: String? = nil, madeAt: Date? = nil) {
        self.seq = seq
        self.id = id
        self.command = command
        self.expectedStatus = expectedStatus
        self.madeAt = madeAt
    }

    private enum CodingKeys: String, CodingKey { case seq, id, name, args, expectedStatus = "expected_status", madeAt = "made_at" }

    private struct IDArgs: Codable { var id: UUID }
    private struct ReasonArgs: Codable { var id: UUID; var reason: String? }
    private struct RatingArgs: Codable { var id: UUID; var stars: Int; var comment: String? }
    private struct MessageArgs: Codable {
        var feedbackId: UUID
        var messageId: UUID
        var body: String
        enum CodingKeys: String, CodingKey { case feedbackId = "feedback_id", messageId = "message_id", body }
    }
    private struct DocumentsArgs: Codable { var id: UUID; var documents: [String] }
    private struct AnswerArgs: Codable { var id: UUID; var answer: String }
    private struct RejectArgs: Codable {
        var id: UUID
        var reason: RejectionReason
        var note: String
        var duplicateOf: UUID?
        enum CodingKeys: String, CodingKey { case id, reason, note, duplicateOf = "duplicate_of" }
    }
    private struct TransferArgs: Codable { var id: UUID; var agency: String; var reason: String }
    private struct AssignArgs: Codable { var id: UUID; var username: String }
    private struct MissingArgs: Codable { var id: UUID; var missing: String }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        seq = try c.decode(Int64.self, forKey: .seq)
        id = try c.decode(UUID.self, forKey: .id)
        expectedStatus = try c.decodeIfPresent(String.self, forKey: .expectedStatus)
        madeAt = try c.decodeIfPresent(Date.self, forKey: .madeAt)
        let name = try c.decode(String.self, forKey: .name)
        func args<T: Decodable>(_ type: T.Type) throws -> T { try c.decode(T.self, forKey: .args) }
        switch name {
        case "feedback.create": command = .createFeedback(try args(FeedbackCreate.self))
        case "feedback.withdraw": let a = try args(ReasonArgs.self); command = .withdrawFeedback(id: a.id, reason: a.reason)
        case "feedback.rate": let a = try args(RatingArgs.self); command = .rateFeedback(id: a.id, stars: a.stars, comment: a.comment)
        case "feedback.reopen": let a = try args(ReasonArgs.self); command = .reopenFeedback(id: a.id, reason: a.reason ?? "")
        case "feedback.message":
            let a = try args(MessageArgs.self)
            command = .postMessage(feedbackId: a.feedbackId, message: MessageCreate(id: a.messageId, body: a.body))
        case "request.create": command = .createRequest(try args(ServiceRequestCreate.self))
        case "request.supplement": let a = try args(DocumentsArgs.self); command = .supplementRequest(id: a.id, documents: a.documents)
        case "request.withdraw": let a = try args(ReasonArgs.self); command = .withdrawRequest(id: a.id, reason: a.reason)
        case "feedback.start": command = .startFeedback(id: try args(IDArgs.self).id)
        case "feedback.resolve": let a = try args(AnswerArgs.self); command = .resolveFeedback(id: a.id, answer: a.answer)
        case "feedback.reject":
            let a = try args(RejectArgs.self)
            command = .rejectFeedback(id: a.id, body: RejectBody(reason: a.reason, note: a.note, duplicateOf: a.duplicateOf))
        case "feedback.transfer":
            let a = try args(TransferArgs.self)
            command = .transferFeedback(id: a.id, body: TransferBody(agency: a.agency, reason: a.reason))
        case "feedback.assign": let a = try args(AssignArgs.self); command = .assignFeedback(id: a.id, username: a.username)
        case "request.receive": command = .receiveRequest(id: try args(IDArgs.self).id)
        case "request.start": command = .startRequest(id: try args(IDArgs.self).id)
        case "request.ask_supplement": let a = try args(MissingArgs.self); command = .askSupplement(id: a.id, missing: a.missing)
        case "request.result_ready": command = .resultReady(id: try args(IDArgs.self).id)
        case "request.complete": command = .completeRequest(id: try args(IDArgs.self).id)
        case "request.reject": let a = try args(ReasonArgs.self); command = .rejectRequest(id: a.id, reason: a.reason ?? "")
        default:
            throw DecodingError.dataCorruptedError(forKey: .name, in: c, debugDescription: "unknown mutation \(name)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(seq, forKey: .seq)
        try c.encode(id, forKey: .id)
        try c.encode(command.name, forKey: .name)
        try c.encodeIfPresent(expectedStatus, forKey: .expectedStatus)
        try c.encodeIfPresent(madeAt, forKey: .madeAt)
        switch command {
        case .createFeedback(let body): try c.encode(body, forKey: .args)
        case .withdrawFeedback(let id, let reason), .withdrawRequest(let id, let reason): try c.encode(ReasonArgs(id: id, reason: reason), forKey: .args)
        case .reopenFeedback(let id, let reason), .rejectRequest(let id, let reason): try c.encode(ReasonArgs(id: id, reason: reason), forKey: .args)
        case .rateFeedback(let id, let stars, let comment): try c.encode(RatingArgs(id: id, stars: stars, comment: comment), forKey: .args)
        case .postMessage(let feedbackId, let message):
            try c.encode(MessageArgs(feedbackId: feedbackId, messageId: message.id, body: message.body), forKey: .args)
        case .createRequest(let body): try c.encode(body, forKey: .args)
        case .supplementRequest(let id, let documents): try c.encode(DocumentsArgs(id: id, documents: documents), forKey: .args)
        case .startFeedback(let id), .receiveRequest(let id), .startRequest(let id), .resultReady(let id), .completeRequest(let id):
            try c.encode(IDArgs(id: id), forKey: .args)
        case .resolveFeedback(let id, let answer): try c.encode(AnswerArgs(id: id, answer: answer), forKey: .args)
        case .rejectFeedback(let id, let body):
            try c.encode(RejectArgs(id: id, reason: body.reason, note: body.note, duplicateOf: body.duplicateOf), forKey: .args)
        case .transferFeedback(let id, let body): try c.encode(TransferArgs(id: id, agency: body.agency, reason: body.reason), forKey: .args)
        case .assignFeedback(let id, let username): try c.encode(AssignArgs(id: id, username: username), forKey: .args)
        case .askSupplement(let id, let missing): try c.encode(MissingArgs(id: id, missing: missing), forKey: .args)
        }
    }
}

/// Pushes queued writes, oldest first.
public struct PushRequest: Codable, Sendable, Equatable {
    public var protocolVersion: Int
    public var deviceId: UUID
    /// Consecutive sequence numbers; the first may repeat ones already applied (a retry).
    public var mutations: [Mutation]
    public init(protocolVersion: Int = SyncProtocol.currentVersion, deviceId: UUID, mutations: [Mutation]) {
        self.protocolVersion = protocolVersion
        self.deviceId = deviceId
        self.mutations = mutations
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case protocolVersion = "protocol_version", deviceId = "device_id", mutations }
}

/// The server's verdict on one write, stored so a retry gets the same answer.
public struct MutationResult: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        /// It took effect.
        case applied
        /// It was refused for good; the queue moves on.
        case rejected
    }
    public var seq: Int64
    public var id: UUID
    public var status: Status
    /// The entity it touched.
    public var entity: String
    public var entityId: UUID
    /// Why it was rejected: a stable code and the message in both languages.
    public var code: String?
    public var messageVi: String?
    public var messageEn: String?
    public init(seq: Int64, id: UUID, status: Status, entity: String, entityId: UUID, code: String? = nil, message: Message? = nil) {
        self.seq = seq
        self.id = id
        self.status = status
        self.entity = entity
        self.entityId = entityId
        self.code = code
        self.messageVi = message?.vi
        self.messageEn = message?.en
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case seq, id, status, entity, entityId = "entity_id", code, messageVi = "message_vi", messageEn = "message_en" }
}

/// The results of a push.
public struct PushResponse: Codable, Sendable, Equatable {
    public var protocolVersion: Int
    /// One per mutation sent, in order (stored results for retried ones).
    public var results: [MutationResult]
    /// The device's last applied sequence number after this push.
    public var lastAppliedSeq: Int64
    public init(protocolVersion: Int, results: [MutationResult], lastAppliedSeq: Int64) {
        self.protocolVersion = protocolVersion
        self.results = results
        self.lastAppliedSeq = lastAppliedSeq
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case protocolVersion = "protocol_version", results, lastAppliedSeq = "last_applied_seq" }
}

/// Asks for what changed since a cursor.
public struct PullRequest: Codable, Sendable, Equatable {
    public var protocolVersion: Int
    public var deviceId: UUID
    /// The cursor of the last page applied; absent for a first pull.
    public var cursor: String?
    /// Changes per page (default 500, at most 1000).
    public var limit: Int?
    /// Whether the last page should carry the digest (default true). Computing it reads the whole
    /// view, so frequent small pulls may skip it and ask now and then.
    public var wantDigest: Bool?
    public init(protocolVersion: Int = SyncProtocol.currentVersion, deviceId: UUID, cursor: String? = nil, limit: Int? = nil, wantDigest: Bool? = nil) {
        self.protocolVersion = protocolVersion
        self.deviceId = deviceId
        self.cursor = cursor
        self.limit = limit
        self.wantDigest = wantDigest
    }

    enum CodingKeys: String, CodingKey { case protocolVersion = "protocol_version", deviceId = "device_id", cursor, limit, wantDigest = "want_digest" }
}

/// The current state of one record, or its removal from the user's view.
public enum ChangeData: Sendable, Equatable {
    case feedback(FeedbackView)
    case message(MessageView)
    case serviceRequest(ServiceRequestView)
    case invoice(InvoiceView)
    case payment(PaymentView)
    case receipt(ReceiptView)
    case catalog(CatalogView)
}

/// One change of a pull page.
public struct Change: Codable, Sendable, Equatable {
    public enum Op: String, Codable, Sendable {
        /// The record as it is now; replace what you hold.
        case put
        /// The record left your view (withdrawn access, transfer): delete it.
        case remove
    }
    /// The position in the change log: ascending within and across pages.
    public var seq: Int64
    public var entity: String
    public var id: String
    public var op: Op
    /// The record, for `put`.
    public var data: ChangeData?
    /// The change's JSON as it came, when it was read from the wire (`WireJSONReader`): a
    /// client may store these bytes instead of writing the values out again. Not part of the
    /// change's value (equality ignores it).
    public internal(set) var wire: ArraySlice<UInt8>?

    public init(seq: Int64, entity: String, id: String, op: Op, data: ChangeData?) {
        self.seq = seq
        self.entity = entity
        self.id = id
        self.op = op
        self.data = data
    }

    public static func == (a: Change, b: Change) -> Bool {
        a.seq == b.seq && a.entity == b.entity && a.id == b.id && a.op == b.op && a.data == b.data
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case seq, entity, id, op, data }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        seq = try c.decode(Int64.self, forKey: .seq)
        entity = try c.decode(String.self, forKey: .entity)
        id = try c.decode(String.self, forKey: .id)
        op = try c.decode(Op.self, forKey: .op)
        guard op == .put else { data = nil; return }
        switch entity {
        case "feedback": data = .feedback(try c.decode(FeedbackView.self, forKey: .data))
        case "feedback_message": data = .message(try c.decode(MessageView.self, forKey: .data))
        case "service_request": data = .serviceRequest(try c.decode(ServiceRequestView.self, forKey: .data))
        case "invoice": data = .invoice(try c.decode(InvoiceView.self, forKey: .data))
        case "payment": data = .payment(try c.decode(PaymentView.self, forKey: .data))
        case "receipt": data = .receipt(try c.decode(ReceiptView.self, forKey: .data))
        case "catalog": data = .catalog(try c.decode(CatalogView.self, forKey: .data))
        default: data = nil  // an entity this client does not know yet: skip it (additive versions).
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(seq, forKey: .seq)
        try c.encode(entity, forKey: .entity)
        try c.encode(id, forKey: .id)
        try c.encode(op, forKey: .op)
        switch data {
        case .feedback(let v): try c.encode(v, forKey: .data)
        case .message(let v): try c.encode(v, forKey: .data)
        case .serviceRequest(let v): try c.encode(v, forKey: .data)
        case .invoice(let v): try c.encode(v, forKey: .data)
        case .payment(let v): try c.encode(v, forKey: .data)
        case .receipt(let v): try c.encode(v, forKey: .data)
        case .catalog(let v): try c.encode(v, forKey: .data)
        case nil: break
        }
    }
}

/// One page of changes.
public struct PullResponse: Codable, Sendable, Equatable {
    public var protocolVersion: Int
    public var changes: [Change]
    /// Pass back to continue after this page; store it only once the page is applied.
    public var cursor: String
    /// Whether more changes follow now.
    public var hasMore: Bool
    /// The device's last applied sequence number: queued writes up to it can leave the outbox.
    public var lastAppliedSeq: Int64
    /// On the last page (version 2): the digest of everything the user can see, for a convergence check.
    public var digest: String?
    public init(protocolVersion: Int, changes: [Change], cursor: String, hasMore: Bool, lastAppliedSeq: Int64, digest: String?) {
        self.protocolVersion = protocolVersion
        self.changes = changes
        self.cursor = cursor
        self.hasMore = hasMore
        self.lastAppliedSeq = lastAppliedSeq
        self.digest = digest
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case protocolVersion = "protocol_version", changes, cursor, hasMore = "has_more", lastAppliedSeq = "last_applied_seq", digest }
}

/// The digest of a set of records: SHA-256-free so Domain stays Foundation-only; FNV-1a 64 over the
/// sorted lines `entity|id|seq`, twice with different offsets (128 bits), hex.
public enum SyncDigest {
    /// The digest of records given as (entity, id, seq of the change that delivered their state).
    ///
    /// The lines are laid out in one buffer and sorted by their bytes, which for ASCII lines (entity
    /// names, UUIDs, numbers: every line the server makes) is the order of the strings, without a
    /// string per line: a user's whole view is hashed on every complete sync. Lines with other
    /// characters take `reference(_:)`, the definition. An array, not any sequence: a generic
    /// function of this module is not specialised for its callers in others, and unspecialised it
    /// copied every record through the runtime (half its time on 110,000 records).
    public static func of(_ records: [(entity: String, id: String, seq: Int64)]) -> String {
        var lines = Lines(capacity: records.count)
        for index in records.indices {
            lines.append(entity: records[index].entity, id: records[index].id, seq: records[index].seq)
        }
        return lines.digest()
    }

    /// The lines of a digest gathered one by one, for a caller that reads ids as bytes (the
    /// server reads a whole view's ids from SQLite without a string for each).
    public struct Lines: Sendable {
        private var bytes: [UInt8] = []
        private var lines: [Range<Int>] = []

        public init(capacity: Int) {
            lines.reserveCapacity(capacity)
            bytes.reserveCapacity(capacity * 56)
        }

        /// Adds the line `entity|id|seq`.
        public mutating func append(entity: String, id: String, seq: Int64) {
            var id = id
            id.withUTF8 { append(entity: entity, id: $0, seq: seq) }
        }

        /// Adds the line `entity|id|seq`, the id given as its UTF-8 bytes.
        public mutating func append(entity: String, id: UnsafeBufferPointer<UInt8>, seq: Int64) {
            let start = bytes.count
            bytes.append(contentsOf: entity.utf8)
            bytes.append(UInt8(ascii: "|"))
            bytes.append(contentsOf: id)
            bytes.append(UInt8(ascii: "|"))
            appendDecimal(seq, to: &bytes)
            lines.append(start..<bytes.count)
        }

        /// The digest of the lines added, in any order.
        public func digest() -> String {
            guard bytes.allSatisfy({ $0 < 0x80 }) else {
                return reference(lines.map { String(decoding: bytes[$0], as: UTF8.self) })
            }
            var lines = lines
            var hash = Hash()
            bytes.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                lines.sort { x, y in
                    let order = memcmp(base + x.lowerBound, base + y.lowerBound, min(x.count, y.count))
                    return order != 0 ? order < 0 : x.count < y.count
                }
                for line in lines { hash.add(UnsafeBufferPointer(rebasing: buffer[line])) }
            }
            return hash.text
        }
    }

    /// The definition: the lines `entity|id|seq` sorted as strings, each hashed with its newline.
    static func reference(_ lines: [String]) -> String {
        var hash = Hash()
        for line in lines.sorted() {
            var line = line
            line.withUTF8 { hash.add($0) }
        }
        return hash.text
    }

    /// Two FNV-1a 64 hashes with different offsets.
    private struct Hash {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x8422_2325_cbf2_9ce4

        mutating func add(_ line: UnsafeBufferPointer<UInt8>) {
            for byte in line {
                a = (a ^ UInt64(byte)) &* 0x100_0000_01b3
                b = (b ^ UInt64(byte)) &* 0x100_0000_01b3 &+ 0x9e37_79b9
            }
            a = (a ^ 10) &* 0x100_0000_01b3
            b = (b ^ 10) &* 0x100_0000_01b3 &+ 0x9e37_79b9
        }

        var text: String { String(format: "%016llx%016llx", a, b) }
    }
}
