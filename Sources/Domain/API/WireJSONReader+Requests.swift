import Foundation

// Request bodies the server reads by the thousand (filing feedback, pushes of up to 1,000
// writes), read in place. A server must still answer a bad body with the decoder's own error (the
// field and the reason), so these readers are a fast path only: `WireCoding.read(_:from:)` falls
// back to the decoder whenever they refuse something, and they refuse whatever they are not sure
// to read to the decoder's value (a key given twice, which the decoder reads as its first).

extension FeedbackCreate: WireJSONReadable {
    /// The keys of the flat object: the id and the draft's fields.
    private enum WireKey: String, CaseIterable, Sendable {
        case id, category, title, description, latitude, longitude, commune, address, photos, anonymous, isPublic = "public"
    }

    private static let wireKeys = WireKeys(WireKey.self)

    /// Reads a whole document as `WireCoding.decoder()` would, or throws.
    public init(wireJSON bytes: [UInt8]) throws {
        var json = WireJSONReader(bytes)
        try self.init(reading: &json)
        try json.end()
    }

    /// Reads the object the reader is on.
    public init(reading json: inout WireJSONReader) throws {
        var id: UUID?, category: String?, title: String?, description: String?, latitude: Double?, longitude: Double?
        var commune: String?, address: String?, photos: [String]?, anonymous: Bool?, isPublic: Bool?
        try json.members(Self.wireKeys, refusingRepeats: true) { json, key in
            switch key {
            case .id: id = try json.uuid()
            case .category: category = try json.string()
            case .title: title = try json.string()
            case .description: description = try json.string()
            case .latitude: latitude = try json.optional { try $0.double() }
            case .longitude: longitude = try json.optional { try $0.double() }
            case .commune: commune = try json.optional { try $0.string() }
            case .address: address = try json.optional { try $0.string() }
            case .photos:
                photos = try json.optional { json in
                    var list: [String] = []
                    try json.elements { list.append(try $0.string()) }
                    return list
                }
            case .anonymous: anonymous = try json.optional { try $0.bool() }
            case .isPublic: isPublic = try json.optional { try $0.bool() }
            case nil: try json.skip()
            }
        }
        guard let id, let category, let title, let description else { throw json.failure("feedback without a required field") }
        self.init(id: id, draft: FeedbackDraft(
            category: category, title: title, description: description, latitude: latitude, longitude: longitude,
            commune: commune, address: address, photos: photos ?? [], anonymous: anonymous ?? false, isPublic: isPublic ?? true))
    }
}

extension Mutation {
    private enum WireKey: String, CaseIterable, Sendable {
        case seq, id, name, args, expectedStatus = "expected_status", madeAt = "made_at"
    }

    private static let wireKeys = WireKeys(WireKey.self)

    /// Reads the mutation the reader is on: filing feedback (nearly every write of a big push) in
    /// place, any other command through the decoder from the mutation's bytes.
    public init(reading json: inout WireJSONReader) throws {
        let (read, bytes) = try json.withBytes { json -> Mutation? in
            var seq: Int64?, id: UUID?, name: String?, args: Range<Int>?, expectedStatus: String?, madeAt: Date?
            try json.members(Self.wireKeys, refusingRepeats: true) { json, key in
                switch key {
                case .seq: seq = try json.int64()
                case .id: id = try json.uuid()
                case .name: name = try json.string()
                // "args" comes before "name" in sorted keys: kept aside until the command is known.
                case .args: args = try json.delimit()
                case .expectedStatus: expectedStatus = try json.optional { try $0.string() }
                case .madeAt: madeAt = try json.optional { try $0.date() }
                case nil: try json.skip()
                }
            }
            guard name == "feedback.create" else { return nil }
            guard let seq, let id, let args else { throw json.failure("a mutation without a required field") }
            let body = try json.read(args) { try FeedbackCreate(reading: &$0) }
            return Mutation(seq: seq, id: id, command: .createFeedback(body), expectedStatus: expectedStatus, madeAt: madeAt)
        }
        self = try read ?? WireCoding.decoder().decode(Mutation.self, from: Data(bytes))
    }
}

extension PushRequest: WireJSONReadable {
    private static let wireKeys = WireKeys(CodingKeys.self)

    /// Reads a whole push as `WireCoding.decoder()` would, or throws.
    public init(wireJSON bytes: [UInt8]) throws {
        var json = WireJSONReader(bytes)
        var protocolVersion: Int?, deviceId: UUID?, mutations: [Mutation]?
        try json.members(Self.wireKeys, refusingRepeats: true) { json, key in
            switch key {
            case .protocolVersion: protocolVersion = try json.int()
            case .deviceId: deviceId = try json.uuid()
            case .mutations:
                var list: [Mutation] = []
                try json.elements { list.append(try Mutation(reading: &$0)) }
                mutations = list
            case nil: try json.skip()
            }
        }
        try json.end()
        guard let protocolVersion, let deviceId, let mutations else { throw json.failure("a push without a required field") }
        self.init(protocolVersion: protocolVersion, deviceId: deviceId, mutations: mutations)
    }
}

extension WireCoding {
    /// Reads a request body: in place when the type has a reader and it accepts the body, else
    /// with the decoder, whose errors name the field and the reason.
    public static func read<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) throws -> Value {
        if let readable = type as? any WireJSONReadable.Type, let value = try? readable.init(wireJSON: bytes) as? Value {
            return value
        }
        return try decoder().decode(Value.self, from: Data(bytes))
    }
}

extension PushResponse: WireJSONReadable {
    private static let wireKeys = WireKeys(CodingKeys.self)

    /// Reads a push's answer as `WireCoding.decoder()` would (a client reads up to 1,000 results).
    public init(wireJSON bytes: [UInt8]) throws {
        var json = WireJSONReader(bytes)
        var protocolVersion: Int?, results: [MutationResult]?, lastAppliedSeq: Int64?
        try json.members(Self.wireKeys, refusingRepeats: true) { json, key in
            switch key {
            case .protocolVersion: protocolVersion = try json.int()
            case .lastAppliedSeq: lastAppliedSeq = try json.int64()
            case .results:
                var list: [MutationResult] = []
                try json.elements { list.append(try MutationResult(reading: &$0)) }
                results = list
            case nil: try json.skip()
            }
        }
        try json.end()
        guard let protocolVersion, let results, let lastAppliedSeq else { throw json.failure("a push answer without a required field") }
        self.init(protocolVersion: protocolVersion, results: results, lastAppliedSeq: lastAppliedSeq)
    }
}

extension MutationResult {
    private static let wireKeys = WireKeys(CodingKeys.self)

    /// Reads one result (the reader is on its opening brace).
    public init(reading json: inout WireJSONReader) throws {
        var seq: Int64?, id: UUID?, status: Status?, entity: String?, entityId: UUID?, code: String?, messageVi: String?, messageEn: String?
        try json.members(Self.wireKeys, refusingRepeats: true) { json, key in
            switch key {
            case .seq: seq = try json.int64()
            case .id: id = try json.uuid()
            case .status: status = try json.value(Status.self)
            case .entity: entity = try json.string()
            case .entityId: entityId = try json.uuid()
            case .code: code = try json.optional { try $0.string() }
            case .messageVi: messageVi = try json.optional { try $0.string() }
            case .messageEn: messageEn = try json.optional { try $0.string() }
            case nil: try json.skip()
            }
        }
        guard let seq, let id, let status, let entity, let entityId else { throw json.failure("a result without a required field") }
        self.init(seq: seq, id: id, status: status, entity: entity, entityId: entityId, code: code)
        self.messageVi = messageVi
        self.messageEn = messageEn
    }
}
