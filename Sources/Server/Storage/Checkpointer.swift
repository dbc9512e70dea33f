import Foundation
import GRDB

/// Copies the write-ahead log back into the database file off the commit path.
///
/// SQLite's own checkpoint runs inside the commit that takes the log past 1,000 pages: that commit
/// (a batch of writes, or a push of 1,000) waits for the log's and then the database file's
/// `fsync`, 40–50 ms measured under load, and every request in the batch with it. Here the writer's
/// automatic checkpoint is only a backstop (`backstopPages`), and after commits a connection of
/// its own runs a passive checkpoint on its own queue: it never takes the write lock, so commits go
/// on while it copies, and SQLite starts the log over at the next write once all of it is copied.
/// At most one runs at a time, and at most one starts per `interval`; a commit in the interval
/// leaves its pages for the next one.
final class Checkpointer: @unchecked Sendable {
    /// The writer's automatic checkpoint, for when this one falls behind (64 MiB of 4 KiB pages).
    static let backstopPages = 16_384

    private let connection: DatabaseQueue
    private let queue = DispatchQueue(label: "smartvl.checkpoint")
    private let lock = NSLock()
    private let interval: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private var running = false
    private var started: ContinuousClock.Instant?
    private var completed = 0

    /// Checkpoints run so far.
    var checkpoints: Int { lock.withLock { completed } }

    /// A checkpointer of the database file at `path` (a connection of its own).
    init(path: String, interval: Duration = .milliseconds(200), now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) throws {
        var configuration = Configuration()
        configuration.label = "checkpoint"
        connection = try DatabaseQueue(path: path, configuration: configuration)
        self.interval = interval
        self.now = now
    }

    /// Called after each commit: starts a checkpoint unless one is running or one started within
    /// the interval.
    func committed() {
        let start = lock.withLock { () -> Bool in
            let time = now()
            guard !running, started.map({ time - $0 >= interval }) ?? true else { return false }
            running = true
            started = time
            return true
        }
        guard start else { return }
        queue.async {
            // Passive: copies what no reader still needs, waits for nobody. A failure (a busy
            // file, a full disk) leaves the pages in the log for the next checkpoint or the
            // writer's backstop; nothing acknowledged depends on it.
            _ = try? self.connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            self.lock.withLock {
                self.running = false
                self.completed += 1
            }
        }
    }

    /// Waits for a checkpoint that is running (for tests and shutdown).
    func settle() {
        queue.sync {}
    }
}
