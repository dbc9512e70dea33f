import GRDB
import GRDBSQLite

/// A column value the hot write paths bind straight through SQLite's C API
/// (`Database.run(_:binding:)`): text, integers, reals and booleans, the types our tables store.
protocol BoundValue {
    /// Binds the value to parameter `index` (1-based); returns SQLite's result code.
    func bind(to statement: SQLiteStatement, at index: Int32) -> Int32
}

/// SQLite copies the bytes before the call returns.
private let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

extension String: BoundValue {
    func bind(to statement: SQLiteStatement, at index: Int32) -> Int32 {
        // A native string hands over its own NUL-terminated bytes (an empty one too); only a
        // bridged one is copied first.
        sqlite3_bind_text(statement, index, self, Int32(utf8.count), transient)
    }
}

/// UTF-8 bytes stored as text (JSON written by `WireJSONWriter`), without a String made of them.
extension Array: BoundValue where Element == UInt8 {
    func bind(to statement: SQLiteStatement, at index: Int32) -> Int32 {
        withUnsafeBufferPointer { bytes in
            // An empty array may have no address: "" then (SQLite would store NULL for none).
            guard let base = bytes.baseAddress else { return sqlite3_bind_text(statement, index, "", 0, transient) }
            return sqlite3_bind_text(statement, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(bytes.count), transient)
        }
    }
}

extension Int: BoundValue {
    func bind(to statement: SQLiteStatement, at index: Int32) -> Int32 { sqlite3_bind_int64(statement, index, Int64(self)) }
}

extension Int64: BoundValue {
    func bind(to statement: SQLiteStatement, at index: Int32) -> Int32 { sqlite3_bind_int64(statement, index, self) }
}

extension Double: BoundValue {
    func bind(to statement: SQLiteStatement, at index: Int32) -> Int32 { sqlite3_bind_double(statement, index, self) }
}

/// Stored as 1 and 0, as GRDB stores it.
extension Bool: BoundValue {
    func bind(to statement: SQLiteStatement, at index: Int32) -> Int32 { sqlite3_bind_int64(statement, index, self ? 1 : 0) }
}

extension Database {
    /// Executes one cached statement with `values` bound through SQLite's C API, one value a
    /// parameter, in order (nil binds NULL).
    ///
    /// GRDB's `StatementArguments` turn every value into a `DatabaseValue`, check them against
    /// the statement, and copy every string of a statement with more than 20 parameters (the
    /// feedback row has 37): a third of the writer's time for an insert, in profiles. Here GRDB
    /// still resets and runs the statement (its error handling, statement cache and transaction
    /// tracking are unchanged); only the binding is ours. Its `arguments` stay empty, so an
    /// error names the statement and not the values.
    func run(_ sql: String, binding values: [(any BoundValue)?]) throws {
        try statement(sql, binding: values).execute()
    }

    /// The integer in the first column of the first row a cached statement finds with `values`
    /// bound as `run(_:binding:)` binds them (nil when there is no row or it is NULL).
    func int(_ sql: String, binding values: [(any BoundValue)?]) throws -> Int? {
        try Int.fetchOne(statement(sql, binding: values))
    }

    /// The cached statement for `sql` with `values` bound, ready to run with no arguments.
    private func statement(_ sql: String, binding values: [(any BoundValue)?]) throws -> Statement {
        let statement = try cachedStatement(sql: sql)
        let handle = statement.sqliteStatement
        guard Int(sqlite3_bind_parameter_count(handle)) == values.count else {
            throw DatabaseError(
                resultCode: .SQLITE_MISUSE,
                message: "\(values.count) values for \(sqlite3_bind_parameter_count(handle)) parameters", sql: sql)
        }
        // Resets the statement, sets every parameter to NULL, and marks its arguments as set, so
        // that it runs with the bindings made here when given no arguments.
        statement.setUncheckedArguments(StatementArguments())
        for (offset, value) in values.enumerated() {
            guard let value else { continue }
            let code = value.bind(to: handle, at: Int32(offset + 1))
            guard code == SQLITE_OK else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqliteConnection)), sql: sql)
            }
        }
        return statement
    }
}
