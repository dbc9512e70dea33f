import Crypto
import Domain
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import Server

/// Holds the sandbox provider's scheduled callbacks until a test runs them.
final class ManualScheduler: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [(Duration, @Sendable () async -> Void)] = []

    var scheduler: Scheduler { Scheduler { delay, work in self.lock.withLock { self.pending.append((delay, work)) } } }
    var count: Int { lock.withLock { pending.count } }

    /// Runs every scheduled callback, concurrently, and waits for them.
    func runAll() async {
        let works = lock.withLock { defer { pending.removeAll() }; return pending.map(\.1) }
        await withTaskGroup(of: Void.self) { group in
            for work in works { group.addTask { await work() } }
        }
    }
}

@Suite struct PaymentFlowTests {
    static let key = SymmetricKey(data: Data(repeating: 7, count: 32))

    func fixture(_ manual: ManualScheduler) async throws -> APIFixture {
        var fixture = try await APIFixture(onDisk: true)
        var dependencies = fixture.dependencies
        dependencies.scheduler = manual.scheduler
        dependencies.callbackKey = Self.key
        fixture = fixture.with(dependencies)
        return fixture
    }

    /// An open school-fee invoice of 1.500.000 ₫ issued by SXD to the citizen; returns (citizen token, invoice).
    func invoice(_ api: TestAPI, phone: String = "0912345678", amount: Int64 = 1_500_000) async throws -> (String, InvoiceView) {
        let citizen = try await api.citizen(phone).accessToken
        let official = try await api.staff("cb.xaydung").accessToken
        let issued = try await api.call(Endpoints.issueInvoice, InvoiceCreate(
            id: UUID(), citizenPhone: phone, purpose: .schoolFee, description: "Học phí học kỳ 1", amount: amount), token: official)
        return (citizen, try #require(issued.value))
    }

    /// Posts a callback's raw bytes with the given headers.
    func post(_ api: TestAPI, body: Data, headers: [String: String]) async throws -> (Int, String?) {
        var fields = HTTPFields()
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        fields[.contentType] = "application/json"
        return try await api.client.execute(uri: "/v1/payments/callback", method: .post, headers: fields, body: ByteBuffer(bytes: body)) { response in
            let problem = try? WireCoding.decoder().decode(Problem.self, from: Data(buffer: response.body))
            return (Int(response.status.code), problem?.code)
        }
    }

    func ledgerIsBalanced(_ store: SQLiteStore) async throws {
        let unbalanced = try await store.database.reader.read { db in try Ledger.unbalancedTransactions(db) }
        #expect(unbalanced.isEmpty)
        let total = try await store.database.reader.read { db in try Ledger.balances(db).values.reduce(0, +) }
        #expect(total == 0)
    }

    func count(_ store: SQLiteStore, _ table: String) async throws -> Int {
        try await store.database.reader.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0 }
    }

    @Test func fiftyConcurrentRetriesMakeOnePaymentAndOneReceipt() async throws {
        let manual = ManualScheduler()
        let fixture = try await fixture(manual)
        try await fixture.run { api in
            let (citizen, invoice) = try await invoice(api)
            let body = PaymentCreate(idempotencyKey: "retry-key-0001", method: .sandbox)
            let ids = try await withThrowingTaskGroup(of: UUID?.self) { group in
                for _ in 0..<50 { group.addTask { try await api.call(Endpoints.createPayment, body, token: citizen, id: invoice.id).value?.payment.id } }
                return try await group.reduce(into: Set<UUID?>()) { $0.insert($1) }
            }
            #expect(ids.count == 1 && ids.first! != nil)
            #expect(manual.count == 1)
            await manual.runAll()
            #expect(try await count(fixture.store, "payments") == 1)
            #expect(try await count(fixture.store, "receipts") == 1)
            let paid = try await api.call(Endpoints.getInvoice, token: citizen, id: invoice.id).value
            #expect(paid?.status == .paid)
            // The same key again answers with the same, now successful, payment.
            let again = try await api.call(Endpoints.createPayment, body, token: citizen, id: invoice.id)
            #expect(again.value?.payment.status == .succeeded)
            try await ledgerIsBalanced(fixture.store)
        }
    }

