import Domain
import Foundation

/// Runs the Domain `SyncEngine` against the server and the local store: uploads the files queued
/// writes refer to, pushes, pulls pages and applies each with its cursor in one transaction, and
/// checks the server's digest against the store's at the end.
struct SyncDriver {
    /// What one sync did.
    struct Outcome: Sendable {
        var uploaded = 0
        var pushed = 0
        var rejected: [MutationResult] = []
        var pulled = 0
        /// Whether the local digest equals the server's (nil when the server sent none).
        var converged: Bool?
        /// Writes still waiting (the push stopped short, or the server could not be reached).
        var pending = 0
    }

    /// Why a sync stopped.
    enum Failure: Error {
        /// No connection: everything recorded stays pending.
        case unreachable(Outcome)
        /// The server refused something this driver cannot fix.
        case problem(Problem)
    }

    let api: APIClient
    let store: ClientStore
    /// Called with the number of changes applied so far (for a progress line).
    var progress: (Int) -> Void = { _ in }
    /// Requests per sync at most (a guard against a server that never says "idle").
    var maximumSteps = 100_000
    /// Whether to ask for the convergence digest (it costs the server a read of the whole view).
    var verify = true
    /// Changes per pull page (1–1000).
    var pageSize = 500

    /// Syncs once, to idle.
    func run() async throws(Failure) -> Outcome {
        var outcome = Outcome()
        guard let saved = try local({ try store.syncState() }) else {
            throw .problem(Problem(status: 0, code: "sync.no_device", detail: "not signed in on this profile"))
        }
        var engine = SyncEngine(state: saved, pageSize: pageSize)
        engine.wantDigest = verify
        do throws(APIClient.Failure) {
            outcome.uploaded = try await uploadFiles()
        } catch {
            switch error {
            case .unreachable:
                outcome.pending = engine.state.outbox.count
                throw .unreachable(outcome)
            case .problem(let problem): throw .problem(problem)
            }
        }
        // At most one request is in flight: the next page's, while the current one is read.
        var lookahead = Lookahead()
        // At most one page is being stored: the one before the page being read.
        var storing = Storing()
        do throws(Failure) {
            return try await steps(engine: &engine, outcome: &outcome, lookahead: &lookahead, storing: &storing)
        } catch {
            // Nothing is left running behind an error: the pull sent ahead is cancelled, and the
            // page being stored ends first (it commits with its cursor or not at all).
            await lookahead.drop()
            try? await storing.finish()
            throw error
        }
    }

    /// Performs the engine's actions until it is idle.
    private func steps(
        engine: inout SyncEngine, outcome: inout Outcome, lookahead: inout Lookahead, storing: inout Storing
    ) async throws(Failure) -> Outcome {
        var action = engine.handle(.sync)
        var transientFailures = 0
        for _ in 0..<maximumSteps {
            // Everything but reading the next page waits until the pages read are stored.
            switch action {
            case .pull, .apply: break
            default: try await storing.finish()
            }
            switch action {
            case .push(let request):
                let response: PushResponse
                do throws(APIClient.Failure) {
                    response = try await api.call(Endpoints.syncPush, request, deviceId: request.deviceId)
                } catch {
                    action = try failed(error, engine: &engine, outcome: &outcome, transientFailures: &transientFailures)
                    continue
                }
                action = engine.handle(.pushed(response))
                outcome.pushed += response.results.filter { $0.status == .applied }.count
                outcome.rejected += response.results.filter { $0.status == .rejected }
                try local { try store.save(engine.state) }
                transientFailures = 0
            case .pull(let request):
                let answer: Result<Data, APIClient.Failure>
                if let ahead = lookahead.take(request) {
                    answer = await ahead.value
                } else {
                    await lookahead.drop()
                    answer = await Self.pull(request, from: api)
                }
                switch answer {
                case .success(let data):
                    // Ask for the next page as soon as this one says where it ends: the server
                    // reads it while this one is read and stored.
                    let bytes = Array(data)
                    if let (cursor, hasMore) = try? PullResponse.continuation(wireJSON: bytes),
                        let next = engine.lookahead(cursor: cursor, hasMore: hasMore)
                    {
                        lookahead.start(next, Task { [api] in await Self.pull(next, from: api) })
                    }
                    let page: PullResponse
                    do throws(APIClient.Failure) {
                        page = try APIClient.read(PullResponse.self, from: bytes)
                    } catch {
                        await lookahead.drop()
                        try await storing.finish()
                        action = try failed(error, engine: &engine, outcome: &outcome, transientFailures: &transientFailures)
                        continue
                    }
                    action = engine.handle(.pulled(page))
                    transientFailures = 0
                case .failure(let error):
                    try await storing.finish()
                    action = try failed(error, engine: &engine, outcome: &outcome, transientFailures: &transientFailures)
                }
            case .apply(let page):
                // The state after `.applied` carries the page's cursor: store both in one
                // transaction, in the background while the next page is read, after the page before.
                var next = engine
                let following = next.handle(.applied)
                try await storing.finish()
                let state = next.state
                storing.start { [store] in try store.apply(page, state: state) }
                engine = next
                action = following
                outcome.pulled += page.changes.count
                progress(outcome.pulled)
            case .reset:
                try local { try store.reset(state: engine.state) }
                action = engine.handle(.applied)
            case .idle(let digest):
                await lookahead.drop()
                if let digest { outcome.converged = try local { try store.digest() } == digest }
                try local { try store.save(engine.state); try store.pruneFiles(); try store.checkpoint() }
                outcome.pending = engine.state.outbox.count
                return outcome
            }
        }
        throw .problem(Problem(status: 0, code: "sync.runaway", detail: "the sync did not finish in \(maximumSteps) requests"))
    }

