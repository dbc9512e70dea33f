import ArgumentParser
import Domain
import Foundation

extension Smartvl {
    /// Figures over the feedback an official's devices hold: how much came in, how much was
    /// answered on time, how citizens rated it.
    struct Stats: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Thống kê phản ánh của cơ quan (tính trên dữ liệu đã đồng bộ).",
            discussion: "Example: smartvl stats --from 2026-11-01 --to 2026-11-30 --by category")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Từ ngày (YYYY-MM-DD, giờ Việt Nam).") var from: String?
        @Option(help: "Đến ngày, tính cả ngày đó.") var to: String?
        @Option(help: "Nhóm theo: agency | category | commune | month.") var by: Grouping = .category

        enum Grouping: String, ExpressibleByArgument, CaseIterable { case agency, category, commune, month }

        /// One group's figures.
        struct Row: Equatable {
            var key: String
            var received = 0
            var open = 0
            var answered = 0
            var answeredOnTime = 0
            var overdue = 0
            var ratings: [Int] = []
        }

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            _ = try context.require([.official, .supervisor, .admin])
            let store = try context.store()
            func date(_ text: String?, option: String) throws(CLIError) -> LocalDate? {
                guard let text else { return nil }
                guard let date = LocalDate(iso: text) else {
                    throw .usage(Message(vi: "\(option) phải có dạng YYYY-MM-DD (nhận được “\(text)”).", en: "\(option) must be YYYY-MM-DD (got “\(text)”)."))
                }
                return date
            }
            let start = try date(from, option: "--from"), end = try date(to, option: "--to")
            let views = try context.wrap { try store.items("feedback", as: FeedbackView.self) }.compactMap(\.view)
            let rows = Self.tally(views, from: start, to: end, by: by, now: Date())
            let catalog = try context.catalog(store)
            let language = output.language
            func name(_ key: String) -> String {
                switch by {
                case .agency: catalog.agency(key)?.name ?? key
                case .category: catalog.category(key)?.name ?? key
                case .commune: catalog.communes.first { $0.code == key }?.name ?? key
                case .month: key
                }
            }
            func percent(_ part: Int, _ whole: Int) -> String { whole == 0 ? "—" : String(format: "%.0f%%", Double(part) * 100 / Double(whole)) }
            func average(_ ratings: [Int]) -> String { ratings.isEmpty ? "—" : String(format: "%.1f", Double(ratings.reduce(0, +)) / Double(ratings.count)) }
            output.emit(.object([
                "by": .string(by.rawValue), "from": from.map(JSON.string) ?? .null, "to": to.map(JSON.string) ?? .null,
                "groups": .array(rows.map { row in .object([
                    "key": .string(row.key), "name": .string(name(row.key)), "received": .number(Double(row.received)),
                    "open": .number(Double(row.open)), "answered": .number(Double(row.answered)),
                    "answered_on_time": .number(Double(row.answeredOnTime)), "overdue": .number(Double(row.overdue)),
                    "ratings": .number(Double(row.ratings.count)),
                    "average_rating": row.ratings.isEmpty ? .null : .number(Double(row.ratings.reduce(0, +)) / Double(row.ratings.count)),
                ]) }),
            ]), human: TextTable(
                header: [language.pick("Nhóm", "Group"), language.pick("Tiếp nhận", "Received"), language.pick("Đang xử lý", "Open"),
                         language.pick("Đã trả lời", "Answered"), language.pick("Đúng hạn", "On time"), language.pick("Quá hạn", "Overdue"),
                         language.pick("Đánh giá TB", "Avg rating")],
                rows: rows.map { [name($0.key), String($0.received), String($0.open), String($0.answered), percent($0.answeredOnTime, $0.answered),
                                  String($0.overdue), average($0.ratings)] }).render())
        }

        /// The figures per group, for feedback received between `from` and `to` (inclusive, Vietnam dates).
        static func tally(_ views: [FeedbackView], from: LocalDate?, to: LocalDate?, by: Grouping, now: Date) -> [Row] {
            var rows: [String: Row] = [:]
            for view in views {
                guard let received = view.receivedAt else { continue }
                let day = VietnamTime.local(received).date
                if let from, day < from { continue }
                if let to, to < day { continue }
                let key: String = switch by {
                case .agency: view.agency ?? "—"
                case .category: view.category
                case .commune: view.commune ?? "—"
                case .month: String(format: "%04d-%02d", day.year, day.month)
                }
                var row = rows[key] ?? Row(key: key)
                row.received += 1
                if view.status.isOpenFeedback {
                    row.open += 1
                    if let due = view.answerDueAt, due < now { row.overdue += 1 }
                }
                if let resolved = view.resolvedAt {
                    row.answered += 1
                    if let due = view.answerDueAt, resolved <= due { row.answeredOnTime += 1 }
                }
                if let stars = view.ratingStars { row.ratings.append(stars) }
                rows[key] = row
            }
            return rows.values.sorted { $0.key < $1.key }
        }
    }
}
