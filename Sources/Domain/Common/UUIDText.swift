import Foundation

extension UUID {
    /// Parses the 36-character text form: hex digits of either case, hyphens at 8, 13, 18 and 23.
    /// Same values as `UUID(uuidString:)` without its `sscanf` (reading a UUID column is on every
    /// row of a sync page), and stricter: `sscanf` also lets a space or `0x` stand in a pair.
    public init?(text: String) {
        var text = text
        guard let value = text.withUTF8(UUID.init(utf8:)) else { return nil }
        self = value
    }

    /// Parses the 36-character text form from its UTF-8 bytes.
    public init?(utf8: UnsafeBufferPointer<UInt8>) {
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &value) { out -> Bool in
            guard utf8.count == 36 else { return false }
            var position = 0
            var index = 0
            while index < 36 {
                if index == 8 || index == 13 || index == 18 || index == 23 {
                    guard utf8[index] == UInt8(ascii: "-") else { return false }
                    index += 1
                    continue
                }
                let high = Self.nibbles[Int(utf8[index])], low = Self.nibbles[Int(utf8[index + 1])]
                guard high | low < 0x10 else { return false }
                out[position] = high << 4 | low
                position += 1
                index += 2
            }
            return true
        }
        guard parsed else { return nil }
        self.init(uuid: value)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Each byte's value as a hex digit, 0xFF for a byte that is not one (a table: the parse is
    /// on every UUID of every sync page and digest).
    private static let nibbles: [UInt8] = (0...255).map { c in
        switch UInt8(c) {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt8(c) - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt8(c) - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt8(c) - UInt8(ascii: "A") + 10
        default: 0xFF
        }
    }
}

extension UUID {
    /// The canonical upper-case text, the same as `uuidString` without its `sprintf`: UUID keys
    /// are written many times per stored write.
    public var text: String {
        String(unsafeUninitializedCapacity: 36) { write(into: $0) }
    }

    /// Writes `text`'s 36 bytes at the start of `out`; returns 36.
    func write(into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        withUnsafeBytes(of: uuid) { raw in
            var position = 0
            for (index, byte) in raw.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    out[position] = UInt8(ascii: "-")
                    position += 1
                }
                out[position] = Self.hexDigits[Int(byte >> 4)]
                out[position + 1] = Self.hexDigits[Int(byte & 0x0F)]
                position += 2
            }
            return position
        }
    }
}

/// Appends `value` in decimal as `String(value)` writes it, without making the string (sync
/// pages and digests write numbers by the thousand).
func appendDecimal(_ value: Int64, to bytes: inout [UInt8]) {
    if value < 0 { bytes.append(UInt8(ascii: "-")) }
    let start = bytes.count
    var rest = value.magnitude
    repeat {
        bytes.append(UInt8(ascii: "0") + UInt8(rest % 10))
        rest /= 10
    } while rest > 0
    bytes[start...].reverse()
}

/// `value` in decimal, left-padded with zeros to `width` digits (codes and dates, without
/// `String(format:)`'s `vsnprintf`).
func zeroPadded(_ value: Int, width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

extension UUID {
    /// The UUID as two big-endian halves, which order as its bytes and as its text do: a key
    /// to sort and compare many UUIDs by, cheaper than their text.
    public struct SortKey: Comparable, Hashable, Sendable {
        let high: UInt64
        let low: UInt64

        public static func < (a: SortKey, b: SortKey) -> Bool {
            a.high != b.high ? a.high < b.high : a.low < b.low
        }
    }

    /// This UUID's sort key.
    public var sortKey: SortKey {
        withUnsafeBytes(of: uuid) { raw in
            SortKey(high: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                    low: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
    }
}
