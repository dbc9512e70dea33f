import ArgumentParser
import Crypto
import Domain
import Foundation

/// The options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(help: "Địa chỉ máy chủ (mặc định: SMARTVL_SERVER, rồi địa chỉ đã lưu trong hồ sơ, rồi http://127.0.0.1:8080).")
    var server: String?

    @Option(help: "Hồ sơ (tài khoản) trên máy này (mặc định: SMARTVL_PROFILE hoặc “default”).")
    var profile: String?

    @Flag(help: "In kết quả dạng JSON (cấu trúc ổn định, xem Docs/cli.md).")
    var json = false

    @Option(help: "Ngôn ngữ hiển thị: vi | en.")
    var lang: Language = .vi
}

extension Language: ExpressibleByArgument {}

/// What a running command works with: the profile, its store and session, the server, the output.
struct Context {
    let options: GlobalOptions
    let profile: Profile
    let environment: [String: String]
    var language: Language { options.lang }
    /// The store, opened (and migrated) once per command however many lookups and writes use it.
    private let opened = OpenedStore()

    private final class OpenedStore: @unchecked Sendable {
        var store: ClientStore?
    }

    init(_ options: GlobalOptions, environment: [String: String] = ProcessInfo.processInfo.environment) throws(CLIError) {
        self.options = options
        self.environment = environment
        profile = try Profile(name: options.profile ?? environment["SMARTVL_PROFILE"] ?? "default", environment: environment)
    }

