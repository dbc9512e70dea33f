import Foundation
import GRDB
import Testing
@testable import Server

@Suite struct GroupCommitTests {
    struct Refused: Error, Equatable { var index: Int }

    /// Concurrent writes share transactions; one that fails is rolled back alone with its error,
    /// the others are committed and answered only then.
    @Test func concurrentWritesShareCommitsAndFailAlone() async throws {
        let path = try StoreFixture.temporaryFolder().appendingPathComponent("group.sqlite").path
        let database = try AppDatabase.open(path: path)
        try await database.writer.write { db in try db.execute(sql: "CREATE TABLE t (n INTEGER PRIMARY KEY)") }
        let results = await withTaskGroup(of: (Int, Bool).self) { group in
            for index in 0..<200 {
                group.addTask {
                    do {
                        try await database.write { db in
                            try db.execute(sql: "INSERT INTO t (n) VALUES (?)", arguments: [index])
                            if index % 3 == 0 { throw Refused(index: index) }
                        }
                        return (index, true)
                    } catch {
                        return (index, false)
                    }
                }
            }
            return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 200)
        #expect(results.filter { !$0.value }.keys.sorted() == Array(stride(from: 0, to: 200, by: 3)))
        let stored = try await database.reader.read { db in try Int.fetchAll(db, sql: "SELECT n FROM t ORDER BY n") }
        #expect(stored == (0..<200).filter { $0 % 3 != 0 })
        #expect(database.groupCommit.transactionsCommitted < 200)
        #expect(database.groupCommit.transactionsCommitted >= 1)
        // Those writes failed after inserting: their batches ran again with a savepoint per write.
        #expect(database.groupCommit.batchesIsolated >= 1)
    }

    /// A write refused before it changed anything fails alone without a savepoint: the batch runs once.
    @Test func refusalsBeforeAnyChangeNeedNoSavepoints() async throws {
        let path = try StoreFixture.temporaryFolder().appendingPathComponent("group.sqlite").path
        let database = try AppDatabase.open(path: path)
        try await database.writer.write { db in try db.execute(sql: "CREATE TABLE t (n INTEGER PRIMARY KEY)") }
        let failed = await withTaskGroup(of: Int?.self) { group in
            for index in 0..<200 {
                group.addTask {
                    do {
                        try await database.write { db in
                            if index % 3 == 0 { throw Refused(index: index) }
                            try db.execute(sql: "INSERT INTO t (n) VALUES (?)", arguments: [index])
                        }
                        return nil
                    } catch {
                        return (error as? Refused)?.index
                    }
                }
            }
            return await group.reduce(into: [Int]()) { if let index = $1 { $0.append(index) } }
        }
        #expect(failed.sorted() == Array(stride(from: 0, to: 200, by: 3)))
        let stored = try await database.reader.read { db in try Int.fetchAll(db, sql: "SELECT n FROM t ORDER BY n") }
        #expect(stored == (0..<200).filter { $0 % 3 != 0 })
        #expect(database.groupCommit.batchesIsolated == 0)
    }
}
