import Foundation

extension UUID {
    /// A version-7 UUID (RFC 9562 §5.7): the milliseconds since 1970 in the first 48 bits, big
    /// endian, then the version, 74 random bits and the variant.
    ///
    /// Identifiers made one after another sort one after another, so storing them appends to the
    /// end of an index instead of landing on a random page of it: on a SQLite store that holds a
    /// hundred thousand records, that made inserting them 2–3 times faster (decision 9). What it
    /// gives away is the creation time, to the millisecond, to whoever sees the identifier.
    public static func timeOrdered(at date: Date, using random: inout some RandomNumberGenerator) -> UUID {
        let milliseconds = UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded()))
        let high = random.next() as UInt64, low = random.next() as UInt64
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &bytes) { out in
            for index in 0..<6 { out[index] = UInt8(truncatingIfNeeded: milliseconds >> (40 - 8 * UInt64(index))) }
            out[6] = 0x70 | UInt8(truncatingIfNeeded: high & 0x0F)
            out[7] = UInt8(truncatingIfNeeded: high >> 8)
            out[8] = 0x80 | UInt8(truncatingIfNeeded: low & 0x3F)
            for index in 9..<16 { out[index] = UInt8(truncatingIfNeeded: low >> (8 * UInt64(index - 8))) }
        }
        return UUID(uuid: bytes)
    }

    /// A version-7 UUID for now, with the system's random numbers.
    public static func timeOrdered(at date: Date = Date()) -> UUID {
        var random = SystemRandomNumberGenerator()
        return timeOrdered(at: date, using: &random)
    }

    /// The creation time of a version-7 UUID (to the millisecond), nil for other versions.
    public var timeOrderedDate: Date? {
        withUnsafeBytes(of: uuid) { bytes -> Date? in
            guard bytes[6] >> 4 == 7, bytes[8] >> 6 == 2 else { return nil }
            let milliseconds = (0..<6).reduce(UInt64(0)) { $0 << 8 | UInt64(bytes[$1]) }
            return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        }
    }

    /// The last eight hex digits, lower case: the short form people read and type. From the end,
    /// the random part: the first digits of time-ordered identifiers are the same for all those
    /// made within a minute.
    public var shortText: String { String(text.suffix(8)).lowercased() }
}