    @Test func theSameKeyForAnotherRequestIsRefused() async throws {
        let manual = ManualScheduler()
        let fixture = try await fixture(manual)
        try await fixture.run { api in
            let (citizen, invoice) = try await invoice(api)
            let first = try await api.call(Endpoints.createPayment, PaymentCreate(idempotencyKey: "key-abcdefgh", method: .sandbox), token: citizen, id: invoice.id)
            #expect(first.status == .created)
            let other = try await api.call(Endpoints.createPayment, PaymentCreate(idempotencyKey: "key-abcdefgh", method: .vietqr), token: citizen, id: invoice.id)
            #expect(other.status == .unprocessableContent)
            #expect(other.problem?.code == "payment.idempotency_mismatch")
            // Another key while the first attempt is pending: refused, nothing created.
            let second = try await api.call(Endpoints.createPayment, PaymentCreate(idempotencyKey: "key-zyxwvuts", method: .vietqr), token: citizen, id: invoice.id)
            #expect(second.problem?.code == "payment.in_progress")
            let bad = try await api.call(Endpoints.createPayment, PaymentCreate(idempotencyKey: "short", method: .sandbox), token: citizen, id: invoice.id)
            #expect(bad.problem?.code == "payment.invalid_idempotency_key")
            #expect(try await count(fixture.store, "payments") == 1)
            try await ledgerIsBalanced(fixture.store)
        }
    }

