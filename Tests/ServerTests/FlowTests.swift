import Crypto
import Domain
import Foundation
import GRDB
import HTTPTypes
import Testing
@testable import Server

@Suite struct FeedbackFlowTests {
    @Test func aCitizenFilesAnOfficialResolvesTheCitizenRates() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let citizen = try await api.citizen("0912345678").accessToken
            let filed = try await api.fileFeedback(citizen)
            #expect(filed.status == .assigned)
            #expect(filed.agency == "SXD")
            #expect(filed.trackingCode == "PA-261130-000001")
            #expect(filed.mine)

            let official = try await api.staff("cb.xaydung").accessToken
            let queue = try #require(try await api.call(Endpoints.feedbackQueue, token: official).value)
            #expect(queue.items.map(\.id) == [filed.id])
            #expect(queue.items[0].citizenId != nil)

            let device = UUID()
            let started = try await api.call(
                Endpoints.startFeedback, NoContent(), token: official, id: filed.id, headers: [APIRouter.deviceHeader: device.uuidString])
            #expect(started.value?.status == .inProgress)
            let staffHistory = try #require(try await api.call(Endpoints.feedbackHistory, token: official, id: filed.id).value)
            #expect(staffHistory.last?.deviceId == device)
            #expect(try await api.call(Endpoints.getFeedback, token: official, id: filed.id, headers: [APIRouter.deviceHeader: "phone-1"]).problem?.code == "header.invalid")
            let message = try await api.call(
                Endpoints.postFeedbackMessage, MessageCreate(id: UUID(), body: "Chúng tôi đã cử người kiểm tra."), token: official, id: filed.id)
            #expect(message.status == .created)
            let reply = try await api.call(
                Endpoints.postFeedbackMessage, MessageCreate(id: UUID(), body: "Cảm ơn anh chị."), token: citizen, id: filed.id)
            #expect(reply.status == .created)
            let resolved = try await api.call(
                Endpoints.resolveFeedback, AnswerBody(answer: "Đã vá ổ gà ngày 01/12/2026. Cảm ơn bạn."), token: official, id: filed.id)
            #expect(resolved.value?.status == .resolved)

            let seen = try #require(try await api.call(Endpoints.getFeedback, token: citizen, id: filed.id).value)
            #expect(seen.answer == "Đã vá ổ gà ngày 01/12/2026. Cảm ơn bạn.")
            let rated = try await api.call(Endpoints.rateFeedback, RatingBody(stars: 5, comment: "Nhanh"), token: citizen, id: filed.id)
            #expect(rated.value?.status == .closed)
            #expect(rated.value?.ratingStars == 5)

