@testable import Domain
import Foundation
import Testing

@Suite struct TextTests {
    @Test func storesNFCWhateverFormArrives() throws {
        let nfd = "Nguyễn Huệ".decomposedStringWithCanonicalMapping
        #expect(nfd.unicodeScalars.count > "Nguyễn Huệ".precomposedStringWithCanonicalMapping.unicodeScalars.count)
        let text = try VietnameseText(nfd, field: "name", maxLength: 50)
        #expect(Array(text.value.utf8) == Array("Nguyễn Huệ".precomposedStringWithCanonicalMapping.utf8))
    }

    @Test func limitsCountCharactersNotBytesOrScalars() throws {
        let word = String(repeating: "ệ", count: 10).decomposedStringWithCanonicalMapping  // 30 scalars, 10 characters
        #expect(try VietnameseText(word, field: "t", maxLength: 10).value.count == 10)
        #expect(throws: TextError.tooLong(field: "t", limit: 9, actual: 10)) {
            try VietnameseText(word, field: "t", maxLength: 9)
        }
    }

    @Test func trimsAndRefusesEmptyOrShort() {
        #expect(throws: TextError.empty(field: "title")) { try VietnameseText("  \n ", field: "title", maxLength: 10) }
        #expect(throws: TextError.tooShort(field: "title", minimum: 5, actual: 3)) {
            try VietnameseText("  abc ", field: "title", minLength: 5, maxLength: 10)
        }
    }

    @Test(arguments: ["a\u{0000}b", "a\u{0007}b", "a\u{001B}[31mb", "a\u{202E}b", "a\u{2028}b", "line\nbreak", "\u{0000}"])
    func refusesControlCharactersOnOneLine(_ raw: String) {
        #expect(throws: TextError.controlCharacter(field: "f")) { try VietnameseText(raw, field: "f", maxLength: 50) }
    }

    @Test func allowsLineBreaksWhereMultiline() throws {
        #expect(try VietnameseText("dòng 1\ndòng 2\ttab", field: "d", maxLength: 50, multiline: true).value.contains("\n"))
        #expect(throws: TextError.controlCharacter(field: "d")) {
            try VietnameseText("a\u{0000}", field: "d", maxLength: 50, multiline: true)
        }
    }

    @Test func searchKeyFoldsCaseDiacriticsAndD() {
        #expect(SearchKey.fold("Đường Nguyễn Huệ") == "duong nguyen hue")
        #expect(SearchKey.fold("ĐƯỜNG  NGUYỄN\tHUỆ ") == "duong nguyen hue")
        #expect(SearchKey.fold("đ") == "d")
        #expect(SearchKey.fold("Đ") == "d")
    }

    @Test func foundationAloneDoesNotFoldD() {
        // The reason SearchKey maps đ itself.
        let folded = "Đường".folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "vi_VN"))
        #expect(folded.contains("đ") || folded.contains("Đ"))
        #expect(SearchKey.fold("Đường") == "duong")
    }

    @Test func tonePlacementVariantsShareAKey() {
        #expect("hoà" != "hòa")
        #expect(SearchKey.fold("hoà") == SearchKey.fold("hòa"))
        #expect(SearchKey.fold("thuý") == SearchKey.fold("thúy"))
        #expect(SearchKey.fold("Hoà".decomposedStringWithCanonicalMapping) == "hoa")
    }

    @Test func matchesFindsFoldedSubstrings() {
        #expect(SearchKey.matches("Ổ gà trên Đường 3/2, Phường 1", query: "duong 3/2"))
        #expect(!SearchKey.matches("Đèn đường hỏng", query: "ngập"))
        #expect(SearchKey.matches("anything", query: "   "))
    }

    /// The table-driven fold gives the full fold's key on any text: Vietnamese in both
    /// normalization forms, other Latin letters, other scripts, every kind of space.
    @Test func theFastFoldAgreesWithTheFullFold() {
        var rng = SplitMix64(seed: 11)
        let pieces = ["Ổ gà", "ĐƯỜNG", "đường", "Nguyễn", "e\u{0301}", "A\u{0323}\u{0302}", "Æ", "ß", "Ǆ", "ŉ", "İ", "ǰ", "ẞ", "Ω", "Привет", "東京", "😀",
                      " ", "  ", "\t", "\n", "\u{A0}", "\u{2003}", "\u{3000}", "x", "Z", "9", "-", "/", "ﬁ", "Ǳ", "ǲ", "ȸ", "Ḁ", "ỹ", "Ỵ", "Ỹ"]
        for _ in 0..<2000 {
            let text = (0..<Int.random(in: 0...6, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            #expect(SearchKey.fold(text) == SearchKey.fullFold(text), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        for value in Array(0x00C0...0x024F) + Array(0x1E00...0x1EFF) {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = "a" + String(scalar) + " B" + String(scalar)
            #expect(SearchKey.fold(text) == SearchKey.fullFold(text), "U+\(String(value, radix: 16))")
        }
    }

    /// Normalising and trimming without Foundation give Foundation's results: every scalar the
    /// fast path keeps as it is, alone and after each combining mark, and random mixes of
    /// Vietnamese in both forms, other scripts and every kind of space at either end.
    @Test func normalisingAndTrimmingAgreeWithFoundation() {
        func check(_ text: String) {
            #expect(VietnameseText.nfc(text) == text.precomposedStringWithCanonicalMapping, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
            // Compared scalar by scalar: String equality is canonical equivalence.
            #expect(Array(text.trimmingSpace().unicodeScalars) == Array(text.trimmingCharacters(in: .whitespacesAndNewlines).unicodeScalars),
                    "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
            #expect(Array(text.trimmingSpace(newlines: false).unicodeScalars) == Array(text.trimmingCharacters(in: .whitespaces).unicodeScalars),
                    "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        let marks = ["\u{0300}", "\u{0301}", "\u{0303}", "\u{0309}", "\u{0323}", "\u{0302}", "\u{031B}", "\u{0306}"]
        for value in Array(0...0x3100) + Array(0x1E00...0x1EFF) {
            guard let scalar = Unicode.Scalar(value) else { continue }
            check(String(scalar))
            check("a" + String(scalar) + "b")
            check(String(scalar) + "x" + String(scalar))
            for mark in marks { check(String(scalar) + mark) }
        }
        var rng = SplitMix64(seed: 12)
        let pieces = ["Ổ gà", "ĐƯỜNG", "đường", "Nguyễn", "e\u{0301}", "A\u{0323}\u{0302}", "o\u{031B}\u{0300}", "Ω", "\u{2126}", "\u{212B}", "東京", "\u{F900}",
                      "😀", "한", "\u{1100}\u{1161}", " ", "\t", "\n", "\r\n", "\u{85}", "\u{A0}", "\u{1680}", "\u{2003}", "\u{2028}", "\u{2029}", "\u{202F}",
                      "\u{205F}", "\u{3000}", "\u{180E}", "\u{200B}", "\u{FEFF}", "x", "-", "₫"]
        for _ in 0..<3000 {
            check((0..<Int.random(in: 0...6, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined())
        }
    }

    @Test func uuidTextIsTheUUIDString() {
        for _ in 0..<200 {
            let uuid = UUID()
            #expect(uuid.text == uuid.uuidString)
        }
    }
}