    @Test func vietQRPaymentsCarryAPayloadWithTheirReference() async throws {
        let manual = ManualScheduler()
        let fixture = try await fixture(manual)
        try await fixture.run { api in
            let (citizen, invoice) = try await invoice(api, amount: 135_000)
            let started = try #require(try await api.call(
                Endpoints.createPayment, PaymentCreate(idempotencyKey: "qr-key-00001", method: .vietqr), token: citizen, id: invoice.id).value)
            let code = try VietQR.parse(try #require(started.vietqr))
            #expect(code.amount == 135_000)
            #expect(code.note == started.reference)
            #expect(code.dynamic)
            try await ledgerIsBalanced(fixture.store)
        }
    }

    @Test func forgedStaleReplayedDuplicatedAndWrongAmountCallbacksChangeNothing() async throws {
        let manual = ManualScheduler()
        let fixture = try await fixture(manual)
        try await fixture.run { api in
            let (citizen, invoice) = try await invoice(api)
            let payment = try #require(try await api.call(
                Endpoints.createPayment, PaymentCreate(idempotencyKey: "cb-key-00001", method: .sandbox), token: citizen, id: invoice.id).value).payment
            let signer = CallbackSignature(key: Self.key)
            let now = api.clock.now
            func body(_ amount: Int64, status: PaymentStatus = .succeeded, payment id: UUID = payment.id) throws -> Data {
                try WireCoding.encoder().encode(ProviderCallback(paymentId: id, providerReference: "BANK-778899", status: status, amount: amount))
            }
            let good = try body(1_500_000)
            // Forged: signed with another secret.
            let forged = CallbackSignature(key: SymmetricKey(size: .bits256)).sign(id: "msg-1", at: now, body: good)
            #expect(try await post(api, body: good, headers: forged) == (401, "callback.bad_signature"))
            // Tampered: a valid signature over another body.
            #expect(try await post(api, body: try body(1), headers: signer.sign(id: "msg-1", at: now, body: good)) == (401, "callback.bad_signature"))
            // Stale: 301 s old.
            #expect(try await post(api, body: good, headers: signer.sign(id: "msg-2", at: now.addingTimeInterval(-301), body: good)) == (401, "callback.stale"))
            // Wrong amount and unknown payment: refused and kept on record.
            let wrong = try body(1_000_000)
            #expect(try await post(api, body: wrong, headers: signer.sign(id: "msg-3", at: now, body: wrong)) == (422, "payment.amount_mismatch"))
            let unknown = try body(1_500_000, payment: UUID())
            #expect(try await post(api, body: unknown, headers: signer.sign(id: "msg-4", at: now, body: unknown)) == (404, "payment.unknown"))
            #expect(try await count(fixture.store, "provider_callbacks") == 2)
            #expect(try await api.call(Endpoints.getPayment, token: citizen, id: payment.id).value?.status == .pending)
            #expect(try await count(fixture.store, "receipts") == 0)
            #expect(try await count(fixture.store, "ledger_entries") == 0)

            // 299 s old is still accepted: credited once.
            let accepted = signer.sign(id: "msg-5", at: now.addingTimeInterval(-299), body: good)
            #expect(try await post(api, body: good, headers: accepted) == (200, nil))
            // A replay of the same message, a duplicate with a new id, a failure after success: nothing more.
            #expect(try await post(api, body: good, headers: accepted) == (200, nil))
            #expect(try await post(api, body: good, headers: signer.sign(id: "msg-6", at: now, body: good)) == (200, nil))
            let failed = try body(1_500_000, status: .failed)
            #expect(try await post(api, body: failed, headers: signer.sign(id: "msg-7", at: now, body: failed)) == (200, nil))
            #expect(try await api.call(Endpoints.getPayment, token: citizen, id: payment.id).value?.status == .succeeded)
            #expect(try await count(fixture.store, "receipts") == 1)
            #expect(try await count(fixture.store, "ledger_entries") == 2)
            try await ledgerIsBalanced(fixture.store)
        }
    }

    @Test func aFailedPaymentLeavesTheInvoiceOpenForAnotherAttempt() async throws {
        let manual = ManualScheduler()
        let fixture = try await fixture(manual)
        try await fixture.run { api in
            let (citizen, invoice) = try await invoice(api)
            _ = try await api.call(Endpoints.createPayment, PaymentCreate(idempotencyKey: "fail-key-0001", method: .sandbox, sandboxOutcome: .fail), token: citizen, id: invoice.id)
            await manual.runAll()
            #expect(try await api.call(Endpoints.getInvoice, token: citizen, id: invoice.id).value?.status == .open)
            let retry = try await api.call(Endpoints.createPayment, PaymentCreate(idempotencyKey: "fail-key-0002", method: .sandbox, sandboxOutcome: .twice), token: citizen, id: invoice.id)
            #expect(retry.status == .created)
            #expect(manual.count == 2)
            await manual.runAll()
            #expect(try await api.call(Endpoints.getInvoice, token: citizen, id: invoice.id).value?.status == .paid)
            #expect(try await count(fixture.store, "receipts") == 1)
            try await ledgerIsBalanced(fixture.store)
        }
    }

    @Test func refundsNeverExceedWhatWasPaid() async throws {
        let manual = ManualScheduler()
        let fixture = try await fixture(manual)
        try await fixture.run { api in
            let (citizen, invoice) = try await invoice(api, amount: 200_000)
            let payment = try #require(try await api.call(
                Endpoints.createPayment, PaymentCreate(idempotencyKey: "refund-key-01", method: .sandbox), token: citizen, id: invoice.id).value).payment
            await manual.runAll()
            let official = try await api.staff("cb.xaydung").accessToken
            func refund(_ amount: Int64, id: UUID = UUID()) async throws -> Answer<RefundView> {
                try await api.call(Endpoints.createRefund, RefundCreate(id: id, amount: amount, reason: "Thu thừa học phí"), token: official, id: payment.id)
            }
            #expect(try await refund(200_001).problem?.code == "refund.exceeds_paid")
            let part = UUID()
            #expect(try await refund(120_000, id: part).status == .created)
            #expect(try await refund(120_000, id: part).value?.amount == 120_000)  // a retry: the same refund
            #expect(try await refund(80_001).problem?.code == "refund.exceeds_paid")
            #expect(try await api.call(Endpoints.createRefund, RefundCreate(id: UUID(), amount: 1000, reason: ""), token: official, id: payment.id).status == .unprocessableContent)
            #expect(try await refund(80_000).status == .created)
            #expect(try await refund(1).problem?.code == "refund.exceeds_paid")
            #expect(try await api.call(Endpoints.getInvoice, token: citizen, id: invoice.id).value?.status == .refunded)
            let balances = try await fixture.store.database.reader.read { db in try Ledger.balances(db) }
            #expect(balances["revenue:SXD"] == 0)
            #expect(balances["clearing:sandbox"] == 0)
            try await ledgerIsBalanced(fixture.store)
            // Append-only.
            await #expect(throws: (any Error).self) {
                try await fixture.store.database.writer.write { db in try db.execute(sql: "UPDATE ledger_entries SET credit = credit + 1") }
            }
            await #expect(throws: (any Error).self) {
                try await fixture.store.database.writer.write { db in try db.execute(sql: "DELETE FROM ledger_entries") }
            }
        }
    }

    @Test func receiptNumbersHaveNoGapsUnderConcurrentCallbacks() async throws {
        let manual = ManualScheduler()
        let fixture = try await fixture(manual)
        try await fixture.run { api in
            for index in 0..<20 {
                let (citizen, invoice) = try await invoice(api, phone: String(format: "09123450%02d", index), amount: 10_000 + Int64(index))
                _ = try await api.call(Endpoints.createPayment, PaymentCreate(idempotencyKey: "gapless-\(index)-key", method: .sandbox), token: citizen, id: invoice.id)
            }
            await manual.runAll()
            let numbers = try await fixture.store.database.reader.read { db in
                try Int.fetchAll(db, sql: "SELECT number FROM receipts WHERE agency_code = 'SXD' ORDER BY number")
            }
            #expect(numbers == Array(1...20))
            try await ledgerIsBalanced(fixture.store)
        }
    }

    @Test func reconciliationFindsEachPlantedMismatchAndNothingElse() async throws {
        let manual = ManualScheduler()
        let fixture = try await fixture(manual)
        try await fixture.run { api in
            for index in 0..<4 {
                let (citizen, invoice) = try await invoice(api, phone: "091234560\(index)", amount: 50_000 * Int64(index + 1))
                _ = try await api.call(Endpoints.createPayment, PaymentCreate(idempotencyKey: "recon-\(index)-key", method: .sandbox), token: citizen, id: invoice.id)
            }
            await manual.runAll()
            let official = try await api.staff("cb.xaydung").accessToken
            let paymentID = try await fixture.store.database.reader.read { db in try String.fetchOne(db, sql: "SELECT id FROM payments LIMIT 1") }
            _ = try await api.call(Endpoints.createRefund, RefundCreate(id: UUID(), amount: 10_000, reason: "Hoàn một phần"), token: official, id: UUID(uuidString: paymentID!)!)
            let ledger = try await fixture.store.database.reader.read { db in try Reconciliation.ledger(db) }
            #expect(ledger.count == 5)
            let clean = "provider_reference,kind,amount,settled_at\n" + ledger.map { "\($0.reference),\($0.kind),\($0.amount),2026-11-30T10:00:00Z" }.joined(separator: "\n")
            #expect(try await fixture.store.database.reader.read { db in try Reconciliation.run(db, csv: clean) }.isEmpty)
            // Plant one of each: drop the first, change the second's amount, list the third twice,
            // add one the ledger never saw, and a line that cannot be read.
            var lines = ledger.map { "\($0.reference),\($0.kind),\($0.amount),2026-11-30T10:00:00Z" }
            lines[1] = "\(ledger[1].reference),\(ledger[1].kind),\(ledger[1].amount + 1000),2026-11-30T10:00:00Z"
            lines.append(lines[2])
            lines.append("BANK-UNKNOWN-1,payment,77000,2026-11-30T10:00:00Z")
            lines.append("hỏng,payment,không-phải-số")
            lines.removeFirst()
            let planted = lines.joined(separator: "\n")
            let found = try await fixture.store.database.reader.read { db in try Reconciliation.run(db, csv: planted) }
            #expect(Set(found.map(\.kind)) == [.missingInSettlement, .amountMismatch, .duplicateInSettlement, .missingInLedger, .malformedLine])
            #expect(found.count == 5)
            #expect(found.first { $0.kind == .missingInSettlement }?.reference == ledger[0].reference)
            #expect(found.first { $0.kind == .amountMismatch }?.reference == ledger[1].reference)
            #expect(found.first { $0.kind == .missingInLedger }?.reference == "BANK-UNKNOWN-1")
            try await ledgerIsBalanced(fixture.store)
        }
    }
}