            let thread = try #require(try await api.call(Endpoints.feedbackMessages, token: citizen, id: filed.id).value)
            #expect(thread.map(\.body) == ["Chúng tôi đã cử người kiểm tra.", "Cảm ơn anh chị."])
            let history = try #require(try await api.call(Endpoints.feedbackHistory, token: citizen, id: filed.id).value)
            #expect(history.map(\.toStatus) == ["submitted", "received", "assigned", "in_progress", "resolved", "closed"])
            // The citizen sees that staff acted, not which staff member.
            #expect(history.filter { $0.actorRole == .official }.allSatisfy { $0.actorId == nil })
            #expect(try await api.call(Endpoints.feedbackQueue, token: official).value?.items.isEmpty == true)
        }
    }

    @Test func filingTheSameIdTwiceStoresItOnce() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let citizen = try await api.citizen("0912345678").accessToken
            let body = FeedbackCreate(id: UUID(), draft: FeedbackDraft(
                category: "chieu-sang", title: "Đèn đường không sáng", description: "Cả dãy đèn tắt từ ba hôm nay.", commune: "28756"))
            let first = try await api.call(Endpoints.createFeedback, body, token: citizen)
            let retry = try await api.call(Endpoints.createFeedback, body, token: citizen)
            #expect(first.value == retry.value)
            #expect(first.value?.agency == "UBND-28756")
            let other = try await api.citizen("0987654321").accessToken
            #expect(try await api.call(Endpoints.createFeedback, body, token: other).status == .conflict)
        }
        #expect(try await fixture.store.database.reader.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM feedback") } == 1)
    }

    @Test func privacyOtherCitizensOtherAgenciesAndAnonymity() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let alice = try await api.citizen("0912345678").accessToken
            let bob = try await api.citizen("0987654321").accessToken
            let open = try await api.fileFeedback(alice)
            let hidden = try await api.fileFeedback(alice, title: "Việc riêng tư cần báo", isPublic: false)
            let anonymous = try await api.fileFeedback(alice, title: "Phản ánh giấu tên", anonymous: true)

            // Bob sees the public item without Alice's identity, and nothing of the private one.
            let publicView = try #require(try await api.call(Endpoints.getFeedback, token: bob, id: open.id).value)
            #expect(publicView.citizenId == nil)
            #expect(!publicView.mine)
            #expect(try await api.call(Endpoints.getFeedback, token: bob, id: hidden.id).status == .notFound)
            #expect(try await api.call(Endpoints.feedbackMessages, token: bob, id: open.id).status == .notFound)
            #expect(try await api.call(Endpoints.withdrawFeedback, ReasonBody(), token: bob, id: open.id).status == .notFound)
            let publicList = try #require(try await api.call(Endpoints.listFeedback, token: bob, query: "scope=public").value)
            #expect(Set(publicList.items.map(\.id)) == [open.id, anonymous.id])
            #expect(try await api.call(Endpoints.listFeedback, token: bob).value?.items.isEmpty == true)

            // Another agency sees nothing; the agency does not see who filed anonymously.
            let health = try await api.staff("cb.yte").accessToken
            #expect(try await api.call(Endpoints.getFeedback, token: health, id: open.id).status == .notFound)
            #expect(try await api.call(Endpoints.startFeedback, NoContent(), token: health, id: open.id).status == .notFound)
            #expect(try await api.call(Endpoints.feedbackQueue, token: health).value?.items.isEmpty == true)
            let roads = try await api.staff("cb.xaydung").accessToken
            #expect(try await api.call(Endpoints.getFeedback, token: roads, id: anonymous.id).value?.citizenId == nil)
            #expect(try await api.call(Endpoints.getFeedback, token: roads, id: open.id).value?.citizenId != nil)
        }
    }

    @Test func aTransferMovesTheItemToTheOtherAgencysQueue() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let citizen = try await api.citizen("0912345678").accessToken
            let item = try await api.fileFeedback(citizen)
            let official = try await api.staff("cb.xaydung").accessToken
            let supervisor = try await api.staff("gs.xaydung").accessToken
            #expect(try await api.call(Endpoints.transferFeedback, TransferBody(agency: "UBND-28756", reason: "Đường do phường quản lý"),
                                       token: official, id: item.id).status == .forbidden)
            #expect(try await api.call(Endpoints.transferFeedback, TransferBody(agency: "KHONGCO", reason: "Không có cơ quan"),
                                       token: supervisor, id: item.id).problem?.code == "agency.unknown")
            let moved = try await api.call(Endpoints.transferFeedback, TransferBody(agency: "UBND-28756", reason: "Đường do phường quản lý"),
                                           token: supervisor, id: item.id)
            #expect(moved.value?.agency == "UBND-28756")
            #expect(try await api.call(Endpoints.getFeedback, token: official, id: item.id).status == .notFound)
            let ward = try await api.staff("cb.phukhuong").accessToken
            #expect(try await api.call(Endpoints.feedbackQueue, token: ward).value?.items.map(\.id) == [item.id])
        }
    }

    @Test func queueFiltersSortsAndPagesWithACursor() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let citizen = try await api.citizen("0912345678").accessToken
            var ids: [UUID] = []
            for index in 0..<5 {
                ids.append(try await api.fileFeedback(citizen, title: "Ổ gà số \(index + 1) trên đường").id)
                api.clock.advance(by: 60)
            }
            let official = try await api.staff("cb.xaydung").accessToken
            _ = try await api.call(Endpoints.startFeedback, NoContent(), token: official, id: ids[2])
            let first = try #require(try await api.call(Endpoints.feedbackQueue, token: official, query: "sort=age&limit=2").value)
            #expect(first.items.map(\.id) == [ids[0], ids[1]])
            let cursor = try #require(first.nextCursor)
            let second = try #require(try await api.call(Endpoints.feedbackQueue, token: official, query: "sort=age&limit=2&cursor=\(cursor)").value)
            #expect(second.items.map(\.id) == [ids[2], ids[3]])
            let started = try #require(try await api.call(Endpoints.feedbackQueue, token: official, query: "status=in_progress").value)
            #expect(started.items.map(\.id) == [ids[2]])
            let mine = try #require(try await api.call(Endpoints.feedbackQueue, token: official, query: "mine=true").value)
            #expect(mine.items.map(\.id) == [ids[2]])
            #expect(try await api.call(Endpoints.feedbackQueue, token: official, query: "overdue=true").value?.items.isEmpty == true)
            api.clock.advance(by: 30 * 86400)
            let later = try await api.staff("cb.xaydung").accessToken
            #expect(try await api.call(Endpoints.feedbackQueue, token: later, query: "overdue=true").value?.items.count == 5)
            let search = try #require(try await api.call(Endpoints.feedbackQueue, token: later, query: "q=O%20GA%20SO%203").value)
            #expect(search.items.map(\.id) == [ids[2]])
            for bad in ["sort=random", "status=lost", "limit=1000", "cursor=abc", "sort=age&sort=due", "commune=99999", "overdue=maybe"] {
                let answer = try await api.call(Endpoints.feedbackQueue, token: later, query: bad)
                #expect(answer.status == .badRequest, "\(bad)")
                #expect(answer.problem?.code == "query.invalid", "\(bad)")
            }
        }
    }

    @Test func duplicatesRejectionsAndWithdrawals() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let citizen = try await api.citizen("0912345678").accessToken
            let original = try await api.fileFeedback(citizen)
            let copy = try await api.fileFeedback(citizen, title: "Ổ gà trên đường Đồng Khởi nữa")
            let official = try await api.staff("cb.xaydung").accessToken
            let rejected = try await api.call(
                Endpoints.rejectFeedback, RejectBody(reason: .duplicate, note: "Trùng với phản ánh trước", duplicateOf: original.id),
                token: official, id: copy.id)
            #expect(rejected.value?.status == .rejected)
            #expect(rejected.value?.duplicateOf == original.id)
            let again = try await api.call(Endpoints.startFeedback, NoContent(), token: official, id: copy.id)
            #expect(again.status == .conflict)
            #expect(again.problem?.code == "transition.not_allowed")
            let withdrawn = try await api.call(Endpoints.withdrawFeedback, ReasonBody(reason: "Đã tự sửa"), token: citizen, id: original.id)
            #expect(withdrawn.value?.status == .withdrawn)
        }
    }
}

