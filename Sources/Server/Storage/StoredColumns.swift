import Foundation
import GRDB
import GRDBSQLite

/// Where a stored record's columns are read from, by position: a `Row`, or a statement on the
/// row it has just stepped to. Through a statement, text that becomes a UUID is parsed from
/// SQLite's bytes, and nothing is copied into a `Row` first (a pull page reads 1,000 feedback
/// items a page: the copies and strings were a third of reading them).
protocol StoredColumns {
    func isNull(_ index: Int) -> Bool
    /// The text in column `index` (nil when NULL).
    func string(_ index: Int) -> String?
    func double(_ index: Int) -> Double?
    func int(_ index: Int) -> Int?
    /// The UUID whose text is in column `index` (nil when NULL or not a UUID).
    func uuid(_ index: Int) -> UUID?
}

extension Row: StoredColumns {
    func isNull(_ index: Int) -> Bool { hasNull(atIndex: index) }
    func string(_ index: Int) -> String? { hasNull(atIndex: index) ? nil : self[index] as String }
    func double(_ index: Int) -> Double? { hasNull(atIndex: index) ? nil : self[index] as Double }
    func int(_ index: Int) -> Int? { hasNull(atIndex: index) ? nil : self[index] as Int }
    func uuid(_ index: Int) -> UUID? { string(index).flatMap(UUID.init(text:)) }
}

extension Statement: StoredColumns {
    func isNull(_ index: Int) -> Bool { sqlite3_column_type(sqliteStatement, Int32(index)) == SQLITE_NULL }
    func string(_ index: Int) -> String? { isNull(index) ? nil : String(decoding: text(at: Int32(index)), as: UTF8.self) }
    func double(_ index: Int) -> Double? { isNull(index) ? nil : sqlite3_column_double(sqliteStatement, Int32(index)) }
    func int(_ index: Int) -> Int? { isNull(index) ? nil : Int(sqlite3_column_int64(sqliteStatement, Int32(index))) }
    func uuid(_ index: Int) -> UUID? { isNull(index) ? nil : UUID(utf8: text(at: Int32(index))) }
}
