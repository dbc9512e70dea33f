import ArgumentParser
import Domain
import Foundation

extension Smartvl {
    /// Signs in: citizens by phone and one-time code, officials by username and password.
    struct Login: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Đăng nhập (công dân: số điện thoại + mã OTP; cán bộ: tên đăng nhập + mật khẩu).",
            discussion: """
                Examples:
                  smartvl login --phone 0912345678 --request-code
                  smartvl login --phone 0912345678 --code 123456
                  echo "$PASSWORD" | smartvl login --username cb.xaydung --password-stdin
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "Số điện thoại của công dân.") var phone: String?
        @Flag(help: "Chỉ yêu cầu gửi mã OTP rồi thoát (chạy lại với --code).") var requestCode = false
        @Option(help: "Mã OTP 6 chữ số đã nhận.") var code: String?
        @Option(help: "Tên đăng nhập của cán bộ.") var username: String?
        @Flag(help: "Đọc mật khẩu từ đầu vào chuẩn.") var passwordStdin = false
        @Option(help: "Tên thiết bị hiển thị cho người dùng.") var deviceName: String?

        func validate() throws {
            guard (phone == nil) != (username == nil) else {
                throw ValidationError("Cần đúng một trong --phone hoặc --username. / Give exactly one of --phone or --username.")
            }
            if username != nil, requestCode || code != nil {
                throw ValidationError("--request-code và --code chỉ dùng với --phone. / --request-code and --code go with --phone.")
            }
        }

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            let previous = try? context.profile.loadSession()
            let server = try context.serverURL(session: previous ?? nil)
            let api = APIClient(server: server, profile: context.profile, session: Session(server: server), language: context.language)
            let pair: TokenPair
            if let phone {
                let number: PhoneNumber
                do { number = try PhoneNumber(phone) } catch { throw .invalid(error) }
                var code = self.code
                if code == nil {
                    let sent = try await call(api) { () async throws(APIClient.Failure) in try await api.call(Endpoints.requestOTP, OTPRequest(phone: number.e164)) }
                    let text = context.language.pick(
                        "Đã gửi mã xác thực tới \(sent.phoneMasked); mã hết hạn sau \(sent.expiresIn / 60) phút.",
                        "A sign-in code was sent to \(sent.phoneMasked); it expires in \(sent.expiresIn / 60) minutes.")
                    if requestCode || isatty(STDIN_FILENO) != 1 {
                        output.emit(.object(["code_sent": .bool(true), "phone_masked": .string(sent.phoneMasked), "expires_in": .number(Double(sent.expiresIn))]),
                                    human: text + "\n" + context.language.pick("Chạy lại: smartvl login --phone \(phone) --code MÃ", "Then run: smartvl login --phone \(phone) --code CODE"))
                        return
                    }
                    FileHandle.standardError.write(Data((text + "\n" + context.language.pick("Nhập mã: ", "Enter the code: ")).utf8))
                    code = readLine()?.trimmingCharacters(in: .whitespaces)
                }
                let verify = OTPVerify(phone: number.e164, code: code ?? "")
                pair = try await call(api) { () async throws(APIClient.Failure) in try await api.call(Endpoints.verifyOTP, verify) }
            } else {
                let password = try readPassword(context)
                let login = PasswordLogin(username: username ?? "", password: password)
                pair = try await call(api) { () async throws(APIClient.Failure) in try await api.call(Endpoints.passwordLogin, login) }
            }
            try await signIn(pair, server: server, previous: previous ?? nil, context: context, output: output)
        }

        private func readPassword(_ context: Context) throws(CLIError) -> String {
            if passwordStdin {
                let data = FileHandle.standardInput.readDataToEndOfFile()
                var text = String(decoding: data, as: UTF8.self)
                while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
                return text
            }
            guard isatty(STDIN_FILENO) == 1, let typed = getpass(context.language.pick("Mật khẩu: ", "Password: ")) else {
                throw .usage(Message(vi: "Không có mật khẩu: dùng --password-stdin khi chạy không tương tác.",
                                     en: "No password: use --password-stdin when not interactive."))
            }
            return String(cString: typed)
        }

        /// Saves the tokens, makes sure the profile's store belongs to this account and its device
        /// is registered, then syncs.
        private func signIn(_ pair: TokenPair, server: String, previous: Session?, context: Context, output: Output) async throws(CLIError) {
            let store = try context.store()
            var session = Session(server: server)
            session.accept(pair, now: Date())
            let state = try context.wrap { try store.syncState() }
            if let state, previous?.user?.id != pair.user.id {
                guard state.outbox.isEmpty else {
                    throw .usage(Message(
                        vi: "Hồ sơ “\(context.profile.name)” còn \(state.outbox.count) thao tác chưa gửi của tài khoản khác; hãy đăng nhập lại tài khoản đó và đồng bộ, hoặc dùng --profile khác.",
                        en: "Profile “\(context.profile.name)” holds \(state.outbox.count) unsent writes of another account; sign that account in and sync, or use another --profile."),
                        code: "profile.other_account")
                }
                try context.wrap { try store.erase() }
            }
            try context.wrap { try context.profile.save(session) }
            if try context.wrap({ try store.syncState() }) == nil {
                let api = try context.api(session)
                let name = deviceName ?? "smartvl @ \(ProcessInfo.processInfo.hostName)"
                let registered = try await call(api) { () async throws(APIClient.Failure) in
                    try await api.call(Endpoints.registerDevice, DeviceRegistration(name: name, platform: "cli"))
                }
                var state = SyncEngine.State(deviceId: registered.deviceId)
                state.lastAppliedSeq = registered.lastAppliedSeq
                try context.wrap { try store.save(state) }
            }
            let outcome = try await context.sync(session: session, store: store, quiet: false)
            let who = pair.user.username ?? pair.user.phoneMasked ?? pair.user.id.uuidString
            output.emit(.object(["user": .encoding(pair.user), "profile": .string(context.profile.name), "server": .string(server),
                                 "synced": .bool(outcome != nil)]),
                        human: context.language.pick("Đã đăng nhập: \(who) (\(roleName(pair.user.role, context.language))).",
                                                     "Signed in: \(who) (\(roleName(pair.user.role, context.language)))."))
        }
    }

    /// Signs out: forgets the tokens here and revokes them on the server.
    struct Logout: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Đăng xuất (giữ dữ liệu và thao tác chưa gửi trên máy).",
            discussion: "Examples:\n  smartvl logout\n  smartvl logout --everywhere")

        @OptionGroup var global: GlobalOptions
        @Flag(help: "Đăng xuất khỏi mọi thiết bị của tài khoản.") var everywhere = false

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            let session = try context.session()
            let api = try context.api(session)
            var revoked = true
            do throws(APIClient.Failure) {
                _ = try await api.call(Endpoints.logout, LogoutRequest(refreshToken: session.refreshToken, everywhere: everywhere ? true : nil))
            } catch {
                revoked = false
            }
            try context.wrap { try context.profile.clearTokens() }
            output.emit(.object(["signed_out": .bool(true), "revoked_on_server": .bool(revoked)]),
                        human: revoked ? context.language.pick("Đã đăng xuất.", "Signed out.")
                            : context.language.pick("Đã đăng xuất trên máy này (không liên lạc được máy chủ để thu hồi phiên).",
                                                    "Signed out here (the server could not be reached to revoke the session)."))
        }
    }

    /// Who is signed in on this profile.
    struct Whoami: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Tài khoản đang đăng nhập.", discussion: "Example: smartvl whoami --json")
        @OptionGroup var global: GlobalOptions

        func execute(_ context: Context, _ output: Output) async throws(CLIError) {
            let session = try context.session()
            let user = session.user!
            let lines = [
                context.language.pick("Tài khoản: ", "Account: ") + (user.username ?? user.phoneMasked ?? "—"),
                context.language.pick("Vai trò: ", "Role: ") + roleName(user.role, context.language),
                context.language.pick("Cơ quan: ", "Agency: ") + (user.agency ?? "—"),
                context.language.pick("Hồ sơ: ", "Profile: ") + context.profile.name,
                context.language.pick("Máy chủ: ", "Server: ") + (try context.serverURL(session: session)),
            ]
            output.emit(.object(["user": .encoding(user), "profile": .string(context.profile.name), "server": .string(try context.serverURL(session: session))]),
                        human: lines.joined(separator: "\n"))
        }
    }
}

/// Runs a call that needs the server, turning its failure into the CLI's.
func call<T>(_ api: APIClient, _ body: () async throws(APIClient.Failure) -> T) async throws(CLIError) -> T {
    do throws(APIClient.Failure) {
        return try await body()
    } catch {
        switch error {
        case .unreachable: throw .unreachable(api.server)
        case .problem(let problem): throw CLIError.from(problem)
        }
    }
}

/// A role's name for people.
func roleName(_ role: Role, _ language: Language) -> String {
    switch role {
    case .citizen: language.pick("công dân", "citizen")
    case .official: language.pick("cán bộ", "official")
    case .supervisor: language.pick("lãnh đạo", "supervisor")
    case .admin: language.pick("quản trị", "admin")
    case .system: language.pick("hệ thống", "system")
    }
}