@Suite struct DossierFlowTests {
    @Test func aDossierGoesFromSubmissionThroughASupplementToCompletion() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let citizen = try await api.citizen("0912345678").accessToken
            let (document, _, _) = try await api.upload(TestAPI.pdf(1), token: citizen)
            let draft = ServiceRequestDraft(
                procedure: "2.000908",
                fields: ["full_name": "Trần Thị Bích", "birth_date": "1990-05-17", "cccd": "086190123456",
                         "form_number": "Phiếu số 1", "purpose": "Xin việc"],
                documents: [document])
            let created = try await api.call(Endpoints.createRequest, ServiceRequestCreate(id: UUID(), draft: draft), token: citizen)
            #expect(created.status == .created)
            let request = try #require(created.value)
            #expect(request.status == .submitted)
            #expect(request.agency == "STP")

            let official = try await api.staff("cb.tuphap").accessToken
            #expect(try await api.call(Endpoints.requestQueue, token: official).value?.items.map(\.id) == [request.id])
            let received = try #require(try await api.call(Endpoints.receiveRequest, NoContent(), token: official, id: request.id).value)
            #expect(received.dossierCode == "000.00.11.H62-261130-0001")
            #expect(received.promisedAt != nil)
            // The fee invoice was issued with the receipt.
            let invoices = try #require(try await api.call(Endpoints.listInvoices, token: citizen).value)
            #expect(invoices.items.map(\.amount) == [200_000])
            #expect(invoices.items[0].serviceRequestId == request.id)

