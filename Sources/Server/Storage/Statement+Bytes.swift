import GRDB
import GRDBSQLite

extension Statement {
    /// Runs the statement and gives `body` each row, read through the statement itself
    /// (`text(at:)`, `int64(at:)`): no string and no `Row` value per row, for scans of a whole
    /// table (the sync digest reads every id a user can see).
    func eachRow(_ arguments: StatementArguments, _ body: (Statement) throws -> Void) throws {
        let rows = try Row.fetchCursor(self, arguments: arguments)
        while try rows.next() != nil { try body(self) }
    }

    /// The text in column `index` of the row the statement is on, as UTF-8 bytes valid until
    /// the statement moves on (empty for NULL).
    func text(at index: Int32) -> UnsafeBufferPointer<UInt8> {
        guard let text = sqlite3_column_text(sqliteStatement, index) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(sqliteStatement, index)))
    }

    /// The integer in column `index` of the row the statement is on.
    func int64(at index: Int32) -> Int64 { sqlite3_column_int64(sqliteStatement, index) }
}
