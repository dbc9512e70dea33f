import Foundation

/// Why an identity value was refused.
public enum IdentityError: DomainFailure, Equatable {
    /// Not a Vietnamese mobile number (`0[35789]` + 8 digits, or `+84`/`84` + 9 digits).
    case invalidPhone(String)
    /// Not a 12-digit CCCD with a known province prefix and a valid gender/century digit.
    case invalidCCCD(reason: CCCDProblem)
    /// A username that is not 3–40 of `a-z 0-9 . _ -`.
    case invalidUsername(String)

    public var code: String {
        switch self {
        case .invalidPhone: "phone.invalid"
        case .invalidCCCD: "cccd.invalid"
        case .invalidUsername: "username.invalid"
        }
    }

    public var field: String? {
        switch self {
        case .invalidPhone: "phone"
        case .invalidCCCD: "cccd"
        case .invalidUsername: "username"
        }
    }

    public var message: Message {
        switch self {
        case .invalidPhone:
            Message(
                vi: "Số điện thoại di động không hợp lệ: cần 10 chữ số bắt đầu bằng 03, 05, 07, 08 hoặc 09 (hoặc dạng +84).",
                en: "Not a valid Vietnamese mobile number: 10 digits starting 03, 05, 07, 08 or 09 (or the +84 form).")
        case .invalidCCCD(let reason):
            Message(vi: "Số CCCD không hợp lệ: \(reason.message.vi)", en: "Invalid CCCD number: \(reason.message.en)")
        case .invalidUsername:
            Message(
                vi: "Tên đăng nhập chỉ gồm 3–40 ký tự a-z, 0-9, dấu chấm, gạch dưới hoặc gạch ngang.",
                en: "A username is 3–40 characters of a-z, 0-9, dot, underscore or hyphen.")
        }
    }
}

/// A Vietnamese mobile number, stored in E.164 (`+84912345678`).
///
/// Accepts `0912345678`, `+84912345678`, `84912345678`, with spaces, dots or hyphens between digits.
/// Only the shape is checked (prefix `3`, `5`, `7`, `8` or `9` after the trunk), not the carrier.
public struct PhoneNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The E.164 form, e.g. `+84912345678`.
    public let e164: String

    /// Parses a mobile number in national or international form.
    /// - Throws: `IdentityError.invalidPhone`.
    public init(_ raw: String) throws(IdentityError) {
        var digits = ""
        for (index, character) in raw.trimmingCharacters(in: .whitespaces).enumerated() {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else if character == "+", index == 0 {
                continue
            } else if character == " " || character == "." || character == "-" {
                continue
            } else {
                throw .invalidPhone(raw)
            }
        }
        let national: Substring
        if digits.hasPrefix("84"), digits.count == 11 {
            national = digits.dropFirst(2)
        } else if digits.hasPrefix("0"), digits.count == 10, !raw.contains("+") {
            national = digits.dropFirst()
        } else {
            throw .invalidPhone(raw)
        }
        guard let first = national.first, "35789".contains(first) else { throw .invalidPhone(raw) }
        e164 = "+84" + national
    }

    /// The national form people write: `0912345678`.
    public var national: String { "0" + e164.dropFirst(3) }

    /// The form shown in lists and logs: `091****678`.
    public var masked: String {
        let n = national
        return n.prefix(3) + "****" + n.suffix(3)
    }

    public var description: String { masked }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(raw) } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: error.message.en))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(e164)
    }
}
