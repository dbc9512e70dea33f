import Domain
import Foundation
import Testing

@Suite struct IdentityTests {
    @Test(arguments: [
        ("0912345678", "+84912345678"), ("+84912345678", "+84912345678"), ("84912345678", "+84912345678"),
        ("091 234 5678", "+84912345678"), ("+84 912.345.678", "+84912345678"), ("0356789012", "+84356789012"),
        ("0512345678", "+84512345678"), ("0701234567", "+84701234567"), ("0812345678", "+84812345678"),
    ])
    func acceptsMobileNumbersAndStoresE164(_ raw: String, _ e164: String) throws {
        let phone = try PhoneNumber(raw)
        #expect(phone.e164 == e164)
        #expect(phone.national == "0" + e164.dropFirst(3))
    }

    @Test(arguments: [
        "", "091234567", "09123456789", "0212345678", "0412345678", "0612345678", "+8412345678", "+840912345678",
        "0912a45678", "+1 912345678", "0912345678x", "++84912345678", "84 0912345678",
    ])
    func refusesAnythingElse(_ raw: String) {
        #expect(throws: IdentityError.invalidPhone(raw)) { try PhoneNumber(raw) }
    }

    @Test func masksNumbersForListsAndLogs() throws {
        #expect(try PhoneNumber("0912345678").masked == "091****678")
        #expect(try PhoneNumber("0912345678").description == "091****678")
    }

    @Test func phoneDecodesOnlyValidNumbers() throws {
        let decoded = try JSONDecoder().decode([PhoneNumber].self, from: Data(#"["0912345678"]"#.utf8))
        #expect(decoded.first?.e164 == "+84912345678")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([PhoneNumber].self, from: Data(#"["123"]"#.utf8)) }
    }

    static let now = Fixture.at("2026-11-30", 9)

    @Test func acceptsCCCDAndReadsItsParts() throws {
        let male1990 = try CCCD("086090123456", now: Self.now)
        #expect(male1990.provinceCode == "086")
        #expect(male1990.birthYear == 1990)
        #expect(!male1990.isFemale)
        let female2005 = try CCCD("083 3 05 123456", now: Self.now)
        #expect(female2005.birthYear == 2005)
        #expect(female2005.isFemale)
        #expect(female2005.masked == "*********456")
    }

    @Test(arguments: ["08609012345", "0860901234567", "08609012345a", "", "086 090 12345"])
    func refusesCCCDOfWrongShape(_ raw: String) {
        #expect(throws: IdentityError.invalidCCCD(reason: .shape)) { try CCCD(raw, now: Self.now) }
    }

    @Test func refusesUnknownProvinceAndFutureBirthYear() {
        #expect(throws: IdentityError.invalidCCCD(reason: .unknownProvince("003"))) { try CCCD("003090123456", now: Self.now) }
        #expect(throws: IdentityError.invalidCCCD(reason: .unknownProvince("099"))) { try CCCD("099090123456", now: Self.now) }
        #expect(throws: IdentityError.invalidCCCD(reason: .birthYearInFuture(2099))) {
            try CCCD("086299123456", now: Self.now)
        }
        #expect(throws: IdentityError.invalidCCCD(reason: .birthYearInFuture(2105))) {
            try CCCD("086405123456", now: Self.now)
        }
    }

    @Test func usernamesAreLowerCasedAndRestricted() throws {
        #expect(try Username(" CB.XayDung ").value == "cb.xaydung")
        for bad in ["ab", "cán.bộ", "a b c", String(repeating: "x", count: 41), "x;drop"] {
            #expect(throws: IdentityError.invalidUsername(bad)) { try Username(bad) }
        }
    }

    @Test func languageFollowsAcceptLanguage() {
        #expect(Language(preferring: nil) == .vi)
        #expect(Language(preferring: "en-US,en;q=0.9") == .en)
        #expect(Language(preferring: "fr, vi;q=0.5, en;q=0.4") == .vi)
        #expect(Language(preferring: "de") == .vi)
    }
}
