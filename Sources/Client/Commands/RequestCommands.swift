import ArgumentParser
import Domain
import Foundation

extension Smartvl {
    /// A citizen's service requests (hồ sơ thủ tục hành chính).
    struct RequestCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "request",
            abstract: "Hồ sơ dịch vụ công: nộp, xem, bổ sung, rút.",
            discussion: "Example: smartvl request list",
            subcommands: [New.self, List.self, Show.self, Supplement.self, Withdraw.self])
    }
}

extension Smartvl.RequestCommand {
    struct New: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Nộp hồ sơ mới (ghi trên máy, gửi khi có mạng).",
            discussion: """
                Example:
                  smartvl request new --procedure HT-KS --commune 28756 \\
                    --field ho_ten_tre="Nguyễn Văn An" --field ngay_sinh=2026-11-01 --document giay-chung-sinh.pdf
                Fields of a procedure: smartvl catalog procedures --json
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "Mã thủ tục (smartvl catalog procedures).") var procedure: String
        @Option(help: "Mã xã/phường nơi nộp (thủ tục cấp xã).") var commune: String?
        @Option(help: "Trường của tờ khai, dạng KHÓA=GIÁ_TRỊ (có thể lặp lại).") var field: [KeyValue] = []
        @Option(help: "Giấy tờ PDF/JPEG/PNG (có thể lặp lại).") var document: [String] = []

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            let user = try context.require([.citizen])
            let store = try context.store()
            let files = try document.map { path throws(CLIError) in try context.attachment(path, imagesOnly: false) }
            var fields: [String: String] = [:]
            for pair in field { fields[pair.key] = pair.value }
            let draft = ServiceRequestDraft(procedure: procedure, commune: commune, fields: fields, documents: files.map(\.sha256))
            let id = UUID.timeOrdered()
            let catalog = try context.catalog(store)
            do { _ = try ServiceRequest.create(draft, id: id, by: .citizen(user.id), at: Date(), catalog: catalog) } catch {
                throw .invalid(error)
            }
            let outcome = try await context.write(.createRequest(ServiceRequestCreate(id: id, draft: draft)), files: files)
            try output.report(outcome, what: Message(vi: "Đã ghi hồ sơ.", en: "Request recorded."))
        }
    }

    struct List: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Danh sách hồ sơ trên máy.", discussion: "Example: smartvl request list --json")
        @OptionGroup var global: GlobalOptions

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            _ = try context.session()
            let store = try context.store()
            let items = try context.wrap { try store.items("service_request", as: ServiceRequestView.self) }
            let catalog = try context.catalog(store)
            output.emit(.object(["requests": .array(items.map { requestJSON($0, output) })]), human: requestTable(items, catalog: catalog, output).render())
        }
    }

    struct Show: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Chi tiết một hồ sơ.", discussion: "Example: smartvl request show 000.28.31.H62-261130-0001")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Mã hồ sơ, id hoặc vài ký tự đầu của id.") var id: String

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            _ = try context.session()
            let store = try context.store()
            let item = try findRequest(context, id)
            let invoices = try context.wrap { try store.items("invoice", as: InvoiceView.self) }.filter { $0.view?.serviceRequestId == item.id }
            let catalog = try context.catalog(store)
            output.emit(requestJSON(item, output).merging(["invoices": .array(invoices.compactMap { $0.view.map { JSON.encoding($0) } })]),
                        human: requestDetail(item, invoices: invoices.compactMap(\.view), catalog: catalog, output))
        }
    }

    struct Supplement: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bổ sung giấy tờ khi cơ quan yêu cầu.",
            discussion: "Example: smartvl request supplement 000.28.31.H62-261130-0001 --document ban-sao-cccd.pdf")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Hồ sơ.") var id: String
        @Option(help: "Giấy tờ bổ sung (có thể lặp lại).") var document: [String] = []

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            _ = try context.require([.citizen])
            let item = try findRequest(context, id)
            let files = try document.map { path throws(CLIError) in try context.attachment(path, imagesOnly: false) }
            let outcome = try await context.write(.supplementRequest(id: item.id, documents: files.map(\.sha256)), files: files)
            try output.report(outcome, what: Message(vi: "Đã ghi bổ sung hồ sơ.", en: "Supplement recorded."))
        }
    }

    struct Withdraw: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rút hồ sơ.", discussion: "Example: smartvl request withdraw 000.28.31.H62-261130-0001 --reason \"Nộp nhầm.\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Hồ sơ.") var id: String
        @Option(help: "Lý do.") var reason: String?

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            _ = try context.require([.citizen])
            let item = try findRequest(context, id)
            let outcome = try await context.write(.withdrawRequest(id: item.id, reason: reason))
            try output.report(outcome, what: Message(vi: "Đã ghi yêu cầu rút hồ sơ.", en: "Withdrawal recorded."))
        }
    }
}

func findRequest(_ context: Context, _ reference: String) throws(CLIError) -> LocalItem<ServiceRequestView> {
    try context.find(reference, in: try context.wrap { try context.store().items("service_request", as: ServiceRequestView.self) }) { [$0.dossierCode] }
}

func requestJSON(_ item: LocalItem<ServiceRequestView>, _ output: Output) -> JSON {
    itemJSON(item, output) {
        guard case .createRequest(let body)? = item.created else { return .object([:]) }
        return JSON.encoding(body).merging(["status": .string(DossierStatus.submitted.rawValue)])
    }
}

func requestSummary(_ item: LocalItem<ServiceRequestView>) -> (code: String, procedure: String, status: DossierStatus) {
    let short = item.id.shortText
    if let view = item.view { return (view.dossierCode ?? short, view.procedure, view.status) }
    if case .createRequest(let body)? = item.created { return (short, body.procedure, .submitted) }
    return (short, "—", .submitted)
}

func requestTable(_ items: [LocalItem<ServiceRequestView>], catalog: ReferenceCatalog, _ output: Output) -> TextTable {
    let language = output.language
    return TextTable(
        header: [language.pick("Mã hồ sơ", "Dossier"), language.pick("Thủ tục", "Procedure"), language.pick("Trạng thái", "Status"),
                 language.pick("Hẹn trả", "Due"), language.pick("Đồng bộ", "Sync")],
        rows: items.map { item in
            let summary = requestSummary(item)
            return [summary.code, catalog.procedure(summary.procedure)?.name ?? summary.procedure, language.pick(summary.status.label),
                    output.time(item.view?.dueAt), output.standing(item)]
        })
}

func requestDetail(_ item: LocalItem<ServiceRequestView>, invoices: [InvoiceView], catalog: ReferenceCatalog, _ output: Output) -> String {
    let language = output.language
    let summary = requestSummary(item)
    var lines = [
        "\(summary.code)  \(catalog.procedure(summary.procedure)?.name ?? summary.procedure)",
        language.pick("Trạng thái: ", "Status: ") + language.pick(summary.status.label) + "  (" + output.standing(item) + ")",
    ]
    if let view = item.view {
        lines.append(language.pick("Cơ quan: ", "Agency: ") + (catalog.agency(view.agency)?.name ?? view.agency))
        lines.append(language.pick("Lệ phí: ", "Fee: ") + VND(unchecked: view.fee).formatted)
        lines.append(language.pick("Hẹn trả kết quả: ", "Due: ") + output.time(view.dueAt) + (view.paused ? language.pick(" (tạm dừng chờ bổ sung)", " (paused for a supplement)") : ""))
        if let missing = view.supplementMissing, view.status == .supplementRequested {
            lines.append(language.pick("Cần bổ sung: ", "Missing: ") + missing)
        }
        if let reason = view.closingReason { lines.append(language.pick("Lý do: ", "Reason: ") + reason) }
        for (key, value) in view.fields.sorted(by: { $0.key < $1.key }) { lines.append("  \(key): \(value)") }
        lines.append(language.pick("Giấy tờ: ", "Documents: ") + String(view.documents.count))
    }
    for invoice in invoices {
        lines.append(language.pick("Hóa đơn ", "Invoice ") + invoice.id.shortText + ": "
            + VND(unchecked: invoice.amount).formatted + " — " + language.pick(invoice.status.label))
    }
    for mutation in item.pending { lines.append(language.pick("Chờ đồng bộ: ", "Pending: ") + mutation.command.name) }
    for result in item.rejected {
        lines.append(language.pick("Bị từ chối: ", "Refused: ") + language.pick(Message(vi: result.messageVi ?? "", en: result.messageEn ?? "")))
    }
    return lines.joined(separator: "\n")
}
