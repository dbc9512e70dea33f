import ArgumentParser
import Domain
import Foundation

extension Smartvl {
    /// Sends what is pending and fetches what changed.
    struct Sync: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Đồng bộ: gửi các thao tác chờ và tải dữ liệu mới.", discussion: "Example: smartvl sync")
        @OptionGroup var global: GlobalOptions

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            let session = try context.session()
            let store = try context.store()
            guard let outcome = try await context.sync(session: session, store: store, quiet: false) else {
                let pending = try context.wrap { try store.syncState()?.outbox.count ?? 0 }
                throw CLIError(exitCode: 69, code: "server.unreachable", message: Message(
                    vi: "Không kết nối được máy chủ \(try context.serverURL(session: session)); \(pending) thao tác vẫn chờ đồng bộ.",
                    en: "Cannot reach the server \(try context.serverURL(session: session)); \(pending) writes are still pending."))
            }
            let language = context.language
            var lines = [language.pick(
                "Đã gửi \(outcome.pushed) thao tác, nhận \(outcome.pulled) thay đổi; còn chờ \(outcome.pending).",
                "Sent \(outcome.pushed) writes, received \(outcome.pulled) changes; \(outcome.pending) pending.")]
            for rejected in outcome.rejected {
                lines.append(language.pick("Bị từ chối: ", "Refused: ") + language.pick(Message(vi: rejected.messageVi ?? "", en: rejected.messageEn ?? "")))
            }
            if outcome.converged == false {
                lines.append(language.pick("Cảnh báo: dữ liệu trên máy chưa khớp máy chủ; chạy lại smartvl sync.",
                                           "Warning: the local copy does not match the server yet; run smartvl sync again."))
            }
            output.emit(.object([
                "uploaded": .number(Double(outcome.uploaded)), "pushed": .number(Double(outcome.pushed)),
                "pulled": .number(Double(outcome.pulled)), "pending": .number(Double(outcome.pending)),
                "converged": outcome.converged.map(JSON.bool) ?? .null,
                "rejected": .array(outcome.rejected.map(rejectionJSON)),
            ]), human: lines.joined(separator: "\n"))
        }
    }

    /// What waits, when the last sync was, what the server refused.
    struct Status: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Trạng thái đồng bộ: thao tác chờ, lần đồng bộ cuối, thao tác bị từ chối.",
            discussion: "Examples:\n  smartvl status\n  smartvl status --clear-rejected")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Xóa danh sách thao tác bị từ chối sau khi đã xem.") var clearRejected = false

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            let session = try context.session()
            let store = try context.store()
            guard var state = try context.wrap({ try store.syncState() }) else { throw .notSignedIn }
            let language = context.language
            let rejected = state.rejected.values.sorted { $0.seq < $1.seq }
            let files = try context.wrap { try store.filesToUpload() }
            var lines = [
                language.pick("Thiết bị: ", "Device: ") + state.deviceId.uuidString.lowercased(),
                language.pick("Lần đồng bộ cuối: ", "Last sync: ") + output.time(session.lastSyncAt),
                language.pick("Chờ đồng bộ: \(state.outbox.count) thao tác, \(files.count) tệp", "Pending: \(state.outbox.count) writes, \(files.count) files"),
            ]
            for mutation in state.outbox {
                lines.append("  #\(mutation.seq) \(mutation.command.name) \(mutation.command.target.id.shortText)")
            }
            lines.append(language.pick("Bị từ chối: \(rejected.count)", "Refused: \(rejected.count)"))
            for result in rejected {
                lines.append("  #\(result.seq) \(result.entityId.shortText) \(result.code ?? ""): "
                    + language.pick(Message(vi: result.messageVi ?? "", en: result.messageEn ?? "")))
            }
            output.emit(.object([
                "device_id": .string(state.deviceId.uuidString),
                "last_sync_at": session.lastSyncAt.map { .string(WireCoding.format($0)) } ?? .null,
                "converged": session.converged.map(JSON.bool) ?? .null,
                "pending": .array(state.outbox.map { .object([
                    "seq": .number(Double($0.seq)), "id": .string($0.id.uuidString), "name": .string($0.command.name),
                    "entity": .string($0.command.target.entity), "entity_id": .string($0.command.target.id.uuidString),
                ]) }),
                "pending_files": .number(Double(files.count)),
                "rejected": .array(rejected.map(rejectionJSON)),
            ]), human: lines.joined(separator: "\n"))
            if clearRejected {
                state.rejected = [:]
                try context.wrap { try store.save(state) }
            }
        }
    }
}

/// A refused write as JSON.
func rejectionJSON(_ result: MutationResult) -> JSON {
    .object([
        "seq": .number(Double(result.seq)), "id": .string(result.id.uuidString), "entity": .string(result.entity),
        "entity_id": .string(result.entityId.uuidString), "code": .string(result.code ?? ""),
        "message_vi": .string(result.messageVi ?? ""), "message_en": .string(result.messageEn ?? ""),
    ])
}
