import Foundation

/// Why reference data was refused as a whole.
public enum ReferenceDataError: DomainFailure, Equatable {
    /// A CSV line that does not have the expected columns.
    case malformedCSV(line: Int, reason: String)
    /// The JSON document does not decode.
    case malformedJSON(String)
    /// A code appears twice in one list.
    case duplicateCode(kind: String, code: String)
    /// A record refers to a code the catalogue does not hold.
    case danglingReference(kind: String, code: String, refersTo: String)
    /// A record breaks a rule of its kind (e.g. a badly shaped procedure code).
    case invalidRecord(kind: String, code: String, reason: String)

    public var code: String {
        switch self {
        case .malformedCSV: "reference.malformed_csv"
        case .malformedJSON: "reference.malformed_json"
        case .duplicateCode: "reference.duplicate_code"
        case .danglingReference: "reference.dangling_reference"
        case .invalidRecord: "reference.invalid_record"
        }
    }

    public var message: Message {
        switch self {
        case .malformedCSV(let line, let reason):
            Message(vi: "Dòng \(line) của tệp CSV không hợp lệ: \(reason).", en: "CSV line \(line) is malformed: \(reason).")
        case .malformedJSON(let reason):
            Message(vi: "Tệp dữ liệu danh mục không đọc được: \(reason).", en: "The reference file does not decode: \(reason).")
        case .duplicateCode(let kind, let code):
            Message(vi: "Mã \(kind) “\(code)” bị trùng.", en: "The \(kind) code “\(code)” appears twice.")
        case .danglingReference(let kind, let code, let target):
            Message(
                vi: "\(kind) “\(code)” tham chiếu mã không tồn tại “\(target)”.",
                en: "\(kind) “\(code)” refers to the unknown code “\(target)”.")
        case .invalidRecord(let kind, let code, let reason):
            Message(vi: "\(kind) “\(code)” không hợp lệ: \(reason).", en: "\(kind) “\(code)” is invalid: \(reason).")
        }
    }
}

/// All reference data in one consistent, versioned set: communes, agencies, feedback categories,
/// procedures and calendar exceptions.
public struct ReferenceCatalog: Sendable, Codable, Equatable {
    /// A label for this edition of the data, e.g. `2025-07-01`.
    public var version: String
    /// The commune-level units of the province.
    public var communes: [Commune] { didSet { derived = Derived(communes: communes, calendarDays: calendarDays) } }
    /// Departments and commune committees.
    public var agencies: [Agency]
    /// Feedback categories.
    public var categories: [FeedbackCategory]
    /// Procedures.
    public var procedures: [Procedure]
    /// Holidays, compensatory days off and make-up working days.
    public var calendarDays: [CalendarDay] { didSet { derived = Derived(communes: communes, calendarDays: calendarDays) } }
    /// What is made from the lists once rather than on every use (every feedback item filed
    /// checks its commune and computes its due times). Not part of the catalogue's value.
    private var derived: Derived

    private struct Derived: Sendable {
        var communeDirectory: SetCommuneDirectory
        var workingCalendar: WorkingCalendar

        init(communes: [Commune], calendarDays: [CalendarDay]) {
            communeDirectory = SetCommuneDirectory(communes.map(\.code))
            workingCalendar = WorkingCalendar(days: calendarDays)
        }
    }

    /// Creates a catalogue; call `validated()` before trusting it.
    public init(
        version: String, communes: [Commune], agencies: [Agency], categories: [FeedbackCategory],
        procedures: [Procedure], calendarDays: [CalendarDay]
    ) {
        self.version = version
        self.communes = communes
        self.agencies = agencies
        self.categories = categories
        self.procedures = procedures
        self.calendarDays = calendarDays
        derived = Derived(communes: communes, calendarDays: calendarDays)
    }

