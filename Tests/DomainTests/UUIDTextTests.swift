import Domain
import Foundation
import Testing

@Suite struct UUIDTextTests {
    /// The canonical forms parse to Foundation's value; a text with anything but hex digits and
    /// the four hyphens is refused (Foundation's `sscanf` lets spaces and `0x` through).
    @Test func parsesTheCanonicalFormOnly() {
        var rng = SplitMix64(seed: 7)
        let hex = Array("0123456789abcdefABCDEF"), other = Array("gG-x {}Ổ")
        for _ in 0..<300 {
            let uuid = UUID()
            let text = Bool.random(using: &rng) ? uuid.uuidString : uuid.uuidString.lowercased()
            #expect(UUID(text: text) == uuid)
            var chars = Array(text)
            let at = [0, 7, 9, 35, Int.random(in: 0..<36, using: &rng)].randomElement(using: &rng)!
            guard chars[at] != "-" else { continue }
            chars[at] = hex.randomElement(using: &rng)!
            #expect(UUID(text: String(chars)) == UUID(uuidString: String(chars)), "\(String(chars))")
            chars[at] = other.randomElement(using: &rng)!
            #expect(UUID(text: String(chars)) == nil, "\(String(chars))")
        }
        for text in ["", "00000000-0000-0000-0000-00000000000", "00000000-0000-0000-0000-0000000000000", "00000000x0000-0000-0000-000000000000",
                     "{00000000-0000-0000-0000-000000000000}", "0000000000000000000000000000000000000", " 0000000-0000-0000-0000-000000000000"] {
            #expect(UUID(text: text) == nil, "\(text)")
        }
    }
}

@Suite struct TimeOrderedUUIDTests {
    /// RFC 9562's example: 2022-02-22 19:22:22 UTC is 0x017F22E279B0 ms; version and variant bits set.
    @Test func carriesItsMillisecondsVersionAndVariant() {
        var random = SplitMix64(seed: 7)
        let date = Date(timeIntervalSince1970: 1_645_557_742)
        let id = UUID.timeOrdered(at: date, using: &random)
        let text = id.text.lowercased()
        #expect(text.hasPrefix("017f22e2-79b0-7"), "\(text)")
        #expect("89ab".contains(text[text.index(text.startIndex, offsetBy: 19)]), "variant 10: \(text)")
        #expect(id.timeOrderedDate == date)
        #expect(UUID(uuidString: "6ba7b810-9dad-41d1-80b4-00c04fd430c8")!.timeOrderedDate == nil, "a version-4 UUID has no time")
    }

    /// Later identifiers sort after earlier ones, as bytes and as text (the form SQLite indexes);
    /// within one millisecond they still differ.
    @Test func sortByCreationTimeAndNeverRepeat() {
        var random = SplitMix64(seed: 42)
        let start = Date(timeIntervalSince1970: 1_796_000_000)
        let ids = (0..<2_000).map { UUID.timeOrdered(at: start.addingTimeInterval(Double($0 / 2) / 1000), using: &random) }
        for (earlier, later) in zip(ids, ids.dropFirst(2)) { #expect(earlier.text < later.text) }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.timeOrderedDate != nil })
        #expect(UUID.timeOrdered() != UUID.timeOrdered())
    }
}
