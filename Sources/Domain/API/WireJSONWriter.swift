import Foundation

/// Writes wire JSON straight into bytes: the same bytes `WireCoding.encoder()` writes (sorted
/// keys, absent optionals left out, RFC 3339 instants), for the records a sync page carries by the
/// thousand. Foundation's encoder builds a tree of boxed values and sorts every object's keys on
/// each call, 20–30 µs a feedback view; writing it directly costs a few. Types that are written
/// here list their fields in sorted key order by hand, and `WireJSONWriterTests` holds every one
/// of them byte for byte to the encoder for random values.
public struct WireJSONWriter {
    /// What has been written.
    public private(set) var bytes: [UInt8] = []
    /// Whether the innermost open object or array has no member yet.
    private var empty: [Bool] = []

    /// An empty writer.
    public init(capacity: Int = 1024) {
        bytes.reserveCapacity(capacity)
    }

    // MARK: Structure

    private static let hex = Array("0123456789abcdef".utf8)

    /// Opens an object (as a value: an array element, after a key, or the document).
    public mutating func openObject() { open(UInt8(ascii: "{")) }

    /// Closes the innermost object.
    public mutating func closeObject() { close(UInt8(ascii: "}")) }

    /// Opens an array.
    public mutating func openArray() { open(UInt8(ascii: "[")) }

    /// Closes the innermost array.
    public mutating func closeArray() { close(UInt8(ascii: "]")) }

    private mutating func open(_ bracket: UInt8) {
        bytes.append(bracket)
        empty.append(true)
    }

    private mutating func close(_ bracket: UInt8) {
        bytes.append(bracket)
        empty.removeLast()
    }

    /// Starts the next array element.
    public mutating func element() {
        separate()
    }

    /// Starts a member: `"key":`. Keys are plain snake_case ASCII.
    public mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func separate() {
        if empty[empty.count - 1] {
            empty[empty.count - 1] = false
        } else {
            bytes.append(UInt8(ascii: ","))
        }
    }

    // MARK: Values

    /// Appends JSON written elsewhere (one complete value).
    public mutating func raw(_ json: some Sequence<UInt8>) {
        bytes.append(contentsOf: json)
    }

