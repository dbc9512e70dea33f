import Foundation

/// A VietQR code: the EMVCo merchant-presented payload NAPAS defines for bank transfers
/// (see `Docs/payments.md`). Building fills the fields a fee payment needs; parsing checks the
/// CRC, every length and the tags, and names the first problem.
public struct VietQR: Sendable, Equatable {
    /// NAPAS's GUID in the merchant account template (tag 38/00).
    public static let napasGUID = "A000000727"

    /// `11` static (reusable, no amount), `12` dynamic (one payment, amount set).
    public var dynamic: Bool
    /// The beneficiary bank's 6-digit BIN (38/01/00).
    public var bankBIN: String
    /// The beneficiary account or card number (38/01/01), at most 19 characters.
    public var account: String
    /// `QRIBFTTA` (to an account) or `QRIBFTTC` (to a card) (38/02).
    public var service: String
    /// The amount in đồng (54), absent on a static code.
    public var amount: Int64?
    /// The transfer note carrying the payment reference (62/08), ASCII, at most 25 characters.
    public var note: String?

    public init(dynamic: Bool = true, bankBIN: String, account: String, service: String = "QRIBFTTA", amount: Int64?, note: String?) {
        self.dynamic = dynamic
        self.bankBIN = bankBIN
        self.account = account
        self.service = service
        self.amount = amount
        self.note = note
    }

    /// The payload text to encode in the QR image, ending with its CRC.
    /// - Throws: `VietQRError` when a field does not fit.
    public func payload() throws(VietQRError) -> String {
        guard bankBIN.count == 6, bankBIN.allSatisfy(\.isASCIIDigit) else { throw .invalidField(tag: "38.01.00", reason: "the bank BIN must be 6 digits") }
        guard (1...19).contains(account.count), account.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw .invalidField(tag: "38.01.01", reason: "the account must be 1–19 ASCII letters or digits")
        }
        guard ["QRIBFTTA", "QRIBFTTC"].contains(service) else { throw .invalidField(tag: "38.02", reason: "unknown service \(service)") }
        if let amount, amount <= 0 || String(amount).count > 13 { throw .invalidField(tag: "54", reason: "the amount must be 1 to 13 digits") }
        if dynamic, amount == nil { throw .missingTag("54") }
        var text = Self.tlv("00", "01") + Self.tlv("01", dynamic ? "12" : "11")
        text += Self.tlv("38", Self.tlv("00", Self.napasGUID) + Self.tlv("01", Self.tlv("00", bankBIN) + Self.tlv("01", account)) + Self.tlv("02", service))
        text += Self.tlv("53", "704")
        if let amount { text += Self.tlv("54", String(amount)) }
        text += Self.tlv("58", "VN")
        if let note {
            let folded = Self.ascii(note)
            guard (1...25).contains(folded.count) else { throw .invalidField(tag: "62.08", reason: "the note must be 1–25 characters") }
            text += Self.tlv("62", Self.tlv("08", folded))
        }
        text += "6304"
        return text + Self.crcHex(text)
    }

    /// Parses and validates a payload.
    /// - Throws: `VietQRError` naming the first problem: bad CRC, a length that runs past the end,
    ///   an unknown or missing tag, a wrong fixed value.
    public static func parse(_ payload: String) throws(VietQRError) -> VietQR {
        guard payload.allSatisfy(\.isASCII) else { throw .notASCII }
        guard payload.count >= 8, payload.hasSuffix(String(payload.suffix(4))), payload.dropLast(4).hasSuffix("6304") else { throw .missingTag("63") }
        let body = String(payload.dropLast(4))
        let expected = crcHex(body)
        guard payload.suffix(4).uppercased() == expected else { throw .badCRC(expected: expected, found: String(payload.suffix(4))) }
        let top = try fields(payload, scope: "")
        for tag in top.keys where !Self.knownRootTags.contains(tag) { throw .unknownTag(tag) }
        for required in ["00", "38", "53", "58", "63"] where top[required] == nil { throw .missingTag(required) }
        guard top["00"] == "01" else { throw .invalidField(tag: "00", reason: "the payload format must be 01") }
        let dynamic: Bool
        switch top["01"] {
        case nil, "11": dynamic = false
        case "12": dynamic = true
        case let other?: throw .invalidField(tag: "01", reason: "the initiation method must be 11 or 12, not \(other)")
        }
        guard top["53"] == "704" else { throw .invalidField(tag: "53", reason: "the currency must be 704 (VND)") }
        guard top["58"] == "VN" else { throw .invalidField(tag: "58", reason: "the country must be VN") }
        let merchant = try fields(top["38"]!, scope: "38.")
        for tag in merchant.keys where !["00", "01", "02"].contains(tag) { throw .unknownTag("38.\(tag)") }
        guard let guid = merchant["00"] else { throw .missingTag("38.00") }
        guard guid == napasGUID else { throw .invalidField(tag: "38.00", reason: "the GUID must be \(napasGUID)") }
        guard let beneficiary = merchant["01"] else { throw .missingTag("38.01") }
        guard let service = merchant["02"] else { throw .missingTag("38.02") }
        guard ["QRIBFTTA", "QRIBFTTC"].contains(service) else { throw .invalidField(tag: "38.02", reason: "unknown service \(service)") }
        let bank = try fields(beneficiary, scope: "38.01.")
        for tag in bank.keys where !["00", "01"].contains(tag) { throw .unknownTag("38.01.\(tag)") }
        guard let bin = bank["00"] else { throw .missingTag("38.01.00") }
        guard bin.count == 6, bin.allSatisfy(\.isASCIIDigit) else { throw .invalidField(tag: "38.01.00", reason: "the bank BIN must be 6 digits") }
        guard let account = bank["01"] else { throw .missingTag("38.01.01") }
        var amount: Int64?
        if let raw = top["54"] {
            guard let value = Int64(raw), value > 0, raw.allSatisfy(\.isASCIIDigit) else {
                throw .invalidField(tag: "54", reason: "the amount must be a whole number of đồng")
            }
            amount = value
        }
        if dynamic, amount == nil { throw .missingTag("54") }
        var note: String?
        if let additional = top["62"] { note = try fields(additional, scope: "62.")["08"] }
        return VietQR(dynamic: dynamic, bankBIN: bin, account: account, service: service, amount: amount, note: note)
    }

    /// The EMVCo root tags: 00–64 are defined (02–51 merchant account templates), 80–99 unreserved templates.
    static let knownRootTags: Set<String> = Set((0...64).map { String(format: "%02d", $0) } + (80...99).map { String(format: "%02d", $0) })

    /// Splits TLV text into tag → value, checking each length.
    static func fields(_ text: String, scope: String) throws(VietQRError) -> [String: String] {
        var result: [String: String] = [:]
        var rest = Substring(text)
        while !rest.isEmpty {
            guard rest.count >= 4, let length = Int(rest.dropFirst(2).prefix(2)), rest.prefix(2).allSatisfy(\.isASCIIDigit) else {
                throw .malformed(at: scope + String(rest.prefix(2)))
            }
            let tag = String(rest.prefix(2))
            let value = rest.dropFirst(4).prefix(length)
            guard value.count == length else { throw .lengthOverrun(tag: scope + tag, declared: length, available: value.count) }
            guard result[tag] == nil else { throw .duplicateTag(scope + tag) }
            result[tag] = String(value)
            rest = rest.dropFirst(4 + length)
        }
        return result
    }

    static func tlv(_ tag: String, _ value: String) -> String { tag + String(format: "%02d", value.count) + value }

    /// CRC-16/CCITT-FALSE: polynomial 0x1021, initial 0xFFFF, no reflection, no final XOR.
    public static func crc16(_ bytes: some Sequence<UInt8>) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        for byte in bytes {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        }
        return crc
    }

    static func crcHex(_ text: String) -> String { String(format: "%04X", crc16(text.utf8)) }

    /// Vietnamese text folded to ASCII for the transfer note (banks show notes without diacritics).
    public static func ascii(_ text: String) -> String {
        let mapped = text.replacingOccurrences(of: "đ", with: "d").replacingOccurrences(of: "Đ", with: "D")
        let kept = mapped.decomposedStringWithCanonicalMapping.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F }
        return String(String.UnicodeScalarView(kept))
    }
}

