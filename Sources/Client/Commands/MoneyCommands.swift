import ArgumentParser
import Domain
import Foundation

extension Smartvl {
    /// Invoices the user owes (or, for officials, their agency issued).
    struct InvoiceCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "invoice", abstract: "Hóa đơn, phí, lệ phí.", discussion: "Example: smartvl invoice list",
            subcommands: [List.self, Show.self])

        struct List: ClientCommand {
            static let configuration = CommandConfiguration(abstract: "Danh sách hóa đơn trên máy.", discussion: "Example: smartvl invoice list --json")
            @OptionGroup var global: GlobalOptions

            func execute(_ context: Context, _ output: Output) async throws(CLIError) {
                _ = try context.session()
                let items = try context.wrap { try context.store().items("invoice", as: InvoiceView.self) }.compactMap(\.view)
                let language = output.language
                output.emit(.object(["invoices": .array(items.map { JSON.encoding($0) })]), human: TextTable(
                    header: ["Id", language.pick("Nội dung", "Description"), language.pick("Số tiền", "Amount"), language.pick("Trạng thái", "Status"), language.pick("Ngày lập", "Issued")],
                    rows: items.map { [$0.id.shortText, $0.description, VND(unchecked: $0.amount).formatted,
                                       language.pick($0.status.label), output.time($0.issuedAt)] }).render())
            }
        }

        struct Show: ClientCommand {
            static let configuration = CommandConfiguration(abstract: "Chi tiết hóa đơn.", discussion: "Example: smartvl invoice show 3f2a9c1e")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "Id hoặc vài ký tự đầu của id.") var id: String

            func execute(_ context: Context, _ output: Output) async throws(CLIError) {
                _ = try context.session()
                let item = try context.find(id, in: try context.wrap { try context.store().items("invoice", as: InvoiceView.self) })
                guard let view = item.view else { throw .notFound(id) }
                let language = output.language
                output.emit(JSON.encoding(view), human: [
                    "\(language.pick("Hóa đơn", "Invoice")) \(view.id.uuidString)",
                    language.pick("Nội dung: ", "Description: ") + view.description,
                    language.pick("Số tiền: ", "Amount: ") + VND(unchecked: view.amount).formatted,
                    language.pick("Bằng chữ: ", "In words: ") + VND(unchecked: view.amount).inWords,
                    language.pick("Trạng thái: ", "Status: ") + language.pick(view.status.label),
                    language.pick("Ngày lập: ", "Issued: ") + output.time(view.issuedAt),
                    language.pick("Ngày thanh toán: ", "Paid: ") + output.time(view.paidAt),
                ].joined(separator: "\n"))
            }
        }
    }

    /// Electronic receipts (biên lai điện tử), readable offline.
    struct ReceiptCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "receipt", abstract: "Biên lai điện tử.", discussion: "Example: smartvl receipt list",
            subcommands: [List.self, Show.self])

        struct List: ClientCommand {
            static let configuration = CommandConfiguration(abstract: "Danh sách biên lai trên máy.", discussion: "Example: smartvl receipt list --json")
            @OptionGroup var global: GlobalOptions

            func execute(_ context: Context, _ output: Output) async throws(CLIError) {
                _ = try context.session()
                let items = try context.wrap { try context.store().items("receipt", as: ReceiptView.self) }.compactMap(\.view)
                let language = output.language
                output.emit(.object(["receipts": .array(items.map { JSON.encoding($0) })]), human: TextTable(
                    header: [language.pick("Số biên lai", "Number"), language.pick("Ký hiệu", "Series"), language.pick("Nội dung", "Description"),
                             language.pick("Số tiền", "Amount"), language.pick("Ngày", "Date")],
                    rows: items.map { [$0.number, $0.series, $0.description, VND(unchecked: $0.amount).formatted, output.time($0.issuedAt)] }).render())
            }
        }

        struct Show: ClientCommand {
            static let configuration = CommandConfiguration(abstract: "Chi tiết biên lai.", discussion: "Example: smartvl receipt show 0000001")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "Số biên lai, id hoặc vài ký tự đầu của id.") var id: String

            func execute(_ context: Context, _ output: Output) async throws(CLIError) {
                _ = try context.session()
                let item = try context.find(id, in: try context.wrap { try context.store().items("receipt", as: ReceiptView.self) }) { [$0.number] }
                guard let view = item.view else { throw .notFound(id) }
                let language = output.language
                output.emit(JSON.encoding(view), human: [
                    language.pick("BIÊN LAI THU PHÍ, LỆ PHÍ", "RECEIPT"),
                    language.pick("Ký hiệu: ", "Series: ") + view.series + "   " + language.pick("Số: ", "No.: ") + view.number,
                    language.pick("Đơn vị thu: ", "Collected by: ") + view.agency,
                    language.pick("Nội dung: ", "Description: ") + view.description,
                    language.pick("Số tiền: ", "Amount: ") + VND(unchecked: view.amount).formatted,
                    language.pick("Bằng chữ: ", "In words: ") + view.amountInWords,
                    language.pick("Ngày: ", "Date: ") + output.time(view.issuedAt),
                ].joined(separator: "\n"))
            }
        }
    }
}