    /// A string, escaped as the encoder escapes it (slashes left alone).
    public mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var start = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                start = index + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                default:
                    bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), Self.hex[Int(byte >> 4)], Self.hex[Int(byte & 0x0F)]])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A UUID, upper-case as `UUID.uuidString`.
    public mutating func uuid(_ value: UUID) {
        quoted(36) { value.write(into: $0) }
    }

    /// An instant, RFC 3339 UTC with milliseconds.
    public mutating func date(_ value: Date) {
        quoted(24) { WireCoding.write(value, into: $0) }
    }

    /// A string of `count` bytes that need no escaping, written in place by `write` between quotes
    /// (no String made for it).
    private mutating func quoted(_ count: Int, _ write: (UnsafeMutableBufferPointer<UInt8>) -> Int) {
        bytes.append(UInt8(ascii: "\""))
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: count))
        bytes.withUnsafeMutableBufferPointer { buffer in
            _ = write(UnsafeMutableBufferPointer(rebasing: buffer[start..<(start + count)]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// An integer, in decimal.
    public mutating func int(_ value: some BinaryInteger) {
        guard let small = Int64(exactly: value) else {
            bytes.append(contentsOf: String(value).utf8)
            return
        }
        appendDecimal(small, to: &bytes)
    }

    /// A finite number as the encoder writes it: shortest round-trip digits, integral values
    /// without `.0`.
    public mutating func double(_ value: Double) {
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    /// `true` or `false`.
    public mutating func bool(_ value: Bool) {
        (value ? "true" as StaticString : "false").withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    // MARK: Members

    /// `"key":value` written by `write`, or nothing when `value` is nil.
    private mutating func optional<Value>(_ name: StaticString, _ value: Value?, _ write: (inout WireJSONWriter, Value) -> Void) {
        guard let value else { return }
        key(name)
        write(&self, value)
    }

    /// `"key":"value"`, or nothing when `value` is nil.
    public mutating func field(_ name: StaticString, _ value: String?) { optional(name, value) { $0.string($1) } }

    /// `"key":"UUID"`, or nothing when `value` is nil.
    public mutating func field(_ name: StaticString, _ value: UUID?) { optional(name, value) { $0.uuid($1) } }

    /// `"key":"instant"`, or nothing when `value` is nil.
    public mutating func field(_ name: StaticString, _ value: Date?) { optional(name, value) { $0.date($1) } }

    /// `"key":integer`, or nothing when `value` is nil.
    public mutating func field(_ name: StaticString, _ value: Int?) { optional(name, value) { $0.int($1) } }

    /// `"key":number`, or nothing when `value` is nil.
    public mutating func field(_ name: StaticString, _ value: Double?) { optional(name, value) { $0.double($1) } }

    /// `"key":true|false`.
    public mutating func field(_ name: StaticString, _ value: Bool) {
        key(name)
        bool(value)
    }

    /// `"key":"raw value"`, or nothing when `value` is nil.
    public mutating func field<Value: RawRepresentable>(_ name: StaticString, _ value: Value?) where Value.RawValue == String {
        optional(name, value) { $0.string($1.rawValue) }
    }

    /// `"key":["…",…]`.
    public mutating func field(_ name: StaticString, _ values: [String]) {
        key(name)
        openArray()
        for value in values {
            element()
            string(value)
        }
        closeArray()
    }
}

extension FeedbackView {
    /// Writes this view as `WireCoding.encoder()` would (keys in sorted order).
    public func write(to json: inout WireJSONWriter) {
        json.openObject()
        json.field("acknowledge_due_at", acknowledgeDueAt)
        json.field("address", address)
        json.field("agency", agency)
        json.field("anonymous", anonymous)
        json.field("answer", answer)
        json.field("answer_due_at", answerDueAt)
        json.field("assignee_id", assigneeId)
        json.field("category", category)
        json.field("citizen_id", citizenId)
        json.field("closed_at", closedAt)
        json.field("commune", commune)
        json.field("description", description)
        json.field("duplicate_of", duplicateOf)
        json.field("id", id)
        json.field("latitude", latitude)
        json.field("longitude", longitude)
        json.field("mine", mine)
        json.field("overdue", overdue)
        json.field("photos", photos)
        json.field("public", `public`)
        json.field("rating_comment", ratingComment)
        json.field("rating_stars", ratingStars)
        json.field("received_at", receivedAt)
        json.field("rejection_note", rejectionNote)
        json.field("rejection_reason", rejectionReason)
        json.field("reopen_count", reopenCount)
        json.field("resolved_at", resolvedAt)
        json.field("status", status)
        json.field("title", title)
        json.field("tracking_code", trackingCode)
        json.field("urgency", urgency)
        json.closeObject()
    }
}

extension ChangeData {
    /// Writes the record: feedback (nearly every record of a page) directly, the rest through
    /// the encoder.
    public func write(to json: inout WireJSONWriter) throws {
        switch self {
        case .feedback(let view): view.write(to: &json)
        case .message(let view): json.raw(try WireCoding.encoder().encode(view))
        case .serviceRequest(let view): json.raw(try WireCoding.encoder().encode(view))
        case .invoice(let view): json.raw(try WireCoding.encoder().encode(view))
        case .payment(let view): json.raw(try WireCoding.encoder().encode(view))
        case .receipt(let view): json.raw(try WireCoding.encoder().encode(view))
        case .catalog(let view): json.raw(try WireCoding.encoder().encode(view))
        }
    }
}

extension Change {
    /// Writes the change as `WireCoding.encoder()` would; with `storedData`, that JSON as its
    /// data (a view written beforehand, which must be what writing `data` gives).
    public func write(to json: inout WireJSONWriter, storedData: [UInt8]? = nil) throws {
        json.openObject()
        if let storedData {
            json.key("data")
            json.raw(storedData)
        } else if let data {
            json.key("data")
            try data.write(to: &json)
        }
        json.field("entity", entity)
        json.field("id", id)
        json.field("op", op)
        json.key("seq")
        json.int(seq)
        json.closeObject()
    }
}

/// A value that writes its own wire JSON, faster than the encoder and byte for byte the same;
/// the server's router uses it when an answer offers it.
public protocol WireJSONWritable {
    /// The value as `WireCoding.encoder()` would write it.
    func wireJSON() throws -> [UInt8]
}

extension FeedbackView: WireJSONWritable {
    /// The view as `WireCoding.encoder()` would write it (the answer of every feedback action).
    public func wireJSON() -> [UInt8] {
        var json = WireJSONWriter(capacity: 768)
        write(to: &json)
        return json.bytes
    }
}

extension PullResponse: WireJSONWritable {
    /// The page as `WireCoding.encoder()` would write it.
    public func wireJSON() throws -> [UInt8] {
        try wireJSON(storedData: [:])
    }

    /// The page with some changes' data given as JSON written beforehand (by the change's
    /// index; the server's stored public views): the same bytes as the page with those views.
    public func wireJSON(storedData: [Int: [UInt8]]) throws -> [UInt8] {
        var json = WireJSONWriter(capacity: 256 + changes.count * 640)
        json.openObject()
        json.key("changes")
        json.openArray()
        // By index: a `for` over the changes copies each (a retain of every string it holds).
        for index in changes.indices {
            json.element()
            try changes[index].write(to: &json, storedData: storedData.isEmpty ? nil : storedData[index])
        }
        json.closeArray()
        json.field("cursor", cursor)
        json.field("digest", digest)
        json.field("has_more", hasMore)
        json.key("last_applied_seq")
        json.int(lastAppliedSeq)
        json.key("protocol_version")
        json.int(protocolVersion)
        json.closeObject()
        return json.bytes
    }
}

extension PushResponse: WireJSONWritable {
    /// The push's results as `WireCoding.encoder()` would write them (up to 1,000 a push).
    public func wireJSON() -> [UInt8] {
        var json = WireJSONWriter(capacity: 64 + results.count * 160)
        json.openObject()
        json.key("last_applied_seq")
        json.int(lastAppliedSeq)
        json.key("protocol_version")
        json.int(protocolVersion)
        json.key("results")
        json.openArray()
        for index in results.indices {
            json.element()
            let result = results[index]
            json.openObject()
            json.field("code", result.code)
            json.field("entity", result.entity)
            json.field("entity_id", result.entityId)
            json.field("id", result.id)
            json.field("message_en", result.messageEn)
            json.field("message_vi", result.messageVi)
            json.key("seq")
            json.int(result.seq)
            json.field("status", result.status)
            json.closeObject()
        }
        json.closeArray()
        json.closeObject()
        return json.bytes
    }
}

extension FeedbackCreate {
    /// Writes the body as `WireCoding.encoder()` would (the id and the draft's fields, one object).
    public func write(to json: inout WireJSONWriter) {
        json.openObject()
        json.field("address", draft.address)
        json.field("anonymous", draft.anonymous)
        json.field("category", draft.category)
        json.field("commune", draft.commune)
        json.field("description", draft.description)
        json.field("id", id)
        json.field("latitude", draft.latitude)
        json.field("longitude", draft.longitude)
        json.field("photos", draft.photos)
        json.field("public", draft.isPublic)
        json.field("title", draft.title)
        json.closeObject()
    }
}

extension PushRequest: WireJSONWritable {
    /// The push as `WireCoding.encoder()` would write it: filing feedback (nearly every queued
    /// write) directly, other commands through the encoder.
    public func wireJSON() throws -> [UInt8] {
        var json = WireJSONWriter(capacity: 96 + mutations.count * 480)
        json.openObject()
        json.field("device_id", deviceId)
        json.key("mutations")
        json.openArray()
        for index in mutations.indices {
            json.element()
            let mutation = mutations[index]
            guard case .createFeedback(let body) = mutation.command else {
                json.raw(try WireCoding.encoder().encode(mutation))
                continue
            }
            json.openObject()
            json.key("args")
            body.write(to: &json)
            json.field("expected_status", mutation.expectedStatus)
            json.field("id", mutation.id)
            json.field("made_at", mutation.madeAt)
            json.field("name", mutation.command.name)
            json.key("seq")
            json.int(mutation.seq)
            json.closeObject()
        }
        json.closeArray()
        json.key("protocol_version")
        json.int(protocolVersion)
        json.closeObject()
        return json.bytes
    }
}

extension WireCoding {
    /// A value's wire JSON: written directly when the type offers it, else by the encoder; the
    /// same bytes either way.
    public static func write(_ value: some Encodable) throws -> [UInt8] {
        if let writable = value as? any WireJSONWritable { return try writable.wireJSON() }
        return Array(try encoder().encode(value))
    }
}
