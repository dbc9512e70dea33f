import Foundation

/// A commune-level unit (xã or phường) of the province.
public struct Commune: Sendable, Hashable, Codable {
    /// Whether the unit is rural (xã) or urban (phường).
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A rural commune.
        case xa
        /// An urban ward.
        case phuong
    }

    /// The 5-digit GSO code.
    public var code: String
    /// The official name, e.g. "Phường Phú Khương".
    public var name: String
    /// Rural or urban.
    public var kind: Kind
    /// The province the unit belonged to before July 2025.
    public var formerProvince: String

    /// Creates a commune.
    public init(code: String, name: String, kind: Kind, formerProvince: String) {
        self.code = code
        self.name = name
        self.kind = kind
        self.formerProvince = formerProvince
    }

    enum CodingKeys: String, CodingKey { case code, name, kind, formerProvince = "former_province" }
}

/// An agency that works items: a provincial department or a commune/ward People's Committee.
public struct Agency: Sendable, Hashable, Codable {
    /// The level of the agency.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A provincial department or equivalent (sở, ban, ngành).
        case department
        /// A commune or ward People's Committee (UBND xã/phường).
        case communeCommittee = "commune_committee"
    }

    /// A short stable code, e.g. `SXD` or `UBND-28756`.
    public var code: String
    /// The Vietnamese name.
    public var name: String
    /// Department or commune committee.
    public var kind: Kind
    /// The commune a committee serves.
    public var communeCode: String?
    /// The receiving-unit identifier (QCVN 102:2016) that prefixes its dossier codes.
    public var unitCode: String

    /// Creates an agency.
    public init(code: String, name: String, kind: Kind, communeCode: String? = nil, unitCode: String) {
        self.code = code
        self.name = name
        self.kind = kind
        self.communeCode = communeCode
        self.unitCode = unitCode
    }

    /// The agency code of a commune's People's Committee.
    public static func committeeCode(commune: String) -> String { "UBND-\(commune)" }

    enum CodingKeys: String, CodingKey { case code, name, kind, communeCode = "commune_code", unitCode = "unit_code" }
}

/// How urgent a kind of feedback is (khẩn, bình thường, phức tạp).
public enum Urgency: String, Sendable, Codable, CaseIterable, Comparable {
    /// Disaster, epidemic, accident, crime, safety: answered within working hours.
    case urgent
    /// The ordinary case.
    case normal
    /// Several agencies involved or a legal procedure needed.
    case complex

    /// Urgent sorts first.
    public static func < (lhs: Urgency, rhs: Urgency) -> Bool {
        let order: [Urgency] = [.urgent, .normal, .complex]
        return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
    }
}

/// A working-time span: so many working hours or working days.
public enum WorkingDuration: Sendable, Hashable, Codable {
    /// Working hours.
    case hours(Int)
    /// Working days.
    case days(Int)

    /// Working minutes in `calendar`.
    public func minutes(in calendar: WorkingCalendar) -> Int {
        switch self {
        case .hours(let h): h * 60
        case .days(let d): d * calendar.minutesPerDay
        }
    }

    private enum CodingKeys: String, CodingKey { case hours, days }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let h = try c.decodeIfPresent(Int.self, forKey: .hours) {
            self = .hours(h)
        } else {
            self = .days(try c.decode(Int.self, forKey: .days))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .hours(let h): try c.encode(h, forKey: .hours)
        case .days(let d): try c.encode(d, forKey: .days)
        }
    }
}

/// Where a category's feedback goes unless a supervisor routes it elsewhere.
public enum Routing: Sendable, Hashable, Codable {
    /// Always this agency.
    case agency(String)
    /// The People's Committee of the commune the feedback is located in.
    case communeCommittee

    private enum CodingKeys: String, CodingKey { case agency, communeCommittee = "commune_committee" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let code = try c.decodeIfPresent(String.self, forKey: .agency) {
            self = .agency(code)
        } else if try c.decodeIfPresent(Bool.self, forKey: .communeCommittee) == true {
            self = .communeCommittee
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "routing"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .agency(let code): try c.encode(code, forKey: .agency)
        case .communeCommittee: try c.encode(true, forKey: .communeCommittee)
        }
    }
}

