import Domain
import Foundation
import Testing

@Suite struct PaymentTests {
    let now = Fixture.at("2026-11-30", 9)
    let official = Fixture.official("STP")

    func invoice(amount: Int64 = 200_000) throws -> Invoice {
        try Invoice.issue(
            id: UUID(), to: Fixture.citizenID, agency: "STP", purpose: .serviceFee, description: "Phí cấp Phiếu lý lịch tư pháp",
            amount: amount, by: .system, at: now).0
    }

    func paid() throws -> (Invoice, Payment) {
        let invoice = try invoice()
        let pending = try Payment.initiate(
            id: UUID(), invoice: invoice, method: .sandbox, idempotencyKey: "key-0001-abcdef", by: Fixture.citizen, at: now).0
        let succeeded = try pending.applying(.succeed, confirmedAmount: VND(unchecked: 200_000), by: .system, at: now).0
        let settled = try invoice.applying(.settle, paymentID: succeeded.id, by: .system, at: now).0
        return (settled, succeeded)
    }

    @Test func invoicesArePositiveAndIssuedByTheirAgency() throws {
        #expect(throws: PaymentError.amount(.notPositive(field: "amount", amount: 0))) { try invoice(amount: 0) }
        #expect(throws: PaymentError.invoice(.otherAgency(.issue))) {
            try Invoice.issue(id: UUID(), to: Fixture.citizenID, agency: "STP", purpose: .schoolFee, description: "Học phí",
                              amount: 1000, by: Fixture.official("SYT"), at: now)
        }
        #expect(throws: PaymentError.invoice(.roleNotAllowed(.citizen, .issue))) {
            try Invoice.issue(id: UUID(), to: Fixture.citizenID, agency: "STP", purpose: .other, description: "Phí khác",
                              amount: 1000, by: Fixture.citizen, at: now)
        }
        let (issued, event) = try Invoice.issue(
            id: UUID(), to: Fixture.citizenID, agency: "STP", purpose: .hospitalFee, description: "Viện phí",
            amount: 350_000, by: official, at: now)
        #expect(issued.status == .open)
        #expect(event.actorID == Fixture.officialID)
    }

    @Test func paymentsPayTheWholeOpenInvoiceOfTheirOwner() throws {
        let invoice = try invoice()
        #expect(throws: PaymentError.payment(.notOwner(.initiate))) {
            try Payment.initiate(id: UUID(), invoice: invoice, method: .vietqr, idempotencyKey: "key-0001-abcdef", by: Fixture.otherCitizen, at: now)
        }
        #expect(throws: PaymentError.invalidIdempotencyKey) {
            try Payment.initiate(id: UUID(), invoice: invoice, method: .vietqr, idempotencyKey: "short", by: Fixture.citizen, at: now)
        }
        let (settled, _) = try paid()
        #expect(settled.status == .paid)
        #expect(throws: PaymentError.invoice(.notAllowedFrom(.paid, .settle))) {
            try Payment.initiate(id: UUID(), invoice: settled, method: .vietqr, idempotencyKey: "key-0002-abcdef", by: Fixture.citizen, at: now)
        }
    }

    @Test func aConfirmationForTheWrongAmountChangesNothing() throws {
        let pending = try Payment.initiate(
            id: UUID(), invoice: invoice(), method: .sandbox, idempotencyKey: "key-0001-abcdef", by: Fixture.citizen, at: now).0
        #expect(throws: PaymentError.amountMismatch(expected: VND(unchecked: 200_000), got: VND(unchecked: 20_000))) {
            try pending.applying(.succeed, confirmedAmount: VND(unchecked: 20_000), by: .system, at: now)
        }
        let succeeded = try pending.applying(.succeed, confirmedAmount: VND(unchecked: 200_000), by: .system, at: now).0
        #expect(throws: PaymentError.payment(.notAllowedFrom(.succeeded, .fail))) {
            try succeeded.applying(.fail, by: .system, at: now)
        }
    }

    @Test func refundsArePartialAtMostWhatWasPaid() throws {
        let (_, payment) = try paid()
        let first = try Refund.request(
            id: UUID(), of: payment, amount: 50_000, reason: "Thu thừa phí", alreadyRefunded: .zero, by: official, at: now)
        #expect(first.0.status == .pending)
        #expect(throws: PaymentError.refundExceedsPaid(refundable: VND(unchecked: 150_000), requested: VND(unchecked: 150_001))) {
            try Refund.request(id: UUID(), of: payment, amount: 150_001, reason: "Hoàn phần còn lại", alreadyRefunded: VND(unchecked: 50_000), by: official, at: now)
        }
        #expect(try Refund.request(id: UUID(), of: payment, amount: 150_000, reason: "Hoàn phần còn lại",
                                   alreadyRefunded: VND(unchecked: 50_000), by: official, at: now).0.amount == VND(unchecked: 150_000))
        #expect(throws: PaymentError.refund(.otherAgency(.request))) {
            try Refund.request(id: UUID(), of: payment, amount: 1, reason: "Hoàn tiền thử", alreadyRefunded: .zero, by: Fixture.official("SYT"), at: now)
        }
        #expect(throws: PaymentError.text(.empty(field: "reason"))) {
            try Refund.request(id: UUID(), of: payment, amount: 1, reason: " ", alreadyRefunded: .zero, by: official, at: now)
        }
        #expect(throws: PaymentError.amount(.notPositive(field: "amount", amount: -5))) {
            try Refund.request(id: UUID(), of: payment, amount: -5, reason: "Hoàn tiền âm", alreadyRefunded: .zero, by: official, at: now)
        }
    }

    @Test func receiptsCarryTheAmountInWords() throws {
        let (invoice, payment) = try paid()
        let receipt = Receipt.issue(
            id: UUID(), for: payment, invoice: invoice, number: ReceiptNumber(series: ReceiptNumber.series(at: now), number: 42), at: now)
        #expect(receipt.number.formatted == "BL2026-0000042")
        #expect(receipt.amountInWords == "Hai trăm nghìn đồng")
        #expect(receipt.description == "Phí cấp Phiếu lý lịch tư pháp")
    }

    @Test func seriesFollowTheLocalYear() {
        // 31/12/2026 23:30 in Vietnam is still 2026; 1/1/2027 00:30 is 2027 though UTC says 2026.
        #expect(ReceiptNumber.series(at: Fixture.at("2026-12-31", 23, 30)) == "BL2026")
        #expect(ReceiptNumber.series(at: Fixture.at("2027-01-01", 0, 30)) == "BL2027")
    }
}

