import GRDB

/// Rewrites `column IN ('a', 'b', 'c')` in table definitions as `(column = 'a' OR column = 'b' OR
/// column = 'c')`: the same check, without SQLite's cost for it.
///
/// SQLite evaluates an IN list of three or more constants by first building a temporary b-tree of
/// the list (lists of one or two are compared directly), and a CHECK constraint's list is built
/// again on every execution of a statement that writes the row: a new in-memory pager and page
/// cache each time, about 5 µs, and under load a fresh allocation whose pages the kernel must map
/// (filing one feedback item built eleven of them: four for the feedback row, two for each of its
/// three history rows, one for its change-log row; decision 10). The comparisons accept and refuse
/// exactly the same values: for a NULL both give NULL, which a CHECK lets through, and both compare
/// with the column's collation.
enum ConstantLists {
    /// The shortest list SQLite builds a b-tree for.
    static let shortestBuilt = 3

    /// `sql` with every `identifier IN (constants…)` of at least `shortestBuilt` constants written
    /// as comparisons, where the identifier opens an operand (after `(`, AND, OR or NOT); any other
    /// IN (a subquery, a parameter, NOT IN, a qualified or collated column) is left as it is.
    static func expanded(_ sql: String) -> String {
        let text = Array(sql.unicodeScalars)
        var output = String.UnicodeScalarView()
        var index = 0
        var copied = 0
        while index < text.count {
            if text[index] == "'" {  // a string literal: nothing in it is SQL
                index = endOfString(text, from: index) ?? text.count
                continue
            }
            guard isIdentifier(text[index]), index == 0 || !isIdentifier(text[index - 1]), opensOperand(text, at: index),
                  let (column, items, end) = list(text, at: index), items.count >= shortestBuilt
            else {
                index += 1
                continue
            }
            output.append(contentsOf: text[copied..<index])
            let comparisons = items.map { "\(column) = \($0)" }.joined(separator: " OR ")
            output.append(contentsOf: "(\(comparisons))".unicodeScalars)
            index = end
            copied = end
        }
        output.append(contentsOf: text[copied...])
        return String(output)
    }

    /// Rewrites every table of the database whose definition holds such a list, in the
    /// transaction the caller opened, and checks the rows against the rewritten constraints.
    ///
    /// This is SQLite's documented procedure for changing CHECK constraints without rebuilding the
    /// table (writable schema, then a new schema version): the stored rows and their format do not
    /// change, only the text SQLite compiles the checks from.
    static func expandInTables(_ db: Database) throws {
        let tables = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL")
        let rewritten = tables.compactMap { row -> (name: String, sql: String)? in
            let sql: String = row["sql"]
            let expanded = expanded(sql)
            return expanded == sql ? nil : (row["name"], expanded)
        }
        guard !rewritten.isEmpty else { return }
        let version = try Int.fetchOne(db, sql: "PRAGMA schema_version") ?? 0
        try db.execute(sql: "PRAGMA writable_schema = ON")
        for table in rewritten {
            try db.execute(sql: "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", arguments: [table.sql, table.name])
        }
        try db.execute(sql: "PRAGMA schema_version = \(version + 1)")
        try db.execute(sql: "PRAGMA writable_schema = OFF")
        db.clearSchemaCache()
        for table in rewritten {
            let problems = try String.fetchAll(db, sql: "PRAGMA integrity_check(\(table.name.quotedDatabaseIdentifier))")
            guard problems == ["ok"] else {
                throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "\(table.name) after rewriting its checks: \(problems.joined(separator: "; "))")
            }
        }
    }

    /// At `start`, an `identifier IN (constant, …)`: the identifier, the constants as written,
    /// and the index after the closing parenthesis; nil for anything else.
    private static func list(_ text: [Unicode.Scalar], at start: Int) -> (String, [String], Int)? {
        var index = start
        while index < text.count, isIdentifier(text[index]) { index += 1 }
        let column = String(String.UnicodeScalarView(text[start..<index]))
        guard column.uppercased() != "IN", skipSpace(text, &index) > 0,
              index + 2 <= text.count, String(String.UnicodeScalarView(text[index..<index + 2])).uppercased() == "IN"
        else { return nil }
        index += 2
        skipSpace(text, &index)
        guard index < text.count, text[index] == "(" else { return nil }
        index += 1
        var items: [String] = []
        while true {
            skipSpace(text, &index)
            guard index < text.count else { return nil }
            let itemStart = index
            if text[index] == "'" {
                guard let end = endOfString(text, from: index) else { return nil }
                index = end
            } else {
                if text[index] == "-" { index += 1 }
                let digits = index
                while index < text.count, ("0"..."9").contains(text[index]) { index += 1 }
                guard index > digits else { return nil }
            }
            items.append(String(String.UnicodeScalarView(text[itemStart..<index])))
            skipSpace(text, &index)
            guard index < text.count else { return nil }
            if text[index] == ")" { return (column, items, index + 1) }
            guard text[index] == "," else { return nil }
            index += 1
        }
    }

    /// The index after the string literal opening at `start` (a doubled quote stays inside);
    /// nil when it is not closed.
    private static func endOfString(_ text: [Unicode.Scalar], from start: Int) -> Int? {
        var index = start + 1
        while index < text.count {
            if text[index] == "'" {
                if index + 1 < text.count, text[index + 1] == "'" { index += 2; continue }
                return index + 1
            }
            index += 1
        }
        return nil
    }

    /// Whether the word at `start` begins an operand of a condition: it follows `(`, or the word
    /// AND, OR or NOT (not a `.`, a quote or COLLATE, where it would be part of something else).
    private static func opensOperand(_ text: [Unicode.Scalar], at start: Int) -> Bool {
        var index = start - 1
        while index >= 0, text[index].properties.isWhitespace { index -= 1 }
        guard index >= 0 else { return false }
        if text[index] == "(" { return true }
        let end = index + 1
        while index >= 0, isIdentifier(text[index]) { index -= 1 }
        guard index + 1 < end, end < start else { return false }
        return ["AND", "OR", "NOT"].contains(String(String.UnicodeScalarView(text[(index + 1)..<end])).uppercased())
    }

    @discardableResult
    private static func skipSpace(_ text: [Unicode.Scalar], _ index: inout Int) -> Int {
        let start = index
        while index < text.count, text[index].properties.isWhitespace { index += 1 }
        return index - start
    }

    private static func isIdentifier(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
