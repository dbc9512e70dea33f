import Foundation

/// Why a piece of text was refused.
public enum TextError: DomainFailure, Equatable {
    /// Empty, or only white space, where text is required.
    case empty(field: String)
    /// Longer than the limit, counted in characters (grapheme clusters), not bytes.
    case tooLong(field: String, limit: Int, actual: Int)
    /// Shorter than the minimum.
    case tooShort(field: String, minimum: Int, actual: Int)
    /// Holds a control character (other than line breaks and tabs where allowed).
    case controlCharacter(field: String)

    public var code: String {
        switch self {
        case .empty: "text.empty"
        case .tooLong: "text.too_long"
        case .tooShort: "text.too_short"
        case .controlCharacter: "text.control_character"
        }
    }

    public var field: String? {
        switch self {
        case .empty(let field), .tooLong(let field, _, _), .tooShort(let field, _, _),
            .controlCharacter(let field):
            field
        }
    }

    public var message: Message {
        switch self {
        case .empty(let field):
            Message(vi: "Trường “\(field)” không được để trống.", en: "Field “\(field)” must not be empty.")
        case .tooLong(let field, let limit, let actual):
            Message(
                vi: "Trường “\(field)” dài \(actual) ký tự, vượt quá giới hạn \(limit) ký tự.",
                en: "Field “\(field)” is \(actual) characters long, over the limit of \(limit).")
        case .tooShort(let field, let minimum, let actual):
            Message(
                vi: "Trường “\(field)” cần ít nhất \(minimum) ký tự (hiện có \(actual)).",
                en: "Field “\(field)” needs at least \(minimum) characters (it has \(actual)).")
        case .controlCharacter(let field):
            Message(
                vi: "Trường “\(field)” chứa ký tự điều khiển không hợp lệ.",
                en: "Field “\(field)” contains a control character.")
        }
    }
}

