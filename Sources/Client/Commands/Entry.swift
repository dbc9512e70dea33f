import ArgumentParser
import Domain
import Foundation

/// `smartvl`: every citizen and official flow from the terminal.
@main
struct Smartvl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smartvl",
        abstract: "Smart Vĩnh Long: phản ánh, hồ sơ và thanh toán từ dòng lệnh.",
        discussion: """
            Mọi lệnh ghi đều lưu trên máy trước rồi đồng bộ khi có mạng. Tùy chọn chung (--server, --profile,
            --json, --lang) đặt sau tên lệnh. Hướng dẫn đầy đủ: Docs/cli.md.
            Example: smartvl feedback list --lang en
            """,
        subcommands: [
            Login.self, Logout.self, Whoami.self, Catalog.self, FeedbackCommand.self, RequestCommand.self, InvoiceCommand.self,
            ReceiptCommand.self, Pay.self, Sync.self, Status.self, Triage.self, Stats.self,
        ])
}

extension Smartvl {
    /// Shows the reference data: the copy last synced, else the one shipped with the client.
    struct Catalog: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Danh mục: xã/phường, cơ quan, lĩnh vực phản ánh, thủ tục.",
            discussion: "Examples:\n  smartvl catalog procedures\n  smartvl catalog --json")

        enum Kind: String, ExpressibleByArgument, CaseIterable {
            case communes, agencies, categories, procedures
        }

        @OptionGroup var global: GlobalOptions
        @Argument(help: "communes | agencies | categories | procedures (mặc định: tất cả).") var kind: Kind?

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            let catalog: ReferenceCatalog
            if (try? context.session()) != nil { catalog = try context.catalog(context.store()) } else {
                do { catalog = try ReferenceCatalog.bundled() } catch { throw .unexpected("reference data: \(error)") }
            }
            let kinds = kind.map { [$0] } ?? Kind.allCases
            var json: [String: JSON] = ["version": .string(catalog.version)]
            for kind in kinds {
                json[kind.rawValue] = switch kind {
                case .communes: JSON.encoding(catalog.communes)
                case .agencies: JSON.encoding(catalog.agencies)
                case .categories: JSON.encoding(catalog.categories)
                case .procedures: JSON.encoding(catalog.procedures)
                }
            }
            output.emit(.object(json), human: kinds.map { Self.table($0, catalog: catalog, language: output.language).render() }.joined(separator: "\n\n"))
        }

        static func table(_ kind: Kind, catalog: ReferenceCatalog, language: Language = .vi) -> TextTable {
            switch kind {
            case .communes:
                TextTable(header: [language.pick("Mã", "Code"), language.pick("Tên", "Name"), language.pick("Loại", "Kind"), language.pick("Tỉnh cũ", "Former province")],
                          rows: catalog.communes.map { [$0.code, $0.name, $0.kind == .xa ? "xã" : "phường", $0.formerProvince] })
            case .agencies:
                TextTable(header: [language.pick("Mã", "Code"), language.pick("Tên", "Name"), language.pick("Mã đơn vị", "Unit code")],
                          rows: catalog.agencies.map { [$0.code, $0.name, $0.unitCode] })
            case .categories:
                TextTable(header: [language.pick("Mã", "Code"), language.pick("Lĩnh vực", "Category"), language.pick("Mức độ", "Urgency")],
                          rows: catalog.categories.map {
                    [$0.code, $0.name, $0.urgency == .urgent ? language.pick("khẩn", "urgent") : ($0.urgency == .complex ? language.pick("phức tạp", "complex") : language.pick("bình thường", "normal"))]
                })
            case .procedures:
                TextTable(header: [language.pick("Mã", "Code"), language.pick("Thủ tục", "Procedure"), language.pick("Lệ phí", "Fee"), language.pick("Ngày", "Days")],
                          rows: catalog.procedures.map { [$0.code, $0.name, $0.fee.formatted, String($0.processingDays)] })
            }
        }
    }
}
