import Foundation

/// Reads wire JSON directly from bytes, for the records a sync page carries by the thousand:
/// Foundation's decoder builds a map of the whole document and boxes every value, 15–35 µs a
/// feedback view; reading the fields in place costs a few. It is as strict as the decoder on what
/// reaches a value (JSON grammar, UTF-8, escapes, required fields and their types, nothing after
/// the document) and stricter on UUIDs (the canonical form only). `WireJSONReaderTests` holds it
/// to the decoder on random pages and on damaged ones.
public struct WireJSONReader {
    private let bytes: [UInt8]
    /// The next byte to read.
    public private(set) var index: Int
    private var depth = 0

    /// A reader at the start of `bytes`.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        index = 0
    }

    /// A reader over one value of a document read before (a range `skip()` returned).
    private init(_ bytes: [UInt8], at index: Int) {
        self.bytes = bytes
        self.index = index
    }

    /// The error for what is at the current position.
    public func failure(_ what: String) -> DecodingError {
        let near = String(decoding: bytes[min(index, bytes.count)..<min(index + 24, bytes.count)], as: UTF8.self)
        return DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "\(what) at byte \(index), before “\(near)”"))
    }

    // MARK: Structure

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func peek() throws -> UInt8 {
        skipSpace()
        guard index < bytes.count else { throw failure("unexpected end of JSON") }
        return bytes[index]
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws {
        guard try peek() == byte else { throw failure("expected \(what)") }
        index += 1
    }

    /// Reads an object: `body` gets each key and must read its value.
    public mutating func members(_ body: (inout WireJSONReader, String) throws -> Void) throws {
        try sequence(UInt8(ascii: "{"), UInt8(ascii: "}"), "an object") { json in
            let key = try json.string()
            try json.expect(UInt8(ascii: ":"), "':'")
            try body(&json, key)
        }
    }

    /// Reads an object whose keys are known: `body` gets each key as one of `keys` (nil for any
    /// other key, whose value it must still read, or skip). Keys are matched as bytes, so no string
    /// is made for them; a document written with sorted keys matches each on the first compare.
    ///
    /// With `refusingRepeats`, a key that comes twice is an error: Foundation's decoder keeps the
    /// first and does not look at the second, so a reader that must give the decoder's values (or
    /// fail, and let the decoder answer) refuses it.
    public mutating func members<Key>(
        _ keys: WireKeys<Key>, refusingRepeats: Bool = false, _ body: (inout WireJSONReader, Key?) throws -> Void
    ) throws {
        var next = 0
        var seen: UInt64 = 0
        try sequence(UInt8(ascii: "{"), UInt8(ascii: "}"), "an object") { json in
            let position: Int?
            if let range = try json.plainString() {
                position = json.bytes.withUnsafeBufferPointer { keys.position(of: UnsafeBufferPointer(rebasing: $0[range]), from: next) }
                next = (position ?? next - 1) + 1
            } else {
                let name = try json.string()
                position = keys.keys.firstIndex { $0.rawValue == name }
            }
            if refusingRepeats, let position {
                guard seen & (1 << position) == 0 else { throw json.failure("a key given twice") }
                seen |= 1 << position
            }
            try json.expect(UInt8(ascii: ":"), "':'")
            try body(&json, position.map { keys.keys[$0] })
        }
    }

    /// Reads an array: `body` must read each element.
    public mutating func elements(_ body: (inout WireJSONReader) throws -> Void) throws {
        try sequence(UInt8(ascii: "["), UInt8(ascii: "]"), "an array", body)
    }

    /// `open`, items separated by commas, `close`.
    private mutating func sequence(_ open: UInt8, _ close: UInt8, _ what: String, _ item: (inout WireJSONReader) throws -> Void) throws {
        try expect(open, what)
        try enter()
        defer { depth -= 1 }
        if try peek() == close {
            index += 1
            return
        }
        while true {
            try item(&self)
            switch try peek() {
            case UInt8(ascii: ","): index += 1
            case close:
                index += 1
                return
            default: throw failure("expected ',' or '\(Character(Unicode.Scalar(close)))'")
            }
        }
    }

    private mutating func enter() throws {
        depth += 1
        guard depth <= 512 else { throw failure("nested too deeply") }
    }

    /// Checks that nothing but white space follows the document.
    public mutating func end() throws {
        skipSpace()
        guard index == bytes.count else { throw failure("unexpected data after the document") }
    }

    /// Skips one value (checking it), returning where it lies.
    @discardableResult
    public mutating func skip() throws -> Range<Int> {
        let first = try peek()
        let start = index
        switch first {
        case UInt8(ascii: "{"): try members { reader, _ in try reader.skip() }
        case UInt8(ascii: "["): try elements { reader in try reader.skip() }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try bool()
        case UInt8(ascii: "n"): guard null() else { throw failure("expected a value") }
        default: _ = try numberText()
        }
        return start..<index
    }

    /// Finds the end of one value by its brackets and quotes only, checking nothing: for a value
    /// read again in full afterwards (`read(_:in:)`), where every check happens.
    public mutating func delimit() throws -> Range<Int> {
        let first = try peek()
        let start = index
        guard first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else {
            try skip()
            return start..<index
        }
        // Through a pointer, the position in a local: a page's changes are delimited byte by byte
        // twice (`PullResponse.continuation`, then each change's data), and the array's bounds
        // checks and the stored position were most of it.
        let end: Int? = bytes.withUnsafeBufferPointer { bytes in
            var index = self.index, nesting = 0
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "{"), UInt8(ascii: "["): nesting += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    nesting -= 1
                    if nesting == 0 { return index }
                case UInt8(ascii: "\""):
                    // Most of a page's bytes are in strings: the closing quote found by `memchr`,
                    // one not escaped (after an even run of backslashes).
                    let text = index
                    while true {
                        guard index < bytes.count, let quote = memchr(bytes.baseAddress! + index, Int32(UInt8(ascii: "\"")), bytes.count - index) else {
                            return nil
                        }
                        let at = bytes.baseAddress!.distance(to: quote.assumingMemoryBound(to: UInt8.self))
                        var backslashes = 0
                        while at - backslashes > text, bytes[at - backslashes - 1] == UInt8(ascii: "\\") { backslashes += 1 }
                        index = at + 1
                        if backslashes.isMultiple(of: 2) { break }
                    }
                default: continue
                }
            }
            return nil
        }
        guard let end else {
            index = bytes.count
            throw failure("unterminated value")
        }
        index = end
        return start..<end
    }

    /// Reads a value `delimit()` found, checking that the read ends where the value does.
    public func read<Value>(_ range: Range<Int>, _ read: (inout WireJSONReader) throws -> Value) throws -> Value {
        var reader = WireJSONReader(bytes, at: range.lowerBound)
        reader.depth = depth
        let value = try read(&reader)
        guard reader.index == range.upperBound else { throw reader.failure("malformed value") }
        return value
    }

    /// Reads a value with `read`, returning it with the bytes it was read from.
    public mutating func withBytes<Value>(_ read: (inout WireJSONReader) throws -> Value) throws -> (Value, ArraySlice<UInt8>) {
        skipSpace()
        let start = index
        let value = try read(&self)
        return (value, bytes[start..<index])
    }

    /// Reads a value with `read` where it is most likely of one kind: the value and where it
    /// lies; or, when `read` fails, nil and where the value lies as `delimit()` finds it (nothing
    /// checked: read it again in full, and that read throws what is wrong with it). A pull page's
    /// changes carry their data before their kind, and nearly all of them are feedback: reading
    /// it at once saves finding its end first.
    public mutating func attempt<Value>(_ read: (inout WireJSONReader) throws -> Value) throws -> (Value?, Range<Int>) {
        skipSpace()
        let start = index, depth = self.depth
        do {
            let value = try read(&self)
            return (value, start..<index)
        } catch {
            index = start
            self.depth = depth
            return (nil, try delimit())
        }
    }

    /// The bytes of a value this reader skipped.
    public func slice(_ range: Range<Int>) -> ArraySlice<UInt8> { bytes[range] }

    // MARK: Values

    /// Consumes `null` when it comes next.
    public mutating func null() -> Bool {
        skipSpace()
        guard bytes.count - index >= 4, bytes[index] == UInt8(ascii: "n"), bytes[index + 1] == UInt8(ascii: "u"),
            bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "l")
        else { return false }
        index += 4
        return true
    }

    /// `true` or `false`.
    public mutating func bool() throws -> Bool {
        let first = try peek()
        if first == UInt8(ascii: "t"), bytes.count - index >= 4, bytes[index + 1] == UInt8(ascii: "r"),
            bytes[index + 2] == UInt8(ascii: "u"), bytes[index + 3] == UInt8(ascii: "e")
        {
            index += 4
            return true
        }
        if first == UInt8(ascii: "f"), bytes.count - index >= 5, bytes[index + 1] == UInt8(ascii: "a"),
            bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "s"), bytes[index + 4] == UInt8(ascii: "e")
        {
            index += 5
            return false
        }
        throw failure("expected true or false")
    }

    /// A number's text, checked against the JSON grammar.
    private mutating func numberText() throws -> String {
        _ = try peek()
        let start = index
        func digits() -> Int {
            let from = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
            return index - from
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        let integerDigits = digits()
        guard integerDigits > 0, integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else {
            index = start
            throw failure("expected a number")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw failure("expected digits after '.'") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw failure("expected digits in the exponent") }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// A number.
    public mutating func double() throws -> Double {
        let text = try numberText()
        guard let value = Double(text), value.isFinite else { throw failure("number out of range") }
        return value
    }

    /// A whole number (`2`, or an integral `2.0` or `2e0`, as the decoder accepts).
    public mutating func int64() throws -> Int64 {
        let text = try numberText()
        if let value = Int64(text) { return value }
        guard let value = Double(text), value.rounded() == value, let exact = Int64(exactly: value) else {
            throw failure("not a whole number that fits: \(text)")
        }
        return exact
    }

    /// A whole number.
    public mutating func int() throws -> Int {
        Int(try int64())
    }

    /// The bytes between the quotes of a string with no escapes, checked as `string()` checks
    /// them; nil, with nothing consumed, for a string with escapes.
    private mutating func plainString() throws -> Range<Int>? {
        try expect(UInt8(ascii: "\""), "a string")
        let start = index
        while true {
            index = plainRun(from: index)
            guard index < bytes.count else { break }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return start..<(index - 1)
            }
            if byte == UInt8(ascii: "\\") {
                index = start - 1
                return nil
            }
            guard byte >= 0x20 else { throw failure("unescaped control character in a string") }
            index += 1
            if byte >= 0x80 { try skipUTF8(lead: byte) }
        }
        throw failure("unterminated string")
    }

    /// The first position from `from` (or the end) whose byte ends a run of string text that
    /// needs no check: printable ASCII but the quote and the backslash. Through a pointer, the
    /// position in a local: most of a page's bytes are such runs.
    private func plainRun(from: Int) -> Int {
        bytes.withUnsafeBufferPointer { bytes in
            var index = from
            while index < bytes.count {
                let byte = bytes[index]
                if byte < 0x20 || byte >= 0x80 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return index }
                index += 1
            }
            return index
        }
    }

    /// A string's text for a parser of ASCII forms (UUIDs, instants), without making a String
    /// when it has no escapes.
    private mutating func parseString<Value>(_ parse: (UnsafeBufferPointer<UInt8>) -> Value?) throws -> Value? {
        guard let range = try plainString() else {
            var text = try string()
            return text.withUTF8(parse)
        }
        return bytes.withUnsafeBufferPointer { parse(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// A string, unescaped; its bytes must be UTF-8 with no raw control characters.
    public mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""), "a string")
        let start = index
        // The common case: no escapes. Multi-byte sequences are checked here, so decoding the
        // bytes has nothing to repair.
        while true {
            index = plainRun(from: index)
            guard index < bytes.count else { break }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                defer { index += 1 }
                return String(decoding: bytes[start..<index], as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw failure("unescaped control character in a string") }
            index += 1
            if byte >= 0x80 { try skipUTF8(lead: byte) }
        }
        var out = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { throw failure("unterminated escape") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"): out.append(contentsOf: String(Character(try escapedScalar())).utf8)
                default: throw failure("invalid escape")
                }
            default:
                guard byte >= 0x20 else { throw failure("unescaped control character in a string") }
                out.append(byte)
                if byte >= 0x80 {
                    let from = index
                    try skipUTF8(lead: byte)
                    out.append(contentsOf: bytes[from..<index])
                }
            }
        }
        throw failure("unterminated string")
    }

    /// The scalar of a `\uXXXX` escape (a surrogate pair taken together), after the `u`.
    private mutating func escapedScalar() throws -> Unicode.Scalar {
        var scalar = try hex4()
        if (0xD800...0xDBFF).contains(scalar) {
            guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw failure("a lone surrogate escape")
            }
            index += 2
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw failure("a lone surrogate escape") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(scalar) {
            throw failure("a lone surrogate escape")
        }
        return Unicode.Scalar(scalar)!
    }

    /// Skips a string, checking it as `string()` does but building nothing.
    private mutating func skipString() throws {
        try expect(UInt8(ascii: "\""), "a string")
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { throw failure("unterminated escape") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    break
                case UInt8(ascii: "u"): _ = try escapedScalar()
                default: throw failure("invalid escape")
                }
            case 0..<0x20: throw failure("unescaped control character in a string")
            case 0x20..<0x80: continue
            default: try skipUTF8(lead: byte)
            }
        }
        throw failure("unterminated string")
    }

    /// Checks the continuation bytes of a multi-byte UTF-8 sequence (no overlong forms, no
    /// surrogates, nothing above U+10FFFF).
    private mutating func skipUTF8(lead: UInt8) throws {
        let (count, low, high): (Int, UInt8, UInt8) = switch lead {
        case 0xC2...0xDF: (1, 0x80, 0xBF)
        case 0xE0: (2, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (2, 0x80, 0xBF)
        case 0xED: (2, 0x80, 0x9F)
        case 0xF0: (3, 0x90, 0xBF)
        case 0xF1...0xF3: (3, 0x80, 0xBF)
        case 0xF4: (3, 0x80, 0x8F)
        default: (0, 0, 0)
        }
        guard count > 0, bytes.count - index >= count, (low...high).contains(bytes[index]) else { throw failure("a string that is not UTF-8") }
        for offset in 1..<count where !(0x80...0xBF).contains(bytes[index + offset]) {
            throw failure("a string that is not UTF-8")
        }
        index += count
    }

    private mutating func hex4() throws -> UInt32 {
        guard bytes.count - index >= 4 else { throw failure("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw failure("invalid \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// A UUID in its canonical text form.
    public mutating func uuid() throws -> UUID {
        guard let value = try parseString(UUID.init(utf8:)) else { throw failure("not a UUID") }
        return value
    }

    /// An RFC 3339 instant.
    public mutating func date() throws -> Date {
        guard let value = try parseString(WireCoding.parse(utf8:)) else { throw failure("not an RFC 3339 instant") }
        return value
    }

    /// A string-backed enumeration value.
    public mutating func value<Value: RawRepresentable>(_ type: Value.Type) throws -> Value where Value.RawValue == String {
        guard let value = Value(rawValue: try string()) else { throw failure("not a \(Value.self)") }
        return value
    }

    /// A value, or nil for `null`.
    public mutating func optional<Value>(_ read: (inout WireJSONReader) throws -> Value) throws -> Value? {
        null() ? nil : try read(&self)
    }
}

/// The keys of an object a reader expects (`WireJSONReader.members(_:_:)`), as bytes in the
/// order a sorted-keys writer puts them.
public struct WireKeys<Key: RawRepresentable & CaseIterable>: Sendable where Key.RawValue == String, Key: Sendable {
    /// The keys' bytes end to end, sorted; `spans` says where each lies.
    private let spelling: [UInt8]
    private let spans: [Range<Int>]
    fileprivate let keys: [Key]

    public init(_ type: Key.Type = Key.self) {
        precondition(Key.allCases.count <= 64, "members(_:refusingRepeats:) keeps a bit per key")
        let sorted = Key.allCases.map { (Array($0.rawValue.utf8), $0) }.sorted { $0.0.lexicographicallyPrecedes($1.0) }
        var spelling: [UInt8] = []
        spans = sorted.map { bytes, _ in
            defer { spelling += bytes }
            return spelling.count..<(spelling.count + bytes.count)
        }
        self.spelling = spelling
        keys = sorted.map(\.1)
    }

    /// The position of the key spelled by `key`: tried at `next` first, where a sorted document's
    /// next key is.
    fileprivate func position(of key: UnsafeBufferPointer<UInt8>, from next: Int) -> Int? {
        spelling.withUnsafeBufferPointer { spelling in
            func matches(_ position: Int) -> Bool {
                let span = spans[position]
                return span.count == key.count && (key.isEmpty || memcmp(spelling.baseAddress! + span.lowerBound, key.baseAddress!, key.count) == 0)
            }
            // Past `next` first: a key the writer left out (an absent optional) only moves the
            // next one further on, so looking from the first key each time compared most of them.
            if let ahead = spans.indices[min(next, spans.count)...].first(where: matches) { return ahead }
            return spans.indices[..<min(next, spans.count)].first(where: matches)
        }
    }
}

/// A value read from its wire JSON without Foundation's decoder, to the same value.
public protocol WireJSONReadable {
    /// Reads the value from a whole document.
    init(wireJSON bytes: [UInt8]) throws
}

extension FeedbackView {
    private static let wireKeys = WireKeys(CodingKeys.self)

    /// Reads a feedback view (the reader is on its opening brace).
    public init(reading json: inout WireJSONReader) throws {
        var id: UUID?, category: String?, title: String?, description: String?, photos: [String]?
        var anonymous: Bool?, isPublic: Bool?, urgency: Urgency?, status: FeedbackStatus?, mine: Bool?, overdue: Bool?, reopenCount: Int?
        var trackingCode: String?, latitude: Double?, longitude: Double?, commune: String?, address: String?, agency: String?
        var assigneeId: UUID?, citizenId: UUID?, receivedAt: Date?, acknowledgeDueAt: Date?, answerDueAt: Date?
        var answer: String?, resolvedAt: Date?, closedAt: Date?, ratingStars: Int?, ratingComment: String?
        var rejectionReason: RejectionReason?, rejectionNote: String?, duplicateOf: UUID?
        try json.members(Self.wireKeys) { json, key in
            switch key {
            case .acknowledgeDueAt: acknowledgeDueAt = try json.optional { try $0.date() }
            case .address: address = try json.optional { try $0.string() }
            case .agency: agency = try json.optional { try $0.string() }
            case .anonymous: anonymous = try json.bool()
            case .answer: answer = try json.optional { try $0.string() }
            case .answerDueAt: answerDueAt = try json.optional { try $0.date() }
            case .assigneeId: assigneeId = try json.optional { try $0.uuid() }
            case .category: category = try json.string()
            case .citizenId: citizenId = try json.optional { try $0.uuid() }
            case .closedAt: closedAt = try json.optional { try $0.date() }
            case .commune: commune = try json.optional { try $0.string() }
            case .description: description = try json.string()
            case .duplicateOf: duplicateOf = try json.optional { try $0.uuid() }
            case .id: id = try json.uuid()
            case .latitude: latitude = try json.optional { try $0.double() }
            case .longitude: longitude = try json.optional { try $0.double() }
            case .mine: mine = try json.bool()
            case .overdue: overdue = try json.bool()
            case .photos:
                var list: [String] = []
                try json.elements { list.append(try $0.string()) }
                photos = list
            case .public: isPublic = try json.bool()
            case .ratingComment: ratingComment = try json.optional { try $0.string() }
            case .ratingStars: ratingStars = try json.optional { try $0.int() }
            case .receivedAt: receivedAt = try json.optional { try $0.date() }
            case .rejectionNote: rejectionNote = try json.optional { try $0.string() }
            case .rejectionReason: rejectionReason = try json.optional { try $0.value(RejectionReason.self) }
            case .reopenCount: reopenCount = try json.int()
            case .resolvedAt: resolvedAt = try json.optional { try $0.date() }
            case .status: status = try json.value(FeedbackStatus.self)
            case .title: title = try json.string()
            case .trackingCode: trackingCode = try json.optional { try $0.string() }
            case .urgency: urgency = try json.value(Urgency.self)
            case nil: try json.skip()
            }
        }
        guard let id, let category, let title, let description, let photos, let anonymous, let isPublic, let urgency,
            let status, let mine, let overdue, let reopenCount
        else { throw json.failure("a feedback view without a required field") }
        self.id = id
        self.trackingCode = trackingCode
        self.category = category
        self.title = title
        self.description = description
        self.latitude = latitude
        self.longitude = longitude
        self.commune = commune
        self.address = address
        self.photos = photos
        self.anonymous = anonymous
        self.public = isPublic
        self.urgency = urgency
        self.status = status
        self.agency = agency
        self.assigneeId = assigneeId
        self.citizenId = citizenId
        self.mine = mine
        self.receivedAt = receivedAt
        self.acknowledgeDueAt = acknowledgeDueAt
        self.answerDueAt = answerDueAt
        self.overdue = overdue
        self.answer = answer
        self.resolvedAt = resolvedAt
        self.closedAt = closedAt
        self.ratingStars = ratingStars
        self.ratingComment = ratingComment
        self.rejectionReason = rejectionReason
        self.rejectionNote = rejectionNote
        self.duplicateOf = duplicateOf
        self.reopenCount = reopenCount
    }
}

extension Change {
    /// Reads a change (the reader is on its opening brace): feedback read in place, other kinds
    /// through the decoder, kinds this client does not know skipped as the decoder skips them.
    /// Keeps the change's bytes (`wire`).
    public init(reading json: inout WireJSONReader) throws {
        let wire: ArraySlice<UInt8>
        (self, wire) = try json.withBytes { try Change(readingObject: &$0) }
        self.wire = wire
    }

    private static let wireKeys = WireKeys(CodingKeys.self)

    private init(readingObject json: inout WireJSONReader) throws {
        var seq: Int64?, entity: String?, id: String?, op: Op?, data: Range<Int>?, feedback: FeedbackView?
        try json.members(Self.wireKeys) { json, key in
            switch key {
            case .seq: seq = try json.int64()
            case .entity: entity = try json.string()
            case .id: id = try json.string()
            case .op: op = try json.value(Op.self)
            // "data" comes before "entity" in sorted keys: read as feedback (nearly every change
            // is), else kept aside until the kind is known, then read in full.
            case .data:
                if json.null() {
                    data = nil
                } else {
                    (feedback, data) = try json.attempt { try FeedbackView(reading: &$0) }
                }
            case nil: try json.skip()
            }
        }
        guard let seq, let entity, let id, let op else { throw json.failure("a change without a required field") }
        self.seq = seq
        self.entity = entity
        self.id = id
        self.op = op
        guard op == .put else {
            self.data = nil
            return
        }
        func value() throws -> Range<Int> {
            guard let data else { throw json.failure("a put without data") }
            return data
        }
        func decode<View: Decodable>(_ type: View.Type) throws -> View {
            let range = try value()
            try json.read(range) { try $0.skip() }
            return try WireCoding.decoder().decode(View.self, from: Data(json.slice(range)))
        }
        switch entity {
        case "feedback": self.data = .feedback(try feedback ?? json.read(try value()) { try FeedbackView(reading: &$0) })
        case "feedback_message": self.data = .message(try decode(MessageView.self))
        case "service_request": self.data = .serviceRequest(try decode(ServiceRequestView.self))
        case "invoice": self.data = .invoice(try decode(InvoiceView.self))
        case "payment": self.data = .payment(try decode(PaymentView.self))
        case "receipt": self.data = .receipt(try decode(ReceiptView.self))
        case "catalog": self.data = .catalog(try decode(CatalogView.self))
        default:
            // An entity this client does not know yet: skip it (additive versions).
            if let data { try json.read(data) { try $0.skip() } }
            self.data = nil
        }
    }
}

extension PullResponse: WireJSONReadable {
    /// Where a page continues, found without reading its changes (they are only delimited): a
    /// client that knows it can ask for the next page while it reads and stores this one
    /// (`SyncEngine.lookahead(cursor:hasMore:)`). Nothing is checked that `init(wireJSON:)`
    /// would refuse; read the page in full before using any of it.
    public static func continuation(wireJSON bytes: [UInt8]) throws -> (cursor: String, hasMore: Bool) {
        var json = WireJSONReader(bytes)
        var cursor: String?, hasMore: Bool?
        try json.members { json, key in
            switch key {
            case "changes": _ = try json.delimit()
            case "cursor": cursor = try json.string()
            case "has_more": hasMore = try json.bool()
            default: try json.skip()
            }
        }
        guard let cursor, let hasMore else { throw json.failure("a pull page without its cursor") }
        return (cursor, hasMore)
    }

    /// Reads a pull page as `WireCoding.decoder()` would.
    public init(wireJSON bytes: [UInt8]) throws {
        var json = WireJSONReader(bytes)
        var protocolVersion: Int?, changes: [Change]?, cursor: String?, hasMore: Bool?, lastAppliedSeq: Int64?, digest: String?
        try json.members(WireKeys(CodingKeys.self)) { json, key in
            switch key {
            case .changes:
                var list: [Change] = []
                try json.elements { list.append(try Change(reading: &$0)) }
                changes = list
            case .cursor: cursor = try json.string()
            case .digest: digest = try json.optional { try $0.string() }
            case .hasMore: hasMore = try json.bool()
            case .lastAppliedSeq: lastAppliedSeq = try json.int64()
            case .protocolVersion: protocolVersion = try json.int()
            case nil: try json.skip()
            }
        }
        try json.end()
        guard let protocolVersion, let changes, let cursor, let hasMore, let lastAppliedSeq else {
            throw json.failure("a pull page without a required field")
        }
        self.init(protocolVersion: protocolVersion, changes: changes, cursor: cursor, hasMore: hasMore, lastAppliedSeq: lastAppliedSeq, digest: digest)
    }
}
