import Foundation
import NIOCore
import NIOHTTP1

/// The peer: Kinto (Mozilla's JSON store with an offline sync protocol) on PostgreSQL, both
/// started fresh in a temporary folder and stopped with the run.
///
/// Kinto comes from PyPI into a virtual environment (Benchmarks/run.sh makes it); PostgreSQL from
/// the machine. As root, PostgreSQL runs as the `postgres` user, since it refuses to run as root.
final class KintoPeer: @unchecked Sendable {
    /// Where the peer's programs are.
    struct Tools {
        var kinto: URL
        var python: URL
        var postgres: URL  // the folder with initdb, pg_ctl and postgres

        /// `KINTO_VENV` (default `.build-release/kinto-venv`) and PostgreSQL from `PG_BIN`, the PATH
        /// or `/usr/lib/postgresql/*/bin`; nil when either is missing.
        static func find() -> Tools? {
            let manager = FileManager.default
            let venv = URL(fileURLWithPath: ProcessInfo.processInfo.environment["KINTO_VENV"] ?? ".build-release/kinto-venv")
            let kinto = venv.appendingPathComponent("bin/kinto")
            guard manager.isExecutableFile(atPath: kinto.path) else { return nil }
            var candidates: [String] = []
            if let bin = ProcessInfo.processInfo.environment["PG_BIN"] { candidates.append(bin) }
            candidates += (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            let versions = (try? manager.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
            candidates += versions.sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin" }
            guard let folder = candidates.first(where: { manager.isExecutableFile(atPath: $0 + "/pg_ctl") && manager.isExecutableFile(atPath: $0 + "/initdb") })
            else { return nil }
            return Tools(kinto: kinto, python: venv.appendingPathComponent("bin/python"), postgres: URL(fileURLWithPath: folder))
        }
    }

    static let bucket = "smartvl"
    static let collection = "feedback"
    static var records: String { "/v1/buckets/\(bucket)/collections/\(collection)/records" }

    let tools: Tools
    let folder: URL
    private(set) var databasePort = 0
    private(set) var port = 0
    private var process = Process()
    private let asRoot = getuid() == 0

    init(tools: Tools) throws {
        self.tools = tools
        folder = try temporaryFolder("kinto")
    }

    var base: String { "http://127.0.0.1:\(port)" }
    private var database: URL { folder.appendingPathComponent("pg") }
    private var ini: URL { folder.appendingPathComponent("kinto.ini") }

    /// PostgreSQL's programs run as `postgres` when we are root, through Python's `subprocess`
    /// because it closes inherited descriptors: Foundation's `Process` notices a child's exit
    /// through a socket the daemon `pg_ctl start` leaves behind would otherwise keep open.
    private func postgres(_ program: String, _ arguments: [String]) throws {
        let binary = tools.postgres.appendingPathComponent(program).path
        let command = (asRoot ? ["/usr/sbin/runuser", "-u", "postgres", "--", binary] : [binary]) + arguments
        try runCommand(tools.python, ["-c", "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL))"] + command, capture: false)
    }

    /// A fresh cluster, Kinto's schema, Kinto listening, and the bucket and collection every
    /// authenticated user may create records in and read.
    func start() throws {
        if asRoot { try runCommand(URL(fileURLWithPath: "/bin/chown"), ["postgres", folder.path]) }
        try postgres("initdb", ["-D", database.path, "-A", "trust", "-U", "postgres", "--no-sync"])
        databasePort = try freePort()
        try postgres("pg_ctl", ["-D", database.path, "-l", folder.appendingPathComponent("pg.log").path, "-w", "start",
                                "-o", "-p \(databasePort) -k \(folder.path) -c listen_addresses=127.0.0.1"])
        let url = "postgresql://postgres@127.0.0.1:\(databasePort)/postgres"
        let secret = UUID().uuidString
        try """
            [server:main]
            use = egg:waitress#main
            host = 127.0.0.1
            port = %(http_port)s

            [app:main]
            use = egg:kinto
            kinto.storage_backend = kinto.core.storage.postgresql
            kinto.storage_url = \(url)
            kinto.cache_backend = kinto.core.cache.memory
            kinto.permission_backend = kinto.core.permission.postgresql
            kinto.permission_url = \(url)
            kinto.userid_hmac_secret = \(secret)
            multiauth.policies = basicauth
            kinto.bucket_create_principals = system.Authenticated
            kinto.batch_max_requests = 1000
            kinto.paginate_by = 1000

            [loggers]
            keys = root
            [handlers]
            keys = console
            [formatters]
            keys = plain
            [logger_root]
            level = WARNING
            handlers = console
            [handler_console]
            class = StreamHandler
            args = (sys.stderr,)
            level = NOTSET
            formatter = plain
            [formatter_plain]
            format = %(message)s
            """.write(to: ini, atomically: true, encoding: .utf8)
        try runCommand(tools.kinto, ["migrate", "--ini", ini.path])
        try startKinto()
    }

    /// Starts Kinto on a free port and waits until it accepts connections.
    func startKinto() throws {
        port = try freePort()
        process = Process()
        process.executableURL = tools.kinto
        process.arguments = ["start", "--ini", ini.path, "--port", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while !accepts(port) {
            guard process.isRunning, Date() < deadline else { throw BenchError("kinto did not start") }
            usleep(50_000)
        }
    }

    /// The bucket and collection, readable and writable by every authenticated user (as public
    /// feedback is for every citizen).
    func createCollection(_ api: API, token: String) async throws {
        let bucket = Data(#"{"permissions":{"read":["system.Authenticated"],"collection:create":["system.Authenticated"]}}"#.utf8)
        let collection = Data(#"{"permissions":{"record:create":["system.Authenticated"]}}"#.utf8)
        for (path, body) in [("/v1/buckets/\(Self.bucket)", bucket), ("/v1/buckets/\(Self.bucket)/collections/\(Self.collection)", collection)] {
            let (status, answer) = try await api.send(.PUT, path, token: token, body: body)
            guard (200..<300).contains(status) else { throw BenchError("kinto \(path) answered \(status): \(String(buffer: answer).prefix(200))") }
        }
    }

    /// Stores `count` records straight into PostgreSQL (creating them over HTTP would take most of
    /// an hour), so the pull has as many records to read as ours.
    func seed(_ count: Int) throws {
        let script = """
            import psycopg2, sys
            connection = psycopg2.connect(host="127.0.0.1", port=int(sys.argv[1]), user="postgres", dbname="postgres")
            cursor = connection.cursor()
            cursor.execute(\"\"\"
                INSERT INTO objects (id, parent_id, resource_name, last_modified, data, deleted)
                SELECT gen_random_uuid()::text, '/buckets/\(Self.bucket)/collections/\(Self.collection)', 'record', now() + n * interval '1 millisecond',
                       jsonb_build_object('title', 'Ổ gà tải thử số ' || n, 'description', 'Phản ánh tạo bởi smartvl-bench để đo hiệu năng.',
                                          'category', 'giao-thong', 'commune', '28756'), false
                FROM generate_series(1, %s) AS n\"\"\", (int(sys.argv[2]),))
            connection.commit()
            """
        try runCommand(tools.python, ["-c", script, String(databasePort), String(count)])
    }

    /// The Kinto process's peak resident memory (VmHWM), in bytes.
    var peakRSS: Int64 { ServerUnderTest.peakRSS(of: process.processIdentifier) }

    /// SIGKILL the Kinto process (PostgreSQL keeps running, as it would on a real host).
    func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Stops Kinto (SIGINT, which it handles; it ignores SIGTERM) and PostgreSQL, and removes the folder.
    func stop() {
        if process.isRunning {
            process.interrupt()
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning, Date() < deadline { usleep(20_000) }
            kill()
        }
        if databasePort != 0 { try? postgres("pg_ctl", ["-D", database.path, "-m", "fast", "-w", "stop"]) }
        databasePort = 0
        try? FileManager.default.removeItem(at: folder)
    }
}

/// The peer's record for the same feedback draft ours creates.
@Sendable func kintoRecord(_ n: Int) -> [String: Any] {
    let draft = loadDraft(n)
    return ["id": UUID.timeOrdered().uuidString.lowercased(), "title": draft.title, "description": draft.description, "category": draft.category, "commune": draft.commune ?? ""]
}

/// The body of a Kinto batch creating these records.
func kintoBatch(_ records: [[String: Any]]) throws -> Data {
    let path = "/buckets/\(KintoPeer.bucket)/collections/\(KintoPeer.collection)/records"
    return try JSONSerialization.data(withJSONObject: ["requests": records.map { ["method": "POST", "path": path, "body": ["data": $0]] }])
}

/// The status of each request of a Kinto batch answer.
func kintoBatchStatuses(_ status: Int, _ answer: ByteBuffer) throws -> [Int] {
    guard status == 200, let object = try JSONSerialization.jsonObject(with: Data(answer.readableBytesView)) as? [String: Any],
        let responses = object["responses"] as? [[String: Any]]
    else { throw BenchError("kinto answered a batch with \(status): \(String(buffer: answer).prefix(300))") }
    return responses.map { ($0["status"] as? NSNumber)?.intValue ?? 0 }
}

/// The path of the next page of a Kinto list (its `Next-Page` header is a whole URL).
func kintoNextPage(_ headers: HTTPHeaders) -> String? {
    guard let next = headers.first(name: "Next-Page"), let range = next.range(of: "/v1/") else { return nil }
    return String(next[range.lowerBound...])
}

/// HTTP Basic credentials, as Kinto's `basicauth` policy takes them (any name and password make a user).
func basicCredentials(_ user: String) -> String {
    "Basic " + Data("\(user):bench-password".utf8).base64EncodedString()
}

/// A TCP port nobody listens on now.
func freePort() throws -> Int {
    let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { throw BenchError("no socket") }
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
    }
    guard bound else { throw BenchError("no free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Whether something accepts TCP connections on the port.
func accepts(_ port: Int) -> Bool {
    let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { return false }
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    return withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}
