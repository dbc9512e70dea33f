import Foundation
import GRDB
import GRDBSQLite

/// Where a stored record's columns are read from, by position: a `Row`, or a statement on the
/// row it has just stepped to (`Statement.eachRow`). Through a statement, text that becomes a
/// UUID is parsed from SQLite's bytes and nothing is copied into a `Row` first: a pull page reads
/// 1,000 feedback items, and the copies and strings were a third of reading them.
protocol StoredColumns {
    /// The text in column `index` (nil when NULL).
    func string(_ index: Int) -> String?
    func double(_ index: Int) -> Double?
    func int(_ index: Int) -> Int?
    /// The UUID whose text is in column `index` (nil when NULL or not a UUID).
    func uuid(_ index: Int) -> UUID?
}

extension Row: StoredColumns {
    func string(_ index: Int) -> String? { hasNull(atIndex: index) ? nil : self[index] as String }
    func double(_ index: Int) -> Double? { hasNull(atIndex: index) ? nil : self[index] as Double }
    func int(_ index: Int) -> Int? { hasNull(atIndex: index) ? nil : self[index] as Int }
    func uuid(_ index: Int) -> UUID? { string(index).flatMap(UUID.init(text:)) }
}

extension Statement: StoredColumns {
    /// Runs the statement and gives `body` each row, read through the statement itself: no
    /// `Row` value and no string for what is not kept as one, for pages and for scans of a
    /// whole table (the sync digest reads every id a user can see).
    func eachRow(_ arguments: StatementArguments, _ body: (Statement) throws -> Void) throws {
        let rows = try Row.fetchCursor(self, arguments: arguments)
        while try rows.next() != nil { try body(self) }
    }

    /// The text in column `index` of the current row as UTF-8 bytes, valid until the statement
    /// moves on (empty for NULL).
    func text(at index: Int) -> UnsafeBufferPointer<UInt8> {
        guard let text = sqlite3_column_text(sqliteStatement, Int32(index)) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(sqliteStatement, Int32(index))))
    }

    /// The integer in column `index` of the current row (0 for NULL).
    func int64(at index: Int) -> Int64 { sqlite3_column_int64(sqliteStatement, Int32(index)) }

    // Each column's type is asked before its value is read: SQLite leaves the type undefined
    // once a value has been converted.
    func isNull(_ index: Int) -> Bool { sqlite3_column_type(sqliteStatement, Int32(index)) == SQLITE_NULL }
    func string(_ index: Int) -> String? { isNull(index) ? nil : String(decoding: text(at: index), as: UTF8.self) }
    func double(_ index: Int) -> Double? { isNull(index) ? nil : sqlite3_column_double(sqliteStatement, Int32(index)) }
    func int(_ index: Int) -> Int? { isNull(index) ? nil : Int(int64(at: index)) }
    func uuid(_ index: Int) -> UUID? { isNull(index) ? nil : UUID(utf8: text(at: index)) }
}