            _ = try await api.call(Endpoints.startRequest, NoContent(), token: official, id: request.id)
            let asked = try await api.call(
                Endpoints.askSupplement, SupplementRequestBody(missing: "Thiếu bản chụp CCCD mặt sau"), token: official, id: request.id)
            #expect(asked.value?.paused == true)
            api.clock.advance(by: 86400)
            let citizenLater = try await api.citizen("0912345678").accessToken
            let (missing, _, _) = try await api.upload(TestAPI.pdf(2), token: citizenLater)
            let supplied = try await api.call(
                Endpoints.supplementRequest, SupplementBody(documents: [missing]), token: citizenLater, id: request.id)
            #expect(supplied.value?.status == .inProcessing)
            #expect(supplied.value?.paused == false)
            let officialLater = try await api.staff("cb.tuphap").accessToken
            #expect(try await api.call(Endpoints.askSupplement, SupplementRequestBody(missing: "Thiếu thêm giấy tờ khác"),
                                       token: officialLater, id: request.id).problem?.code == "dossier.supplement_already_requested")
            _ = try await api.call(Endpoints.resultReady, NoContent(), token: officialLater, id: request.id)
            let done = try #require(try await api.call(Endpoints.completeRequest, NoContent(), token: officialLater, id: request.id).value)
            #expect(done.status == .completed)
            #expect(done.timeliness == .early)
            let history = try #require(try await api.call(Endpoints.requestHistory, token: citizenLater, id: request.id).value)
            #expect(history.map(\.action) == ["submit", "submit", "receive", "start_processing", "request_supplement", "supplement",
                                              "result_ready", "complete"])
            // Another citizen and another agency see nothing of it.
            let other = try await api.citizen("0987654321").accessToken
            #expect(try await api.call(Endpoints.getRequest, token: other, id: request.id).status == .notFound)
            let health = try await api.staff("cb.yte").accessToken
            #expect(try await api.call(Endpoints.getRequest, token: health, id: request.id).status == .notFound)
        }
    }

    @Test func officialsIssueInvoicesForOtherFees() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let official = try await api.staff("cb.yte").accessToken
            let body = InvoiceCreate(id: UUID(), citizenPhone: "0912345678", purpose: .hospitalFee, description: "Viện phí đợt 1", amount: 350_000)
            let issued = try await api.call(Endpoints.issueInvoice, body, token: official)
            #expect(issued.status == .created)
            #expect(issued.value?.agency == "SYT")
            let citizen = try await api.citizen("0912345678").accessToken
            #expect(try await api.call(Endpoints.listInvoices, token: citizen).value?.items.map(\.id) == [body.id])
            var bad = body
            bad.id = UUID()
            bad.amount = 0
            #expect(try await api.call(Endpoints.issueInvoice, bad, token: official).problem?.code == "amount.not_positive")
            bad.amount = 1000
            bad.purpose = .serviceFee
            #expect(try await api.call(Endpoints.issueInvoice, bad, token: official).problem?.code == "invoice.purpose_reserved")
            #expect(try await api.call(Endpoints.issueInvoice, body, token: citizen).status == .forbidden)
        }
    }
}

@Suite struct ProblemTests {
    @Test func unknownRoutesAndMethodsAreProblems() async throws {
        let fixture = try await APIFixture()
        try await fixture.app.test(.router) { client in
            try await client.execute(uri: "/v1/khong-co", method: .get) { response throws in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
                let problem = try WireCoding.decoder().decode(Problem.self, from: Data(buffer: response.body))
                #expect(problem.code == "route.not_found")
                #expect(problem.requestId != nil)
            }
            try await client.execute(uri: "/v1/catalog", method: .delete) { response throws in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET")
            }
        }
    }