/// A kind of feedback: its routing, urgency and answer deadline.
public struct FeedbackCategory: Sendable, Hashable, Codable {
    /// A stable code, e.g. `giao-thong`.
    public var code: String
    /// The Vietnamese name.
    public var name: String
    /// The English name.
    public var nameEn: String
    /// Where it goes by default.
    public var routing: Routing
    /// How urgent items of this kind are.
    public var urgency: Urgency
    /// The time to receive an item (8 working hours unless urgent).
    public var receiveWithin: WorkingDuration
    /// The time to answer after receipt.
    public var answerWithin: WorkingDuration

    /// Creates a category.
    public init(
        code: String, name: String, nameEn: String, routing: Routing, urgency: Urgency,
        receiveWithin: WorkingDuration = .hours(8), answerWithin: WorkingDuration
    ) {
        self.code = code
        self.name = name
        self.nameEn = nameEn
        self.routing = routing
        self.urgency = urgency
        self.receiveWithin = receiveWithin
        self.answerWithin = answerWithin
    }

    enum CodingKeys: String, CodingKey { case code, name, nameEn = "name_en", routing, urgency, receiveWithin = "receive_within", answerWithin = "answer_within" }
}

/// The type of a procedure's form field, which decides how its value is validated.
public enum FieldType: String, Sendable, Codable, CaseIterable {
    /// Free text on one line.
    case text
    /// Free text on several lines.
    case multiline
    /// A whole number.
    case integer
    /// A date, `YYYY-MM-DD`.
    case date
    /// A Vietnamese mobile number.
    case phone
    /// A CCCD number.
    case cccd
    /// A commune code of the province.
    case commune
    /// One of the field's options.
    case choice
    /// Yes or no.
    case boolean
}

/// A field of a procedure's application form.
public struct FormField: Sendable, Hashable, Codable {
    /// The key the value is submitted under, e.g. `full_name`.
    public var key: String
    /// The label shown to the citizen.
    public var label: String
    /// The type of value.
    public var type: FieldType
    /// Whether the field must be filled.
    public var required: Bool
    /// The allowed values of a `choice` field.
    public var options: [String]?

    /// Creates a field.
    public init(key: String, label: String, type: FieldType, required: Bool = true, options: [String]? = nil) {
        self.key = key
        self.label = label
        self.type = type
        self.required = required
        self.options = options
    }
}

/// An administrative procedure (thủ tục hành chính) from the catalogue.
public struct Procedure: Sendable, Hashable, Codable {
    /// The national procedure code, e.g. `1.001193`.
    public var code: String
    /// The Vietnamese name.
    public var name: String
    /// The agency that processes it, or nil when the commune committee of the applicant does.
    public var agencyCode: String?
    /// The fee, in đồng (0 when free).
    public var fee: VND
    /// The processing time, in working days, counted from receipt.
    public var processingDays: Int
    /// The documents the applicant must attach.
    public var requiredDocuments: [String]
    /// The application form.
    public var fields: [FormField]

    /// Creates a procedure.
    public init(
        code: String, name: String, agencyCode: String?, fee: VND, processingDays: Int,
        requiredDocuments: [String], fields: [FormField]
    ) {
        self.code = code
        self.name = name
        self.agencyCode = agencyCode
        self.fee = fee
        self.processingDays = processingDays
        self.requiredDocuments = requiredDocuments
        self.fields = fields
    }

    /// Whether a procedure code has the national shape: a digit, a dot, six digits, and an
    /// optional local suffix such as `.H38`.
    public static func isWellFormedCode(_ code: String) -> Bool {
        let parts = code.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3,
            parts[0].count == 1, parts[0].allSatisfy({ $0.isASCII && $0.isNumber }),
            parts[1].count == 6, parts[1].allSatisfy({ $0.isASCII && $0.isNumber })
        else { return false }
        if parts.count == 3 {
            return (1...8).contains(parts[2].count) && parts[2].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        }
        return true
    }

    enum CodingKeys: String, CodingKey { case code, name, agencyCode = "agency_code", fee, processingDays = "processing_days", requiredDocuments = "required_documents", fields }
}