/// Why a VietQR payload was refused.
public enum VietQRError: DomainFailure, Equatable {
    case notASCII
    case badCRC(expected: String, found: String)
    case malformed(at: String)
    case lengthOverrun(tag: String, declared: Int, available: Int)
    case duplicateTag(String)
    case unknownTag(String)
    case missingTag(String)
    case invalidField(tag: String, reason: String)

    public var code: String {
        switch self {
        case .notASCII: "vietqr.not_ascii"
        case .badCRC: "vietqr.bad_crc"
        case .malformed: "vietqr.malformed"
        case .lengthOverrun: "vietqr.bad_length"
        case .duplicateTag: "vietqr.duplicate_tag"
        case .unknownTag: "vietqr.unknown_tag"
        case .missingTag: "vietqr.missing_tag"
        case .invalidField: "vietqr.invalid_field"
        }
    }

    public var message: Message {
        switch self {
        case .notASCII: Message(vi: "Mã VietQR chỉ được chứa ký tự ASCII.", en: "A VietQR payload must be ASCII.")
        case .badCRC(let expected, let found):
            Message(vi: "Mã kiểm tra CRC sai (ghi \(found), đúng là \(expected)).", en: "Bad CRC (found \(found), expected \(expected)).")
        case .malformed(let tag): Message(vi: "Mã VietQR sai cấu trúc tại trường \(tag).", en: "Malformed VietQR payload at field \(tag).")
        case .lengthOverrun(let tag, let declared, let available):
            Message(vi: "Trường \(tag) khai báo dài \(declared) ký tự nhưng chỉ còn \(available).",
                    en: "Field \(tag) declares \(declared) characters but only \(available) remain.")
        case .duplicateTag(let tag): Message(vi: "Trường \(tag) xuất hiện hai lần.", en: "Field \(tag) appears twice.")
        case .unknownTag(let tag): Message(vi: "Trường \(tag) không có trong chuẩn VietQR.", en: "Field \(tag) is not defined by VietQR.")
        case .missingTag(let tag): Message(vi: "Thiếu trường bắt buộc \(tag).", en: "The required field \(tag) is missing.")
        case .invalidField(let tag, let reason): Message(vi: "Trường \(tag) không hợp lệ: \(reason).", en: "Field \(tag) is invalid: \(reason).")
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
