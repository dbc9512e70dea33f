import Domain
import Foundation
import GRDB
import Testing

/// The real `smartvl` binary, run as a person would, with its own data folder (one per test).
struct CLI {
    let home: URL
    var server: String
    /// More environment for every run.
    var environment: [String: String] = [:]

    init(server: String) throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("smartvl-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        self.server = server
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String

        /// The standard output as JSON.
        func json() throws -> [String: Any] {
            let value = try JSONSerialization.jsonObject(with: Data(stdout.utf8))
            return try #require(value as? [String: Any], "not a JSON object: \(stdout)")
        }
    }

    /// Runs `smartvl ARGS` (with `--profile` when given) and returns what it printed.
    @discardableResult
    func run(_ arguments: [String], profile: String = "citizen", stdin: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = ServerProcess.productsFolder.appendingPathComponent("smartvl")
        process.arguments = arguments + ["--profile", profile]
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_DATA_HOME"] = home.path
        environment["SMARTVL_SERVER"] = server
        environment["SMARTVL_TIMEOUT"] = "5"
        environment.merge(self.environment) { $1 }
        process.environment = environment
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                      stderr: String(decoding: stderrData, as: UTF8.self))
    }

    /// Signs a citizen in with the code from the server's development SMS outbox.
    func signInCitizen(phone: String, profile: String, dataFolder: URL) throws {
        let asked = try run(["login", "--phone", phone, "--request-code"], profile: profile)
        #expect(asked.status == 0, "\(asked.stderr)")
        let outbox = try String(contentsOf: dataFolder.appendingPathComponent("sms-outbox.log"), encoding: .utf8)
        let code = String(try #require(outbox.split(separator: "\n").last { $0.contains(phone.suffix(3)) }?.split(separator: " ").last))
        let signed = try run(["login", "--phone", phone, "--code", code, "--json"], profile: profile)
        #expect(signed.status == 0, "\(signed.stderr)")
    }

    /// Signs an official in with a password on standard input.
    func signInStaff(username: String, password: String, profile: String) throws {
        let signed = try run(["login", "--username", username, "--password-stdin"], profile: profile, stdin: password + "\n")
        #expect(signed.status == 0, "\(signed.stderr)")
    }
}

/// Adds an official with `smartvl-server officials add`, password on standard input.
func addOfficial(_ username: String, role: String, agency: String, password: String, dataFolder: URL) throws {
    let process = Process()
    process.executableURL = ServerProcess.productsFolder.appendingPathComponent("smartvl-server")
    process.arguments = ["officials", "add", "--username", username, "--agency", agency, "--role", role, "--data-dir", dataFolder.path]
    let input = Pipe()
    process.standardInput = input
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    input.fileHandleForWriting.write(Data((password + "\n").utf8))
    try input.fileHandleForWriting.close()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
}

/// A minimal JPEG and PDF, enough for the content checks.
let jpegBytes = Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01])
let pdfBytes = Data("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".utf8)

@Suite(.serialized) struct CLITests {
    /// A fresh server with a signed-in citizen (profile `citizen`) and an official of SXD (profile `official`).
    func citizenAndOfficial(phone: String, official: String) throws -> (ServerProcess, CLI, URL) {
        let server = try ServerProcess(arguments: ["--port", "0"])
        let data = server.folder.appendingPathComponent("smartvl-data")
        let cli = try CLI(server: "http://127.0.0.1:\(try server.waitUntilListening())")
        try cli.signInCitizen(phone: phone, profile: "citizen", dataFolder: data)
        try addOfficial(official, role: "official", agency: "SXD", password: "mat-khau-du-dai-2", dataFolder: data)
        try cli.signInStaff(username: official, password: "mat-khau-du-dai-2", profile: "official")
        return (server, cli, data)
    }

