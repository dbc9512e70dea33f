import Domain
import Foundation
import Testing

@Suite struct FeedbackTests {
    let catalog = Fixture.catalog
    let id = UUID(uuidString: "00000000-0000-0000-0000-0000000f0001")!
    let filedAt = Fixture.at("2026-11-30", 9)

    func draft(
        category: String = "giao-thong", title: String = "Ổ gà lớn trên đường", commune: String? = Fixture.commune,
        lat: Double? = 10.2415, lon: Double? = 106.3759, photos: [String] = []
    ) -> FeedbackDraft {
        FeedbackDraft(
            category: category, title: title, description: "Ổ gà sâu khoảng 20 cm, xe máy dễ té ngã vào ban đêm.",
            latitude: lat, longitude: lon, commune: commune, address: "123 Đường Đồng Khởi", photos: photos)
    }

    func submitted() throws -> Feedback {
        try Feedback.submit(draft(), id: id, by: Fixture.citizen, at: filedAt, catalog: catalog).0
    }

    /// Received and routed, as the server does on accepting it.
    func routed() throws -> Feedback {
        let category = catalog.category("giao-thong")!
        let code = TrackingCode(date: LocalDate(iso: "2026-11-30")!, sequence: 1)
        let received = try submitted().applying(
            .receive(trackingCode: code, category: category, calendar: Fixture.calendar), by: .system, at: filedAt).0
        return try received.applying(.route(agency: received.defaultAgency(in: catalog)!), by: .system, at: filedAt).0
    }

    @Test func submitNormalisesAndRecordsTheFirstEvent() throws {
        var input = draft()
        input.title = "Ổ gà lớn trên đường".decomposedStringWithCanonicalMapping
        let (feedback, event) = try Feedback.submit(input, id: id, by: Fixture.citizen, at: filedAt, catalog: catalog)
        #expect(feedback.status == .submitted)
        #expect(feedback.title.value == "Ổ gà lớn trên đường".precomposedStringWithCanonicalMapping)
        #expect(feedback.location.commune?.value == Fixture.commune)
        #expect(feedback.urgency == .normal)
        #expect(event.fromStatus == nil)
        #expect(event.toStatus == "submitted")
        #expect(event.actorID == Fixture.citizenID)
        #expect(event.deviceID == Fixture.device)
        #expect(event.at == filedAt)
    }

