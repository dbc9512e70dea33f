import Domain
import Foundation
import Testing

@Suite struct DossierTests {
    let catalog = Fixture.catalog
    let calendar = Fixture.calendar
    let id = UUID(uuidString: "00000000-0000-0000-0000-0000000d0551")!
    let official = Fixture.official("STP")

    /// A criminal-record certificate request (2.000908, Sở Tư pháp, 10 working days, 200.000 ₫).
    var draft: ServiceRequestDraft {
        ServiceRequestDraft(
            procedure: "2.000908",
            fields: [
                "full_name": "Trần Thị Bích".decomposedStringWithCanonicalMapping, "birth_date": "1990-05-17",
                "cccd": "086190123456", "form_number": "phieu so 1", "purpose": "Bổ sung hồ sơ xin việc",
            ],
            documents: [Fixture.photo])
    }

    func received(at: Date) throws -> ServiceRequest {
        let created = try ServiceRequest.create(draft, id: id, by: Fixture.citizen, at: at, catalog: catalog).0
        let submitted = try created.applying(.submit, by: Fixture.citizen, at: at).0
        let code = try DossierCode(unitCode: "000.00.11.H62", date: VietnamTime.local(at).date, sequence: 1)
        return try submitted.applying(.receive(code: code, processingDays: 10, calendar: calendar), by: official, at: at).0
    }

    @Test func createValidatesAndNormalisesTheForm() throws {
        let (request, event) = try ServiceRequest.create(draft, id: id, by: Fixture.citizen, at: Fixture.at("2026-11-30", 9), catalog: catalog)
        #expect(request.status == .draft)
        #expect(request.agencyCode == "STP")
        #expect(request.fee == VND(unchecked: 200_000))
        #expect(request.fields["form_number"] == "Phiếu số 1")
        #expect(request.fields["full_name"] == "Trần Thị Bích".precomposedStringWithCanonicalMapping)
        #expect(event.toStatus == "draft")
    }

