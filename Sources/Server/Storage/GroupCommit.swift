import Foundation
import GRDB
import Metrics

/// Group commit: concurrent write transactions share one SQLite transaction, so one `fsync`
/// (`synchronous=FULL`) makes a whole batch durable instead of one write.
///
/// A write that throws is rolled back alone and gets its error; the others commit. Every caller is
/// answered only after the batch's commit returned, so nothing is acknowledged before it is
/// durable. There is no timer: while one batch commits, the next one gathers whatever arrives, so
/// a lone write is never delayed.
///
/// Savepoints only when needed: a savepoint makes SQLite copy every page a write changes into its
/// statement journal (about twenty pages per feedback item, each a system call). So a batch first
/// runs its writes back to back; a write that throws *before changing anything* (most refusals
/// are checked first) just gets its error. Only when a write throws after changing rows does the
/// batch roll back and run again with a savepoint per write, which rolls that write back alone.
final class GroupCommit: @unchecked Sendable {
    private struct Job: Sendable {
        /// Runs the write in the batch's transaction (in its own savepoint when isolated) and
        /// records its outcome; throws `PartialWrite` when, not isolated, it failed after changing rows.
        let run: @Sendable (Database, _ isolated: Bool) throws -> Void
        /// Answers the caller once the batch committed (nil) or failed to (the error).
        let finish: @Sendable ((any Error)?) -> Void
    }

    private let writer: any DatabaseWriter
    private let lock = NSLock()
    private var queue: [Job] = []
    private var draining = false
    private var committed = 0
    private var rerun = 0
    /// Transactions committed so far (each carrying one or more writes).
    var transactionsCommitted: Int { lock.withLock { committed } }
    /// Batches run again with a savepoint per write, because a write failed after changing rows.
    var batchesIsolated: Int { lock.withLock { rerun } }
    /// The most writes one transaction carries.
    let maximumBatch: Int
    /// How long each batch took, from taking it to its commit returning (`/metrics`): what every
    /// write of it waited for once it reached the writer, the log's `fdatasync` included. A slow
    /// disk shows here first.
    private let batchDuration = Metrics.Timer(label: "smartvl_group_commit_duration_seconds")
    /// How many writes each batch carried.
    private let batchWrites = Recorder(label: "smartvl_group_commit_writes")

    init(_ writer: any DatabaseWriter, maximumBatch: Int = 512) {
        self.writer = writer
        self.maximumBatch = maximumBatch
    }

    /// Runs `body` in a transaction shared with other concurrent writes; returns once it is durable.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await write(isolating: { db, _ in try body(db) })
    }

    /// The same for a body that makes several writes of its own (a push): it learns whether the
    /// batch runs isolated, and runs each of its writes through `Database.write(isolated:)` with
    /// that flag. Not isolated they run bare, and one failing after changing rows reruns the
    /// batch; isolated each runs in its own savepoint and a failure undoes that write alone.
    func write<T: Sendable>(isolating body: @escaping @Sendable (Database, _ isolated: Bool) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let outcome = Outcome<T>()
            let job = Job(
                run: { db, isolated in
                    do {
                        outcome.result = .success(try db.write(isolated: isolated) { try body(db, isolated) })
                    } catch let partial as PartialWrite {
                        throw partial
                    } catch {
                        outcome.result = .failure(error)
                    }
                },
                finish: { commitError in
                    if let commitError { continuation.resume(throwing: commitError) } else { continuation.resume(with: outcome.result!) }
                })
            let start = lock.withLock { () -> Bool in
                queue.append(job)
                if draining { return false }
                draining = true
                return true
            }
            if start { Task { await self.drain() } }
        }
    }

    private func drain() async {
        while true {
            let batch = lock.withLock { () -> [Job] in
                let taken = Array(queue.prefix(maximumBatch))
                queue.removeFirst(taken.count)
                if taken.isEmpty { draining = false }
                return taken
            }
            if batch.isEmpty { return }
            let started = ContinuousClock.now
            defer {
                batchDuration.record(duration: ContinuousClock.now - started)
                batchWrites.record(batch.count)
            }
            do {
                do {
                    try await writer.write { db in for job in batch { try job.run(db, false) } }
                } catch is PartialWrite {
                    lock.withLock { rerun += 1 }
                    try await writer.write { db in for job in batch { try job.run(db, true) } }
                }
                lock.withLock { committed += 1 }
                for job in batch { job.finish(nil) }
            } catch {
                for job in batch { job.finish(error) }
            }
        }
    }

    /// A write failed after changing rows: the batch must run again, isolated.
    struct PartialWrite: Error {}

    /// One write's result, set inside the transaction, read after the commit.
    private final class Outcome<T>: @unchecked Sendable {
        var result: Result<T, any Error>?
    }
}

extension Database {
    /// Runs one write of a batch. Isolated, in its own savepoint: a failure undoes it alone. Not
    /// isolated, bare: a failure before any row changed is just thrown (a failed statement undoes
    /// itself), a failure after rows changed throws `GroupCommit.PartialWrite`, and the caller
    /// must run the batch again isolated.
    func write<T>(isolated: Bool, _ body: () throws -> T) throws -> T {
        if isolated {
            var result: T?
            try inSavepoint {
                result = try body()
                return .commit
            }
            return result!
        }
        let changes = totalChangesCount
        do {
            return try body()
        } catch let error where totalChangesCount != changes && !(error is GroupCommit.PartialWrite) {
            throw GroupCommit.PartialWrite()
        }
    }
}
