import Domain
import Foundation
import GRDB

extension SQLiteStore: ReferenceRepository {
    func catalog() async throws -> ReferenceCatalog? {
        try await database.reader.read { db in
            guard let version = try String.fetchOne(try db.cachedStatement(sql: "SELECT version FROM reference_versions ORDER BY loaded_at DESC, rowid DESC LIMIT 1"))
            else { return nil }
            let communes = try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM communes WHERE valid_to IS NULL ORDER BY code")).map { row in
                Commune(code: row["code"], name: row["name"], kind: Commune.Kind(rawValue: row["kind"])!,
                        formerProvince: row["former_province"])
            }
            let agencies = try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM agencies WHERE active = 1 ORDER BY kind DESC, code")).map { row in
                Agency(code: row["code"], name: row["name"], kind: Agency.Kind(rawValue: row["kind"])!,
                       communeCode: row["commune_code"], unitCode: row["unit_code"])
            }
            let categories = try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM feedback_categories WHERE active = 1 ORDER BY rowid")).map { row in
                func duration(_ prefix: String) -> WorkingDuration {
                    let n: Int = row["\(prefix)_within"]
                    return (row["\(prefix)_unit"] as String) == "hours" ? .hours(n) : .days(n)
                }
                return FeedbackCategory(
                    code: row["code"], name: row["name"], nameEn: row["name_en"],
                    routing: (row["routing_agency"] as String?).map(Routing.agency) ?? .communeCommittee,
                    urgency: Urgency(rawValue: row["urgency"])!, receiveWithin: duration("receive"),
                    answerWithin: duration("answer"))
            }
            let procedures = try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM procedures WHERE active = 1 ORDER BY rowid")).map { row in
                Procedure(
                    code: row["code"], name: row["name"], agencyCode: row["agency_code"], fee: VND(unchecked: row["fee"]),
                    processingDays: row["processing_days"], requiredDocuments: try jsonValue(row["required_documents"]),
                    fields: try jsonValue(row["fields"]))
            }
            let days = try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM calendar_days ORDER BY date")).map { row in
                CalendarDay(date: LocalDate(iso: row["date"])!, kind: CalendarDay.Kind(rawValue: row["kind"])!, name: row["name"])
            }
            return ReferenceCatalog(
                version: version, communes: communes, agencies: agencies, categories: categories,
                procedures: procedures, calendarDays: days)
        }
    }

    func install(_ catalog: ReferenceCatalog, at now: Date) async throws -> Bool {
        try await database.write { db in
            if try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM reference_versions WHERE version = ?"), arguments: [catalog.version]) == true {
                return false
            }
            let today = VietnamTime.local(now).date.iso
            for c in catalog.communes {
                try db.run("""
                        INSERT INTO communes (code, name, kind, former_province, valid_from) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind,
                            former_province = excluded.former_province, valid_to = NULL
                        """, [c.code, c.name, c.kind.rawValue, c.formerProvince, today])
            }
            try Self.retire("communes", key: "code", keeping: catalog.communes.map(\.code), set: "valid_to = '\(today)'",
                            where: "valid_to IS NULL", db: db)
            for a in catalog.agencies {
                try db.run("""
                        INSERT INTO agencies (code, name, kind, commune_code, unit_code, active) VALUES (?, ?, ?, ?, ?, 1)
                        ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind,
                            commune_code = excluded.commune_code, unit_code = excluded.unit_code, active = 1
                        """, [a.code, a.name, a.kind.rawValue, a.communeCode, a.unitCode])
            }
            try Self.retire("agencies", key: "code", keeping: catalog.agencies.map(\.code), set: "active = 0", where: "active = 1", db: db)
            for c in catalog.categories {
                func parts(_ d: WorkingDuration) -> (Int, String) {
                    switch d {
                    case .hours(let h): (h, "hours")
                    case .days(let n): (n, "days")
                    }
                }
                let receive = parts(c.receiveWithin), answer = parts(c.answerWithin)
                var agency: String?
                if case .agency(let code) = c.routing { agency = code }
                try db.run("""
                        INSERT INTO feedback_categories (code, name, name_en, routing_agency, routes_to_commune, urgency,
                            receive_within, receive_unit, answer_within, answer_unit, active)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
                        ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en,
                            routing_agency = excluded.routing_agency, routes_to_commune = excluded.routes_to_commune,
                            urgency = excluded.urgency, receive_within = excluded.receive_within,
                            receive_unit = excluded.receive_unit, answer_within = excluded.answer_within,
                            answer_unit = excluded.answer_unit, active = 1
                        """, [c.code, c.name, c.nameEn, agency, agency == nil, c.urgency.rawValue, receive.0, receive.1,
                                answer.0, answer.1])
            }
            try Self.retire("feedback_categories", key: "code", keeping: catalog.categories.map(\.code), set: "active = 0",
                            where: "active = 1", db: db)
            for p in catalog.procedures {
                try db.run("""
                        INSERT INTO procedures (code, name, agency_code, fee, processing_days, required_documents, fields, active)
                        VALUES (?, ?, ?, ?, ?, ?, ?, 1)
                        ON CONFLICT (code) DO UPDATE SET name = excluded.name, agency_code = excluded.agency_code,
                            fee = excluded.fee, processing_days = excluded.processing_days,
                            required_documents = excluded.required_documents, fields = excluded.fields, active = 1
                        """, [p.code, p.name, p.agencyCode, p.fee.amount, p.processingDays, jsonText(p.requiredDocuments),
                                jsonText(p.fields)])
            }
            try Self.retire("procedures", key: "code", keeping: catalog.procedures.map(\.code), set: "active = 0",
                            where: "active = 1", db: db)
            // Calendar days are plain data: the new list replaces the old one.
            try db.execute(sql: "DELETE FROM calendar_days")
            for d in catalog.calendarDays {
                try db.run("INSERT INTO calendar_days (date, kind, name) VALUES (?, ?, ?)", [d.date.iso, d.kind.rawValue, d.name])
            }
            try db.run("INSERT INTO reference_versions (version, loaded_at) VALUES (?, ?)", [catalog.version, now.stored])
            try Self.appendChange("catalog", id: catalog.version, partition: ChangePartition(isPublic: true), db: db, at: now)
            return true
        }
    }

    /// Marks rows that the new catalogue lacks as retired instead of deleting them.
    private static func retire(
        _ table: String, key: String, keeping codes: [String], set assignment: String, where condition: String, db: Database
    ) throws {
        let current = try String.fetchAll(try db.cachedStatement(sql: "SELECT \(key) FROM \(table) WHERE \(condition)"))
        let keep = Set(codes)
        for code in current where !keep.contains(code) {
            try db.run("UPDATE \(table) SET \(assignment) WHERE \(key) = ?", [code])
        }
    }
}

