import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// One keep-alive HTTP/1.1 connection that sends requests written out in full and reads back
/// the status and body, for the load loops (creation and the ceiling).
///
/// The load generator shares the machine's two cores with the server it measures, so what it
/// spends per request is taken from the server: AsyncHTTPClient (its pool, a task and a state
/// machine per request) cost the benchmark about half a core at saturation. This connection
/// writes a request made beforehand through NIO's HTTP/1 codec and nothing else, as wrk writes
/// prepared bytes; the same loops drive the ceiling, our server and the peer, so the three
/// figures stay comparable. Calls must not overlap: one request in flight per connection.
final class LoadConnection: @unchecked Sendable {
    private let channel: any Channel
    private let collector: ResponseCollector

    private init(channel: any Channel, collector: ResponseCollector) {
        self.channel = channel
        self.collector = collector
    }

    /// Connects to `base` ("http://host:port").
    static func connect(to base: String) async throws -> LoadConnection {
        guard let url = URL(string: base), let host = url.host, let port = url.port else { throw BenchError("not a base URL: \(base)") }
        let collector = ResponseCollector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(collector)
                }
            }
            .connect(host: host, port: port).get()
        return LoadConnection(channel: channel, collector: collector)
    }

    var isOpen: Bool { channel.isActive }

    /// Sends one request and waits for its whole answer. Throws when the connection closes first;
    /// after a throw, close the connection and use another.
    func send(_ request: LoadRequest) async throws -> (status: Int, body: ByteBuffer) {
        let promise = channel.eventLoop.makePromise(of: (status: Int, body: ByteBuffer).self)
        let collector = collector, channel = channel
        channel.eventLoop.execute {
            collector.expect(promise)
            channel.write(HTTPClientRequestPart.head(request.head), promise: nil)
            if request.body.readableBytes > 0 { channel.write(HTTPClientRequestPart.body(.byteBuffer(request.body)), promise: nil) }
            channel.writeAndFlush(HTTPClientRequestPart.end(nil)).whenFailure { collector.fail($0) }
        }
        return try await promise.futureResult.get()
    }

    func close() async {
        try? await channel.close()
    }

    /// A request: the request line, the headers the server needs, the body.
    static func request(_ method: HTTPMethod, _ path: String, authorization: String?, body: some Collection<UInt8>) -> LoadRequest {
        var headers: HTTPHeaders = ["Host": "127.0.0.1"]
        if let authorization { headers.add(name: "Authorization", value: authorization) }
        if !body.isEmpty {
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(body.count))
        }
        return LoadRequest(head: HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers), body: ByteBuffer(bytes: body))
    }
}

/// One request for a `LoadConnection`.
struct LoadRequest: Sendable {
    var head: HTTPRequestHead
    var body: ByteBuffer
}

/// Collects one answer at a time and completes the request's promise with it; on the event loop.
private final class ResponseCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart

    private var pending: EventLoopPromise<(status: Int, body: ByteBuffer)>?
    private var status = 0
    private var body = ByteBuffer()

    func expect(_ promise: EventLoopPromise<(status: Int, body: ByteBuffer)>) {
        precondition(pending == nil, "one request at a time on a LoadConnection")
        pending = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            body.clear()
        case .body(var part):
            body.writeBuffer(&part)
        case .end:
            let answer = (status: status, body: body)
            body = ByteBuffer()
            let promise = pending
            pending = nil
            promise?.succeed(answer)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(BenchError("the server closed the connection"))
        context.fireChannelInactive()
    }

    /// Fails the request in flight, if any (the write failed, or the connection did).
    func fail(_ error: any Error) {
        let promise = pending
        pending = nil
        promise?.fail(error)
    }
}