@Suite struct CodeTests {
    @Test func trackingCodesRoundTrip() throws {
        let code = TrackingCode(date: LocalDate(iso: "2026-11-30")!, sequence: 42)
        #expect(code.value == "PA-261130-000042")
        let parsed = try TrackingCode(parsing: " pa-261130-000042 ")
        #expect(parsed == code)
        #expect(parsed.date.iso == "2026-11-30")
        #expect(parsed.sequence == 42)
        #expect(TrackingCode(date: LocalDate(iso: "2026-11-30")!, sequence: 1_234_567).value == "PA-261130-1234567")
        for bad in ["PA-261130-42", "PX-261130-000042", "PA-261330-000042", "PA-261130-000000", "PA261130000042", ""] {
            #expect(throws: CodeError.malformed(kind: "mã phản ánh", raw: bad)) { try TrackingCode(parsing: bad) }
        }
    }

    @Test func dossierCodesFollowTheCircular() throws {
        let code = try DossierCode(unitCode: "000.00.11.H62", date: LocalDate(iso: "2026-11-30")!, sequence: 7)
        #expect(code.value == "000.00.11.H62-261130-0007")
        let parsed = try DossierCode(parsing: "000.00.11.h62-261130-0007")
        #expect(parsed == code)
        #expect(parsed.unitCode == "000.00.11.H62")
        #expect(parsed.sequence == 7)
        #expect(throws: CodeError.sequenceExhausted(kind: "hồ sơ", limit: 9999)) {
            try DossierCode(unitCode: "000.00.11.H62", date: LocalDate(iso: "2026-11-30")!, sequence: 10_000)
        }
        for bad in ["000.00.11.H62-261130-07", "000.00.11.H62-261130", "H62-261199-0001", "a b-261130-0001"] {
            #expect(throws: CodeError.self) { try DossierCode(parsing: bad) }
        }
    }
}