    /// Decodes the lists (encoding is synthesized from `CodingKeys`, which leave `derived` out).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            version: try c.decode(String.self, forKey: .version), communes: try c.decode([Commune].self, forKey: .communes),
            agencies: try c.decode([Agency].self, forKey: .agencies), categories: try c.decode([FeedbackCategory].self, forKey: .categories),
            procedures: try c.decode([Procedure].self, forKey: .procedures), calendarDays: try c.decode([CalendarDay].self, forKey: .calendarDays))
    }

    public static func == (a: ReferenceCatalog, b: ReferenceCatalog) -> Bool {
        a.version == b.version && a.communes == b.communes && a.agencies == b.agencies && a.categories == b.categories
            && a.procedures == b.procedures && a.calendarDays == b.calendarDays
    }

    /// The working calendar these calendar days describe, with the standard sessions.
    public var workingCalendar: WorkingCalendar { derived.workingCalendar }

    /// The commune codes, for validating `CommuneCode`s.
    public var communeDirectory: SetCommuneDirectory { derived.communeDirectory }

    /// Checks every rule that ties the lists together; returns the catalogue unchanged when it holds.
    /// - Throws: `ReferenceDataError` for the first problem found.
    public func validated() throws(ReferenceDataError) -> ReferenceCatalog {
        try Self.requireUnique(communes.map(\.code), kind: "commune")
        try Self.requireUnique(agencies.map(\.code), kind: "agency")
        try Self.requireUnique(agencies.map(\.unitCode), kind: "unit")
        try Self.requireUnique(categories.map(\.code), kind: "category")
        try Self.requireUnique(procedures.map(\.code), kind: "procedure")
        try Self.requireUnique(calendarDays.map(\.date.iso), kind: "calendar day")
        let communeCodes = Set(communes.map(\.code))
        let agencyCodes = Set(agencies.map(\.code))
        for commune in communes {
            guard commune.code.count == 5, commune.code.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw .invalidRecord(kind: "commune", code: commune.code, reason: "code is not 5 digits")
            }
            guard !commune.name.isEmpty else {
                throw .invalidRecord(kind: "commune", code: commune.code, reason: "empty name")
            }
        }
        for agency in agencies {
            if let commune = agency.communeCode, !communeCodes.contains(commune) {
                throw .danglingReference(kind: "agency", code: agency.code, refersTo: commune)
            }
            if agency.kind == .communeCommittee, agency.communeCode == nil {
                throw .invalidRecord(kind: "agency", code: agency.code, reason: "a committee needs its commune")
            }
        }
        for commune in communes where !agencyCodes.contains(Agency.committeeCode(commune: commune.code)) {
            throw .danglingReference(kind: "commune", code: commune.code, refersTo: Agency.committeeCode(commune: commune.code))
        }
        for category in categories {
            if case .agency(let code) = category.routing, !agencyCodes.contains(code) {
                throw .danglingReference(kind: "category", code: category.code, refersTo: code)
            }
            for duration in [category.receiveWithin, category.answerWithin] {
                if case .hours(let h) = duration, h <= 0 {
                    throw .invalidRecord(kind: "category", code: category.code, reason: "a deadline must be positive")
                }
                if case .days(let d) = duration, d <= 0 {
                    throw .invalidRecord(kind: "category", code: category.code, reason: "a deadline must be positive")
                }
            }
        }
        for procedure in procedures {
            guard Procedure.isWellFormedCode(procedure.code) else {
                throw .invalidRecord(kind: "procedure", code: procedure.code, reason: "code is not like 1.000948")
            }
            if let agency = procedure.agencyCode, !agencyCodes.contains(agency) {
                throw .danglingReference(kind: "procedure", code: procedure.code, refersTo: agency)
            }
            guard procedure.processingDays > 0 else {
                throw .invalidRecord(kind: "procedure", code: procedure.code, reason: "processing days must be positive")
            }
            guard procedure.fee.amount >= 0, procedure.fee.amount <= VND.maximum else {
                throw .invalidRecord(kind: "procedure", code: procedure.code, reason: "fee out of range")
            }
            try Self.requireUnique(procedure.fields.map(\.key), kind: "form field of \(procedure.code)")
            for field in procedure.fields where field.type == .choice && (field.options ?? []).isEmpty {
                throw .invalidRecord(kind: "procedure", code: procedure.code, reason: "choice field \(field.key) has no options")
            }
        }
        return self
    }

    private static func requireUnique(_ codes: [String], kind: String) throws(ReferenceDataError) {
        var seen = Set<String>()
        for code in codes where !seen.insert(code).inserted {
            throw .duplicateCode(kind: kind, code: code)
        }
    }

    /// Looks up a category by code.
    public func category(_ code: String) -> FeedbackCategory? { categories.first { $0.code == code } }
    /// Looks up a procedure by code.
    public func procedure(_ code: String) -> Procedure? { procedures.first { $0.code == code } }
    /// Looks up an agency by code.
    public func agency(_ code: String) -> Agency? { agencies.first { $0.code == code } }

    enum CodingKeys: String, CodingKey { case version, communes, agencies, categories, procedures, calendarDays = "calendar_days" }
}