    /// The whole feedback flow through the two binaries: filed with a photo while the server is
    /// down, synced when it comes up, answered by an official, rated by the citizen, and the
    /// citizen's second device converges.
    @Test func feedbackFiledOfflineIsAnsweredResolvedAndRated() throws {
        var server = try ServerProcess(arguments: ["--port", "0"])
        let folder = server.folder, data = folder.appendingPathComponent("smartvl-data")
        var cli = try CLI(server: "http://127.0.0.1:\(try server.waitUntilListening())")
        try cli.signInCitizen(phone: "0912345678", profile: "citizen", dataFolder: data)

        // The server goes down; the citizen files feedback with a photo anyway.
        server.stop()
        let photo = cli.home.appendingPathComponent("o-ga.jpg")
        try jpegBytes.write(to: photo)
        let filed = try cli.run(["feedback", "new", "--category", "giao-thong", "--title", "Ổ gà lớn trước chợ phường",
                                 "--description", "Ổ gà sâu khoảng 20 cm, xe máy dễ té ngã.", "--commune", "28756",
                                 "--photo", photo.path, "--json"])
        #expect(filed.status == 0, "\(filed.stderr)")
        let local = try filed.json()
        #expect(local["sync"] as? String == "pending")
        let id = try #require(local["id"] as? String)
        let pending = try cli.run(["feedback", "list", "--json"]).json()["feedback"] as? [[String: Any]]
        #expect((pending?.first?["sync"] as? [String: Any])?["state"] as? String == "pending")
        #expect(try cli.run(["sync"]).status == 69)
        let status = try cli.run(["status", "--json"]).json()
        #expect((status["pending"] as? [Any])?.count == 1)
        #expect(status["pending_files"] as? Int == 1)

        // The server comes up again (same data, a new port); the next sync delivers both.
        server = try ServerProcess(arguments: ["--port", "0"], folder: folder)
        cli.server = "http://127.0.0.1:\(try server.waitUntilListening())"
        let synced = try cli.run(["sync", "--json"]).json()
        #expect(synced["pushed"] as? Int == 1)
        #expect(synced["uploaded"] as? Int == 1)
        #expect(synced["converged"] as? Bool == true)
        let mine = try cli.run(["feedback", "show", id, "--json"]).json()
        let tracking = try #require(mine["tracking_code"] as? String)
        #expect(mine["status"] as? String == "assigned")
        #expect((mine["photos"] as? [String])?.count == 1)
        #expect(mine["agency"] as? String == "SXD")

        // An official of that agency sees it in the queue, starts, answers and resolves it.
        try addOfficial("cb.giaothong", role: "official", agency: "SXD", password: "mat-khau-du-dai-1", dataFolder: data)
        try cli.signInStaff(username: "cb.giaothong", password: "mat-khau-du-dai-1", profile: "official")
        let queue = try cli.run(["triage", "queue", "--status", "assigned", "--json"], profile: "official").json()
        #expect((queue["feedback"] as? [[String: Any]])?.map { $0["tracking_code"] as? String } == [tracking])
        #expect(try cli.run(["triage", "start", tracking], profile: "official").status == 0)
        #expect(try cli.run(["triage", "answer", tracking, "Đội duy tu sẽ đến trong ngày."], profile: "official").status == 0)
        let resolved = try cli.run(["triage", "answer", tracking, "Đã vá ổ gà bằng bê tông nhựa ngày 30/11.", "--resolve", "--json"], profile: "official")
        #expect(resolved.status == 0, "\(resolved.stderr)")
        #expect(try resolved.json()["sync"] as? String == "synced")
        // A stale second start is refused locally with the reason, and nothing is queued.
        let again = try cli.run(["triage", "start", tracking], profile: "official")
        #expect(again.status == 65)
        #expect(again.stderr.split(separator: "\n").count == 1)
        #expect((try cli.run(["status", "--json"], profile: "official").json()["pending"] as? [Any])?.isEmpty == true)

        // The citizen sees the answer and the message, and rates it.
        #expect(try cli.run(["sync"]).status == 0)
        let answered = try cli.run(["feedback", "show", tracking, "--json"]).json()
        #expect(answered["status"] as? String == "resolved")
        #expect(answered["answer"] as? String == "Đã vá ổ gà bằng bê tông nhựa ngày 30/11.")
        #expect((answered["messages"] as? [[String: Any]])?.first?["body"] as? String == "Đội duy tu sẽ đến trong ngày.")
        let human = try cli.run(["feedback", "show", tracking])
        #expect(human.stdout.contains("Trả lời: Đã vá ổ gà bằng bê tông nhựa ngày 30/11."))
        #expect(try cli.run(["feedback", "rate", tracking, "--stars", "5", "--comment", "Xử lý nhanh, cảm ơn."]).status == 0)
        let closed = try cli.run(["feedback", "show", tracking, "--json", "--lang", "en"]).json()
        #expect(closed["status"] as? String == "closed")
        #expect(closed["rating_stars"] as? Int == 5)

        // A second device of the same citizen converges on the same state.
        try cli.signInCitizen(phone: "0912345678", profile: "phone2", dataFolder: data)
        let second = try cli.run(["feedback", "list", "--json"], profile: "phone2").json()
        let first = try cli.run(["feedback", "list", "--json"]).json()
        func summary(_ json: [String: Any]) -> [String] {
            ((json["feedback"] as? [[String: Any]]) ?? []).map { "\($0["id"] ?? "")|\($0["status"] ?? "")|\($0["rating_stars"] ?? "")" }.sorted()
        }
        #expect(summary(second) == summary(first))
        #expect(summary(first).count == 1)
        #expect(try cli.run(["status", "--json"], profile: "phone2").json()["converged"] as? Bool == true)

        // A third device pulls one change per page (each next page asked for while the last is
        // stored) and converges on the same state; a page size out of range is refused.
        var small = cli
        small.environment["SMARTVL_PAGE_SIZE"] = "1"
        try small.signInCitizen(phone: "0912345678", profile: "phone3", dataFolder: data)
        #expect(summary(try small.run(["feedback", "list", "--json"], profile: "phone3").json()) == summary(first))
        #expect(try small.run(["status", "--json"], profile: "phone3").json()["converged"] as? Bool == true)

        // A page that cannot be stored (a fault injected into the third device's store) stops the
        // sync while the next page is already asked for: the sync ends with the store's error,
        // nothing of the page is kept, and once the store works again the next sync resumes
        // from the last page stored and converges.
        for title in ["Cây đổ chắn đường", "Nắp cống bị vỡ"] {
            #expect(try cli.run(["feedback", "new", "--category", "giao-thong", "--title", title,
                                 "--description", "Cần xử lý gấp trong hôm nay.", "--commune", "28756"]).status == 0)
        }
        #expect(try cli.run(["sync"]).status == 0)
        let store = try DatabaseQueue(path: cli.home.appendingPathComponent("smartvl/profiles/phone3/store.sqlite").path)
        let held = try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM records") }
        try store.write { db in
            try db.execute(sql: "CREATE TRIGGER injected BEFORE INSERT ON records BEGIN SELECT RAISE(ABORT, 'injected fault'); END")
        }
        let failed = try small.run(["sync"], profile: "phone3")
        #expect(failed.status == 1, "\(failed.stderr)")
        #expect(failed.stderr.contains("injected fault"))
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM records") } == held)
        try store.write { db in try db.execute(sql: "DROP TRIGGER injected") }
        #expect(try small.run(["sync"], profile: "phone3").status == 0)
        let resumed = try small.run(["feedback", "list", "--json"], profile: "phone3").json()
        #expect(summary(resumed) == summary(try cli.run(["feedback", "list", "--json"]).json()))
        #expect(summary(resumed).count == 3)
        #expect(try small.run(["status", "--json"], profile: "phone3").json()["converged"] as? Bool == true)

        small.environment["SMARTVL_PAGE_SIZE"] = "0"
        let refused = try small.run(["sync"], profile: "phone3")
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("SMARTVL_PAGE_SIZE"))
        server.stop()
    }

    /// A dossier from submission through a supplement request to completion, its fee paid from the
    /// CLI through the sandbox provider, the receipt found on the citizen's second device.
    @Test func aDossierIsSupplementedPaidAndCompleted() throws {
        let (server, cli, data) = try citizenAndOfficial(phone: "0909123456", official: "cb.sathach")
        defer { server.stop() }
        let form = cli.home.appendingPathComponent("don-de-nghi.pdf")
        try pdfBytes.write(to: form)
        let submitted = try cli.run(["request", "new", "--procedure", "1.002804", "--field", "full_name=Lê Thị Hồng",
                                     "--field", "cccd=086190123456", "--field", "licence_number=860123456789", "--field", "licence_class=B",
                                     "--document", form.path, "--json"])
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let id = try #require(try submitted.json()["id"] as? String)
        #expect(try submitted.json()["sync"] as? String == "synced")
        func staff(_ arguments: [String], reference: String) throws {
            let result = try cli.run(["triage", "dossier", reference] + arguments, profile: "official")
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        #expect(try cli.run(["sync"], profile: "official").status == 0)
        let queue = try cli.run(["triage", "queue", "--dossiers", "--status", "submitted", "--json"], profile: "official").json()
        #expect((queue["requests"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
        // Received by its id prefix; from then on it has its dossier code.
        try staff(["receive"], reference: String(id.prefix(8)))
        let code = try #require(try cli.run(["request", "show", id, "--json"], profile: "official").json()["dossier_code"] as? String)
        func staff(_ arguments: [String]) throws { try staff(arguments, reference: code) }
        try staff(["start"])
        try staff(["supplement", "--missing", "Giấy chứng nhận sức khỏe còn hạn."])

        // The citizen sees what is missing and supplies it.
        #expect(try cli.run(["sync"]).status == 0)
        let asked = try cli.run(["request", "show", code, "--json"]).json()
        #expect(asked["status"] as? String == "supplement_requested")
        #expect(asked["supplement_missing"] as? String == "Giấy chứng nhận sức khỏe còn hạn.")
        let health = cli.home.appendingPathComponent("suc-khoe.pdf")
        try Data("%PDF-1.4\n% giấy khám sức khỏe\n%%EOF\n".utf8).write(to: health)
        #expect(try cli.run(["request", "supplement", code, "--document", health.path]).status == 0)

        // The fee invoice came with the receipt of the dossier; the citizen pays it in the sandbox.
        let invoices = try cli.run(["invoice", "list", "--json"]).json()["invoices"] as? [[String: Any]]
        let invoice = try #require(invoices?.first { $0["service_request_id"] as? String == id.uppercased() })
        #expect(invoice["amount"] as? Int == 135_000)
        let invoiceID = try #require(invoice["id"] as? String)
        let paid = try cli.run(["pay", invoiceID, "--method", "sandbox", "--json"])
        #expect(paid.status == 0, "\(paid.stderr)")
        let receipt = try #require(try paid.json()["receipt"] as? [String: Any])
        #expect(receipt["amount"] as? Int == 135_000)
        #expect(receipt["amount_in_words"] as? String == "Một trăm ba mươi lăm nghìn đồng")
        // The ledger reconciles with the provider's settlement file, and a wrong amount is found.
        let reference = try #require((try paid.json()["payment"] as? [String: Any])?["provider_reference"] as? String)
        let settlement = cli.home.appendingPathComponent("settlement.csv")
        let reconcile = [ServerProcess.productsFolder.appendingPathComponent("smartvl-server").path, "reconcile",
                         "--settlement", settlement.path, "--data-dir", data.path]
        try "provider_reference,kind,amount,settled_at\n\(reference),payment,135000,2026-11-30T10:00:00Z\n".write(to: settlement, atomically: true, encoding: .utf8)
        #expect(try runProgram(reconcile).status == 0)
        try "provider_reference,kind,amount,settled_at\n\(reference),payment,130000,2026-11-30T10:00:00Z\n".write(to: settlement, atomically: true, encoding: .utf8)
        let mismatch = try runProgram(reconcile)
        #expect(mismatch.status == 2)
        #expect(mismatch.output.contains("amount_mismatch\t\(reference)"))
        // Paying again is refused, and changes nothing.
        #expect(try cli.run(["pay", invoiceID, "--method", "sandbox"]).status == 65)

        #expect(try cli.run(["sync"], profile: "official").status == 0)
        try staff(["result-ready"])
        try staff(["complete"])
        #expect(try cli.run(["sync"]).status == 0)
        #expect(try cli.run(["request", "show", code, "--json"]).json()["status"] as? String == "completed")

        // The receipt is on the citizen's second device after its first sync.
        try cli.signInCitizen(phone: "0909123456", profile: "tablet", dataFolder: data)
        let receipts = try cli.run(["receipt", "list", "--json"], profile: "tablet").json()["receipts"] as? [[String: Any]]
        #expect(receipts?.count == 1)
        #expect(receipts?.first?["number"] as? String == receipt["number"] as? String)
        let shown = try cli.run(["receipt", "show", try #require(receipt["number"] as? String)], profile: "tablet")
        #expect(shown.stdout.contains("Một trăm ba mươi lăm nghìn đồng"))
    }

    /// A payment declined after the client stopped waiting: the next attempt gets a new key (the
    /// old attempt is over), and a later one succeeds; an official's invoice reaches the citizen by sync.
    @Test func aDeclinedPaymentIsRetriedWithANewKey() throws {
        let (server, cli, _) = try citizenAndOfficial(phone: "0908765432", official: "cb.hocphi")
        defer { server.stop() }
        let issued = try cli.run(["triage", "invoice", "issue", "--citizen", "0908765432", "--amount", "1.500.000",
                                  "--purpose", "school_fee", "--description", "Học phí học kỳ 1", "--json"], profile: "official")
        #expect(issued.status == 0, "\(issued.stderr)")
        let invoice = try #require(try issued.json()["id"] as? String)
        #expect(try cli.run(["sync"]).status == 0)
        let first = try cli.run(["pay", invoice, "--method", "sandbox", "--outcome", "fail", "--wait", "0", "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let firstPayment = try #require((try first.json()["payment"] as? [String: Any])?["id"] as? String)
        let second = try cli.run(["pay", invoice, "--method", "sandbox", "--outcome", "fail", "--json"])
        #expect(second.status == 65)
        let secondPayment = try #require((try second.json()["payment"] as? [String: Any])?["id"] as? String)
        #expect(secondPayment != firstPayment, "a new attempt, not the replay of the declined one")
        let paid = try cli.run(["pay", invoice, "--method", "sandbox", "--json"])
        #expect(paid.status == 0, "\(paid.stderr)")
        #expect((try paid.json()["receipt"] as? [String: Any])?["amount"] as? Int == 1_500_000)
    }

    /// Bad input gets its documented exit code, one line on standard error, and changes nothing.
    @Test func badInputGetsItsExitCodeAndChangesNothing() throws {
        let server = try ServerProcess(arguments: ["--port", "0"])
        let data = server.folder.appendingPathComponent("smartvl-data")
        let cli = try CLI(server: "http://127.0.0.1:\(try server.waitUntilListening())")
        // Not signed in.
        let anonymous = try cli.run(["feedback", "list"])
        #expect(anonymous.status == 77)
        #expect(anonymous.stderr.hasPrefix("smartvl: Chưa đăng nhập"))
        try cli.signInCitizen(phone: "0987654321", profile: "citizen", dataFolder: data)
        let before = try cli.run(["status", "--json"]).json()
        let cases: [(arguments: [String], status: Int32, code: String?)] = [
            (["feedback", "new", "--category", "khong-co", "--title", "Tiêu đề hợp lệ", "--description", "Nội dung đủ dài để hợp lệ."], 64, "category.unknown"),
            (["feedback", "new", "--category", "giao-thong", "--title", "Ngắn", "--description", "Nội dung đủ dài để hợp lệ."], 64, "text.too_short"),
            (["feedback", "new", "--category", "giao-thong", "--title", "Tọa độ ngoài tỉnh", "--description", "Nội dung đủ dài để hợp lệ.",
              "--lat", "21.0", "--lon", "105.8"], 64, nil),
            (["feedback", "new", "--category", "giao-thong", "--title", "Ảnh là PDF", "--description", "Nội dung đủ dài để hợp lệ.",
              "--commune", "28756", "--photo", "DOC"], 64, "attachment.not_an_image"),
            (["feedback", "new", "--category", "giao-thong", "--title", "Ảnh không có", "--description", "Nội dung đủ dài để hợp lệ.",
              "--commune", "28756", "--photo", "/khong/co/tep.jpg"], 64, "file.unreadable"),
            (["feedback", "rate", "abcd", "--stars", "9"], 64, nil),
            (["feedback", "show", "ffffffff"], 66, "not_found"),
            (["request", "new", "--procedure", "1.002804", "--field", "full_name=Nguyễn Văn A"], 64, nil),
            (["triage", "queue"], 77, "auth.forbidden"),
            (["login", "--phone", "12345"], 64, nil),
        ]
        let document = cli.home.appendingPathComponent("giay-to.pdf")
        try pdfBytes.write(to: document)
        for (arguments, status, code) in cases {
            let result = try cli.run(arguments.map { $0 == "DOC" ? document.path : $0 } + ["--json"])
            #expect(result.status == status, "\(arguments): \(result.stderr)")
            if let code {
                let error = try JSONSerialization.jsonObject(with: Data(result.stderr.utf8)) as? [String: Any]
                #expect((error?["error"] as? [String: Any])?["code"] as? String == code, "\(arguments): \(result.stderr)")
            }
        }
        let after = try cli.run(["status", "--json"]).json()
        #expect((after["pending"] as? [Any])?.isEmpty == true)
        #expect(after["pending_files"] as? Int == before["pending_files"] as? Int)
        #expect((try cli.run(["feedback", "list", "--json"]).json()["feedback"] as? [Any])?.isEmpty == true)
        // English on request.
        let english = try cli.run(["feedback", "show", "ffffffff", "--lang", "en"])
        #expect(english.stderr.contains("was not found"))
    }
}
