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