extension SQLiteStore: UserRepository {
    func citizen(phone: PhoneNumber, newID: UUID, at now: Date) async throws -> UserAccount {
        try await database.write { db in
            try db.run("INSERT INTO users (id, role, phone, created_at) VALUES (?, 'citizen', ?, ?) ON CONFLICT (phone) DO NOTHING", [newID.text, phone.e164, now.stored])
            return try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM users WHERE phone = ?"), arguments: [phone.e164]).map(Self.account)!
        }
    }

    func addStaff(
        id: UUID, username: Username, role: Role, agencyCode: String?, passwordHash: String, at now: Date
    ) async throws -> UserAccount {
        try await database.write { db in
            if try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM users WHERE username = ?"), arguments: [username.value]) == true {
                throw StoreError.conflict("username \(username.value)")
            }
            try db.run("INSERT INTO users (id, role, username, agency_code, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)", [id.text, role.rawValue, username.value, agencyCode, passwordHash, now.stored])
            return try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM users WHERE id = ?"), arguments: [id.text]).map(Self.account)!
        }
    }

    func user(id: UUID) async throws -> UserAccount? {
        if let account = database.accounts.account(id) { return account }
        let read = database.accounts.startRead()
        let account = try await database.reader.read { db in
            try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM users WHERE id = ?"), arguments: [id.text]).map(Self.account)
        }
        if let account { database.accounts.keep(account, readSince: read) }
        return account
    }

    static func account(_ row: Row) -> UserAccount {
        UserAccount(
            id: row.uuid("id")!, role: Role(rawValue: row["role"])!,
            phone: (row["phone"] as String?).flatMap { try? PhoneNumber($0) }, username: row["username"],
            agencyCode: row["agency_code"], disabled: row["disabled"], tokensValidAfter: row.time("tokens_valid_after"))
    }
}
