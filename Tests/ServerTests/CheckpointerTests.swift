import Foundation
import GRDB
import Testing
@testable import Server

/// An instant that moves only when told (the checkpointer's interval, without waiting).
final class ManualInstant: @unchecked Sendable {
    private let lock = NSLock()
    private var instant = ContinuousClock.now
    var now: ContinuousClock.Instant { lock.withLock { instant } }
    func advance(_ duration: Duration) { lock.withLock { instant += duration } }
}

@Suite struct CheckpointerTests {
    /// 30 commits of about 400 KB each: with the checkpointer, each commit's pages are copied
    /// back before the next, so SQLite starts the log over and it stays one commit long; the
    /// writer's own checkpoint (a backstop at 64 MiB) never runs and would have let it grow to 12 MB.
    @Test func commitsLeaveTheirCheckpointToAConnectionOfItsOwn() async throws {
        let path = StoreFixture.temporaryFolder().appendingPathComponent("db.sqlite").path
        let database = try AppDatabase.open(path: path, checkpointInterval: .zero)
        let checkpointer = try #require(database.checkpointer)
        let backstop = try await database.writer.write { db in
            try db.execute(sql: "CREATE TABLE scratch (b BLOB NOT NULL)")
            return try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint")
        }
        #expect(backstop == Checkpointer.backstopPages)
        let before = checkpointer.checkpoints
        for _ in 0..<30 {
            try await database.write { db in
                for _ in 0..<25 { try db.execute(sql: "INSERT INTO scratch (b) VALUES (randomblob(16000))") }
            }
            checkpointer.settle()
        }
        #expect(checkpointer.checkpoints > before)
        let log = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
        #expect(log < 2_000_000, "the log grew to \(log) bytes")
        let rows = try await database.reader.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM scratch") }
        #expect(rows == 750)
    }

    /// One checkpoint at a time, and at most one per interval: commits in between leave their
    /// pages for the next.
    @Test func checkpointsStartAtMostOncePerInterval() throws {
        let path = StoreFixture.temporaryFolder().appendingPathComponent("db.sqlite").path
        _ = try AppDatabase.open(path: path)
        let clock = ManualInstant()
        let checkpointer = try Checkpointer(path: path, interval: .seconds(1), now: { clock.now })
        checkpointer.committed()
        checkpointer.settle()
        #expect(checkpointer.checkpoints == 1)
        for _ in 0..<5 { checkpointer.committed() }
        checkpointer.settle()
        #expect(checkpointer.checkpoints == 1)
        clock.advance(.milliseconds(999))
        checkpointer.committed()
        checkpointer.settle()
        #expect(checkpointer.checkpoints == 1)
        clock.advance(.milliseconds(1))
        checkpointer.committed()
        checkpointer.settle()
        #expect(checkpointer.checkpoints == 2)
    }
}