/// A commune directory backed by a set of codes.
public struct SetCommuneDirectory: CommuneDirectory {
    private let codes: Set<String>

    /// Creates a directory from codes.
    public init(_ codes: some Sequence<String>) {
        self.codes = Set(codes)
    }

    public func contains(_ code: String) -> Bool { codes.contains(code) }
}

extension ReferenceCatalog {
    /// Parses the commune list CSV: `code,name,type,former_province` with a header line.
    /// - Throws: `ReferenceDataError.malformedCSV` naming the line.
    public static func parseCommunes(csv: String) throws(ReferenceDataError) -> [Commune] {
        var communes: [Commune] = []
        let lines = csv.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, rawLine) in lines.enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if index == 0 {
                guard line.lowercased().hasPrefix("code,name,type") else {
                    throw .malformedCSV(line: 1, reason: "header must be code,name,type,former_province")
                }
                continue
            }
            let columns = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces).precomposedStringWithCanonicalMapping
            }
            guard columns.count == 4 else { throw .malformedCSV(line: index + 1, reason: "expected 4 columns") }
            let kind: Commune.Kind
            switch SearchKey.fold(columns[2]) {
            case "xa": kind = .xa
            case "phuong": kind = .phuong
            default: throw .malformedCSV(line: index + 1, reason: "type must be xã or phường")
            }
            guard columns[0].count == 5, columns[0].allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw .malformedCSV(line: index + 1, reason: "code must be 5 digits")
            }
            communes.append(Commune(code: columns[0], name: columns[1], kind: kind, formerProvince: columns[3]))
        }
        return communes
    }

    /// The People's Committee of each commune, as agencies; their receiving-unit codes follow the
    /// commune code (`000.<GSO code>.H62`, illustrative until the province's QCVN 102 codes are loaded).
    public static func committees(for communes: [Commune]) -> [Agency] {
        communes.map { commune in
            Agency(
                code: Agency.committeeCode(commune: commune.code),
                name: "UBND " + commune.name,
                kind: .communeCommittee,
                communeCode: commune.code,
                unitCode: "000.\(commune.code).H62")
        }
    }

    /// The file holding departments, categories, procedures and calendar days (not communes).
    public struct Document: Sendable, Codable {
        /// The edition label.
        public var version: String
        /// Provincial departments; commune committees are derived from the commune list.
        public var departments: [Agency]
        /// Feedback categories.
        public var categories: [FeedbackCategory]
        /// Procedures.
        public var procedures: [Procedure]
        /// Calendar exceptions.
        public var calendarDays: [CalendarDay]

        enum CodingKeys: String, CodingKey { case version, departments, categories, procedures, calendarDays = "calendar_days" }
    }

    /// Builds and validates a catalogue from a commune CSV and a catalogue JSON document.
    /// - Throws: `ReferenceDataError`.
    public static func load(communesCSV: String, catalogJSON: Data) throws(ReferenceDataError) -> ReferenceCatalog {
        let communes = try parseCommunes(csv: communesCSV)
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: catalogJSON)
        } catch {
            throw .malformedJSON(String(describing: error).prefix(300).description)
        }
        return try ReferenceCatalog(
            version: document.version,
            communes: communes,
            agencies: document.departments + committees(for: communes),
            categories: document.categories,
            procedures: document.procedures,
            calendarDays: document.calendarDays
        ).validated()
    }

    /// The catalogue shipped with the project (resources `communes.csv` and `catalog.json`).
    /// - Throws: `ReferenceDataError` if the shipped files are broken (a test keeps them valid).
    public static func bundled() throws(ReferenceDataError) -> ReferenceCatalog {
        guard let csvURL = Bundle.module.url(forResource: "communes", withExtension: "csv", subdirectory: "ReferenceData"),
            let jsonURL = Bundle.module.url(forResource: "catalog", withExtension: "json", subdirectory: "ReferenceData"),
            let csv = try? String(contentsOf: csvURL, encoding: .utf8),
            let json = try? Data(contentsOf: jsonURL)
        else { throw .malformedJSON("the bundled reference files are missing") }
        return try load(communesCSV: csv, catalogJSON: json)
    }
}
