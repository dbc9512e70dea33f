import ArgumentParser
import Domain
import Foundation

extension Smartvl {
    /// The officials' work: the queue, assignment, answers, dossiers, invoices.
    struct Triage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Dành cho cán bộ: hàng đợi, phân công, trả lời, xử lý hồ sơ, lập hóa đơn.",
            discussion: "Example: smartvl triage queue --overdue",
            subcommands: [Queue.self, Assign.self, Start.self, Answer.self, Reject.self, Message_.self, Dossier.self, InvoiceIssue.self, Refund.self])
    }
}

extension Smartvl.Triage {
    struct Queue: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Hàng đợi của cơ quan (đọc trên máy; chạy smartvl sync để cập nhật).",
            discussion: "Examples:\n  smartvl triage queue --status received --sort due\n  smartvl triage queue --dossiers --overdue")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Lọc theo trạng thái (vd. received, assigned, in_progress).") var status: String?
        @Option(help: "Lọc theo lĩnh vực.") var category: String?
        @Option(help: "Lọc theo mã xã/phường.") var commune: String?
        @Flag(help: "Chỉ mục quá hạn.") var overdue = false
        @Flag(help: "Chỉ mục được giao cho tôi.") var mine = false
        @Option(help: "Sắp xếp: due (hạn gần nhất trước) | age (cũ nhất trước).") var sort: SortKey = .due
        @Flag(help: "Hiện hồ sơ thủ tục thay vì phản ánh.") var dossiers = false

        enum SortKey: String, ExpressibleByArgument, CaseIterable { case due, age }

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            let user = try context.require([.official, .supervisor])
            let store = try context.store()
            let now = Date()
            if dossiers {
                var items = try context.wrap { try store.items("service_request", as: ServiceRequestView.self) }.filter { item in
                    guard let view = item.view else { return false }
                    if let status, view.status.rawValue != status { return false }
                    if overdue, !(view.dueAt.map { $0 < now && !view.paused && view.status.isOpenDossier } ?? false) { return false }
                    return true
                }
                items.sort { a, b in
                    sort == .due ? (a.view?.dueAt ?? .distantFuture) < (b.view?.dueAt ?? .distantFuture)
                        : (a.view?.submittedAt ?? .distantFuture) < (b.view?.submittedAt ?? .distantFuture)
                }
                let catalog = try context.catalog(store)
                output.emit(.object(["requests": .array(items.map { requestJSON($0, output) })]), human: requestTable(items, catalog: catalog, output).render())
                return
            }
            var items = try context.wrap { try store.items("feedback", as: FeedbackView.self) }.filter { item in
                guard let view = item.view else { return false }
                if let status, view.status.rawValue != status { return false }
                if let category, view.category != category { return false }
                if let commune, view.commune != commune { return false }
                if mine, view.assigneeId != user.id { return false }
                if overdue, !(view.answerDueAt.map { $0 < now && view.status.isOpenFeedback } ?? false) { return false }
                return true
            }
            items.sort { a, b in
                sort == .due ? (a.view?.answerDueAt ?? .distantFuture) < (b.view?.answerDueAt ?? .distantFuture)
                    : (a.view?.receivedAt ?? .distantFuture) < (b.view?.receivedAt ?? .distantFuture)
            }
            output.emit(.object(["feedback": .array(items.map { feedbackJSON($0, output) })]), human: feedbackTable(items, output).render())
        }
    }

    struct Assign: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Giao cho cán bộ (--to) hoặc chuyển cơ quan khác (--agency); dành cho lãnh đạo.",
            discussion: "Examples:\n  smartvl triage assign PA-261130-000001 --to cb.giaothong\n  smartvl triage assign PA-261130-000001 --agency SXD --reason \"Thuộc lĩnh vực xây dựng.\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Phản ánh.") var id: String
        @Option(help: "Tên đăng nhập của cán bộ được giao.") var to: String?
        @Option(help: "Mã cơ quan nhận chuyển.") var agency: String?
        @Option(help: "Lý do chuyển (bắt buộc với --agency).") var reason: String?

        func validate() throws {
            guard (to == nil) != (agency == nil) else { throw ValidationError("Cần đúng một trong --to hoặc --agency. / Give exactly one of --to or --agency.") }
            if agency != nil, (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("Chuyển cơ quan cần --reason. / A transfer needs --reason.")
            }
        }

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            _ = try context.require([.supervisor])
            let item = try findFeedback(context, id)
            let command: MutationCommand
            if let to { command = .assignFeedback(id: item.id, username: to) } else {
                guard let agency, try context.catalog(context.store()).agency(agency) != nil else {
                    throw .usage(Message(vi: "Không có cơ quan mã “\(agency ?? "")”.", en: "No agency with code “\(agency ?? "")”."), code: "agency.unknown")
                }
                command = .transferFeedback(id: item.id, body: TransferBody(agency: agency, reason: reason ?? ""))
            }
            try await staffWrite(context, output, command, item: item, what: to != nil
                ? Message(vi: "Đã ghi phân công.", en: "Assignment recorded.") : Message(vi: "Đã ghi chuyển cơ quan.", en: "Transfer recorded."))
        }
    }

    struct Start: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Bắt đầu xử lý phản ánh.", discussion: "Example: smartvl triage start PA-261130-000001")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Phản ánh.") var id: String

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            _ = try context.require([.official, .supervisor])
            let item = try findFeedback(context, id)
            try await staffWrite(context, output, .startFeedback(id: item.id), item: item, what: Message(vi: "Đã ghi bắt đầu xử lý.", en: "Start recorded."))
        }
    }

    struct Answer: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Trả lời công dân; với --resolve là trả lời chính thức và đóng xử lý.",
            discussion: "Example: smartvl triage answer PA-261130-000001 \"Đã vá ổ gà ngày 30/11.\" --resolve")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Phản ánh.") var id: String
        @Argument(help: "Nội dung trả lời.") var text: String
        @Flag(help: "Đây là kết quả giải quyết (chuyển sang “đã giải quyết”).") var resolve = false

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            _ = try context.require([.official, .supervisor])
            guard resolve else { return try await postMessage(context, output, reference: id, text: text) }
            let item = try findFeedback(context, id)
            let answer: VietnameseText
            do { answer = try VietnameseText(text, field: "answer", minLength: 10, maxLength: 5000, multiline: true) } catch { throw .invalid(error) }
            try await staffWrite(context, output, .resolveFeedback(id: item.id, answer: answer.value), item: item,
                                 what: Message(vi: "Đã ghi trả lời và giải quyết.", en: "Answer and resolution recorded."))
        }
    }

    struct Reject: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Từ chối phản ánh (không thuộc thẩm quyền, spam) hoặc đánh dấu trùng.",
            discussion: "Examples:\n  smartvl triage reject PA-261130-000002 --reason \"Tranh chấp dân sự, thuộc tòa án.\"\n  smartvl triage reject PA-261130-000003 --reason \"Trùng.\" --duplicate-of PA-261130-000001")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Phản ánh.") var id: String
        @Option(help: "Lý do (công dân sẽ đọc).") var reason: String
        @Option(help: "Phản ánh gốc khi đây là phản ánh trùng.") var duplicateOf: String?
        @Flag(help: "Đánh dấu là spam thay vì không thuộc thẩm quyền.") var spam = false

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            _ = try context.require([.official, .supervisor])
            let item = try findFeedback(context, id)
            let original = try duplicateOf.map { reference throws(CLIError) in try findFeedback(context, reference).id }
            let kind: RejectionReason = original != nil ? .duplicate : (spam ? .spam : .outOfScope)
            try await staffWrite(context, output, .rejectFeedback(id: item.id, body: RejectBody(reason: kind, note: reason, duplicateOf: original)),
                                 item: item, what: Message(vi: "Đã ghi từ chối.", en: "Rejection recorded."))
        }
    }

    struct Message_: ClientCommand {
        static let configuration = CommandConfiguration(
            commandName: "message", abstract: "Nhắn tin cho công dân trong phản ánh.",
            discussion: "Example: smartvl triage message PA-261130-000001 \"Xin cho biết số nhà cụ thể.\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Phản ánh.") var id: String
        @Argument(help: "Nội dung.") var text: String

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            _ = try context.require([.official, .supervisor])
            try await postMessage(context, output, reference: id, text: text)
        }
    }

    struct Dossier: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Xử lý hồ sơ: receive | start | supplement | result-ready | complete | reject.",
            discussion: """
                Examples:
                  smartvl triage dossier 000.28.31.H62-261130-0001 receive
                  smartvl triage dossier 000.28.31.H62-261130-0001 supplement --missing "Bản sao CCCD của cha."
                  smartvl triage dossier 000.28.31.H62-261130-0001 reject --reason "Không đủ điều kiện."
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Hồ sơ.") var id: String
        @Argument(help: "receive | start | supplement | result-ready | complete | reject") var action: Action
        @Option(help: "Giấy tờ còn thiếu (với supplement).") var missing: String?
        @Option(help: "Lý do (với reject).") var reason: String?

        enum Action: String, ExpressibleByArgument, CaseIterable {
            case receive, start, supplement, resultReady = "result-ready", complete, reject
        }

        func validate() throws {
            if action == .supplement, (missing ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("supplement cần --missing. / supplement needs --missing.")
            }
            if action == .reject, (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("reject cần --reason. / reject needs --reason.")
            }
        }

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            _ = try context.require([.official, .supervisor])
            let item = try findRequest(context, id)
            let command: MutationCommand = switch action {
            case .receive: .receiveRequest(id: item.id)
            case .start: .startRequest(id: item.id)
            case .supplement: .askSupplement(id: item.id, missing: missing ?? "")
            case .resultReady: .resultReady(id: item.id)
            case .complete: .completeRequest(id: item.id)
            case .reject: .rejectRequest(id: item.id, reason: reason ?? "")
            }
            let outcome = try await context.write(command, expectedStatus: item.view?.status.rawValue)
            try output.report(outcome, what: Message(vi: "Đã ghi thao tác \(action.rawValue).", en: "Action \(action.rawValue) recorded."))
        }
    }

    struct InvoiceIssue: ClientCommand {
        static let configuration = CommandConfiguration(
            commandName: "invoice", abstract: "Lập hóa đơn thu (học phí, viện phí, khác); cần mạng.",
            discussion: "Example: smartvl triage invoice issue --citizen 0912345678 --amount 1.500.000 --purpose school_fee --description \"Học phí HK1\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "issue") var verb: Verb
        @Option(help: "Số điện thoại của người nộp.") var citizen: String
        @Option(help: "Số tiền (đồng).") var amount: AmountArgument
        @Option(help: "school_fee | hospital_fee | other") var purpose: String
        @Option(help: "Nội dung thu.") var description: String?

        enum Verb: String, ExpressibleByArgument, CaseIterable { case issue }

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            _ = try context.require([.official, .supervisor])
            guard let purpose = InvoicePurpose(rawValue: purpose), purpose != .serviceFee else {
                throw .usage(Message(vi: "--purpose phải là school_fee, hospital_fee hoặc other.", en: "--purpose must be school_fee, hospital_fee or other."))
            }
            do { _ = try PhoneNumber(citizen) } catch { throw .invalid(error) }
            let session = try context.session()
            let api = try context.api(session)
            let body = InvoiceCreate(id: UUID.timeOrdered(), citizenPhone: citizen, purpose: purpose, description: description ?? purpose.rawValue, amount: amount.amount.amount)
            let invoice = try await call(api) { () async throws(APIClient.Failure) in try await api.call(Endpoints.issueInvoice, body) }
            output.emit(JSON.encoding(invoice), human: output.language.pick(
                "Đã lập hóa đơn \(invoice.id.uuidString): \(VND(unchecked: invoice.amount).formatted).",
                "Invoice \(invoice.id.uuidString) issued: \(VND(unchecked: invoice.amount).formatted)."))
        }
    }
}

/// Records a staff change with the status the official saw, so a change someone else made in
/// the meantime is refused (`sync.conflict`) instead of overwritten.
func staffWrite(_ context: Context, _ output: Output, _ command: MutationCommand, item: LocalItem<FeedbackView>, what: Message) async throws(CLIError) {
    let outcome = try await context.write(command, expectedStatus: item.view?.status.rawValue)
    try output.report(outcome, what: what)
}

extension FeedbackStatus {
    /// Still waiting for an answer.
    var isOpenFeedback: Bool { [.submitted, .received, .assigned, .inProgress, .reopened].contains(self) }
}

extension DossierStatus {
    /// Still being handled by the agency.
    var isOpenDossier: Bool { [.submitted, .received, .inProcessing].contains(self) }
}