    /// Pulls one page, as it came (so a pull sent ahead can be kept for later).
    private static func pull(_ request: PullRequest, from api: APIClient) async -> Result<Data, APIClient.Failure> {
        do throws(APIClient.Failure) {
            return .success(try await api.answer(Endpoints.syncPull, request, deviceId: request.deviceId))
        } catch {
            return .failure(error)
        }
    }

    /// The pull sent ahead while a page is read and stored (`SyncEngine.lookahead(cursor:hasMore:)`).
    private struct Lookahead {
        private var pending: (request: PullRequest, task: Task<Result<Data, APIClient.Failure>, Never>)?

        mutating func start(_ request: PullRequest, _ task: Task<Result<Data, APIClient.Failure>, Never>) {
            pending = (request, task)
        }

        /// The answer to `request` if it is the one sent ahead.
        mutating func take(_ request: PullRequest) -> Task<Result<Data, APIClient.Failure>, Never>? {
            guard let pending, pending.request == request else { return nil }
            self.pending = nil
            return pending.task
        }

        /// Cancels the pull sent ahead and waits for it to end, so the client never has two
        /// requests in flight (its tokens and last headers are shared).
        mutating func drop() async {
            guard let pending else { return }
            self.pending = nil
            pending.task.cancel()
            _ = await pending.task.value
        }
    }

    /// The page stored in the background while the next one is read; a page and its cursor
    /// commit together or not at all, and the next page is never started before it.
    private struct Storing {
        private var task: Task<Void, any Error>?

        mutating func start(_ body: @escaping @Sendable () throws -> Void) {
            task = Task.detached { try body() }
        }

        /// Waits for the page being stored; its failure is the sync's.
        mutating func finish() async throws(Failure) {
            guard let task else { return }
            self.task = nil
            do { try await task.value } catch { throw .problem(APIClient.localProblem("store", "\(error)")) }
        }
    }

    /// Uploads every file a queued write refers to that the server does not hold yet.
    private func uploadFiles() async throws(APIClient.Failure) -> Int {
        let files: [LocalFile]
        do { files = try store.filesToUpload() } catch { throw .problem(APIClient.localProblem("store", "\(error)")) }
        for file in files {
            try await api.upload(sha256: file.sha256, mediaType: file.mediaType, bytes: file.bytes)
            do { try store.markUploaded(file.sha256) } catch { throw .problem(APIClient.localProblem("store", "\(error)")) }
        }
        return files.count
    }

    /// Turns a failed request into the engine's event, or stops the sync.
    private func failed(
        _ error: APIClient.Failure, engine: inout SyncEngine, outcome: inout Outcome, transientFailures: inout Int
    ) throws(Failure) -> SyncEngine.Action {
        switch error {
        case .unreachable:
            try local { try store.save(engine.state) }
            outcome.pending = engine.state.outbox.count
            throw .unreachable(outcome)
        case .problem(let problem) where problem.code == "sync.sequence_gap":
            guard let expected = api.lastHeaders["sync-expected-seq"].flatMap(Int64.init) else { throw .problem(problem) }
            let action = engine.handle(.failed(.gap(expected: expected)))
            try local { try store.save(engine.state) }
            return action
        case .problem(let problem) where problem.code == "sync.reset_required":
            return engine.handle(.failed(.resetRequired))
        case .problem(let problem) where problem.status >= 500 || problem.status == 429:
            transientFailures += 1
            guard transientFailures <= 3 else { throw .problem(problem) }
            return engine.handle(.failed(.transient))
        case .problem(let problem):
            throw .problem(problem)
        }
    }

    private func local<T>(_ body: () throws -> T) throws(Failure) -> T {
        do { return try body() } catch { throw .problem(APIClient.localProblem("store", "\(error)")) }
    }
}