/// Vietnamese (or any Unicode) text as the product stores it: NFC, trimmed, within limits.
///
/// Limits count characters as people see them (grapheme clusters), so "Nguyễn" is 6 whichever
/// normalisation form it arrived in.
public struct VietnameseText: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The NFC-normalised, trimmed text.
    public let value: String

    /// Validates and normalises text.
    /// - Parameters:
    ///   - raw: the text as received, in any normalisation form.
    ///   - field: the field name reported in errors.
    ///   - minLength: the fewest characters allowed after trimming (at least 1).
    ///   - maxLength: the most characters allowed.
    ///   - multiline: whether line breaks and tabs are allowed.
    /// - Throws: `TextError` naming the field.
    public init(
        _ raw: String, field: String, minLength: Int = 1, maxLength: Int, multiline: Bool = false
    ) throws(TextError) {
        let trimmed = Self.nfc(raw).trimmingSpace()
        if trimmed.unicodeScalars.contains(where: { Self.isRefused($0, multiline: multiline) }) {
            throw .controlCharacter(field: field)
        }
        if trimmed.isEmpty { throw .empty(field: field) }
        let count = trimmed.count
        if count < minLength { throw .tooShort(field: field, minimum: minLength, actual: count) }
        if count > maxLength { throw .tooLong(field: field, limit: maxLength, actual: count) }
        value = trimmed
    }

    /// Wraps text read back from storage, where it was validated on the way in.
    public init(stored value: String) {
        self.value = value
    }

    /// The search key of this text (see `SearchKey`).
    public var searchKey: String { SearchKey.fold(value) }

    public var description: String { value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        value = Self.nfc(try container.decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    /// `text` in NFC. Text made only of scalars that are their own NFC and compose with nothing
    /// (those below U+0300, the precomposed Latin letters U+1E00–U+1EFF, general punctuation
    /// U+2010–U+205E and currency signs: every Vietnamese letter and the usual marks) is NFC
    /// already and is returned as it is; anything else goes through Foundation, whose
    /// normalisation cost a quarter of validating a feedback item.
    static func nfc(_ text: String) -> String {
        text.unicodeScalars.allSatisfy(isOwnNFC) ? text : text.precomposedStringWithCanonicalMapping
    }

    private static func isOwnNFC(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x300, 0x1E00...0x1EFF, 0x2010...0x205E, 0x20A0...0x20C0: true
        default: false
        }
    }

    private static func isRefused(_ scalar: Unicode.Scalar, multiline: Bool) -> Bool {
        if scalar.value >= 0x20, scalar.value < 0x7F { return false }
        switch scalar.properties.generalCategory {
        case .control:
            if multiline { return !(scalar == "\n" || scalar == "\t" || scalar == "\r") }
            return true
        case .format:
            // Bidirectional overrides and isolates can disguise text; zero-width joiners are harmless.
            return (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
        case .lineSeparator, .paragraphSeparator:
            return !multiline
        case .unassigned, .surrogate, .privateUse:
            return true
        default:
            return false
        }
    }
}

/// The key that makes Vietnamese search forgiving: case, diacritics and spacing do not matter.
///
/// "Đường Nguyễn Huệ", "duong nguyen hue" and "ĐƯỜNG  NGUYỄN HUỆ" share the key
/// `duong nguyen hue`; "hoà" and "hòa" both fold to `hoa`. Foundation's diacritic folding leaves
/// `đ` alone, so it is mapped explicitly.
public enum SearchKey {
    /// Folds text to its search key: NFD, combining marks removed, `đ`→`d`, lowercase, spaces collapsed.
    ///
    /// ASCII and precomposed Latin letters (every Vietnamese letter) are folded through a table
    /// made once by the full fold; text with anything else (combining marks, other scripts,
    /// non-ASCII spaces) takes the full fold. The full fold normalizes through Foundation and was
    /// a tenth of storing a feedback item.
    public static func fold(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                let byte = UInt8(value)
                if byte == 0x20 || (0x09...0x0D).contains(byte) {
                    pendingSpace = !out.isEmpty
                    continue
                }
                if pendingSpace {
                    out.append(0x20)
                    pendingSpace = false
                }
                out.append((0x41...0x5A).contains(byte) ? byte + 0x20 : byte)
                continue
            }
            guard let slot = latinSlot(value), let folded = latinFolds[slot] else { return fullFold(text) }
            if pendingSpace {
                out.append(0x20)
                pendingSpace = false
            }
            out += folded
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The precomposed Latin letters the table holds: U+00C0–U+024F, then U+1E00–U+1EFF.
    private static func latinSlot(_ value: UInt32) -> Int? {
        switch value {
        case 0x00C0...0x024F: Int(value - 0x00C0)
        case 0x1E00...0x1EFF: Int(value - 0x1E00) + (0x0250 - 0x00C0)
        default: nil
        }
    }

    /// The folds of the precomposed Latin letters as UTF-8, by the full fold, in `latinSlot`
    /// order; nil where the full fold must run (not a letter, or a letter that folds to nothing).
    private static let latinFolds: [[UInt8]?] = (Array(0x00C0...0x024F) + Array(0x1E00...0x1EFF)).map { value in
        guard let scalar = Unicode.Scalar(value), scalar.properties.isAlphabetic, !scalar.properties.isWhitespace else { return nil }
        let folded = fullFold(String(scalar))
        return folded.isEmpty ? nil : Array(folded.utf8)
    }

    /// The fold by its definition.
    static func fullFold(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            if scalar.properties.canonicalCombiningClass != .notReordered
                || scalar.properties.generalCategory == .nonspacingMark
            {
                continue
            }
            if scalar.properties.isWhitespace {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace {
                out.append(" ")
                pendingSpace = false
            }
            switch scalar {
            case "đ", "Đ", "ð", "Ð": out.append("d")
            default:
                for lowered in scalar.properties.lowercaseMapping.unicodeScalars { out.append(lowered) }
            }
        }
        return String(out)
    }

    /// Whether `text` contains `query` once both are folded.
    public static func matches(_ text: String, query: String) -> Bool {
        let key = fold(query)
        return key.isEmpty || fold(text).contains(key)
    }
}
