import Foundation

/// The client side of the sync protocol as a pure state machine: events in, actions out.
///
/// The engine decides what to send and what to keep; the driver (the CLI, an app) performs the
/// actions (HTTP calls, applying a page to the local store in one transaction, persisting the
/// engine's `state` with it) and reports back. It never reads a clock or the network.
public struct SyncEngine: Sendable, Equatable {
    /// What the client keeps between runs (persist it with the records, in one transaction).
    public struct State: Sendable, Equatable, Codable {
        /// This device.
        public var deviceId: UUID
        /// The sequence number of the next write.
        public var nextSeq: Int64
        /// Writes not yet acknowledged, in order.
        public var outbox: [Mutation]
        /// The cursor of the last page applied.
        public var cursor: String?
        /// The last sequence number the server reported as applied.
        public var lastAppliedSeq: Int64
        /// Writes the server refused, with their reasons, by mutation id.
        public var rejected: [UUID: MutationResult]

        /// A new device's state.
        public init(deviceId: UUID) {
            self.deviceId = deviceId
            nextSeq = 1
            outbox = []
            cursor = nil
            lastAppliedSeq = 0
            rejected = [:]
        }

        enum CodingKeys: String, CodingKey { case deviceId = "device_id", nextSeq = "next_seq", outbox, cursor, lastAppliedSeq = "last_applied_seq", rejected }
    }

    /// What the driver must do next.
    public enum Action: Sendable, Equatable {
        /// Send this push.
        case push(PushRequest)
        /// Send this pull.
        case pull(PullRequest)
        /// Apply this page to the local store (atomically, with `state`), then report `.applied`.
        case apply(PullResponse)
        /// Delete every local record (keep the outbox), then report `.applied` of nothing: the
        /// server asked for a reset.
        case reset
        /// Nothing more to do; on a complete pull, the server's digest of the user's view.
        case idle(digest: String?)
    }

    /// Why a request failed.
    public enum Failure: Sendable, Equatable {
        /// No verdict: the request may or may not have been applied (timeout, lost reply, 5xx).
        case transient
        /// The server expects this sequence number next (`sync.sequence_gap`).
        case gap(expected: Int64)
        /// The cursor is unusable (`sync.reset_required`).
        case resetRequired
    }

    /// What happened.
    public enum Event: Sendable, Equatable {
        /// Start a sync.
        case sync
        /// A push was answered.
        case pushed(PushResponse)
        /// A pull was answered.
        case pulled(PullResponse)
        /// The driver applied the last page (or performed the reset).
        case applied
        /// The last request failed.
        case failed(Failure)
    }

    /// The persistent state.
    public private(set) var state: State
    /// Writes per push.
    public let batchSize: Int
    /// Changes per pull page.
    public let pageSize: Int
    /// The protocol version spoken.
    public let protocolVersion: Int
    /// Whether this sync's last page should carry the digest (it reads the user's whole view).
    public var wantDigest = true
    private var pending: Action?
    private var lastPage: PullResponse?
    /// Set when the server stopped a push short (a write waits for an attachment upload): the
    /// rest of this sync only pulls; the next `.sync` tries the outbox again.
    private var blocked = false

    /// Creates an engine around persisted state.
    public init(state: State, batchSize: Int = 100, pageSize: Int = 500, protocolVersion: Int = SyncProtocol.currentVersion) {
        self.state = state
        self.batchSize = batchSize
        self.pageSize = pageSize
        self.protocolVersion = protocolVersion
    }

    /// Records a write locally: it gets the next sequence number and waits in the outbox.
    public mutating func record(_ command: MutationCommand, id: UUID, expectedStatus: String? = nil, madeAt: Date? = nil) -> Mutation {
        let mutation = Mutation(seq: state.nextSeq, id: id, command: command, expectedStatus: expectedStatus, madeAt: madeAt)
        state.nextSeq += 1
        state.outbox.append(mutation)
        return mutation
    }

    /// Whether a write is still waiting for the server.
    public func isPending(_ id: UUID) -> Bool { state.outbox.contains { $0.id == id } }

    /// Handles an event and returns the next action.
    public mutating func handle(_ event: Event) -> Action {
        let action: Action
        switch event {
        case .sync:
            blocked = false
            action = nextRequest()
        case .pushed(let response):
            if case .push(let sent)? = pending, response.results.count < sent.mutations.count { blocked = true }
            state.outbox.removeAll { $0.seq <= response.lastAppliedSeq }
            state.lastAppliedSeq = max(state.lastAppliedSeq, response.lastAppliedSeq)
            for result in response.results where result.status == .rejected { state.rejected[result.id] = result }
            action = nextRequest()
        case .pulled(let page):
            state.lastAppliedSeq = max(state.lastAppliedSeq, page.lastAppliedSeq)
            lastPage = page
            action = .apply(page)
        case .applied:
            if let page = lastPage {
                state.cursor = page.cursor
                lastPage = nil
                action = page.hasMore ? pull() : (state.outbox.isEmpty || blocked ? .idle(digest: page.digest) : nextRequest())
            } else {
                action = nextRequest()
            }
        case .failed(.transient):
            // Retry the very same request: pushes are idempotent and pulls read-only.
            action = pending ?? nextRequest()
        case .failed(.gap(let expected)):
            // The server never applied these; number them from where it stands.
            for index in state.outbox.indices { state.outbox[index].seq = expected + Int64(index) }
            state.nextSeq = expected + Int64(state.outbox.count)
            action = nextRequest()
        case .failed(.resetRequired):
            state.cursor = nil
            lastPage = nil
            action = .reset
        }
        pending = action
        return action
    }

    private func nextRequest() -> Action {
        if !state.outbox.isEmpty, !blocked {
            return .push(PushRequest(
                protocolVersion: protocolVersion, deviceId: state.deviceId, mutations: Array(state.outbox.prefix(batchSize))))
        }
        return pull()
    }

    /// The pull that follows `page` once it is applied, or nil when `page` is the last one.
    ///
    /// A driver may send it while it applies the page (pipelining: the server reads the next page
    /// while the client stores this one). Use its answer only when the engine then asks for this
    /// very request (`.pull(request)` equal to it) and report it as usual with `.pulled`: the
    /// cursor is still stored only with its page, so a crash in between pulls again from there.
    public func lookahead(after page: PullResponse) -> PullRequest? {
        lookahead(cursor: page.cursor, hasMore: page.hasMore)
    }

    /// The same from a page's cursor and `has_more` alone (`PullResponse.continuation(wireJSON:)`),
    /// so the next page can be asked for before this one is even read.
    public func lookahead(cursor: String, hasMore: Bool) -> PullRequest? {
        hasMore ? pullRequest(cursor: cursor) : nil
    }

    private func pull() -> Action { .pull(pullRequest(cursor: state.cursor)) }

    private func pullRequest(cursor: String?) -> PullRequest {
        PullRequest(protocolVersion: protocolVersion, deviceId: state.deviceId, cursor: cursor, limit: pageSize, wantDigest: wantDigest ? nil : false)
    }
}
