import Foundation

extension String {
    /// The text without leading and trailing white space, and line breaks too unless `newlines`
    /// is false: the scalars of Foundation's `whitespacesAndNewlines` (or `whitespaces`), trimmed
    /// as its `trimmingCharacters(in:)` trims them, without bridging to `NSString` (which cost a
    /// tenth of validating a feedback item). `TextTests` holds it to Foundation.
    func trimmingSpace(newlines: Bool = true) -> String {
        let scalars = unicodeScalars
        let isSpace = newlines ? Self.isSpaceOrNewline : Self.isSpace
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        if first == scalars.startIndex, scalars.index(after: last) == scalars.endIndex { return self }
        return String(scalars[first...last])
    }

    /// Foundation's `whitespaces`: general category Zs, the tab, and the zero width space
    /// U+200B (a space in older Unicode).
    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x20, 0x200B: true
        case 0..<0x80: false
        default: scalar.properties.generalCategory == .spaceSeparator
        }
    }

    /// Foundation's `whitespacesAndNewlines`: `whitespaces`, U+000A–U+000D, U+0085 and the line
    /// and paragraph separators.
    private static func isSpaceOrNewline(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: true
        default: isSpace(scalar)
        }
    }
}
