import Domain
import Foundation

/// A failure the CLI reports as one line on standard error, with a documented exit code
/// (see `Docs/cli.md`, "Exit codes").
struct CLIError: Error, Sendable {
    /// The process exit status.
    let exitCode: Int32
    /// A stable machine code (the server's problem code where there is one).
    let code: String
    /// The explanation in both languages.
    let message: Message

    /// 64: the input is wrong (bad value, missing option); nothing was changed.
    static func usage(_ message: Message, code: String = "usage") -> CLIError { CLIError(exitCode: 64, code: code, message: message) }

    /// 65: the server refused the request (a rule of the domain); nothing was changed.
    static func refused(_ problem: Problem, english: String? = nil) -> CLIError {
        CLIError(exitCode: 65, code: problem.code, message: Message(vi: problem.detail, en: english ?? problem.detail))
    }

    /// 66: no such item in the local store or on the server.
    static func notFound(_ reference: String) -> CLIError {
        CLIError(exitCode: 66, code: "not_found", message: Message(
            vi: "Không tìm thấy “\(reference)” (thử “smartvl sync” để tải dữ liệu mới).",
            en: "“\(reference)” was not found (try “smartvl sync” to fetch new data)."))
    }

    /// 69: the command needs the server and it cannot be reached.
    static func unreachable(_ server: String) -> CLIError {
        CLIError(exitCode: 69, code: "server.unreachable", message: Message(
            vi: "Không kết nối được máy chủ \(server). Lệnh này cần mạng; hãy thử lại sau.",
            en: "Cannot reach the server \(server). This command needs the network; try again later."))
    }

    /// 77: not signed in, or the account may not do this.
    static let notSignedIn = CLIError(exitCode: 77, code: "auth.required", message: Message(
        vi: "Chưa đăng nhập. Dùng “smartvl login --phone SỐ” hoặc “smartvl login --username TÊN”.",
        en: "Not signed in. Use “smartvl login --phone NUMBER” or “smartvl login --username NAME”."))

    /// 77: the signed-in role may not run this command.
    static func forbidden(_ message: Message) -> CLIError { CLIError(exitCode: 77, code: "auth.forbidden", message: message) }

    /// 1: anything else (a bug, a broken local file).
    static func unexpected(_ detail: String) -> CLIError {
        CLIError(exitCode: 1, code: "unexpected", message: Message(vi: "Lỗi không mong đợi: \(detail)", en: "Unexpected error: \(detail)"))
    }
}

/// The language of what people read.
enum Language: String, Sendable, CaseIterable {
    case vi, en

    /// Picks the text in this language.
    func pick(_ message: Message) -> String { self == .vi ? message.vi : message.en }
    /// Picks between two literals.
    func pick(_ vi: String, _ en: String) -> String { self == .vi ? vi : en }
}

extension CLIError {
    /// 64: a value was refused by the domain's own validation before anything was recorded.
    static func invalid(_ failure: any DomainFailure) -> CLIError { CLIError(exitCode: 64, code: failure.code, message: failure.message) }
}

extension CLIError {
    /// The CLI's failure for a server's problem, by its status (see `Docs/cli.md`, "Exit codes").
    static func from(_ problem: Problem) -> CLIError {
        let message = Message(vi: problem.detail, en: problem.detail)
        switch problem.status {
        case 401 where problem.code.hasPrefix("otp.") || problem.code == "auth.invalid_credentials":
            return CLIError(exitCode: 77, code: problem.code, message: message)
        case 401: return .notSignedIn
        case 403: return CLIError(exitCode: 77, code: problem.code, message: message)
        case 404: return CLIError(exitCode: 66, code: problem.code, message: message)
        case 500...: return CLIError(exitCode: 69, code: problem.code, message: message)
        case 0: return CLIError(exitCode: 1, code: problem.code, message: message)
        default: return .refused(problem)
        }
    }
}