    @Test func submitRefusesBadInputWithSpecificErrors() {
        let cases: [(FeedbackDraft, FeedbackError)] = [
            (draft(category: "khong-co"), .unknownCategory("khong-co")),
            (draft(title: "Ổ"), .text(.tooShort(field: "title", minimum: 5, actual: 1))),
            (draft(commune: nil, lat: nil, lon: nil), .location(.missing)),
            (draft(lat: 10.7769, lon: 106.7009), .location(.outsideProvince(latitude: 10.7769, longitude: 106.7009))),
            (draft(lat: 10.2, lon: nil), .location(.invalidCoordinate)),
            (draft(commune: "26734"), .location(.unknownCommune("26734"))),
            (draft(category: "rac-thai", commune: nil), .communeRequired(category: "rac-thai")),
            (draft(photos: ["not-a-digest"]), .invalidPhotos(reason: "each photo is referenced once by its SHA-256 digest")),
            (draft(photos: [Fixture.photo, Fixture.photo]), .invalidPhotos(reason: "each photo is referenced once by its SHA-256 digest")),
            (draft(photos: (0..<6).map { String(repeating: String($0), count: 64) }), .invalidPhotos(reason: "at most 5 photos")),
        ]
        for (input, expected) in cases {
            #expect(throws: expected) { try Feedback.submit(input, id: id, by: Fixture.citizen, at: filedAt, catalog: catalog) }
        }
        #expect(throws: FeedbackError.transition(.roleNotAllowed(.official, .receive))) {
            try Feedback.submit(draft(), id: id, by: Fixture.official("SXD"), at: filedAt, catalog: catalog)
        }
    }

    @Test func receiveIssuesTheCodeAndComputesDueTimes() throws {
        let feedback = try routed()
        #expect(feedback.status == .assigned)
        #expect(feedback.agencyCode == "SXD")
        #expect(feedback.trackingCode?.value == "PA-261130-000001")
        // 8 working hours from Monday 09:00 → Tuesday 09:00; then 10 working days → 15/12 09:00.
        #expect(feedback.acknowledgeDueAt == Fixture.at("2026-12-01", 9))
        #expect(feedback.answerDueAt == Fixture.at("2026-12-15", 9))
        #expect(!feedback.isOverdue(at: Fixture.at("2026-12-01", 9)))
        #expect(feedback.isOverdue(at: Fixture.at("2026-12-01", 9, 1)))
    }

    @Test func urgentCategoriesAreDueInWorkingHours() throws {
        var input = draft(category: "thien-tai")
        input.title = "Sạt lở bờ sông"
        let fb = try Feedback.submit(input, id: id, by: Fixture.citizen, at: filedAt, catalog: catalog).0
        let received = try fb.applying(
            .receive(trackingCode: TrackingCode(date: LocalDate(iso: "2026-11-30")!, sequence: 2),
                     category: catalog.category("thien-tai")!, calendar: Fixture.calendar),
            by: .system, at: filedAt).0
        #expect(received.urgency == .urgent)
        #expect(received.acknowledgeDueAt == Fixture.at("2026-11-30", 10))
        #expect(received.answerDueAt == Fixture.at("2026-11-30", 16))
    }

    @Test func communeCategoriesRouteToTheCommuneCommittee() throws {
        var input = draft(category: "chieu-sang")
        input.title = "Đèn đường không sáng"
        let fb = try Feedback.submit(input, id: id, by: Fixture.citizen, at: filedAt, catalog: catalog).0
        #expect(fb.defaultAgency(in: catalog) == "UBND-28756")
    }

    @Test func theWholeHappyPathIsRecorded() throws {
        let official = Fixture.official("SXD")
        var feedback = try routed()
        var events: [HistoryEvent] = []
        let steps: [(FeedbackCommand, Actor)] = [
            (.start, official),
            (.resolve(answer: "Đã vá ổ gà ngày 01/12/2026, cảm ơn bạn đã phản ánh."), official),
            (.rate(stars: 5, comment: "Rất hài lòng", policy: .standard), Fixture.citizen),
        ]
        for (index, (command, actor)) in steps.enumerated() {
            let (next, event) = try feedback.applying(command, by: actor, at: filedAt.addingTimeInterval(Double(index + 1) * 3600))
            feedback = next
            events.append(event)
        }
        #expect(feedback.status == .closed)
        #expect(feedback.assigneeID == Fixture.officialID)
        #expect(feedback.rating?.stars == 5)
        #expect(events.map(\.action) == ["start", "resolve", "rate"])
        #expect(events.map(\.fromStatus) == ["assigned", "in_progress", "resolved"])
        #expect(events.map(\.toStatus) == ["in_progress", "resolved", "closed"])
        #expect(events.map(\.actorRole) == [.official, .official, .citizen])
    }

    func resolved(at: Date) throws -> Feedback {
        let official = Fixture.official("SXD")
        let started = try routed().applying(.start, by: official, at: at).0
        return try started.applying(.resolve(answer: "Đã xử lý xong, mời bạn kiểm tra."), by: official, at: at).0
    }

    @Test func ratingAndReopeningHaveAWindow() throws {
        let resolvedAt = Fixture.at("2026-12-01", 9)
        let feedback = try resolved(at: resolvedAt)
        let inWindow = resolvedAt.addingTimeInterval(6 * 86400)
        let afterWindow = resolvedAt.addingTimeInterval(7 * 86400 + 1)
        let reopened = try feedback.applying(.reopen(reason: "Ổ gà vẫn còn", policy: .standard), by: Fixture.citizen, at: inWindow)
        #expect(reopened.0.status == .reopened)
        #expect(reopened.0.reopenCount == 1)
        #expect(reopened.1.reason == "Ổ gà vẫn còn")
        #expect(throws: FeedbackError.windowClosed(endedAt: resolvedAt.addingTimeInterval(7 * 86400))) {
            try feedback.applying(.reopen(reason: "Ổ gà vẫn còn", policy: .standard), by: Fixture.citizen, at: afterWindow)
        }
        #expect(throws: FeedbackError.windowClosed(endedAt: resolvedAt.addingTimeInterval(7 * 86400))) {
            try feedback.applying(.rate(stars: 4, comment: nil, policy: .standard), by: Fixture.citizen, at: afterWindow)
        }
        #expect(throws: FeedbackError.windowStillOpen(endsAt: resolvedAt.addingTimeInterval(7 * 86400))) {
            try feedback.applying(.close(policy: .standard), by: .system, at: inWindow)
        }
        #expect(try feedback.applying(.close(policy: .standard), by: .system, at: afterWindow).0.status == .closed)
        // The reopened item goes back to the agency.
        #expect(try reopened.0.applying(.start, by: Fixture.official("SXD"), at: inWindow).0.status == .inProgress)
    }

    @Test func ratingsAreOneToFive() throws {
        let feedback = try resolved(at: filedAt)
        for stars in [0, 6, -1] {
            #expect(throws: FeedbackError.ratingOutOfRange(stars)) {
                try feedback.applying(.rate(stars: stars, comment: nil, policy: .standard), by: Fixture.citizen, at: filedAt)
            }
        }
        #expect(throws: FeedbackError.transition(.notOwner(.rate))) {
            try feedback.applying(.rate(stars: 3, comment: nil, policy: .standard), by: Fixture.otherCitizen, at: filedAt)
        }
    }

    @Test func resolvingNeedsAnAnswer() throws {
        let started = try routed().applying(.start, by: Fixture.official("SXD"), at: filedAt).0
        #expect(throws: FeedbackError.text(.empty(field: "answer"))) {
            try started.applying(.resolve(answer: "   "), by: Fixture.official("SXD"), at: filedAt)
        }
    }

    @Test func rejectingNeedsAReasonAndADistinctOriginal() throws {
        let feedback = try routed()
        let official = Fixture.official("SXD")
        let original = UUID()
        let (rejected, event) = try feedback.applying(
            .reject(.duplicate, note: "Trùng phản ánh PA-261129-000007", duplicateOf: original), by: official, at: filedAt)
        #expect(rejected.status == .rejected)
        #expect(rejected.rejection?.duplicateOf == original)
        #expect(event.reason == "duplicate: Trùng phản ánh PA-261129-000007")
        #expect(throws: FeedbackError.duplicateTargetInvalid) {
            try feedback.applying(.reject(.duplicate, note: "Trùng lặp nội dung", duplicateOf: feedback.id), by: official, at: filedAt)
        }
        #expect(throws: FeedbackError.duplicateTargetInvalid) {
            try feedback.applying(.reject(.duplicate, note: "Trùng lặp nội dung", duplicateOf: nil), by: official, at: filedAt)
        }
        #expect(throws: FeedbackError.text(.empty(field: "reason"))) {
            try feedback.applying(.reject(.spam, note: "", duplicateOf: nil), by: official, at: filedAt)
        }
    }

    @Test func supervisorsTransferAndAssignWithinTheirAgency() throws {
        let feedback = try routed()
        let supervisor = Fixture.supervisor("SXD")
        let (moved, event) = try feedback.applying(
            .transfer(agency: "UBND-28756", reason: "Đường do xã quản lý"), by: supervisor, at: filedAt)
        #expect(moved.agencyCode == "UBND-28756")
        #expect(moved.status == .assigned)
        #expect(event.reason == "Đường do xã quản lý")
        #expect(throws: FeedbackError.transition(.otherAgency(.transfer))) {
            try moved.applying(.transfer(agency: "SXD", reason: "Trả lại Sở"), by: supervisor, at: filedAt)
        }
        #expect(throws: FeedbackError.sameAgency("SXD")) {
            try feedback.applying(.transfer(agency: "SXD", reason: "Không đổi"), by: supervisor, at: filedAt)
        }
        let assigned = try feedback.applying(.assignOfficial(Fixture.officialID, staffAgency: "SXD"), by: supervisor, at: filedAt).0
        #expect(assigned.assigneeID == Fixture.officialID)
        #expect(assigned.status == .assigned)
        #expect(throws: FeedbackError.assigneeNotInAgency) {
            try feedback.applying(.assignOfficial(UUID(), staffAgency: "SYT"), by: supervisor, at: filedAt)
        }
    }

    @Test func citizensWithdrawOnlyBeforeWorkStarts() throws {
        let feedback = try routed()
        #expect(try feedback.applying(.withdraw(reason: nil), by: Fixture.citizen, at: filedAt).0.status == .withdrawn)
        let started = try feedback.applying(.start, by: Fixture.official("SXD"), at: filedAt).0
        #expect(throws: FeedbackError.transition(.notAllowedFrom(.inProgress, .withdraw))) {
            try started.applying(.withdraw(reason: nil), by: Fixture.citizen, at: filedAt)
        }
    }

    @Test func draftsUseTheWireNameForPublic() throws {
        let json = try JSONEncoder().encode(draft())
        let object = try JSONSerialization.jsonObject(with: json) as! [String: Any]
        #expect(object["public"] as? Bool == true)
        #expect(try JSONDecoder().decode(FeedbackDraft.self, from: json) == draft())
    }
}