    @Test func badBodiesGetSpecificProblemsAndStoreNothing() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let citizen = try await api.citizen("0912345678").accessToken
            let cases: [(Data, HTTPResponse.Status, String, String?)] = [
                (Data("{".utf8), .badRequest, "body.invalid", nil),
                (Data([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D]), .badRequest, "body.invalid", nil),
                (Data(#"{"id":"\#(UUID())","category":"giao-thong","title":5,"description":"x"}"#.utf8), .badRequest, "body.invalid", "title"),
                (Data(#"{"id":"\#(UUID())","category":"giao-thong","description":"Mô tả đủ dài để hợp lệ"}"#.utf8), .badRequest, "body.invalid", "title"),
                (Data(("{\"pad\":\"" + String(repeating: "x", count: 300 * 1024) + "\"}").utf8), .contentTooLarge, "body.too_large", nil),
                (Data(#"{"id":"\#(UUID())","category":"giao-thong","title":"Ổ gà lớn","description":"Mô tả đủ dài để hợp lệ","latitude":10.77,"longitude":106.70}"#.utf8),
                 .unprocessableContent, "location.outside_province", "location"),
                (Data(#"{"id":"\#(UUID())","category":"giao-thong","title":"Ổ\u0000gà","description":"Mô tả đủ dài để hợp lệ","commune":"28756"}"#.utf8),
                 .unprocessableContent, "text.control_character", "title"),
            ]
            for (body, status, code, field) in cases {
                let answer = try await api.call(Endpoints.createFeedback, nil, token: citizen, rawBody: body)
                #expect(answer.status == status, "\(code)")
                #expect(answer.problem?.code == code)
                #expect(answer.problem?.field == field, "\(code)")
            }
            let wrongType = try await api.call(Endpoints.createFeedback, nil, token: citizen, rawBody: Data("title=x".utf8),
                                               headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(wrongType.status == .unsupportedMediaType)
            let english = try await api.call(Endpoints.createFeedback, nil, token: citizen, rawBody: Data(
                #"{"id":"\#(UUID())","category":"khong-co","title":"Ổ gà lớn","description":"Mô tả đủ dài để hợp lệ","commune":"28756"}"#.utf8),
                language: "en-US,en;q=0.8")
            #expect(english.problem?.detail == "Category “khong-co” does not exist.")
        }
        try await fixture.store.database.reader.read { db throws in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM feedback") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM change_log WHERE entity = 'feedback'") == 0)
        }
    }
}

@Suite struct AttachmentTests {
    @Test func uploadsAreContentAddressedCheckedAndRetrySafe() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let alice = try await api.citizen("0912345678").accessToken
            let bob = try await api.citizen("0987654321").accessToken
            let jpeg = Data([0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: UInt8(7), count: 100))
            let (photo, created, _) = try await api.upload(jpeg, type: "image/jpeg", token: alice)
            #expect(created == .created)
            #expect(try await api.upload(jpeg, type: "image/jpeg", token: alice).1 == .ok, "a retried upload is fine")
            #expect(try await api.upload(jpeg, type: "image/jpeg", token: alice, digest: String(repeating: "0", count: 64)).2?.code == "attachment.digest_mismatch")
            #expect(try await api.upload(jpeg, type: "image/gif", token: alice).1 == .unsupportedMediaType)
            #expect(try await api.upload(jpeg, type: "application/pdf", token: alice).2?.code == "attachment.content_mismatch")
            #expect(try await api.upload(Data(repeating: 0xFF, count: AttachmentRules.maximumBytes + 1), type: "image/jpeg", token: alice).1 == .contentTooLarge)

            // A write may only refer to uploaded files.
            let missing = String(repeating: "e", count: 64)
            var draft = FeedbackDraft(category: "giao-thong", title: "Ổ gà có ảnh", description: "Ảnh chụp ổ gà đính kèm.", commune: "28756",
                                      photos: [missing], isPublic: false)
            let refused = try await api.call(Endpoints.createFeedback, FeedbackCreate(id: UUID(), draft: draft), token: alice)
            #expect(refused.problem?.code == "attachment.missing")
            draft.photos = [photo]
            let item = try #require(try await api.call(Endpoints.createFeedback, FeedbackCreate(id: UUID(), draft: draft), token: alice).value)
            #expect(item.photos == [photo])

            // Downloads: the uploader and the agency working the item; not another citizen.
            func download(_ token: String) async throws -> HTTPResponse.Status {
                try await api.client.execute(uri: "/v1/attachments/\(photo)", method: .get, headers: [.authorization: "Bearer \(token)"]) { $0.status }
            }
            #expect(try await download(alice) == .ok)
            #expect(try await download(bob) == .notFound)
            #expect(try await download(try await api.staff("cb.xaydung").accessToken) == .ok)
            #expect(try await download(try await api.staff("cb.yte").accessToken) == .notFound)
        }
    }

    @Test func aPushWaitsWithoutAVerdictForAnAttachmentNotYetUploaded() async throws {
        let fixture = try await APIFixture()
        try await fixture.run { api in
            let token = try await api.citizen("0912345678").accessToken
            var device = try await TestDevice.register(api, token: token)
            let jpeg = Data([0xFF, 0xD8, 0xFF, 0xE0]) + Data("ảnh chụp ổ gà".utf8)
            let digest = SHA256.hash(data: jpeg).map { String(format: "%02x", $0) }.joined()
            let first = device.mutation(.createFeedback(.sample("Không ảnh")))
            let second = device.mutation(.createFeedback(FeedbackCreate(id: UUID(), draft: FeedbackDraft(
                category: "giao-thong", title: "Có ảnh", description: "Ảnh tải lên sau.", commune: "28756", photos: [digest]))))
            let early = try #require(try await device.push([first, second]).value)
            #expect(early.results.map(\.seq) == [1], "the second write waits, with no verdict")
            #expect(early.lastAppliedSeq == 1)
            _ = try await api.upload(jpeg, type: "image/jpeg", token: token)
            let later = try #require(try await device.push([first, second]).value)
            #expect(later.results.map(\.status) == [.applied, .applied])
            #expect(later.lastAppliedSeq == 2)
            // A document is not a photo: the write is refused with its reason, and the queue moves on.
            let (pdfDigest, _, _) = try await api.upload(TestAPI.pdf(9), token: token)
            let third = device.mutation(.createFeedback(FeedbackCreate(id: UUID(), draft: FeedbackDraft(
                category: "giao-thong", title: "Ảnh là PDF", description: "Tệp PDF thay cho ảnh.", commune: "28756", photos: [pdfDigest]))))
            let refused = try #require(try await device.push([third]).value)
            #expect(refused.results.map(\.code) == ["attachment.not_an_image"])
            #expect(refused.lastAppliedSeq == 3)
        }
    }
}
