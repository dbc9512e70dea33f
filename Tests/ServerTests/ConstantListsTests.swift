import Foundation
import GRDB
import Testing
@testable import Server

@Suite struct ConstantListsTests {
    @Test func listsOfThreeOrMoreConstantsBecomeComparisons() {
        #expect(ConstantLists.expanded("status TEXT NOT NULL CHECK (status IN ('a', 'b',\n    'c'))")
            == "status TEXT NOT NULL CHECK ((status = 'a' OR status = 'b' OR status = 'c'))")
        #expect(ConstantLists.expanded("CHECK (status in ('it''s', 'b', 'c') OR code IS NOT NULL)")
            == "CHECK ((status = 'it''s' OR status = 'b' OR status = 'c') OR code IS NOT NULL)")
        #expect(ConstantLists.expanded("CHECK (a > 0 AND level IN (1, -2, 3))") == "CHECK (a > 0 AND (level = 1 OR level = -2 OR level = 3))")
        #expect(ConstantLists.expanded("CHECK (NOT x IN ('a','b','c'))") == "CHECK (NOT (x = 'a' OR x = 'b' OR x = 'c'))")
        // Two lists in one definition, the second after a string holding parentheses.
        #expect(ConstantLists.expanded("a CHECK (a IN ('x', 'y', 'z')), b DEFAULT '(' CHECK (b IN (0, 1, 2))")
            == "a CHECK ((a = 'x' OR a = 'y' OR a = 'z')), b DEFAULT '(' CHECK ((b = 0 OR b = 1 OR b = 2))")
    }

    @Test func everyOtherInIsLeftAsItIs() {
        let unchanged = [
            "CHECK (active IN (0, 1))",  // two: SQLite compares them directly
            "CHECK (x NOT IN ('a', 'b', 'c'))",
            "CHECK (t.x IN ('a', 'b', 'c'))",
            "CHECK (x COLLATE NOCASE IN ('a', 'b', 'c'))",
            "CHECK (\"x\" IN ('a', 'b', 'c'))",
            "WHERE x IN (?, ?, ?)",
            "WHERE x IN (SELECT y FROM t)",
            "CHECK (lower(x) IN ('a', 'b', 'c'))",
            "DEFAULT 'CHECK (x IN (''a'', ''b'', ''c''))'",
            "CHECK (x IN ('a', 'b', 'c'",  // not closed
            "CHECK (x IN ('a', 'b', 1.5))",
        ]
        for sql in unchanged { #expect(ConstantLists.expanded(sql) == sql) }
    }

    @Test func theComparisonsAcceptAndRefuseWhatTheListDid() throws {
        let original = "CREATE TABLE t (v TEXT CHECK (v IN ('feedback', 'service_request', 'invoice')), n INTEGER CHECK (n IN (1, 2, 3)))"
        let database = try DatabaseQueue()
        try database.write { db in
            try db.execute(sql: original)
            try db.execute(sql: ConstantLists.expanded(original).replacingOccurrences(of: "TABLE t", with: "TABLE u"))
            #expect(try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'u'")!.contains("v = 'feedback' OR"))
        }
        let texts: [String?] = ["feedback", "service_request", "invoice", "Feedback", " invoice", "invoice ", "", "refund", nil]
        let numbers: [Int?] = [1, 2, 3, 0, 4, -1, nil]
        for text in texts {
            for number in numbers {
                let outcomes = try ["t", "u"].map { table in
                    try database.write { db -> Bool in
                        do {
                            try db.execute(sql: "INSERT INTO \(table) (v, n) VALUES (?, ?)", arguments: [text, number])
                            return true
                        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                            return false
                        }
                    }
                }
                #expect(outcomes[0] == outcomes[1], "\(text ?? "NULL"), \(number.map(String.init) ?? "NULL")")
            }
        }
    }

    /// The reason for the rewrite: no write of any table builds a temporary b-tree of a list.
    /// (Any temporary b-tree costs a fresh page cache per execution; see `ConstantLists`.)
    @Test func noInsertIntoTheMigratedSchemaBuildsATemporaryTree() throws {
        let database = try AppDatabase.inMemory()
        try database.reader.read { db in
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%'")
            #expect(tables.contains("feedback") && tables.contains("history") && tables.contains("change_log"))
            for table in tables {
                let columns = try db.columns(in: table).map(\.name)
                let insert = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
                let statement = try db.makeStatement(sql: "EXPLAIN " + insert)
                let opcodes = try String.fetchAll(statement, arguments: StatementArguments(columns.map { _ in DatabaseValue.null }), adapter: SuffixRowAdapter(fromIndex: 1))
                let buildsAList = opcodes.contains("OpenEphemeral")
                #expect(!buildsAList, "\(table): \(insert)")
            }
            // Nor do the counters filing and payments number things with.
            for counter in [CounterTable.dailySequences, .receiptNumbers] {
                for sql in [counter.increment, counter.read] {
                    let arguments = StatementArguments(Array(repeating: "x", count: sql.filter { $0 == "?" }.count))
                    let opcodes = try String.fetchAll(db, sql: "EXPLAIN " + sql, arguments: arguments, adapter: SuffixRowAdapter(fromIndex: 1))
                    let buildsATree = opcodes.contains("OpenEphemeral")
                    #expect(!buildsATree, "\(sql)")
                }
            }
        }
    }

    @Test func aDatabaseFromBeforeIsRewrittenWithItsRowsKept() throws {
        let path = StoreFixture.temporaryFolder().appendingPathComponent("old.sqlite").path
        do {
            let old = try DatabaseQueue(path: path)
            try AppDatabase.migrator.migrate(old, upTo: "v6-queue-order-indexes")
            try old.write { db in
                try db.execute(sql: """
                    INSERT INTO history (item_kind, item_id, at, actor_id, actor_role, action, to_status)
                    VALUES ('feedback', 'f1', 0, 'a1', 'citizen', 'submit', 'submitted');
                    INSERT INTO change_log (entity, entity_id, op, at) VALUES ('feedback', 'f1', 'put', 0);
                    """)
                #expect(try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'history'")!.contains("item_kind IN ("))
            }
        }
        let database = try AppDatabase.open(path: path)
        try database.writer.write { db in
            #expect(try AppDatabase.migrator.hasCompletedMigrations(db))
            #expect(try String.fetchAll(db, sql: "PRAGMA integrity_check") == ["ok"])
            #expect(try Row.fetchOne(db, sql: "SELECT item_id, actor_role FROM history") == ["item_id": "f1", "actor_role": "citizen"])
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM change_log") == 1)
            let history = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'history'")!
            #expect(!history.contains("item_kind IN (") && history.contains("(item_kind = 'feedback' OR item_kind = 'service_request'"))
            // The rewritten checks hold on this connection as on the one that migrated.
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "INSERT INTO change_log (entity, entity_id, op, at) VALUES ('feedbacks', 'f2', 'put', 0)")
            }
            try db.execute(sql: "INSERT INTO change_log (entity, entity_id, op, at) VALUES ('catalog', 'c1', 'put', 0)")
        }
    }
}
