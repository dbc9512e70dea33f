import Foundation
import Hummingbird

/// The ceiling: Hummingbird answering a fixed JSON body, built like the server, for the benchmark's
/// "ours / bare framework" ratio. Prints the same listening line as the server.
let port = Int(CommandLine.arguments.dropFirst().first ?? "0") ?? 0
let router = Router()
router.get("/hello") { _, _ in
    Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"hello":"world"}"#)))
}
router.post("/hello") { request, _ in
    _ = try await request.body.collect(upTo: 64 * 1024)
    return Response(status: .created, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"hello":"world"}"#)))
}
let app = Application(
    router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
    onServerRunning: { channel in
        FileHandle.standardOutput.write(Data("bench-hello listening on http://127.0.0.1:\(channel.localAddress?.port ?? port)\n".utf8))
    })
try await app.runService()