    /// The server: `--server`, then `SMARTVL_SERVER`, then the profile's, then the default.
    func serverURL(session: Session?) throws(CLIError) -> String {
        let chosen = options.server ?? environment["SMARTVL_SERVER"] ?? session?.server ?? "http://127.0.0.1:8080"
        guard let url = URL(string: chosen), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw .usage(Message(vi: "Địa chỉ máy chủ “\(chosen)” không hợp lệ (ví dụ: http://127.0.0.1:8080).",
                                 en: "Invalid server address “\(chosen)” (e.g. http://127.0.0.1:8080)."))
        }
        return chosen
    }

    /// The local store of this profile.
    func store() throws(CLIError) -> ClientStore {
        if let store = opened.store { return store }
        do {
            try profile.prepare()
            let store = try ClientStore.open(path: profile.storePath)
            opened.store = store
            return store
        } catch {
            throw .unexpected("cannot open \(profile.storePath): \(error)")
        }
    }

    /// The saved session, signed in.
    func session() throws(CLIError) -> Session {
        let session: Session?
        do { session = try profile.loadSession() } catch { throw .unexpected("cannot read \(profile.sessionURL.path): \(error)") }
        guard let session, session.user != nil, session.refreshToken != nil || session.accessToken != nil else { throw .notSignedIn }
        return session
    }

    /// The signed-in user.
    func user() throws(CLIError) -> UserView { try session().user! }

    /// A client for the profile's server and tokens.
    func api(_ session: Session) throws(CLIError) -> APIClient {
        APIClient(server: try serverURL(session: session), profile: profile, session: session, language: language,
                  timeout: TimeInterval(environment["SMARTVL_TIMEOUT"].flatMap(Double.init) ?? 15))
    }

    /// Requires one of the roles.
    func require(_ roles: Set<Role>) throws(CLIError) -> UserView {
        let user = try user()
        guard roles.contains(user.role) else {
            throw .forbidden(Message(vi: "Tài khoản \(user.role.rawValue) không dùng được lệnh này.",
                                     en: "A \(user.role.rawValue) account cannot use this command."))
        }
        return user
    }

    // MARK: Writes, offline first

    /// What a write command reports.
    struct WriteOutcome {
        /// The local id of the write (and of what it creates).
        var id: UUID
        /// Whether the server has it now.
        var synced: Bool
        /// The server's refusal, if it refused.
        var rejection: MutationResult?
    }

    /// Records a write in the outbox (with the files it refers to, in one transaction), then syncs
    /// if the server is reachable. Returns at once with "pending" when it is not.
    func write(_ command: MutationCommand, expectedStatus: String? = nil, files: [LocalFile] = []) async throws(CLIError) -> WriteOutcome {
        let session = try session()
        let store = try store()
        guard let state = try wrap({ try store.syncState() }) else { throw .notSignedIn }
        try checkLocally(command, store: store, state: state, role: session.user?.role ?? .citizen)
        var engine = SyncEngine(state: state)
        let mutation = engine.record(command, id: UUID.timeOrdered(), expectedStatus: expectedStatus, madeAt: Date())
        try wrap { try store.record(engine.state, files: files) }
        // The write is recorded: a sync that fails now (signed out, server error) leaves it pending
        // for the next sync, and says why on standard error instead of failing the command.
        var outcome: SyncDriver.Outcome?
        do {
            outcome = try await sync(session: session, store: store, quiet: true)
        } catch {
            FileHandle.standardError.write(Data(("smartvl: " + language.pick(
                "đã ghi trên máy, chưa đồng bộ được: ", "recorded here, not synced: ") + language.pick(error.message) + "\n").utf8))
        }
        let rejection = outcome?.rejected.first { $0.id == mutation.id }
        let stillPending = try wrap { try store.syncState()?.outbox.contains { $0.id == mutation.id } ?? true }
        return WriteOutcome(id: command.target.id, synced: !stillPending && rejection == nil, rejection: rejection)
    }

    /// Refuses at once a status change the item's last known status does not allow (when no other
    /// write about it is queued, that status is current as far as this device knows); the server
    /// still has the last word.
    private func checkLocally(_ command: MutationCommand, store: ClientStore, state: SyncEngine.State, role: Role) throws(CLIError) {
        let target = command.target
        guard !state.outbox.contains(where: { $0.command.target.id == target.id }) else { return }
        func refuse<S, A>(_ failure: TransitionError<S, A>) -> CLIError { CLIError(exitCode: 65, code: failure.code, message: failure.message) }
        if let action = command.feedbackAction,
            let view = try wrap({ try store.record("feedback", id: target.id, as: FeedbackView.self) }),
            !Feedback.lifecycle.allows(action, from: view.status, role: role)
        {
            throw refuse(TransitionError<FeedbackStatus, FeedbackAction>.notAllowedFrom(view.status, action))
        }
        if let action = command.dossierAction,
            let view = try wrap({ try store.record("service_request", id: target.id, as: ServiceRequestView.self) }),
            !ServiceRequest.lifecycle.allows(action, from: view.status, role: role)
        {
            throw refuse(TransitionError<DossierStatus, DossierAction>.notAllowedFrom(view.status, action))
        }
    }

    /// Syncs; nil when the server cannot be reached (everything stays pending).
    @discardableResult
    func sync(session: Session, store: ClientStore, quiet: Bool) async throws(CLIError) -> SyncDriver.Outcome? {
        let api = try api(session)
        var driver = SyncDriver(api: api, store: store)
        driver.verify = !quiet
        if let size = environment["SMARTVL_PAGE_SIZE"] {
            guard let pageSize = Int(size), (1...1000).contains(pageSize) else {
                throw .usage(Message(vi: "SMARTVL_PAGE_SIZE phải là số nguyên từ 1 đến 1000 (đang là “\(size)”).",
                                     en: "SMARTVL_PAGE_SIZE must be a whole number from 1 to 1000 (it is “\(size)”)."), code: "usage.page_size")
            }
            driver.pageSize = pageSize
        }
        let showProgress = !quiet && !options.json && isatty(STDERR_FILENO) == 1
        if showProgress {
            driver.progress = { count in
                FileHandle.standardError.write(Data("\r\(language.pick("Đang đồng bộ…", "Syncing…")) \(count)".utf8))
            }
        }
        defer { if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) } }
        do throws(SyncDriver.Failure) {
            let outcome = try await driver.run()
            var saved = api.currentSession
            saved.lastSyncAt = Date()
            if let converged = outcome.converged { saved.converged = converged }
            try? profile.save(saved)
            return outcome
        } catch {
            switch error {
            case .unreachable: return nil
            case .problem(let problem): throw CLIError.from(problem)
            }
        }
    }

    func wrap<T>(_ body: () throws -> T) throws(CLIError) -> T {
        do { return try body() } catch let error as CLIError { throw error } catch { throw .unexpected("\(error)") }
    }

    // MARK: Files

    /// Reads a photo or document from disk and checks it by the server's own rules.
    func attachment(_ path: String, imagesOnly: Bool) throws(CLIError) -> LocalFile {
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw .usage(Message(vi: "Không đọc được tệp “\(path)”.", en: "Cannot read the file “\(path)”."), code: "file.unreadable")
        }
        let mediaType = AttachmentRules.mediaTypes.first { bytes.starts(with: $0.value) }?.key ?? "application/octet-stream"
        do {
            try AttachmentRules.check(mediaType: mediaType, bytes: bytes)
        } catch {
            throw .invalid(error)
        }
        if imagesOnly, !mediaType.hasPrefix("image/") {
            throw .invalid(AttachmentError.notAnImage)
        }
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        return LocalFile(sha256: digest, mediaType: mediaType, bytes: bytes)
    }
}
