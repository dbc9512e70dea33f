import ArgumentParser
import Domain
import Foundation

/// A `smartvl` command: it gets the context and output, and reports failures as one line with a
/// documented exit code.
protocol ClientCommand: AsyncParsableCommand {
    var global: GlobalOptions { get }
    func execute(_ context: Context, _ output: Output) async throws(CLIError)
}

extension ClientCommand {
    func run() async throws {
        let output = Output(json: global.json, language: global.lang)
        do {
            try await execute(try Context(global), output)
        } catch {
            output.fail(error)
            throw ExitCode(error.exitCode)
        }
    }
}

extension Context {
    /// Finds an item by its id, a unique prefix or suffix of it (at least 4 characters; lists show
    /// its last 8, `UUID.shortText`), or one of its codes (tracking code, dossier code, receipt number).
    func find<View>(_ reference: String, in items: [LocalItem<View>], codes: (View) -> [String?] = { _ in [] }) throws(CLIError) -> LocalItem<View> {
        let wanted = reference.trimmingCharacters(in: .whitespaces).lowercased()
        if let exact = items.first(where: { $0.id.uuidString.lowercased() == wanted }) { return exact }
        if let coded = items.first(where: { item in item.view.map { codes($0).contains { $0?.lowercased() == wanted } } ?? false }) { return coded }
        guard wanted.count >= 4 else { throw .notFound(reference) }
        let matches = items.filter { item in
            let id = item.id.uuidString.lowercased()
            return id.hasPrefix(wanted) || id.hasSuffix(wanted)
        }
        if matches.count > 1 {
            throw .usage(Message(vi: "“\(reference)” khớp với \(matches.count) mục; hãy gõ thêm ký tự.",
                                 en: "“\(reference)” matches \(matches.count) items; type more characters."), code: "id.ambiguous")
        }
        guard let match = matches.first else { throw .notFound(reference) }
        return match
    }

    /// The reference data: the copy the server last sent, else the one shipped with the client.
    func catalog(_ store: ClientStore) throws(CLIError) -> ReferenceCatalog {
        if let view = try wrap({ try store.items("catalog", as: CatalogView.self).compactMap(\.view).first }) {
            return ReferenceCatalog(version: view.version, communes: view.communes, agencies: view.agencies,
                                    categories: view.categories, procedures: view.procedures, calendarDays: view.calendarDays)
        }
        do { return try ReferenceCatalog.bundled() } catch { throw .unexpected("reference data: \(error)") }
    }
}

/// Parses `KEY=VALUE`.
struct KeyValue: ExpressibleByArgument {
    var key: String
    var value: String
    init?(argument: String) {
        guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else { return nil }
        key = String(argument[..<equals])
        value = String(argument[argument.index(after: equals)...])
    }
}

/// A VND amount on the command line: `150000`, `150.000`, `150.000 ₫`.
struct AmountArgument: ExpressibleByArgument {
    var amount: VND
    init?(argument: String) {
        guard let parsed = try? VND.parse(argument) else { return nil }
        amount = parsed
    }
}
