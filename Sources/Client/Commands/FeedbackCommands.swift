import ArgumentParser
import Domain
import Foundation

extension Smartvl {
    /// A citizen's feedback (phản ánh, kiến nghị).
    struct FeedbackCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "feedback",
            abstract: "Phản ánh, kiến nghị: gửi, xem, nhắn tin, đánh giá, mở lại, rút.",
            discussion: "Example: smartvl feedback list",
            subcommands: [New.self, List.self, Show.self, Message_.self, Rate.self, Reopen.self, Withdraw.self])
    }
}

extension Smartvl.FeedbackCommand {
    struct New: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Gửi phản ánh mới (ghi trên máy, gửi khi có mạng).",
            discussion: """
                Example:
                  smartvl feedback new --category giao-thong --title "Ổ gà trước chợ" \\
                    --description "Ổ gà lớn gây nguy hiểm cho xe máy." --commune 28756 --photo o-ga.jpg
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "Mã lĩnh vực (smartvl catalog categories).") var category: String
        @Option(help: "Tiêu đề (5–150 ký tự).") var title: String
        @Option(help: "Nội dung (10–5000 ký tự).") var description: String
        @Option(help: "Vĩ độ.") var lat: Double?
        @Option(help: "Kinh độ.") var lon: Double?
        @Option(help: "Mã xã/phường (smartvl catalog communes).") var commune: String?
        @Option(help: "Địa chỉ.") var address: String?
        @Option(help: "Ảnh JPEG/PNG (có thể lặp lại, tối đa 5).") var photo: [String] = []
        @Flag(help: "Ẩn danh với cơ quan xử lý.") var anonymous = false
        @Flag(help: "Không công khai phản ánh.") var `private` = false

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            let user = try context.require([.citizen])
            let store = try context.store()
            let files = try photo.map { path throws(CLIError) in try context.attachment(path, imagesOnly: true) }
            let draft = FeedbackDraft(
                category: category, title: title, description: description, latitude: lat, longitude: lon, commune: commune,
                address: address, photos: files.map(\.sha256), anonymous: anonymous, isPublic: !`private`)
            let id = UUID.timeOrdered()
            // The same checks the server makes, so bad input is refused here and nothing is queued.
            let catalog = try context.catalog(store)
            do { _ = try Feedback.submit(draft, id: id, by: .citizen(user.id), at: Date(), catalog: catalog) } catch {
                throw .invalid(error)
            }
            let outcome = try await context.write(.createFeedback(FeedbackCreate(id: id, draft: draft)), files: files)
            try output.report(outcome, what: Message(vi: "Đã ghi phản ánh.", en: "Feedback recorded."))
        }
    }

    struct List: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Danh sách phản ánh trên máy (của bạn, hoặc của cơ quan bạn).", discussion: "Example: smartvl feedback list --json")
        @OptionGroup var global: GlobalOptions

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            _ = try context.session()
            let items = try context.wrap { try context.store().items("feedback", as: FeedbackView.self) }
                .filter { $0.view?.mine ?? true || $0.view?.citizenId == nil }
            output.emit(.object(["feedback": .array(items.map { feedbackJSON($0, output) })]), human: feedbackTable(items, output).render())
        }
    }

    struct Show: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Chi tiết một phản ánh, trao đổi và trạng thái đồng bộ.",
            discussion: "Example: smartvl feedback show PA-261130-000001")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Mã theo dõi, mã (id) hoặc vài ký tự đầu của id.") var id: String

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            _ = try context.session()
            let store = try context.store()
            let item = try context.find(id, in: try context.wrap { try store.items("feedback", as: FeedbackView.self) }) { [$0.trackingCode] }
            let messages = try context.wrap { try store.items("feedback_message", as: MessageView.self) }.filter { message in
                if let view = message.view { return view.feedbackId == item.id }
                if case .postMessage(let feedbackId, _)? = message.created { return feedbackId == item.id }
                return false
            }.sorted { ($0.view?.createdAt ?? .distantFuture) < ($1.view?.createdAt ?? .distantFuture) }
            let catalog = try context.catalog(store)
            output.emit(feedbackJSON(item, output).merging(["messages": .array(messages.map { messageJSON($0, output) })]),
                        human: feedbackDetail(item, messages: messages, catalog: catalog, output))
        }
    }

    struct Message_: ClientCommand {
        static let configuration = CommandConfiguration(
            commandName: "message", abstract: "Nhắn tin trong một phản ánh.",
            discussion: "Example: smartvl feedback message PA-261130-000001 \"Xin bổ sung ảnh chụp ban đêm.\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Phản ánh.") var id: String
        @Argument(help: "Nội dung tin nhắn.") var text: String

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            try await postMessage(context, output, reference: id, text: text)
        }
    }

    struct Rate: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Đánh giá kết quả xử lý (1–5 sao, trong 7 ngày).",
            discussion: "Example: smartvl feedback rate PA-261130-000001 --stars 5 --comment \"Xử lý nhanh.\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Phản ánh.") var id: String
        @Option(help: "Số sao 1–5.") var stars: Int
        @Option(help: "Nhận xét.") var comment: String?

        func validate() throws {
            guard (1...5).contains(stars) else { throw ValidationError("--stars phải từ 1 đến 5. / --stars must be 1 to 5.") }
        }

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            _ = try context.require([.citizen])
            let item = try findFeedback(context, id)
            let outcome = try await context.write(.rateFeedback(id: item.id, stars: stars, comment: comment))
            try output.report(outcome, what: Message(vi: "Đã ghi đánh giá \(stars) sao.", en: "Rating of \(stars) stars recorded."))
        }
    }

    struct Reopen: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mở lại phản ánh chưa được giải quyết thỏa đáng (trong 7 ngày).",
            discussion: "Example: smartvl feedback reopen PA-261130-000001 --reason \"Ổ gà vẫn còn.\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Phản ánh.") var id: String
        @Option(help: "Lý do.") var reason: String

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            _ = try context.require([.citizen])
            let item = try findFeedback(context, id)
            let outcome = try await context.write(.reopenFeedback(id: item.id, reason: reason))
            try output.report(outcome, what: Message(vi: "Đã ghi yêu cầu mở lại.", en: "Reopening recorded."))
        }
    }

    struct Withdraw: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rút phản ánh.", discussion: "Example: smartvl feedback withdraw PA-261130-000001 --reason \"Đã tự khắc phục.\"")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Phản ánh.") var id: String
        @Option(help: "Lý do.") var reason: String?

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            _ = try context.require([.citizen])
            let item = try findFeedback(context, id)
            let outcome = try await context.write(.withdrawFeedback(id: item.id, reason: reason))
            try output.report(outcome, what: Message(vi: "Đã ghi yêu cầu rút phản ánh.", en: "Withdrawal recorded."))
        }
    }
}

/// Finds a feedback item in the local store.
func findFeedback(_ context: Context, _ reference: String) throws(CLIError) -> LocalItem<FeedbackView> {
    try context.find(reference, in: try context.wrap { try context.store().items("feedback", as: FeedbackView.self) }) { [$0.trackingCode] }
}

/// Posts a message in a feedback thread (citizen or official).
func postMessage(_ context: Context, _ output: Output, reference: String, text: String) async throws(CLIError) {
    _ = try context.session()
    let item = try findFeedback(context, reference)
    let body: VietnameseText
    do { body = try VietnameseText(text, field: "body", minLength: 1, maxLength: 2000, multiline: true) } catch { throw .invalid(error) }
    let message = MessageCreate(id: UUID.timeOrdered(), body: body.value)
    let outcome = try await context.write(.postMessage(feedbackId: item.id, message: message))
    try output.report(outcome, what: Message(vi: "Đã ghi tin nhắn.", en: "Message recorded."))
}

/// An item as JSON: the server's view (or what was recorded here) plus its sync standing.
func itemJSON<View: Encodable>(_ item: LocalItem<View>, _ output: Output, draft: () -> JSON) -> JSON {
    let base = item.view.map { JSON.encoding($0) } ?? draft()
    let state: String = switch item.sync {
    case .synced: "synced"
    case .pending: "pending"
    case .rejected: "rejected"
    }
    return base.merging([
        "id": .string(item.id.uuidString),
        "sync": .object([
            "state": .string(state),
            "pending": .array(item.pending.map { .string($0.command.name) }),
            "rejected": .array(item.rejected.map(rejectionJSON)),
        ]),
    ])
}

func feedbackJSON(_ item: LocalItem<FeedbackView>, _ output: Output) -> JSON {
    itemJSON(item, output) {
        guard case .createFeedback(let body)? = item.created else { return .object([:]) }
        return JSON.encoding(body).merging(["status": .string(FeedbackStatus.submitted.rawValue)])
    }
}

func messageJSON(_ item: LocalItem<MessageView>, _ output: Output) -> JSON {
    itemJSON(item, output) {
        guard case .postMessage(let feedbackId, let message)? = item.created else { return .object([:]) }
        return .object(["feedback_id": .string(feedbackId.uuidString), "body": .string(message.body)])
    }
}

/// The title and status of an item, from the server's view or the local create.
func feedbackSummary(_ item: LocalItem<FeedbackView>) -> (code: String, title: String, status: FeedbackStatus) {
    if let view = item.view { return (view.trackingCode ?? item.id.shortText, view.title, view.status) }
    if case .createFeedback(let body)? = item.created { return (item.id.shortText, body.draft.title, .submitted) }
    return (item.id.shortText, "—", .submitted)
}

func feedbackTable(_ items: [LocalItem<FeedbackView>], _ output: Output) -> TextTable {
    let language = output.language
    return TextTable(
        header: [language.pick("Mã", "Code"), language.pick("Tiêu đề", "Title"), language.pick("Trạng thái", "Status"),
                 language.pick("Hạn trả lời", "Answer due"), language.pick("Đồng bộ", "Sync")],
        rows: items.map { item in
            let summary = feedbackSummary(item)
            return [summary.code, summary.title, language.pick(summary.status.label), output.time(item.view?.answerDueAt), output.standing(item)]
        })
}

func feedbackDetail(_ item: LocalItem<FeedbackView>, messages: [LocalItem<MessageView>], catalog: ReferenceCatalog, _ output: Output) -> String {
    let language = output.language
    let summary = feedbackSummary(item)
    var lines = ["\(summary.code)  \(summary.title)", language.pick("Trạng thái: ", "Status: ") + language.pick(summary.status.label)
        + "  (" + output.standing(item) + ")"]
    if let view = item.view {
        lines.append(language.pick("Lĩnh vực: ", "Category: ") + (catalog.category(view.category)?.name ?? view.category))
        if let commune = view.commune { lines.append(language.pick("Xã/phường: ", "Commune: ") + (catalog.communes.first { $0.code == commune }?.name ?? commune)) }
        if let address = view.address { lines.append(language.pick("Địa chỉ: ", "Address: ") + address) }
        if let agency = view.agency { lines.append(language.pick("Cơ quan xử lý: ", "Agency: ") + (catalog.agency(agency)?.name ?? agency)) }
        lines.append(language.pick("Hạn trả lời: ", "Answer due: ") + output.time(view.answerDueAt) + (view.overdue ? language.pick(" (quá hạn)", " (overdue)") : ""))
        lines.append(language.pick("Ảnh: ", "Photos: ") + String(view.photos.count))
        lines.append("")
        lines.append(view.description)
        if let answer = view.answer { lines += ["", language.pick("Trả lời: ", "Answer: ") + answer] }
        if let stars = view.ratingStars {
            lines.append(language.pick("Đánh giá: ", "Rating: ") + String(repeating: "★", count: stars) + (view.ratingComment.map { " — " + $0 } ?? ""))
        }
    } else if case .createFeedback(let body)? = item.created {
        lines += ["", body.draft.description]
    }
    if !messages.isEmpty {
        lines += ["", language.pick("Trao đổi:", "Messages:")]
        for message in messages {
            let who = message.view.map { roleName($0.authorRole, language) } ?? language.pick("bạn", "you")
            let when = message.view.map { output.time($0.createdAt) } ?? language.pick("chờ đồng bộ", "pending sync")
            let body: String = message.view?.body ?? {
                if case .postMessage(_, let created)? = message.created { return created.body }
                return ""
            }()
            lines.append("  [\(when)] \(who): \(body)")
        }
    }
    for mutation in item.pending { lines.append(language.pick("Chờ đồng bộ: ", "Pending: ") + mutation.command.name) }
    for result in item.rejected {
        lines.append(language.pick("Bị từ chối: ", "Refused: ") + language.pick(Message(vi: result.messageVi ?? "", en: result.messageEn ?? "")))
    }
    return lines.joined(separator: "\n")
}
