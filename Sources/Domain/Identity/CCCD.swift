import Foundation

/// What is wrong with a CCCD number.
public enum CCCDProblem: Sendable, Equatable {
    /// Not exactly 12 ASCII digits.
    case shape
    /// The first three digits are not one of the 63 pre-2025 province codes.
    case unknownProvince(String)
    /// The birth year encoded by the gender/century digit and the year digits lies in the future.
    case birthYearInFuture(Int)

    var message: Message {
        switch self {
        case .shape: Message(vi: "cần đúng 12 chữ số.", en: "it must be exactly 12 digits.")
        case .unknownProvince(let code):
            Message(vi: "mã tỉnh “\(code)” không tồn tại.", en: "province code “\(code)” does not exist.")
        case .birthYearInFuture(let year):
            Message(vi: "năm sinh \(year) ở tương lai.", en: "birth year \(year) is in the future.")
        }
    }
}

/// A citizen identity card number (Căn cước công dân): `PPP G YY NNNNNN`, no check digit.
public struct CCCD: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The 12 digits.
    public let digits: String

    /// The legacy province codes a CCCD may start with (the 63 provinces before the 2025 merger).
    public static let provinceCodes: Set<String> = [
        "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020", "022",
        "024", "025", "026", "027", "030", "031", "033", "034", "035", "036", "037", "038", "040", "042",
        "044", "045", "046", "048", "049", "051", "052", "054", "056", "058", "060", "062", "064", "066",
        "067", "068", "070", "072", "074", "075", "077", "079", "080", "082", "083", "084", "086", "087",
        "089", "091", "092", "093", "094", "095", "096",
    ]

    /// Validates a CCCD number.
    /// - Parameters:
    ///   - raw: the number; spaces are ignored.
    ///   - now: today, to refuse birth years in the future.
    /// - Throws: `IdentityError.invalidCCCD`.
    public init(_ raw: String, now: Date) throws(IdentityError) {
        let digits = raw.filter { $0 != " " }
        guard digits.count == 12, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw .invalidCCCD(reason: .shape)
        }
        let province = String(digits.prefix(3))
        guard Self.provinceCodes.contains(province) else {
            throw .invalidCCCD(reason: .unknownProvince(province))
        }
        let year = Self.birthYear(digits)
        let currentYear = Calendar.vietnam.component(.year, from: now)
        guard year <= currentYear else { throw .invalidCCCD(reason: .birthYearInFuture(year)) }
        self.digits = digits
    }

    /// The legacy province code of birth registration (`086` Vĩnh Long, `083` Bến Tre, `084` Trà Vinh).
    public var provinceCode: String { String(digits.prefix(3)) }

    /// Whether the holder is female, by the gender/century digit.
    public var isFemale: Bool { Int(String(digits[digits.index(digits.startIndex, offsetBy: 3)]))! % 2 == 1 }

    /// The four-digit birth year.
    public var birthYear: Int { Self.birthYear(digits) }

    /// The form shown in lists and logs: the last three digits only.
    public var masked: String { "*********" + digits.suffix(3) }

    public var description: String { masked }

    private static func birthYear(_ digits: String) -> Int {
        let chars = Array(digits)
        let genderCentury = Int(String(chars[3]))!
        let yy = Int(String(chars[4...5]))!
        let century: Int
        switch genderCentury {
        case 0, 1: century = 1900
        case 2, 3: century = 2000
        case 4, 5: century = 2100
        case 6, 7: century = 2200
        default: century = 1800
        }
        return century + yy
    }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard raw.count == 12, raw.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "CCCD"))
        }
        digits = raw
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(digits)
    }
}
