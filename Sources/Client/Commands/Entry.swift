import ArgumentParser
import Domain
import Foundation

/// `smartvl`: every citizen and official flow from the terminal.
@main
struct Smartvl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smartvl",
        abstract: "Smart Vĩnh Long: phản ánh, hồ sơ và thanh toán từ dòng lệnh.",
        discussion: "Example: smartvl catalog communes",
        subcommands: [Catalog.self])
}

extension Smartvl {
    /// Shows the reference data shipped with the client.
    struct Catalog: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Danh mục: xã/phường, cơ quan, lĩnh vực phản ánh, thủ tục.",
            discussion: "Example: smartvl catalog procedures")

        enum Kind: String, ExpressibleByArgument, CaseIterable {
            case communes, agencies, categories, procedures
        }

        @Argument(help: "communes | agencies | categories | procedures") var kind: Kind = .categories

        func run() async throws {
            let catalog = try ReferenceCatalog.bundled()
            print(Self.table(kind, catalog: catalog).render())
        }

        static func table(_ kind: Kind, catalog: ReferenceCatalog) -> TextTable {
            switch kind {
            case .communes:
                TextTable(header: ["Mã", "Tên", "Loại", "Tỉnh cũ"], rows: catalog.communes.map {
                    [$0.code, $0.name, $0.kind == .xa ? "xã" : "phường", $0.formerProvince]
                })
            case .agencies:
                TextTable(header: ["Mã", "Tên", "Mã đơn vị"], rows: catalog.agencies.map { [$0.code, $0.name, $0.unitCode] })
            case .categories:
                TextTable(header: ["Mã", "Lĩnh vực", "Mức độ"], rows: catalog.categories.map {
                    [$0.code, $0.name, $0.urgency == .urgent ? "khẩn" : ($0.urgency == .complex ? "phức tạp" : "bình thường")]
                })
            case .procedures:
                TextTable(header: ["Mã", "Thủ tục", "Lệ phí", "Ngày"], rows: catalog.procedures.map {
                    [$0.code, $0.name, $0.fee.formatted, String($0.processingDays)]
                })
            }
        }
    }
}
