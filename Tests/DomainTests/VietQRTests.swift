import Domain
import Foundation
import PropertyBased
import Testing

@Suite struct VietQRTests {
    @Test func crcIsCCITTFalse() {
        #expect(VietQR.crc16("123456789".utf8) == 0x29B1)
    }

    /// A payload published with the subiz/vietqr library (Vietinbank, 120.000 ₫, "ung ho lu lut").
    @Test func aPublishedSampleParsesIntoItsFields() throws {
        let sample = "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN62170813ung ho lu lut6304C15C"
        let code = try VietQR.parse(sample)
        #expect(code == VietQR(dynamic: true, bankBIN: "970415", account: "0011001932418", service: "QRIBFTTA", amount: 120_000, note: "ung ho lu lut"))
        #expect(try code.payload() == sample)
    }

    @Test func aFeePaymentRoundTripsWithItsNoteFoldedToASCII() throws {
        let code = VietQR(bankBIN: "970418", account: "1234567890", amount: 135_000, note: "Lệ phí Đổi GPLX 8f3a")
        let payload = try code.payload()
        #expect(payload.hasPrefix("000201010212"))
        #expect(payload.contains("0010A000000727"))
        #expect(payload.contains("5303704") && payload.contains("5802VN") && payload.contains("5406135000"))
        let parsed = try VietQR.parse(payload)
        #expect(parsed.note == "Le phi Doi GPLX 8f3a")
        #expect(parsed.amount == 135_000)
        #expect(parsed.bankBIN == "970418")
    }

    @Test func roundTripsForAnyAmountAndAccount() async {
        await propertyCheck(input: Gen.int(in: 1...999_999_999), Gen.int(in: 1...99_999_999)) { amount, account in
            let code = VietQR(bankBIN: "970436", account: String(account), amount: Int64(amount), note: "SVL\(amount)")
            #expect((try? VietQR.parse(code.payload())) == code)
        }
    }

    @Test func eachDefectIsNamed() throws {
        let good = try VietQR(bankBIN: "970418", account: "1234567890", amount: 50_000, note: "ABC").payload()
        func resealed(_ body: String) -> String { body + "6304" + String(format: "%04X", VietQR.crc16((body + "6304").utf8)) }
        let body = String(good.dropLast(8))
        // A flipped character breaks the CRC.
        var flipped = Array(good)
        flipped[30] = flipped[30] == "1" ? "2" : "1"
        let error = #expect(throws: VietQRError.self) { try VietQR.parse(String(flipped)) }
        guard case .badCRC? = error else { Issue.record("expected a CRC failure, got \(String(describing: error))"); return }
        #expect(throws: VietQRError.missingTag("63")) { try VietQR.parse(body) }
        // A length that runs past the end, resealed so the CRC is right.
        #expect(throws: VietQRError.lengthOverrun(tag: "62", declared: 99, available: 15)) {
            try VietQR.parse(resealed(body.replacingOccurrences(of: "62070803ABC", with: "62990803ABC")))
        }
        // An unknown root tag (70 is reserved), a missing currency, a wrong GUID.
        #expect(throws: VietQRError.unknownTag("70")) { try VietQR.parse(resealed(body + "7002XY")) }
        #expect(throws: VietQRError.missingTag("53")) { try VietQR.parse(resealed(body.replacingOccurrences(of: "5303704", with: ""))) }
        #expect(throws: VietQRError.invalidField(tag: "38.00", reason: "the GUID must be A000000727")) {
            try VietQR.parse(resealed(body.replacingOccurrences(of: "A000000727", with: "A000000999")))
        }
        #expect(throws: VietQRError.invalidField(tag: "53", reason: "the currency must be 704 (VND)")) {
            try VietQR.parse(resealed(body.replacingOccurrences(of: "5303704", with: "5303840")))
        }
        #expect(throws: VietQRError.missingTag("54")) { try VietQR.parse(resealed(body.replacingOccurrences(of: "540550000", with: ""))) }
        #expect(throws: VietQRError.notASCII) { try VietQR.parse("0002010102125802VNđ6304ABCD") }
    }

    @Test func buildingRefusesFieldsThatDoNotFit() {
        #expect(throws: VietQRError.self) { try VietQR(bankBIN: "9704", account: "1", amount: 1, note: nil).payload() }
        #expect(throws: VietQRError.self) { try VietQR(bankBIN: "970418", account: String(repeating: "1", count: 20), amount: 1, note: nil).payload() }
        #expect(throws: VietQRError.self) { try VietQR(bankBIN: "970418", account: "1", amount: 1, note: String(repeating: "x", count: 26)).payload() }
        #expect(throws: VietQRError.self) { try VietQR(bankBIN: "970418", account: "1", amount: 0, note: nil).payload() }
    }
}
