import Foundation

/// Why an amount was refused.
public enum MoneyError: DomainFailure, Equatable {
    /// Zero or negative where a positive amount is required.
    case notPositive(field: String, amount: Int64)
    /// Negative where zero is allowed (a free procedure).
    case negative(field: String, amount: Int64)
    /// Above the single-transaction ceiling.
    case tooLarge(field: String, amount: Int64, limit: Int64)
    /// Not a whole number of đồng (VND has no minor unit).
    case notWholeDong(field: String, raw: String)

    public var code: String {
        switch self {
        case .notPositive: "amount.not_positive"
        case .negative: "amount.negative"
        case .tooLarge: "amount.too_large"
        case .notWholeDong: "amount.not_whole_dong"
        }
    }

    public var field: String? {
        switch self {
        case .notPositive(let f, _), .negative(let f, _), .tooLarge(let f, _, _), .notWholeDong(let f, _): f
        }
    }

    public var message: Message {
        switch self {
        case .notPositive(_, let amount):
            Message(vi: "Số tiền phải lớn hơn 0 (nhận được \(amount)).", en: "The amount must be above 0 (got \(amount)).")
        case .negative(_, let amount):
            Message(vi: "Số tiền không được âm (nhận được \(amount)).", en: "The amount must not be negative (got \(amount)).")
        case .tooLarge(_, let amount, let limit):
            Message(
                vi: "Số tiền \(VND(unchecked: amount).formatted) vượt mức tối đa \(VND(unchecked: limit).formatted).",
                en: "The amount \(VND(unchecked: amount).formatted) is over the limit of \(VND(unchecked: limit).formatted).")
        case .notWholeDong(_, let raw):
            Message(
                vi: "Số tiền “\(raw)” phải là số nguyên đồng.",
                en: "The amount “\(raw)” must be a whole number of đồng.")
        }
    }
}

/// An amount of Vietnamese đồng: a whole number in `Int64`, never a floating-point value.
public struct VND: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The amount in đồng.
    public let amount: Int64

    /// The ceiling for one invoice or payment: 500,000,000,000 ₫, far below `Int64` overflow
    /// even when summed over millions of rows.
    public static let maximum: Int64 = 500_000_000_000

    /// Zero đồng (a free procedure).
    public static let zero = VND(unchecked: 0)

    /// A validated non-negative amount.
    /// - Throws: `MoneyError.negative` or `.tooLarge`.
    public init(_ amount: Int64, field: String = "amount") throws(MoneyError) {
        guard amount >= 0 else { throw .negative(field: field, amount: amount) }
        guard amount <= Self.maximum else { throw .tooLarge(field: field, amount: amount, limit: Self.maximum) }
        self.amount = amount
    }

    /// A validated amount above zero.
    /// - Throws: `MoneyError.notPositive` or `.tooLarge`.
    public static func positive(_ amount: Int64, field: String = "amount") throws(MoneyError) -> VND {
        guard amount > 0 else { throw .notPositive(field: field, amount: amount) }
        return try VND(amount, field: field)
    }

    /// Parses what a person types: `150000`, `150.000`, `150,000`, `150 000 đ`.
    /// - Throws: `MoneyError.notWholeDong` when anything but digits and group separators remains.
    public static func parse(_ raw: String, field: String = "amount") throws(MoneyError) -> VND {
        var text = raw.trimmingCharacters(in: .whitespaces)
        for suffix in ["₫", "đ", "VND", "vnd", "đồng"] where text.hasSuffix(suffix) {
            text = String(text.dropLast(suffix.count)).trimmingCharacters(in: .whitespaces)
        }
        let digits = text.filter { $0 != "." && $0 != "," && $0 != " " }
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            let value = Int64(digits)
        else { throw .notWholeDong(field: field, raw: raw) }
        return try VND(value, field: field)
    }

    /// Wraps an amount read back from storage.
    public init(unchecked amount: Int64) {
        self.amount = amount
    }

    /// `1.250.000 ₫`: dots group thousands, as Vietnamese writes them.
    public var formatted: String {
        let digits = String(amount.magnitude)
        var grouped = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(".") }
            grouped.append(character)
        }
        return (amount < 0 ? "-" : "") + grouped + " ₫"
    }

    public var description: String { formatted }

    public static func < (lhs: VND, rhs: VND) -> Bool { lhs.amount < rhs.amount }

    /// The sum; amounts stay far below overflow thanks to `maximum`.
    public static func + (lhs: VND, rhs: VND) -> VND { VND(unchecked: lhs.amount + rhs.amount) }

    /// The difference.
    public static func - (lhs: VND, rhs: VND) -> VND { VND(unchecked: lhs.amount - rhs.amount) }

    public init(from decoder: any Decoder) throws {
        amount = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(amount)
    }
}

extension VND {
    /// The amount in Vietnamese words, as a receipt prints it ("Một trăm năm mươi nghìn đồng").
    public var inWords: String {
        if amount == 0 { return "Không đồng" }
        let units = ["", "nghìn", "triệu", "tỷ", "nghìn tỷ", "triệu tỷ"]
        var groups: [Int] = []
        var rest = amount.magnitude
        while rest > 0 {
            groups.append(Int(rest % 1000))
            rest /= 1000
        }
        var words: [String] = []
        for index in stride(from: groups.count - 1, through: 0, by: -1) {
            let group = groups[index]
            if group == 0 { continue }
            let isLeading = index == groups.count - 1
            words.append(Self.readGroup(group, full: !isLeading))
            if !units[index].isEmpty { words.append(units[index]) }
        }
        let sentence = words.joined(separator: " ") + " đồng"
        return sentence.prefix(1).uppercased() + sentence.dropFirst()
    }

    private static let digitWords = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]

    /// Reads 0–999; `full` reads leading zeros ("không trăm linh năm") inside a larger number.
    private static func readGroup(_ n: Int, full: Bool) -> String {
        let hundreds = n / 100, tens = (n / 10) % 10, ones = n % 10
        var parts: [String] = []
        if hundreds > 0 || full { parts.append(digitWords[hundreds] + " trăm") }
        switch tens {
        case 0:
            if ones > 0, !parts.isEmpty { parts.append("linh") }
        case 1:
            parts.append("mười")
        default:
            parts.append(digitWords[tens] + " mươi")
        }
        switch ones {
        case 0: break
        case 1: parts.append(tens >= 2 ? "mốt" : "một")
        case 4: parts.append(tens >= 2 ? "tư" : "bốn")
        case 5: parts.append(tens >= 1 ? "lăm" : "năm")
        default: parts.append(digitWords[ones])
        }
        return parts.joined(separator: " ")
    }
}
