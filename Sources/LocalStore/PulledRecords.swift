import GRDB
import GRDBSQLite

/// How a client stores pulled records: the CLI's store (`ClientStore`) and the benchmark's pull
/// target, which measures it, run the same statement the same way.
public enum PulledRecords {
    /// Inserts a record, or replaces the one held with the same entity and id.
    public static let upsertSQL = """
        INSERT INTO records (entity, id, seq, data) VALUES (?, ?, ?, ?)
        ON CONFLICT (entity, id) DO UPDATE SET seq = excluded.seq, data = excluded.data
        """

    /// Runs `statement` (an `upsertSQL` of the connection `db`) for one record, each text bound
    /// where it lies: no String made of the record's bytes and no GRDB arguments, which were a
    /// fifth of the client's work in an initial pull (Docs/performance.md). The statement is run
    /// below GRDB's own execution, so nothing observes it: the client's store has no observers.
    public static func put(_ statement: Statement, entity: String, id: String, seq: Int64, data: UnsafeBufferPointer<UInt8>, db: Database) throws {
        var entity = entity, id = id
        let handle = statement.sqliteStatement
        let code = entity.withUTF8 { entity in
            id.withUTF8 { id in
                sqlite3_reset(handle)
                bind(handle, 1, entity)
                bind(handle, 2, id)
                sqlite3_bind_int64(handle, 3, seq)
                bind(handle, 4, data)
                // The bound bytes are only valid in here.
                defer { sqlite3_clear_bindings(handle) }
                return sqlite3_step(handle)
            }
        }
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage, sql: statement.sql)
        }
    }

    /// Binds text without a copy (`SQLITE_STATIC`: valid until the bindings are cleared); an
    /// empty text, which may have no address, as a copied "".
    private static func bind(_ handle: OpaquePointer, _ index: Int32, _ text: UnsafeBufferPointer<UInt8>) {
        guard let base = text.baseAddress, !text.isEmpty else {
            sqlite3_bind_text(handle, index, "", 0, unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self))
            return
        }
        sqlite3_bind_text(handle, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(text.count), nil)
    }
}
