import Foundation

/// Terminal column widths, so tables of Vietnamese text line up.
///
/// A precomposed "ệ" and a decomposed "e" + two marks are both one column; CJK ideographs and
/// most emoji are two; combining marks and zero-width characters are none.
enum DisplayWidth {
    /// The number of terminal columns `text` occupies.
    static func of(_ text: String) -> Int {
        text.reduce(0) { $0 + of($1) }
    }

    /// The columns of one character (a grapheme cluster).
    static func of(_ character: Character) -> Int {
        guard let first = character.unicodeScalars.first else { return 0 }
        if character.unicodeScalars.contains(where: { $0.properties.isEmojiPresentation }) { return 2 }
        switch first.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control: return 0
        default: break
        }
        return isWide(first.value) ? 2 : 1
    }

    /// East Asian wide and fullwidth ranges.
    private static func isWide(_ v: UInt32) -> Bool {
        (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x20000...0x3FFFD).contains(v)
    }

    /// Pads `text` with spaces to `width` columns (left-aligned).
    static func pad(_ text: String, to width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - of(text)))
    }
}

/// A plain text table whose columns align by display width.
struct TextTable {
    /// The header cells.
    var header: [String]
    /// The rows.
    var rows: [[String]]

    /// The table as lines, columns separated by two spaces, a rule under the header.
    func render() -> String {
        let columns = header.count
        var widths = header.map(DisplayWidth.of)
        for row in rows {
            for (index, cell) in row.prefix(columns).enumerated() { widths[index] = max(widths[index], DisplayWidth.of(cell)) }
        }
        func line(_ cells: [String]) -> String {
            cells.prefix(columns).enumerated()
                .map { index, cell in index == columns - 1 ? cell : DisplayWidth.pad(cell, to: widths[index]) }
                .joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }
}
