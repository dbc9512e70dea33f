import Domain
import Foundation

/// Writes what a command produced: a table or lines for people, one JSON document with `--json`.
struct Output {
    let json: Bool
    let language: Language

    /// Prints either the JSON value or the human text.
    func emit(_ value: JSON, human: @autoclosure () -> String) {
        if json {
            print(value.rendered)
        } else {
            let text = human()
            if !text.isEmpty { print(text) }
        }
    }

    /// Prints a failure as one line on standard error (a JSON object with `--json`).
    func fail(_ error: CLIError) {
        let line: String
        if json {
            line = JSON.object(["error": .object([
                "code": .string(error.code), "message": .string(language.pick(error.message)), "exit_code": .number(Double(error.exitCode)),
            ])]).rendered
        } else {
            line = "smartvl: " + language.pick(error.message).replacingOccurrences(of: "\n", with: " ")
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// A date and time in Vietnam, for people.
    func time(_ date: Date?) -> String {
        guard let date else { return "—" }
        return VietnamTime.format(date)
    }

    /// The label of a sync standing.
    func standing<View>(_ item: LocalItem<View>) -> String {
        switch item.sync {
        case .synced: language.pick("đã đồng bộ", "synced")
        case .pending: language.pick("chờ đồng bộ", "pending sync")
        case .rejected(_, let message): language.pick("bị từ chối: ", "refused: ") + language.pick(message)
        }
    }

    /// Reports a write: its local id and whether it is synced or pending. A write the server
    /// refused prints its JSON (with `--json`) and fails with exit code 65 and the reason.
    func report(_ outcome: Context.WriteOutcome, what: Message) throws(CLIError) {
        let id = outcome.id.uuidString
        if let rejection = outcome.rejection {
            let reason = Message(vi: rejection.messageVi ?? "", en: rejection.messageEn ?? "")
            if json {
                print(JSON.object(["id": .string(id), "sync": .string("rejected"),
                                   "rejection": .object(["code": .string(rejection.code ?? ""), "message": .string(language.pick(reason))])]).rendered)
            }
            throw CLIError(exitCode: 65, code: rejection.code ?? "rejected", message: Message(
                vi: "Máy chủ từ chối: " + reason.vi, en: "Refused by the server: " + reason.en))
        }
        let state = outcome.synced ? "synced" : "pending"
        let note = outcome.synced ? language.pick("(đã đồng bộ)", "(synced)") : language.pick("(chờ đồng bộ)", "(pending sync)")
        emit(.object(["id": .string(id), "sync": .string(state)]), human: "\(id.lowercased())  \(language.pick(what)) \(note)")
    }
}

/// A JSON value built by commands (ordered keys on output, so the shape is stable to read).
indirect enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    /// Any Encodable value, as the API encodes it (snake_case keys, RFC 3339 dates).
    static func encoding(_ value: some Encodable) -> JSON {
        guard let data = try? WireCoding.encoder().encode(value), let any = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        else { return .null }
        return JSON(any: any)
    }

    init(any: Any) {
        switch any {
        case let value as String: self = .string(value)
        case let value as NSNumber:
            #if canImport(Darwin)
            self = CFGetTypeID(value) == CFBooleanGetTypeID() ? .bool(value.boolValue) : .number(value.doubleValue)
            #else
            self = String(cString: value.objCType) == "c" ? .bool(value.boolValue) : .number(value.doubleValue)
            #endif
        case let value as [Any]: self = .array(value.map(JSON.init(any:)))
        case let value as [String: Any]: self = .object(value.mapValues(JSON.init(any:)))
        default: self = .null
        }
    }

    /// Adds or replaces keys of an object.
    func merging(_ other: [String: JSON]) -> JSON {
        guard case .object(var fields) = self else { return .object(other) }
        fields.merge(other) { _, new in new }
        return .object(fields)
    }

    /// Compact JSON with sorted keys.
    var rendered: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let value):
            if value.rounded() == value, abs(value) < 9.0e15 { return String(Int64(value)) }
            return "\(value)"
        case .string(let value): return Self.quote(value)
        case .array(let values): return "[" + values.map(\.rendered).joined(separator: ",") + "]"
        case .object(let fields):
            return "{" + fields.keys.sorted().map { Self.quote($0) + ":" + fields[$0]!.rendered }.joined(separator: ",") + "}"
        }
    }

    private static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case let s where s.value < 0x20: result += String(format: "\\u%04x", s.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
