import Foundation

/// Why a code was refused.
public enum CodeError: DomainFailure, Equatable {
    /// The text is not a code of this kind.
    case malformed(kind: String, raw: String)
    /// The daily sequence ran past what the format can hold.
    case sequenceExhausted(kind: String, limit: Int)

    public var code: String {
        switch self {
        case .malformed: "code.malformed"
        case .sequenceExhausted: "code.sequence_exhausted"
        }
    }

    public var message: Message {
        switch self {
        case .malformed(let kind, let raw):
            Message(vi: "“\(raw)” không phải là \(kind) hợp lệ.", en: "“\(raw)” is not a valid \(kind).")
        case .sequenceExhausted(let kind, let limit):
            Message(
                vi: "Đã hết số thứ tự \(kind) trong ngày (tối đa \(limit)).",
                en: "The day's \(kind) sequence is exhausted (at most \(limit)).")
        }
    }
}

/// Renders the `YYMMDD` part of codes from a local date.
func yymmdd(_ date: LocalDate) -> String {
    zeroPadded(date.year % 100, width: 2) + zeroPadded(date.month, width: 2) + zeroPadded(date.day, width: 2)
}

/// Parses six digits `YYMMDD` (21st century).
func parseYYMMDD(_ text: Substring) -> LocalDate? {
    guard text.count == 6, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
    let digits = Array(text)
    return LocalDate(
        year: 2000 + Int(String(digits[0...1]))!, month: Int(String(digits[2...3]))!, day: Int(String(digits[4...5]))!)
}

/// The public tracking code of feedback: `PA-YYMMDD-NNNNNN`, a province-wide daily sequence
/// (at least six digits; it widens rather than wraps on a very busy day).
public struct TrackingCode: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The code text.
    public let value: String

    /// The code of the `sequence`-th item received on `date` (local time).
    public init(date: LocalDate, sequence: Int) {
        precondition(sequence >= 1, "sequences start at 1")
        value = "PA-" + yymmdd(date) + "-" + zeroPadded(sequence, width: 6)
    }

    /// A code read back from storage, where only valid codes are written: not parsed again
    /// (parsing was a tenth of the time to read a feedback row).
    public init(stored value: String) {
        self.value = value
    }

    /// Parses a code a citizen typed; letters may be lower-case.
    /// - Throws: `CodeError.malformed`.
    public init(parsing raw: String) throws(CodeError) {
        let text = raw.trimmingSpace(newlines: false).uppercased()
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "PA", parseYYMMDD(parts[1]) != nil,
            parts[2].count >= 6, parts[2].count <= 9, parts[2].allSatisfy({ $0.isASCII && $0.isNumber }),
            Int(parts[2])! >= 1
        else { throw .malformed(kind: "mã phản ánh", raw: raw) }
        value = text
    }

    /// The local date of receipt encoded in the code.
    public var date: LocalDate { parseYYMMDD(value.split(separator: "-")[1])! }

    /// The daily sequence number.
    public var sequence: Int { Int(value.split(separator: "-")[2])! }

    public var description: String { value }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(parsing: raw) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: raw))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// A dossier code (Circular 01/2018/TT-VPCP, Art. 19): `<receiving-unit code>-<YYMMDD>-<NNNN>`,
/// e.g. `000.00.11.H62-261130-0001`, the sequence counted per unit and day.
public struct DossierCode: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The largest daily sequence the four digits hold.
    public static let maximumSequence = 9999

    /// The code text.
    public let value: String

    /// The code of the `sequence`-th dossier the unit received on `date`.
    /// - Throws: `CodeError.sequenceExhausted` past 9999, `.malformed` for a bad unit code.
    public init(unitCode: String, date: LocalDate, sequence: Int) throws(CodeError) {
        guard Self.isUnitCode(unitCode) else { throw .malformed(kind: "mã đơn vị", raw: unitCode) }
        guard (1...Self.maximumSequence).contains(sequence) else {
            throw .sequenceExhausted(kind: "hồ sơ", limit: Self.maximumSequence)
        }
        value = unitCode + "-" + yymmdd(date) + "-" + zeroPadded(sequence, width: 4)
    }

    /// Parses a dossier code.
    /// - Throws: `CodeError.malformed`.
    public init(parsing raw: String) throws(CodeError) {
        let text = raw.trimmingSpace(newlines: false).uppercased()
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, Self.isUnitCode(String(parts[0])), parseYYMMDD(parts[1]) != nil,
            parts[2].count == 4, parts[2].allSatisfy({ $0.isASCII && $0.isNumber }), Int(parts[2])! >= 1
        else { throw .malformed(kind: "mã hồ sơ", raw: raw) }
        value = text
    }

    /// The receiving unit's code.
    public var unitCode: String { String(value.split(separator: "-")[0]) }
    /// The local date of receipt.
    public var date: LocalDate { parseYYMMDD(value.split(separator: "-")[1])! }
    /// The daily sequence.
    public var sequence: Int { Int(value.split(separator: "-")[2])! }

    public var description: String { value }

    /// A receiving-unit code: dot-separated groups of upper-case letters and digits, e.g. `000.00.11.H62`.
    static func isUnitCode(_ code: String) -> Bool {
        let groups = code.split(separator: ".", omittingEmptySubsequences: false)
        return (1...6).contains(groups.count)
            && groups.allSatisfy { !$0.isEmpty && $0.count <= 5 && $0.allSatisfy { $0.isASCII && ($0.isNumber || $0.isUppercase) } }
    }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(parsing: raw) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: raw))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// A receipt number: a series per agency and year, and a number within it that has no gaps.
///
/// Shown as `BL2026-0000042`. Numbers are allocated by the store in the transaction that records
/// the payment's success, so a rolled-back payment never consumes one.
public struct ReceiptNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The series, e.g. `BL2026`.
    public let series: String
    /// The number within the series, from 1.
    public let number: Int

    /// Creates a receipt number.
    public init(series: String, number: Int) {
        precondition(number >= 1, "receipt numbers start at 1")
        self.series = series
        self.number = number
    }

    /// The series a receipt issued at `date` belongs to: one per calendar year (local time).
    public static func series(at date: Date) -> String {
        "BL" + String(VietnamTime.local(date).date.year)
    }

    /// `BL2026-0000042`.
    public var formatted: String { series + "-" + String(format: "%07d", number) }

    public var description: String { formatted }
}