    @Test func commmuneLevelProceduresGoToTheCommuneCommittee() throws {
        let birth = ServiceRequestDraft(
            procedure: "1.001193", commune: "29857",
            fields: [
                "child_full_name": "Lê Minh Khang", "child_birth_date": "2026-11-20", "child_gender": "Nam",
                "mother_full_name": "Phạm Thị Hoa", "birth_commune": "29857",
            ])
        let request = try ServiceRequest.create(birth, id: id, by: Fixture.citizen, at: Fixture.at("2026-11-30", 9), catalog: catalog).0
        #expect(request.agencyCode == "UBND-29857")
        #expect(request.fee == .zero)
        var missingCommune = birth
        missingCommune.commune = nil
        #expect(throws: DossierError.communeRequired) {
            try ServiceRequest.create(missingCommune, id: id, by: Fixture.citizen, at: Fixture.at("2026-11-30", 9), catalog: catalog)
        }
    }

    @Test func formErrorsNameTheField() {
        let now = Fixture.at("2026-11-30", 9)
        var cases: [(ServiceRequestDraft, DossierError)] = []
        var d = draft
        d.fields["cccd"] = "12345"
        cases.append((d, .form(.invalidValue(key: "cccd", expected: .cccd))))
        d = draft
        d.fields["birth_date"] = "17/05/1990"
        cases.append((d, .form(.invalidValue(key: "birth_date", expected: .date))))
        d = draft
        d.fields["form_number"] = "Phiếu số 3"
        cases.append((d, .form(.invalidValue(key: "form_number", expected: .choice))))
        d = draft
        d.fields.removeValue(forKey: "full_name")
        cases.append((d, .form(.missing(key: "full_name"))))
        d = draft
        d.fields["nickname"] = "Bi"
        cases.append((d, .form(.unknownField(key: "nickname"))))
        d = draft
        d.procedure = "9.999999"
        cases.append((d, .unknownProcedure("9.999999")))
        d = draft
        d.documents = ["x"]
        cases.append((d, .invalidDocuments))
        for (input, expected) in cases {
            #expect(throws: expected) { try ServiceRequest.create(input, id: id, by: Fixture.citizen, at: now, catalog: catalog) }
        }
        #expect(DossierError.form(.missing(key: "full_name")).field == "fields.full_name")
    }

    @Test func receiptIssuesTheCodeAndPromisedDate() throws {
        let request = try received(at: Fixture.at("2026-11-30", 9))
        #expect(request.status == .received)
        #expect(request.dossierCode?.value == "000.00.11.H62-261130-0001")
        // 10 working days from Monday 30/11 09:00 → Monday 14/12 09:00.
        #expect(request.promisedAt == Fixture.at("2026-12-14", 9))
        #expect(request.deadline?.dueAt == request.promisedAt)
    }

    @Test func receivedOnSaturdayCountsFromMonday() throws {
        let request = try received(at: Fixture.at("2026-11-28", 10))
        #expect(request.promisedAt == Fixture.at("2026-12-11", 17))
    }

    @Test func aSupplementPausesTheDeadlineAndIsRequestedOnce() throws {
        let start = Fixture.at("2026-11-30", 9)
        var request = try received(at: start).applying(.startProcessing, by: official, at: start).0
        let askAt = Fixture.at("2026-12-02", 9)  // 2 working days used, 8 left
        request = try request.applying(
            .requestSupplement(missing: "Thiếu bản chụp CCCD mặt sau; thiếu tờ khai có chữ ký", calendar: calendar),
            by: official, at: askAt).0
        #expect(request.status == .supplementRequested)
        #expect(request.deadline?.isPaused == true)
        #expect(!request.isOverdue(at: Fixture.at("2027-01-30", 9)))
        let suppliedAt = Fixture.at("2026-12-09", 9)  // a week later
        request = try request.applying(
            .supplement(documents: [String(repeating: "cd", count: 32)], calendar: calendar), by: Fixture.citizen, at: suppliedAt).0
        #expect(request.status == .inProcessing)
        #expect(request.documents.count == 2)
        // 8 working days from Wednesday 09/12 09:00 → Monday 21/12 09:00; the promise on paper stays.
        #expect(request.deadline?.dueAt == Fixture.at("2026-12-21", 9))
        #expect(request.promisedAt == Fixture.at("2026-12-14", 9))
        #expect(throws: DossierError.supplementAlreadyRequested) {
            try request.applying(.requestSupplement(missing: "Thêm giấy tờ khác nữa", calendar: calendar), by: official, at: suppliedAt)
        }
    }

    @Test func finishedDossiersAreClassedEarlyOnTimeOrLate() throws {
        let start = Fixture.at("2026-11-30", 9)
        let processing = try received(at: start).applying(.startProcessing, by: official, at: start).0
        func finish(readyAt: Date) throws -> ServiceRequest {
            let ready = try processing.applying(.markResultReady, by: official, at: readyAt).0
            return try ready.applying(.complete(calendar: calendar), by: official, at: readyAt.addingTimeInterval(86400)).0
        }
        #expect(try finish(readyAt: Fixture.at("2026-12-11", 15)).timeliness == .early)
        #expect(try finish(readyAt: Fixture.at("2026-12-14", 8)).timeliness == .onTime)
    }

    @Test func aLateDossierNeedsAnApologySlipAndStaysLate() throws {
        let start = Fixture.at("2026-11-30", 9)
        let processing = try received(at: start).applying(.startProcessing, by: official, at: start).0
        let late = Fixture.at("2026-12-15", 9)
        #expect(processing.isOverdue(at: late))
        #expect(throws: DossierError.apologyRequired(dueAt: Fixture.at("2026-12-14", 9))) {
            try processing.applying(.markResultReady, by: official, at: late)
        }
        #expect(throws: DossierError.apologyDateNotLater) {
            try processing.applying(.issueApology(reason: "Cần xác minh thêm", newDueAt: Fixture.at("2026-12-10", 9)), by: official, at: late)
        }
        let (apologised, event) = try processing.applying(
            .issueApology(reason: "Cần xác minh thêm với cơ quan công an", newDueAt: Fixture.at("2026-12-18", 17)),
            by: official, at: Fixture.at("2026-12-11", 9))
        #expect(event.action == "issue_apology")
        #expect(event.fromStatus == event.toStatus)
        #expect(apologised.apology?.replacedDueAt == Fixture.at("2026-12-14", 9))
        let ready = try apologised.applying(.markResultReady, by: official, at: late).0
        let done = try ready.applying(.complete(calendar: calendar), by: official, at: late).0
        #expect(done.status == .completed)
        #expect(done.timeliness == .late)
    }

    @Test func rejectAndWithdrawCarryReasons() throws {
        let request = try received(at: Fixture.at("2026-11-30", 9))
        let rejected = try request.applying(.reject(reason: "Không thuộc thẩm quyền giải quyết"), by: official, at: Fixture.at("2026-11-30", 10))
        #expect(rejected.0.status == .rejected)
        #expect(rejected.0.closingReason == "Không thuộc thẩm quyền giải quyết")
        #expect(throws: DossierError.text(.empty(field: "reason"))) {
            try request.applying(.reject(reason: ""), by: official, at: Fixture.at("2026-11-30", 10))
        }
        let withdrawn = try request.applying(.withdraw(reason: "Nộp nhầm"), by: Fixture.citizen, at: Fixture.at("2026-11-30", 10))
        #expect(withdrawn.0.status == .withdrawn)
        #expect(withdrawn.1.reason == "Nộp nhầm")
        #expect(throws: DossierError.transition(.otherAgency(.receive))) {
            let created = try ServiceRequest.create(draft, id: id, by: Fixture.citizen, at: Fixture.at("2026-11-30", 9), catalog: catalog).0
            let submitted = try created.applying(.submit, by: Fixture.citizen, at: Fixture.at("2026-11-30", 9)).0
            let code = try DossierCode(unitCode: "000.00.11.H62", date: LocalDate(iso: "2026-11-30")!, sequence: 1)
            return try submitted.applying(.receive(code: code, processingDays: 10, calendar: calendar), by: Fixture.official("SYT"), at: Fixture.at("2026-11-30", 9))
        }
    }
}
