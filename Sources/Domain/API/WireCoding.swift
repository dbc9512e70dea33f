import Foundation

/// The JSON of the wire: snake_case keys, instants as RFC 3339 UTC with milliseconds
/// (`2026-11-30T02:00:00.123Z`), sorted keys so equal values encode to equal bytes.
///
/// Every wire type spells its snake_case keys in its `CodingKeys`: the coders have no key
/// strategy, which halves the cost of JSON on the sync path (`smartvl-bench codec`). A test
/// (`WireCodingTests`) fails when a type's encoding shows an upper-case key.
public enum WireCoding {
    /// A configured encoder.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(format(date))
        }
        return encoder
    }

    /// A configured decoder.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 instant: \(text)")
            }
            return date
        }
        return decoder
    }

    /// `2026-11-30T02:00:00.123Z`.
    public static func format(_ date: Date) -> String {
        String(unsafeUninitializedCapacity: 24) { write(date, into: $0) }
    }

    /// Writes `format(date)`'s 24 bytes at the start of `bytes`; returns 24.
    static func write(_ date: Date, into bytes: UnsafeMutableBufferPointer<UInt8>) -> Int {
        // Whole microseconds first (the server's clock resolution), so 0.002 s, stored as
        // 0.00199999…, is still written as 2 ms; then truncated to milliseconds.
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let millis = micros >= 0 ? micros / 1000 : (micros - 999) / 1000
        var seconds = Int(millis / 1000)
        var fraction = Int(millis % 1000)
        if fraction < 0 {
            fraction += 1000
            seconds -= 1
        }
        let day = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let second = seconds - day * 86400
        let date = LocalDate(dayNumber: day)
        // Digits written directly: `String(format:)` cost a tenth of a sync page's encoding.
        func put(_ value: Int, _ width: Int, at offset: Int) {
            var rest = value
            for index in stride(from: offset + width - 1, through: offset, by: -1) {
                bytes[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
        }
        put(date.year, 4, at: 0)
        bytes[4] = UInt8(ascii: "-")
        put(date.month, 2, at: 5)
        bytes[7] = UInt8(ascii: "-")
        put(date.day, 2, at: 8)
        bytes[10] = UInt8(ascii: "T")
        put(second / 3600, 2, at: 11)
        bytes[13] = UInt8(ascii: ":")
        put((second / 60) % 60, 2, at: 14)
        bytes[16] = UInt8(ascii: ":")
        put(second % 60, 2, at: 17)
        bytes[19] = UInt8(ascii: ".")
        put(fraction, 3, at: 20)
        bytes[23] = UInt8(ascii: "Z")
        return 24
    }

    /// Parses RFC 3339 with `Z` or an offset, with or without a fraction.
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8(parse(utf8:))
    }

    static func parse(utf8 chars: UnsafeBufferPointer<UInt8>) -> Date? {
        guard chars.count >= 20, chars[4] == UInt8(ascii: "-"), chars[7] == UInt8(ascii: "-"),
            chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: "t"), chars[13] == UInt8(ascii: ":"),
            chars[16] == UInt8(ascii: ":")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let c = chars[index]
                guard c >= 48, c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            return value
        }
        guard let y = number(0..<4), let mo = number(5..<7), let d = number(8..<10), let h = number(11..<13),
            let mi = number(14..<16), let s = number(17..<19), let date = LocalDate(year: y, month: mo, day: d),
            h < 24, mi < 60, s < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < chars.count, chars[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < chars.count, chars[index] >= 48, chars[index] <= 57 {
                fraction += Double(chars[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < chars.count else { return nil }
        var offset = 0
        switch chars[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index == chars.count - 1 else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard chars.count - index == 6, chars[index + 3] == UInt8(ascii: ":"),
                let oh = number((index + 1)..<(index + 3)), let om = number((index + 4)..<(index + 6))
            else { return nil }
            offset = (oh * 3600 + om * 60) * (chars[index] == UInt8(ascii: "+") ? 1 : -1)
        default:
            return nil
        }
        let seconds = date.dayNumber * 86400 + h * 3600 + mi * 60 + s - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}
