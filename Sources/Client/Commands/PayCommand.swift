import ArgumentParser
import Domain
import Foundation

extension Smartvl {
    /// Pays an invoice: VietQR (bank transfer) or the development sandbox.
    struct Pay: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Thanh toán hóa đơn (VietQR hoặc sandbox); cần mạng.",
            discussion: """
                Examples:
                  smartvl pay 3f2a9c1e --method vietqr
                  smartvl pay 3f2a9c1e --method sandbox --outcome late
                A retry after a lost answer reuses the same idempotency key: the invoice is never paid twice.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Hóa đơn: id hoặc vài ký tự đầu của id.") var invoice: String
        @Option(help: "vietqr | sandbox") var method: Method = .vietqr
        @Option(help: "Với sandbox: succeed | fail | late | twice.") var outcome: SandboxOutcome?
        @Option(help: "Số giây chờ xác nhận của ngân hàng.") var wait: Double = 10

        enum Method: String, ExpressibleByArgument, CaseIterable { case vietqr, sandbox }

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            _ = try context.require([.citizen])
            let session = try context.session()
            let store = try context.store()
            let item = try context.find(invoice, in: try context.wrap { try store.items("invoice", as: InvoiceView.self) })
            guard let view = item.view else { throw .notFound(invoice) }
            let language = output.language
            guard view.status == .open else {
                throw CLIError(exitCode: 65, code: "invoice.not_open", message: Message(
                    vi: "Hóa đơn đang ở trạng thái “\(view.status.label.vi)”, không thể thanh toán.",
                    en: "The invoice is “\(view.status.label.en)”; it cannot be paid."))
            }
            let methodValue: PaymentMethod = method == .vietqr ? .vietqr : .sandbox
            let request = "\(methodValue.rawValue)|\(outcome?.rawValue ?? "")"
            let api = try context.api(session)
            func start() async throws(CLIError) -> PaymentStarted {
                let key = try context.wrap { try store.paymentKey(invoice: view.id, request: request) }
                let body = PaymentCreate(idempotencyKey: key, method: methodValue, sandboxOutcome: method == .sandbox ? (outcome ?? .succeed) : nil)
                return try await call(api) { () async throws(APIClient.Failure) in try await api.call(Endpoints.createPayment, body, path: ["id": view.id.uuidString]) }
            }
            var started = try await start()
            if started.payment.status == .failed {
                // The kept key belonged to an attempt that failed after this device stopped waiting:
                // that attempt is over, so this one gets a new key.
                try context.wrap { try store.finishPayment(invoice: view.id) }
                started = try await start()
            }
            if let qr = started.vietqr, !output.json {
                print(language.pick("Quét mã VietQR bằng ứng dụng ngân hàng (nội dung chuyển khoản: \(started.reference)):",
                                    "Scan this VietQR code with a banking app (transfer note: \(started.reference)):"))
                print(qr)
            }
            // Wait for the provider's confirmation, then sync so the receipt is on this device.
            var payment = started.payment
            let deadline = Date().addingTimeInterval(max(0, wait))
            while payment.status == .pending, Date() < deadline {
                try? await Task.sleep(for: .milliseconds(300))
                if let fresh = try? await api.call(Endpoints.getPayment, path: ["id": payment.id.uuidString]) { payment = fresh }
            }
            var receipt: ReceiptView?
            if payment.status != .pending { try context.wrap { try store.finishPayment(invoice: view.id) } }
            if payment.status == .succeeded {
                _ = try await context.sync(session: api.currentSession, store: store, quiet: true)
                receipt = try context.wrap { try store.items("receipt", as: ReceiptView.self) }.compactMap(\.view).first { $0.paymentId == payment.id }
            }
            var json: [String: JSON] = ["payment": .encoding(payment), "reference": .string(started.reference)]
            if let qr = started.vietqr { json["vietqr"] = .string(qr) }
            if let receipt { json["receipt"] = .encoding(receipt) }
            switch payment.status {
            case .succeeded:
                output.emit(.object(json), human: language.pick(
                    "Đã thanh toán \(VND(unchecked: payment.amount).formatted). Biên lai số \(receipt?.number ?? "—") (ký hiệu \(receipt?.series ?? "—")).",
                    "Paid \(VND(unchecked: payment.amount).formatted). Receipt no. \(receipt?.number ?? "—") (series \(receipt?.series ?? "—"))."))
            case .failed:
                if output.json { print(JSON.object(json).rendered) }
                throw CLIError(exitCode: 65, code: "payment.failed", message: Message(
                    vi: "Thanh toán không thành công: \(payment.failureReason ?? "ngân hàng từ chối").",
                    en: "The payment failed: \(payment.failureReason ?? "declined by the bank")."))
            case .pending:
                output.emit(.object(json), human: language.pick(
                    "Đang chờ ngân hàng xác nhận. Biên lai sẽ có sau khi chạy smartvl sync.",
                    "Waiting for the bank's confirmation. The receipt arrives with a later smartvl sync."))
            }
        }
    }
}

extension SandboxOutcome: ExpressibleByArgument {}

extension Smartvl.Triage {
    struct Refund: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Hoàn tiền một giao dịch (một phần hoặc toàn bộ, không quá số đã thu); cần mạng.",
            discussion: "Example: smartvl triage refund 5d1c0b2a --amount 50.000 --reason \"Thu thừa lệ phí\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Giao dịch: id hoặc vài ký tự đầu của id.") var payment: String
        @Option(help: "Số tiền hoàn (đồng).") var amount: AmountArgument
        @Option(help: "Lý do (công dân sẽ đọc).") var reason: String

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            _ = try context.require([.official, .supervisor])
            let session = try context.session()
            let store = try context.store()
            let item = try context.find(payment, in: try context.wrap { try store.items("payment", as: PaymentView.self) })
            let api = try context.api(session)
            let body = RefundCreate(id: UUID.timeOrdered(), amount: amount.amount.amount, reason: reason)
            let refund = try await call(api) { () async throws(APIClient.Failure) in
                try await api.call(Endpoints.createRefund, body, path: ["id": item.id.uuidString])
            }
            _ = try await context.sync(session: api.currentSession, store: store, quiet: true)
            output.emit(JSON.encoding(refund), human: output.language.pick(
                "Đã hoàn \(VND(unchecked: refund.amount).formatted) (\(refund.status.label.vi)).",
                "Refunded \(VND(unchecked: refund.amount).formatted) (\(refund.status.label.en))."))
        }
    }
}
