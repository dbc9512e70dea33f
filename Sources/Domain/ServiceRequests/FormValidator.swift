import Foundation

/// Why a procedure's form was refused.
public enum FormError: DomainFailure, Equatable {
    /// A required field is missing or blank.
    case missing(key: String)
    /// A key the procedure's form does not have.
    case unknownField(key: String)
    /// A value that does not fit its field's type.
    case invalidValue(key: String, expected: FieldType)
    /// A value longer than 500 characters or with control characters.
    case invalidText(key: String, TextError)

    public var code: String {
        switch self {
        case .missing: "form.missing"
        case .unknownField: "form.unknown_field"
        case .invalidValue: "form.invalid_value"
        case .invalidText: "form.invalid_text"
        }
    }

    public var field: String? {
        switch self {
        case .missing(let key), .unknownField(let key), .invalidValue(let key, _), .invalidText(let key, _):
            "fields." + key
        }
    }

    public var message: Message {
        switch self {
        case .missing(let key):
            Message(vi: "Thiếu thông tin bắt buộc “\(key)”.", en: "The required field “\(key)” is missing.")
        case .unknownField(let key):
            Message(vi: "Biểu mẫu không có trường “\(key)”.", en: "The form has no field “\(key)”.")
        case .invalidValue(let key, let expected):
            Message(
                vi: "Giá trị của “\(key)” không đúng kiểu \(expected.rawValue).",
                en: "The value of “\(key)” is not a valid \(expected.rawValue).")
        case .invalidText(_, let error):
            error.message
        }
    }
}

/// Checks form values against a procedure's fields and normalises them (NFC, E.164 phones, …).
public enum FormValidator {
    /// Validates and normalises `values`.
    /// - Returns: the values to store, normalised.
    /// - Throws: `FormError` for the first field at fault, in form order.
    public static func validate(
        _ values: [String: String], against fields: [FormField], catalog: ReferenceCatalog, now: Date
    ) throws(FormError) -> [String: String] {
        let known = Set(fields.map(\.key))
        if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) {
            throw .unknownField(key: unknown)
        }
        var result: [String: String] = [:]
        for field in fields {
            let raw = values[field.key]?.trimmingSpace() ?? ""
            if raw.isEmpty {
                if field.required { throw .missing(key: field.key) }
                continue
            }
            result[field.key] = try normalise(raw, field: field, catalog: catalog, now: now)
        }
        return result
    }

    private static func normalise(
        _ raw: String, field: FormField, catalog: ReferenceCatalog, now: Date
    ) throws(FormError) -> String {
        let invalid = FormError.invalidValue(key: field.key, expected: field.type)
        switch field.type {
        case .text, .multiline:
            do {
                return try VietnameseText(raw, field: field.key, maxLength: field.type == .text ? 500 : 5000,
                                          multiline: field.type == .multiline).value
            } catch { throw .invalidText(key: field.key, error) }
        case .integer:
            guard raw.count <= 18, let value = Int64(raw), value >= 0 else { throw invalid }
            return String(value)
        case .date:
            guard let date = LocalDate(iso: raw), date.year >= 1900,
                date <= VietnamTime.local(now).date.adding(days: 366 * 5)
            else { throw invalid }
            return date.iso
        case .phone:
            guard let phone = try? PhoneNumber(raw) else { throw invalid }
            return phone.e164
        case .cccd:
            guard let cccd = try? CCCD(raw, now: now) else { throw invalid }
            return cccd.digits
        case .commune:
            guard let code = try? CommuneCode(raw, in: catalog.communeDirectory) else { throw invalid }
            return code.value
        case .choice:
            let folded = SearchKey.fold(raw)
            guard let option = field.options?.first(where: { SearchKey.fold($0) == folded }) else { throw invalid }
            return option
        case .boolean:
            switch raw.lowercased() {
            case "true", "yes", "có", "co", "1": return "true"
            case "false", "no", "không", "khong", "0": return "false"
            default: throw invalid
            }
        }
    }
}
